"""read_835 on the public 835 samples: figures checked against the files by hand."""

from __future__ import annotations

import copy
import datetime
import json
from collections import Counter
from decimal import Decimal

import pytest

from claims_billing.x12.claim import Adjustment
from claims_billing.x12.errors import X12Error
from claims_billing.x12.read_835 import read_835
from claims_billing.x12.remittance import PartyName
from tests.unit.samples import sample, sample_names

D = Decimal

# BPR02 and the number of CLP claims of every 835 sample (one transaction set each, except the 3-ST one).
PAYMENTS = {
	"835/denied-claim-multiple-svc.x12": [(D("0"), 1)],
	"835/emedny-inpatient-drg-retro-reversal.x12": [(D("1.57"), 2)],
	"835/emedny-pharmacy-plb.x12": [(D("219.65"), 3)],
	"835/emedny-professional-with-payment.x12": [(D("45.75"), 3)],
	"835/ig-dollars-and-data-separate.x12": [(D("945"), 2)],
	"835/ig-dollars-and-data-together-plb-mia-moa.x12": [(D("150000"), 2)],
	"835/ig-multiple-claims-single-check.x12": [(D("810.8"), 9)],
	"835/ig-secondary-payments.x12": [(D("1222"), 2)],
	"835/ig-tertiary-payment.x12": [(D("187.50"), 1)],
	"835/managed-care-ach.x12": [(D("945.00"), 2)],
	"835/uhc-legacy-gt-component-sep.x12": [(D("349.99"), 2)],
	"835/deidentified-3st-56-claims-bom-indented.x12": [
		(D("999.99"), 19),
		(D("9999.99"), 23),
		(D("482.13"), 14),
	],
}
# Files whose BPR02 equals sum(CLP04) - sum(PLB): all but the de-identified one, whose amounts are masked.
BALANCED = sorted(set(PAYMENTS) - {"835/deidentified-3st-56-claims-bom-indented.x12"})


def test_every_835_sample_is_covered():
	assert sorted(PAYMENTS) == sample_names("835")


@pytest.mark.parametrize("name", sorted(PAYMENTS))
def test_payment_amount_and_claim_count(name):
	remittances = read_835(sample(name))
	assert [(r.amount, len(r.claims)) for r in remittances] == PAYMENTS[name]


@pytest.mark.parametrize("name", BALANCED)
def test_claim_payments_less_provider_adjustments_equal_the_payment(name):
	(remittance,) = read_835(sample(name))
	paid = sum((claim.paid for claim in remittance.claims), D(0))
	adjusted = sum((adjustment.amount for adjustment in remittance.provider_adjustments), D(0))
	assert paid - adjusted == remittance.amount


def test_deidentified_file_does_not_balance_and_is_read_anyway():
	remittances = read_835(sample("835/deidentified-3st-56-claims-bom-indented.x12"))
	paid = [sum((claim.paid for claim in r.claims), D(0)) for r in remittances]
	assert paid == [D("776.06"), D("3111.09"), D("3439.89")]
	assert [r.amount for r in remittances] != paid


def test_three_transaction_sets_with_bom_indentation_and_gt_component_separator():
	remittances = read_835(sample("835/deidentified-3st-56-claims-bom-indented.x12"))
	assert [r.control_number for r in remittances] == ["8001", "9001", "10001"]
	assert sum(len(r.claims) for r in remittances) == 56
	statuses = [Counter(claim.status_code for claim in r.claims) for r in remittances]
	assert statuses == [
		Counter({"4": 12, "1": 7}),
		Counter({"1": 22, "4": 1}),
		Counter({"1": 10, "4": 3, "2": 1}),
	]
	assert [sum(len(claim.services) for claim in r.claims) for r in remittances] == [38, 24, 29]
	first = remittances[0].claims[0]
	assert first.services[0].code_qualifier == "XX" and first.services[0].procedure_code == "99999"
	assert first.services[1].code_qualifier == "HC" and first.services[1].procedure_code == "90716"
	assert first.services[1].remark_codes == ["N1"]
	assert first.services[0].line_control_number == "999X999999999999999999"
	assert remittances[0].payment_date == datetime.date(2012, 2, 1)
	assert remittances[0].production_date == datetime.date(2012, 1, 28)


