"""validate_file: every problem of a file, as Problem records, never an exception."""

from __future__ import annotations

from collections import Counter

import pytest

from claims_billing.x12.errors import Problem
from claims_billing.x12.validate import validate_file
from tests.unit.samples import sample, sample_names

# Samples with problems, and exactly what is wrong with them (checked in the files by hand).
WITH_PROBLEMS = {
	"999/accepted-bad-gs05-iea-mismatch.x12",
	"277ca/minimal-bom-indented.x12",
	"835/managed-care-ach.x12",
	"835/deidentified-3st-56-claims-bom-indented.x12",
	"837p/perf-820-claims-one-st.x12",
}

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~"


def where(problems: list[Problem]) -> list[tuple[str, str]]:
	return [(problem.path, problem.code) for problem in problems]


@pytest.mark.parametrize("name", sorted(set(sample_names()) - WITH_PROBLEMS))
def test_clean_samples_have_no_problems(name):
	assert validate_file(sample(name)) == []


def test_bad_gs05_time_and_iea_control_number_are_both_reported():
	problems = validate_file(sample("999/accepted-bad-gs05-iea-mismatch.x12"))
	assert where(problems) == [("segment 2 (GS)", "gs-time"), ("segment 10 (IEA)", "iea-control")]
	assert "GS05 time '102497' is not a valid time" in problems[0].message
	assert problems[1].message == (
		"IEA02 control number '000000001' does not match ISA13 '000000286' (ISA at segment 1)"
	)
	assert str(problems[1]).startswith("segment 10 (IEA): IEA02")


def test_truncated_file_misses_se_ge_and_iea():
	problems = validate_file(sample("277ca/minimal-bom-indented.x12"))
	assert where(problems) == [
		("segment 3 (ST)", "missing-se"),
		("segment 2 (GS)", "missing-ge"),
		("segment 1 (ISA)", "missing-iea"),
	]


def test_impossible_payment_date():
	problems = validate_file(sample("835/managed-care-ach.x12"))
	assert where(problems) == [("segment 4 (BPR)", "invalid-date")]
	assert problems[0].message == "BPR16 payment date '20002316' is not a valid CCYYMMDD date"


def test_unbalanced_deidentified_remittances():
	problems = validate_file(sample("835/deidentified-3st-56-claims-bom-indented.x12"))
	assert where(problems) == [
		("segment 4 (BPR)", "835-unbalanced"),
		("segment 295 (BPR)", "835-unbalanced"),
		("segment 564 (BPR)", "835-unbalanced"),
	]
	assert (
		"BPR02 payment 999.99 does not equal the claim payments (sum of CLP04) 776.06" in problems[0].message
	)


def test_perf_file_problems():
	problems = validate_file(sample("837p/perf-820-claims-one-st.x12"))
	assert Counter(problem.code for problem in problems) == Counter(
		# 1230 HL with ids 1 and 2 over and over; 410 name parent 3, which does not exist; every claim says 500
		# while its one line is 12.25; and SE01 says 25.
		{"837-hl-duplicate": 1228, "837-hl-parent": 410, "837-charge-total": 820, "se-count": 1}
	)
	(count,) = [problem for problem in problems if problem.code == "se-count"]
	assert count.path == "segment 11488 (SE)"
	assert count.message == "SE01 says '25' segments but the transaction set has 11486 (ST to SE)"


def test_not_x12_is_one_problem():
	for data in (b"", b"hello", b"\x00\xff\xfe garbage", b'{"transactions": []}'):
		problems = validate_file(data)
		assert len(problems) == 1 and problems[0].code == "not-x12"
		assert "not an X12 file" in problems[0].message


def test_short_isa_is_one_problem():
	(problem,) = validate_file(b"ISA*00*   *00")
	assert (problem.path, problem.code) == ("segment 1 (ISA)", "not-x12")


def test_envelope_counts_and_control_numbers():
	text = (
		ISA + "GS*FA*S*R*20240101*1200*5*X*005010X231A1~"
		"ST*999*0001~AK1*HC*1~AK2*837*0001~IK5*A~AK9*A*1*1*1~SE*9*0002~"
		"ST*999*0001~AK1*HC*1~AK2*837*0001~IK5*A~AK9*A*1*1*1~SE*6*0001~"
		"GE*3*6~IEA*2*000000009~"
	)
	assert where(validate_file(text.encode())) == [
		("segment 8 (SE)", "se-count"),
		("segment 8 (SE)", "se-control"),
		("segment 9 (ST)", "st-control-duplicate"),
		("segment 15 (GE)", "ge-count"),
		("segment 15 (GE)", "ge-control"),
		("segment 16 (IEA)", "iea-count"),
		("segment 16 (IEA)", "iea-control"),
	]


