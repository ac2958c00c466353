"""read_277ca on the public 277CA samples."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from claims_billing.x12.acknowledgement import StatusCode
from claims_billing.x12.errors import X12Error
from claims_billing.x12.read_277ca import read_277ca
from tests.unit.samples import sample


def test_emedny_claim_accepted_a1_then_a2():
	(report,) = read_277ca(sample("277ca/emedny-accepted-A1-A2.x12"))
	assert report.control_number == "000014420" and report.reference == "000000674"
	assert (report.payer_name, report.payer_id) == ("NYSDOH", "141797357")
	assert report.received_date == report.process_date == datetime.date(2011, 3, 11)
	receiver, provider = report.providers
	assert (receiver.level, receiver.name, receiver.id_qualifier, receiver.id) == (
		"information_receiver",
		"A NY MD GROUP",
		"46",
		"ETIN",
	)
	assert [code for status in receiver.statuses for code in status.codes] == [StatusCode("A1", "20")]
	assert receiver.statuses[0].charge == Decimal("125.0") and receiver.statuses[0].action_code == "WQ"
	assert (receiver.accepted_quantity, receiver.accepted_amount) == (Decimal(1), Decimal("125.0"))
	assert (provider.level, provider.id, provider.trace_number) == (
		"provider",
		"1234567890",
		"1107000000000135FF",
	)
	assert provider.statuses == []  # this file sends no 2200C STC
	(claim,) = report.claims
	assert claim.claim_id == "5781"
	assert (claim.status_category, claim.status_code, claim.codes) == ("A2", "20", [StatusCode("A2", "20")])
	assert claim.charge == Decimal("125") and claim.action_code == "WQ"
	assert claim.status_date == datetime.date(2011, 3, 11)
	assert claim.payer_claim_number == "1107000000014420"
	assert claim.service_date == datetime.date(1001, 1, 1)  # DTP*472*D8*10010101, as sent
	assert (claim.patient_last_name, claim.patient_first_name, claim.patient_id) == (
		"TPATIENT",
		"THEBE",
		"LL99999X",
	)
	assert claim.provider is provider and claim.receiver is receiver


def test_deidentified_multi_provider_with_bom_crlf_and_indentation():
	(report,) = read_277ca(sample("277ca/deidentified-multi-provider-bom-indented.x12"))
	receiver, first_provider, second_provider = report.providers
	assert receiver.statuses[0].codes == [StatusCode("X9", "99", "XX")]
	assert (receiver.rejected_quantity, receiver.rejected_amount) == (Decimal(3), Decimal(900))
	assert (first_provider.rejected_quantity, first_provider.rejected_amount) == (Decimal(1), Decimal(220))
	assert (second_provider.rejected_quantity, second_provider.rejected_amount) == (Decimal(2), Decimal(680))
	assert first_provider.parent is receiver and second_provider.parent is receiver
	assert [claim.provider for claim in report.claims] == [first_provider, second_provider, second_provider]
	assert [claim.hierarchical_id for claim in report.claims] == ["4", "6", "7"]
	assert [claim.service_date for claim in report.claims] == [
		datetime.date(2012, 1, 9),
		datetime.date(2011, 3, 16),
		datetime.date(2011, 10, 10),
	]
	assert [claim.charge for claim in report.claims] == [Decimal(220), Decimal(340), Decimal(340)]
	for claim in report.claims:
		assert claim.claim_id == "99999999-99999"
		assert len(claim.statuses) == 3 and claim.action_code == "U"
		assert claim.codes == [
			StatusCode("X9", "999", "99"),
			StatusCode("X9", "999", "XX"),
			StatusCode("X9", "999", "99"),
		]


def test_additional_status_composites_stc10_and_stc11():
	text = sample("277ca/emedny-accepted-A1-A2.x12").decode()
	text = text.replace("STC*A2:20*20110311*WQ*125~", "STC*A3:21:85*20110311*U*125******A7:562:IL*A7:33~")
	(report,) = read_277ca(text.encode())
	(claim,) = report.claims
	assert claim.codes == [
		StatusCode("A3", "21", "85"),
		StatusCode("A7", "562", "IL"),
		StatusCode("A7", "33"),
	]
	assert (claim.status_category, claim.status_code, claim.action_code) == ("A3", "21", "U")


def test_service_line_statuses():
	text = sample("277ca/emedny-accepted-A1-A2.x12").decode()
	text = text.replace(
		"DTP*472*D8*10010101~SE*23*",
		"DTP*472*D8*20240105~SVC*HC:97110:GP*120*0****4~STC*A3:21*20240110*U*120~REF*FJ*L1~"
		"DTP*472*D8*20240105~SE*27*",
	)
	(report,) = read_277ca(text.encode())
	(claim,) = report.claims
	(line,) = claim.lines
	assert (line.procedure_code, line.modifiers, line.charge, line.units) == (
		"97110",
		["GP"],
		Decimal(120),
		Decimal(4),
	)
	assert line.statuses[0].codes == [StatusCode("A3", "21")]
	assert (line.line_control_number, line.service_date) == ("L1", datetime.date(2024, 1, 5))
	assert claim.service_date == datetime.date(2024, 1, 5) and claim.status_code == "20"


def test_truncated_minimal_file_reads_but_is_flagged_incomplete():
	# The file stops cleanly after HL*2 with no SE, GE or IEA: what is there reads, marked incomplete, so
	# nothing acts on half a file as if it were whole.
	(report,) = read_277ca(sample("277ca/minimal-bom-indented.x12"))
	assert report.complete is False
	assert report.claims == [] and report.payer_name == "AMERISYS" and report.reference == "203263.1"
	assert [provider.level for provider in report.providers] == ["information_receiver"]


def test_minimal_file_cut_inside_its_last_segment_is_an_error():
	with pytest.raises(X12Error, match=r"segment 10 \(HL\): the file ends in the middle of a segment"):
		read_277ca(sample("277ca/minimal-bom-indented.x12")[:-3])


def test_minimal_file_completed_reads_with_no_claims():
	data = (
		sample("277ca/minimal-bom-indented.x12") + b"\r\n    SE*8*0001~\r\n  GE*1*203263~\r\nIEA*1*000203263~"
	)
	(report,) = read_277ca(data)
	assert report.complete is True
	assert report.claims == [] and report.payer_name == "AMERISYS" and report.reference == "203263.1"
	assert [provider.level for provider in report.providers] == ["information_receiver"]


def test_truncated_inside_a_claim_is_still_an_error():
	# Cut after the patient level's NM1: the claim has no TRN tracking number, so there is nothing to read.
	text = sample("277ca/emedny-accepted-A1-A2.x12").decode()
	cut = text[: text.index("TRN*2*5781~")]
	with pytest.raises(X12Error, match=r"segment 19 \(HL\): the patient level .* has no TRN\*2"):
		read_277ca(cut.encode())


def test_claim_without_tracking_number_or_status():
	text = sample("277ca/emedny-accepted-A1-A2.x12").decode()
	with pytest.raises(X12Error, match=r"segment 19 \(HL\): the patient level .* has no TRN\*2"):
		read_277ca(text.replace("TRN*2*5781~", "").encode())
	with pytest.raises(X12Error, match=r"claim '5781' \(loop 2200D\) has no STC"):
		read_277ca(text.replace("STC*A2:20*20110311*WQ*125~", "").encode())


def test_bad_charge_and_level():
	text = sample("277ca/emedny-accepted-A1-A2.x12").decode()
	with pytest.raises(X12Error, match=r"segment 22 \(STC\): STC04 total claim charge '12x'"):
		read_277ca(text.replace("WQ*125~", "WQ*12x~").encode())
	with pytest.raises(X12Error, match="HL03 level code 'ZZ'"):
		read_277ca(text.replace("HL*4*3*PT~", "HL*4*3*ZZ~").encode())