def test_denied_claim_with_three_service_lines():
	(remittance,) = read_835(sample("835/denied-claim-multiple-svc.x12"))
	assert remittance.handling_code == "H" and remittance.method == "NON"
	assert remittance.payer_name == "PAYER"
	assert remittance.payee_name == "UNKNOWN" and remittance.payee_id_qualifier == "FI"
	assert remittance.payee_id == "444313000"
	(claim,) = remittance.claims
	assert (claim.claim_id, claim.status_code, claim.charge, claim.paid) == (
		"2005555A",
		"4",
		D("915.39"),
		D("0"),
	)
	assert claim.patient_responsibility == 0
	assert claim.rendering_provider == PartyName("PAYEE", "", "", "MC", "44452736")
	assert [(s.procedure_code, s.charge, s.paid, s.units) for s in claim.services] == [
		("T1005", D("500.04"), D("0"), D("68")),
		("T1005", D("127.8"), D("0"), D("16")),
		("T1005", D("287.55"), D("0"), D("36")),
	]
	assert [s.adjustments for s in claim.services] == [
		[Adjustment("CO", "16", D("500.04"))],
		[Adjustment("OA", "A7", D("127.8"))],
		[Adjustment("OA", "A7", D("287.55"))],
	]
	assert claim.services[0].service_date == datetime.date(2003, 11, 29)  # DTM*150
	assert claim.services[0].service_date_end == datetime.date(2003, 11, 29)  # DTM*151
	assert all(s.remark_codes == ["N14"] for s in claim.services)


def test_reversal_and_readjudication():
	(remittance,) = read_835(sample("835/emedny-inpatient-drg-retro-reversal.x12"))
	reversal, corrected = remittance.claims
	assert reversal.is_reversal and reversal.status_code == "22"
	assert (reversal.charge, reversal.paid) == (D("-37617.33"), D("-627.97"))
	assert reversal.adjustments == [Adjustment("CO", "45", D("-36989.36"))]
	assert reversal.remark_codes == ["N689"]  # MIA05
	assert (corrected.status_code, corrected.paid, corrected.remark_codes) == ("1", D("629.54"), ["N419"])
	assert corrected.coverage_amount == D("629.54")
	assert reversal.payer_claim_number == "1300000000000020" and reversal.facility_type == "11"
	assert reversal.frequency == "1" and corrected.frequency == "7"
	assert reversal.statement_from == datetime.date(2013, 1, 21)
	assert reversal.statement_to == datetime.date(2013, 1, 25)
	assert reversal.paid + corrected.paid == remittance.amount == D("1.57")


def test_pharmacy_plb_overpayment_recovery():
	(remittance,) = read_835(sample("835/emedny-pharmacy-plb.x12"))
	(plb,) = remittance.provider_adjustments
	assert (plb.provider_id, plb.reason_code, plb.reference) == ("9999999995", "WO", "FCN#201001010000000")
	assert plb.amount == D("3.99")
	assert plb.fiscal_period_date == datetime.date(2010, 1, 1)
	assert sum(claim.paid for claim in remittance.claims) == D("223.64")
	third = remittance.claims[2]
	assert third.services[0].code_qualifier == "N4" and third.services[0].procedure_code == "54092051902"
	assert third.services[0].adjustments == [
		Adjustment("CO", "91", D("-3.5")),
		Adjustment("CO", "45", D("36.32")),
	]
	assert third.services[0].allowed == D("223.64")
	assert remittance.claims[0].corrected_patient == PartyName(
		"CORRECTED LAST", "CORRECTED FIRST", "", "", ""
	)


