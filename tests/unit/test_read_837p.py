"""read_837p on the public 837P samples: claims as claims_billing.x12.claim.Claim objects."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest

from claims_billing.x12.claim import Adjustment, Claim
from claims_billing.x12.errors import X12Error
from claims_billing.x12.read_837p import read_837p
from tests.unit.samples import sample, sample_names

D = Decimal

# Claims, service lines and CLM02 total of each 837P sample, counted in the files.
COUNTS = {
	"837p/eight-claims-lt-component-sep.x12": (8, 11, D("1771.96")),
	"837p/ig-ambulance.x12": (1, 4, D("766.50")),
	"837p/ig-anesthesia.x12": (1, 1, D("827")),
	"837p/ig-cob-primary-claim-to-payer-a.x12": (1, 3, D("79.04")),
	"837p/ig-commercial-health-insurance.x12": (1, 4, D("100")),
	"837p/ig-drug-in-office-ndc.x12": (1, 2, D("103.37")),
	"837p/ig-encounter.x12": (1, 4, D("100")),
	"837p/ig-medicare-secondary-payer-cob.x12": (1, 1, D("120")),
	"837p/ig-ppo-repriced.x12": (1, 2, D("28.75")),
	"837p/ig-wheelchair-pwk02-AD.x12": (1, 1, D("75")),
	"837p/perf-820-claims-one-st.x12": (820, 820, D("410000")),
}


def only_claims(name: str) -> list[Claim]:
	(transaction,) = read_837p(sample(name))
	return transaction.claims


def test_every_837p_sample_is_covered():
	assert sorted(COUNTS) == sample_names("837p")


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_claims_lines_and_declared_totals(name):
	claims = only_claims(name)
	assert (len(claims), sum(len(c.lines) for c in claims), sum(c.declared_charge for c in claims)) == COUNTS[
		name
	]
	assert all(isinstance(claim, Claim) for claim in claims)


@pytest.mark.parametrize("name", sorted(set(COUNTS) - {"837p/perf-820-claims-one-st.x12"}))
def test_ig_clean_samples_have_no_reading_problems_and_lines_add_up(name):
	(transaction,) = read_837p(sample(name))
	assert transaction.problems == []
	for claim in transaction.claims:
		assert claim.declared_charge == claim.total_charge
		assert all(line.service_date is not None for line in claim.lines)


def test_commercial_claim_for_a_dependent():
	(transaction,) = read_837p(sample("837p/ig-commercial-health-insurance.x12"))
	assert (transaction.control_number, transaction.version, transaction.reference) == (
		"0021",
		"005010X222A1",
		"244579",
	)
	assert transaction.created == datetime.date(2006, 10, 15) and transaction.claim_or_encounter == "CH"
	assert (transaction.submitter.name, transaction.submitter.id, transaction.submitter.phone) == (
		"PREMIER BILLING SERVICE",
		"TGJ23",
		"3055552222",
	)
	assert (transaction.receiver.name, transaction.receiver.id) == ("KEY INSURANCE COMPANY", "66783JJT")
	(claim,) = transaction.claims
	provider = claim.billing_provider
	assert (provider.name, provider.npi, provider.tax_id, provider.taxonomy) == (
		"BEN KILDARE SERVICE",
		"9876543210",
		"587654321",
		"203BF0100Y",
	)
	assert (provider.address.line1, provider.address.city, provider.address.postal_code) == (
		"234 SEAWAY ST",
		"MIAMI",
		"33111",
	)
	subscriber = claim.subscriber
	assert (subscriber.last_name, subscriber.first_name, subscriber.member_id) == (
		"SMITH",
		"JANE",
		"JS00111223333",
	)
	assert (subscriber.group_number, subscriber.filing_indicator, subscriber.sex) == ("2222-SJ", "CI", "F")
	assert subscriber.date_of_birth == datetime.date(1943, 5, 1) and subscriber.address is None
	assert (claim.payer.name, claim.payer.payer_id) == ("KEY INSURANCE COMPANY", "999996666")
	patient = claim.patient
	assert (patient.first_name, patient.relationship, patient.sex) == ("TED", "19", "M")
	assert patient.date_of_birth == datetime.date(1973, 5, 1) and patient.address.line1 == "236 N MAIN  ST"
	assert (claim.claim_id, claim.place_of_service, claim.frequency) == ("26463774", "11", "1")
	assert claim.release_of_information == "I" and claim.provider_signature_on_file
	assert claim.diagnoses == ["0340", "V7389"]  # HI*BK:0340*BF:V7389, qualifiers dropped
	assert [(line.procedure_code, line.charge, line.diagnosis_pointers) for line in claim.lines] == [
		("99213", D("40"), [1]),
		("87070", D("15"), [1]),
		("99214", D("35"), [2]),
		("86663", D("10"), [2]),
	]
	assert claim.lines[2].service_date == datetime.date(2006, 10, 10)


def test_eight_claims_with_lt_component_separator():
	claims = only_claims("837p/eight-claims-lt-component-sep.x12")
	assert [claim.claim_id for claim in claims] == [
		"1029353-03",
		"1029353-03",
		"1-1180",
		"1-1181",
		"1-1182",
		"1-1183",
		"1029353-03",
		"1029353-03",
	]
	first = claims[0]
	assert first.diagnoses == ["6268", "78930"]
	assert [(line.procedure_code, line.units, line.diagnosis_pointers) for line in first.lines] == [
		("87086", D("1"), [1]),
		("97530", D("3"), [1, 2]),
		("97530", D("3"), [1, 2]),
		("97530", D("3"), [1, 2]),
	]
	assert (first.referring_provider.last_name, first.referring_provider.first_name) == ("SMITH", "BOBBY")
	assert first.rendering_provider.npi == "123456789"
	assert len({id(claim.billing_provider) for claim in claims}) == 1  # one 2000A loop for all eight


def test_anesthesia_minutes_and_modifiers():
	(claim,) = only_claims("837p/ig-anesthesia.x12")
	(line,) = claim.lines
	assert (line.procedure_code, line.modifiers, line.unit_code, line.units) == (
		"00142",
		["QK", "QS", "P1"],
		"MJ",
		D(61),
	)
	assert (claim.rendering_provider.last_name, claim.rendering_provider.taxonomy) == (
		"TOWNSEND",
		"207L00000X",
	)


def test_ambulance_line_control_numbers_and_icd9_codes():
	(claim,) = only_claims("837p/ig-ambulance.x12")
	assert claim.diagnoses == ["8628", "E8888", "9592", "8540"]
	assert [line.line_control_number for line in claim.lines] == ["1001", "1002", "1003", "1004"]
	assert claim.lines[1].charge == D("8.20") and claim.lines[1].units == D(21)
	assert claim.billing_provider.taxonomy == "3416L0300X"  # PRV*BI in 2000A
	assert claim.place_of_service == "41"


def test_cob_claim_to_primary_lists_the_other_payer():
	(claim,) = only_claims("837p/ig-cob-primary-claim-to-payer-a.x12")
	assert claim.billing_provider.first_name == "BEN" and claim.billing_provider.name == "KILDARE"
	(other,) = claim.other_payers
	assert (other.responsibility, other.relationship, other.paid) == ("S", "01", None)
	assert (other.subscriber.last_name, other.subscriber.first_name, other.subscriber.member_id) == (
		"SMITH",
		"JACK",
		"T55TY666",
	)
	assert (other.payer.name, other.payer.payer_id) == ("KEY INSURANCE COMPANY", "999996666")
	assert claim.billing_provider.contact_name == "CONNIE"


def test_secondary_claim_carries_primary_adjudication():
	(claim,) = only_claims("837p/ig-medicare-secondary-payer-cob.x12")
	assert claim.payer_responsibility == "S" and claim.subscriber.filing_indicator == "MB"
	(primary,) = claim.other_payers
	assert (primary.responsibility, primary.paid, primary.subscriber.filing_indicator) == ("P", D(80), "CI")
	assert (primary.payer.name, primary.payer.payer_id) == ("COMMERCE", "59999")
	(adjudication,) = primary.line_adjudications
	assert (adjudication.line_number, adjudication.paid, adjudication.procedure_code) == (1, D(80), "99203")
	assert adjudication.modifiers == ["25"]
	assert adjudication.adjustments == [Adjustment("CO", "42", D(25)), Adjustment("PR", "2", D(15))]
	assert adjudication.adjudication_date == datetime.date(2005, 1, 28)


def test_wheelchair_range_date_and_rental_modifiers():
	(claim,) = only_claims("837p/ig-wheelchair-pwk02-AD.x12")
	(line,) = claim.lines
	assert line.service_date == datetime.date(2005, 3, 21) and line.service_date_end is None  # RD8, same day
	assert line.modifiers == ["RR", "KH", "BR"]


def test_perf_file_reads_despite_malformed_hi_and_hl():
	(transaction,) = read_837p(sample("837p/perf-820-claims-one-st.x12"))
	claims = transaction.claims
	assert Counter(claim.claim_id for claim in claims) == Counter({"A37YH556": 410, "A37YH667": 410})
	assert claims[0].diagnoses == ["8901", "87200", "5559"]  # from HI*BK*8901*BF*87200*BF:5559
	assert claims[1].lines[0].diagnosis_pointers == [1, 2, 3]
	assert claims[0].lines[0].service_date == datetime.date(2005, 3, 14)
	assert claims[0].lines[0].service_date_end == datetime.date(2005, 3, 25)
	assert Counter(problem.code for problem in transaction.problems) == Counter({"837-hi-composite": 820})
	assert transaction.problems[0].path == "segment 23 (HI)"


def test_missing_required_parts_are_recorded_not_raised():
	text = sample("837p/ig-commercial-health-insurance.x12").decode()
	text = text.replace("HI*BK:0340*BF:V7389~", "").replace("DTP*472*D8*20061003~LX*2", "LX*2")
	text = text.replace("SE*42*", "SE*40*")
	(transaction,) = read_837p(text.encode())
	(claim,) = transaction.claims
	assert claim.diagnoses == [] and claim.lines[0].service_date is None
	assert [(problem.path, problem.code) for problem in transaction.problems] == [
		("segment 32 (SV1)", "837-service-date"),
		("segment 29 (CLM)", "837-diagnoses"),
	]


def test_claim_without_billing_provider_or_payer():
	text = sample("837p/ig-anesthesia.x12").decode()
	text = text.replace("NM1*85*2*PROVIDER MEDICAL GROUP*****XX*2366554859~", "")
	text = text.replace("NM1*PR*2*ABC PAYER*****PI*05440~", "")
	(transaction,) = read_837p(text.encode())
	assert {problem.code for problem in transaction.problems} == {"837-billing-provider", "837-payer"}
	(claim,) = transaction.claims
	assert claim.billing_provider.npi == "" and claim.payer.payer_id == ""


def test_malformed_values_raise():
	text = sample("837p/ig-anesthesia.x12").decode()
	with pytest.raises(X12Error, match=r"segment 29 \(SV1\): SV102 line charge '8x27' is not a number"):
		read_837p(text.replace("*827*MJ", "*8x27*MJ").encode())
	with pytest.raises(X12Error, match=r"\(CLM\): CLM02 total claim charge 'abc'"):
		read_837p(text.replace("CLM*153829140*827*", "CLM*153829140*abc*").encode())
	with pytest.raises(X12Error, match=r"\(SV1\): SV107 diagnosis code pointer 'A'"):
		read_837p(text.replace("P1*827*MJ*61***1~", "P1*827*MJ*61***A~").encode())
	with pytest.raises(X12Error, match=r"segment 27 \(LX\): LX service line number outside a claim"):
		read_837p(text.replace("CLM*153829140*827***22:B:1*Y*A*Y*Y~", "").encode())


def test_an_835_is_not_an_837():
	with pytest.raises(X12Error, match="no 837 transaction set"):
		read_837p(sample("835/denied-claim-multiple-svc.x12"))