def test_isa_widths_and_values():
	bad = ISA.replace("*ZZ*SENDER         *", "*ZZ*SENDER*").replace("*240101*1200*", "*241301*1275*")
	bad = bad.replace("*0*T*:", "*2*X*:")
	text = (
		bad
		+ "GS*FA*S*R*20240101*1200*1*X*005010X231A1~ST*999*0001~AK1*HC*1~AK9*A*0*0*0~SE*4*0001~GE*1*1~IEA*1*000000001~"
	)
	assert where(validate_file(text.encode())) == [
		("segment 1 (ISA)", "isa-width"),
		("segment 1 (ISA)", "isa-date"),
		("segment 1 (ISA)", "isa-time"),
		("segment 1 (ISA)", "isa-ack-flag"),
		("segment 1 (ISA)", "isa-usage"),
	]


def test_segments_outside_transaction_sets_and_bad_ids():
	text = (
		ISA + "GS*FA*S*R*20240101*1200*1*X*005010X231A1~NM1*XX~"
		"ST*999*0001~AK1*HC*1~a b*1~AK9*A*0*0*0~SE*5*0001~GE*1*1~IEA*1*000000001~"
	)
	assert where(validate_file(text.encode())) == [
		("segment 3 (NM1)", "outside-st"),
		("segment 6 (?)", "segment-id"),
	]


def test_missing_trailers_in_the_middle_are_reported_where_they_belong():
	text = (
		ISA
		+ "GS*FA*S*R*20240101*1200*1*X*005010X231A1~ST*999*0001~AK1*HC*1~AK9*A*0*0*0~GE*1*1~IEA*1*000000001~"
	)
	assert where(validate_file(text.encode())) == [("segment 3 (ST)", "missing-se")]


def test_835_structure():
	good = sample("835/ig-tertiary-payment.x12").decode()
	text = good.replace("TRN*1*0012524879*1559123456~", "").replace("N1*PE*", "N1*XX*")
	text = text.replace("CLP*0001000054*3*1766.5*187.50", "CLP*0001000054*3*17x66*187.50").replace(
		"SE*24*", "SE*23*"
	)
	assert where(validate_file(text.encode())) == [
		("segment 16 (CLP)", "invalid-amount"),
		("segment 25 (SE)", "835-trn"),
		("segment 25 (SE)", "835-payee"),
	]


def test_835_balance_includes_provider_adjustments():
	good = sample("835/emedny-pharmacy-plb.x12").decode()
	assert validate_file(
		good.replace("*WO:FCN#201001010000000*3.99~", "*WO:FCN#201001010000000*4.99~").encode()
	)[0].code == ("835-unbalanced")


def test_837p_required_loops_and_segments():
	good = sample("837p/ig-commercial-health-insurance.x12").decode()
	text = good.replace("REF*EI*587654321~", "REF*G2*587654321~")  # no tax id
	text = text.replace("NM1*IL*1*SMITH*JANE****MI*JS00111223333~", "")  # no subscriber name
	text = text.replace("HI*BK:0340*BF:V7389~", "")  # no diagnoses
	text = text.replace("DTP*472*D8*20061010~LX*4", "LX*4")  # third line without its date
	text = text.replace("HL*3*2*23*0", "HL*3*1*23*0")  # a patient level under the provider
	text = text.replace("SE*42*", "SE*39*")
	assert where(validate_file(text.encode())) == [
		("segment 8 (HL)", "837-2010AA"),
		("segment 17 (HL)", "837-2010BA"),
		("segment 22 (HL)", "837-hl-parent"),
		("segment 36 (LX)", "837-service-date"),
		("segment 28 (CLM)", "837-hi"),
	]


def test_837p_charge_total_and_version():
	good = sample("837p/ig-anesthesia.x12").decode()
	assert where(validate_file(good.replace("CLM*153829140*827*", "CLM*153829140*872*").encode())) == [
		("segment 20 (CLM)", "837-charge-total")
	]
	institutional = good.replace("005010X222A1", "005010X223A2")
	assert where(validate_file(institutional.encode())) == [("segment 3 (ST)", "837-version")]


def test_segments_cut_short_are_problems_not_exceptions():
	# Found by fuzzing: a bare DTP inside a service line at the very end of a truncated file.
	good = sample("837p/ig-wheelchair-pwk02-AD.x12")
	data = good[: good.index(b"DTP*463") + 3]
	assert where(validate_file(data))[-3:] == [
		("segment 3 (ST)", "missing-se"),
		("segment 2 (GS)", "missing-ge"),
		("segment 1 (ISA)", "missing-iea"),
	]
	for cut in range(len(good) - 200, len(good)):
		assert all(isinstance(problem, Problem) for problem in validate_file(good[:cut]))


def test_999_structure():
	text = (
		ISA + "GS*FA*S*R*20240101*1200*1*X*005010X231A1~"
		"ST*999*0001~AK2*837*0001~AK2*837*0002~IK5*A~SE*5*0001~GE*1*1~IEA*1*000000001~"
	)
	assert where(validate_file(text.encode())) == [
		("segment 4 (AK2)", "999-ik5"),
		("segment 7 (SE)", "999-ak1"),
		("segment 7 (SE)", "999-ak9"),
	]