def test_plb_mia_moa_medicare_part_a():
	(remittance,) = read_835(sample("835/ig-dollars-and-data-together-plb-mia-moa.x12"))
	assert remittance.handling_code == "C" and remittance.method == "ACH"
	assert remittance.payer_id == "999"  # REF*2U
	(plb,) = remittance.provider_adjustments
	assert (plb.reason_code, plb.reference, plb.amount) == ("CV", "CP", D("-1.27"))
	first, second = remittance.claims
	assert first.patient == PartyName("JONES", "SAM", "O", "HN", "666666666A")
	assert first.remark_codes == [] and second.remark_codes == ["MA02"]  # MIA has no remark, MOA03 MA02
	assert first.paid + second.paid - plb.amount == D("150000")


def test_payer_id_falls_back_to_n1_then_trn03():
	assert read_835(sample("835/uhc-legacy-gt-component-sep.x12"))[0].payer_id == "87726"  # REF*2U
	assert read_835(sample("835/ig-tertiary-payment.x12"))[0].payer_id == "1559123456"  # TRN03


def test_secondary_and_tertiary_statuses():
	(secondary,) = read_835(sample("835/ig-secondary-payments.x12"))
	assert [claim.status_code for claim in secondary.claims] == ["2", "2"]
	line = secondary.claims[1].services[1]
	assert (line.procedure_code, line.modifiers, line.charge, line.paid) == (
		"66543",
		["26"],
		D("585"),
		D("280"),
	)
	assert line.revenue_code == "220"  # SVC04
	assert line.adjustments == [
		Adjustment("PR", "1", D("150")),
		Adjustment("PR", "2", D("70")),
		Adjustment("CO", "42", D("85")),
	]
	(tertiary,) = read_835(sample("835/ig-tertiary-payment.x12"))
	assert tertiary.claims[0].status_code == "3" and tertiary.trace_number == "0012524879"


def test_dental_check_payment():
	(remittance,) = read_835(sample("835/ig-multiple-claims-single-check.x12"))
	assert remittance.method == "CHK" and remittance.trace_number == "12345"
	assert remittance.payment_date == datetime.date(2014, 3, 31)
	assert sum(len(claim.services) for claim in remittance.claims) == 33
	fourth = remittance.claims[3]
	assert (fourth.charge, fourth.paid, fourth.patient_responsibility) == (D("1145"), D("14"), D("902"))
	assert fourth.services[1].adjustments == [
		Adjustment("PR", "3", D("756")),
		Adjustment("CO", "131", D("184")),
	]
	assert remittance.claims[1].insured == PartyName("DOE", "JOHN", "", "MI", "123456")


def test_invalid_payment_date_reads_as_none():
	(remittance,) = read_835(sample("835/managed-care-ach.x12"))
	assert remittance.payment_date is None  # BPR16 20002316 has month 23; validate_file reports it
	assert remittance.amount == D("945.00") and str(remittance.claims[0].charge) == "800.00"


def test_uhc_services_with_gt_component_separator():
	(remittance,) = read_835(sample("835/uhc-legacy-gt-component-sep.x12"))
	services = [s for claim in remittance.claims for s in claim.services]
	assert [s.procedure_code for s in services] == ["B4152", "B4152", "B4154", "B4034", "B4154"]
	assert [s.line_control_number for s in services] == [
		"800941258001",
		"800941258002",
		"123456789012",
		"123456789013",
		"123456789014",
	]
	assert [s.allowed for s in services] == [D("88.92"), D("105.26"), D("204.18"), D("27.84"), D("144.18")]
	assert remittance.claims[0].received_date == datetime.date(2021, 1, 14)


# --- malformed input ------------------------------------------------------------------------

GOOD = sample("835/ig-tertiary-payment.x12").decode()


def replaced(old: str, new: str) -> bytes:
	assert old in GOOD
	return GOOD.replace(old, new).encode()


def test_non_numeric_clp03_names_segment_and_element():
	with pytest.raises(X12Error) as caught:
		read_835(replaced("CLP*0001000054*3*1766.5*", "CLP*0001000054*3*abc*"))
	assert str(caught.value) == "segment 17 (CLP): CLP03 claim charge 'abc' is not a number"
	assert (caught.value.segment_number, caught.value.segment_id) == (17, "CLP")


def test_clp_before_bpr():
	data = replaced("BPR*I*187.50*C*CHK************20050412~", "")
	data = data.replace(b"ST*835*0001~", b"ST*835*0001~CLP*X*1*1*1~BPR*I*1*C*CHK~")
	with pytest.raises(X12Error, match=r"segment 4 \(CLP\): CLP before the BPR"):
		read_835(data)


def test_missing_required_elements():
	with pytest.raises(X12Error, match=r"\(CLP\): CLP02 claim status code is missing"):
		read_835(replaced("CLP*0001000054*3*", "CLP*0001000054**"))
	with pytest.raises(X12Error, match=r"\(SVC\): SVC is missing a required element"):
		read_835(replaced("SVC*HC:24599*1766.5*187.50**1~", "SVC*HC:24599*1766.5~"))
	with pytest.raises(X12Error, match=r"\(TRN\): TRN02 check or EFT trace number is missing"):
		read_835(replaced("TRN*1*0012524879*1559123456", "TRN*1**1559123456"))
	with pytest.raises(X12Error, match=r"\(CAS\): CAS03 adjustment amount is missing"):
		read_835(replaced("CAS*OA*23*1579", "CAS*OA*23"))


def test_missing_trn_is_named_at_the_se():
	with pytest.raises(X12Error, match=r"segment 25 \(SE\): .* has no TRN"):
		read_835(replaced("TRN*1*0012524879*1559123456~", ""))


def test_truncated_files():
	# Cut cleanly after a whole segment: what is there reads, flagged incomplete (never to be posted).
	(whole,) = read_835(GOOD.encode())
	(cut_before_se,) = read_835(GOOD[: GOOD.index("SE*24*0001")].encode())
	(cut_before_iea,) = read_835(GOOD[: GOOD.index("IEA*")].encode())
	assert whole.complete and not cut_before_se.complete and not cut_before_iea.complete
	cut_before_se.complete = cut_before_iea.complete = True
	assert cut_before_se == whole and cut_before_iea == whole
	# Cut inside a segment: an error.
	with pytest.raises(X12Error, match="the file ends in the middle of a segment"):
		read_835(GOOD[: GOOD.index("SE*24*0001") + 4].encode())
	with pytest.raises(X12Error, match="the file ends in the middle of a segment"):
		read_835(GOOD[: GOOD.index("GE*") + 4].encode())


def test_other_file_types_are_refused():
	with pytest.raises(X12Error, match="no 835 transaction set in this file: it holds 999"):
		read_835(sample("999/four-st-accepted-for-834.x12"))
	with pytest.raises(X12Error, match="not an X12 file"):
		read_835(b'{"json": true}')


def test_empty_lists_are_shared_and_refuse_to_grow():
	(remittance,) = read_835(sample("835/ig-tertiary-payment.x12"))
	(claim,) = remittance.claims
	(service,) = claim.services
	assert service.remark_codes == [] and service.modifiers == [] and claim.adjustments == []
	assert service.remark_codes is claim.adjustments  # one shared empty list, not one per field
	with pytest.raises(TypeError, match="assign a new list instead"):
		service.remark_codes.append("N1")
	service.remark_codes = ["N1"]
	assert service.remark_codes == ["N1"] and claim.remark_codes == []
	assert copy.deepcopy(claim).adjustments == [] and json.dumps(claim.remark_codes) == "[]"
