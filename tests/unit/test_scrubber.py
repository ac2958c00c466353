"""The claim scrubber: every rule fires on a bad claim and stays quiet on a good one."""

import dataclasses
import datetime
from decimal import Decimal

import pytest

from claims_billing.core.scrubber import RULE_CODES, scrub_claim, scrub_claims
from claims_billing.x12.claim import (
	Address,
	Adjustment,
	BillingProvider,
	Claim,
	LineAdjudication,
	OtherPayer,
	Patient,
	Payer,
	Provider,
	ServiceLine,
	Subscriber,
	from_dict,
	to_dict,
)
from claims_billing.x12.errors import Problem

TODAY = datetime.date(2026, 11, 22)
SERVICE_DAY = datetime.date(2026, 11, 2)
VALID_NPIS = ("1234567893", "9876543213", "1111111112")
PATIENT_NAME = ("Quill", "Marisol")
MEMBER_ID = "XQZ884412"


def make_address() -> Address:
	return Address(line1="12 Elm St", city="Springfield", state="IL", postal_code="62701")


def make_valid_claim(**changes) -> Claim:
	"""A claim that passes every rule: two therapy lines in the office, the patient is the subscriber."""
	claim = Claim(
		claim_id="PCN-2026-0001",
		billing_provider=BillingProvider(
			name="Riverside Therapy", npi=VALID_NPIS[0], tax_id="123456789", address=make_address()
		),
		subscriber=Subscriber(
			last_name=PATIENT_NAME[0],
			first_name=PATIENT_NAME[1],
			member_id=MEMBER_ID,
			date_of_birth=datetime.date(1984, 3, 9),
			sex="F",
			address=make_address(),
			filing_indicator="CI",
		),
		payer=Payer(name="Acme Health", payer_id="60054"),
		place_of_service="11",
		diagnoses=["F41.1", "M54.50"],
		lines=[
			ServiceLine(
				procedure_code="90837",
				charge=Decimal("150.00"),
				service_date=SERVICE_DAY,
				diagnosis_pointers=[1],
			),
			ServiceLine(
				procedure_code="97110",
				charge=Decimal("45.50"),
				service_date=SERVICE_DAY,
				diagnosis_pointers=[2, 1],
				modifiers=["GP"],
				units=Decimal(2),
			),
		],
		rendering_provider=Provider(last_name="Okafor", first_name="Ada", npi=VALID_NPIS[1]),
		referring_provider=Provider(last_name="Lind", first_name="Per", npi=VALID_NPIS[2]),
		onset_date=datetime.date(2026, 10, 1),
	)
	return dataclasses.replace(claim, **changes)


def make_line(**changes) -> ServiceLine:
	line = ServiceLine(
		procedure_code="90834", charge=Decimal("120.00"), service_date=SERVICE_DAY, diagnosis_pointers=[1]
	)
	return dataclasses.replace(line, **changes)


def rule_codes(problems: list[Problem]) -> set[str]:
	return {problem.code for problem in problems}


def only(problems: list[Problem], code: str) -> Problem:
	matching = [problem for problem in problems if problem.code == code]
	assert len(matching) == 1, problems
	return matching[0]


def scrub(claim: Claim) -> list[Problem]:
	return scrub_claim(claim, TODAY)


# --- the baseline ----------------------------------------------------------------------------


def test_valid_claim_has_no_problems():
	assert scrub(make_valid_claim()) == []


def test_valid_claim_survives_the_json_round_trip_without_problems():
	claim = from_dict(Claim, to_dict(make_valid_claim()))
	assert scrub(claim) == []


def test_every_problem_has_a_known_rule_code_and_no_patient_identifiers():
	broken = make_valid_claim(
		claim_id="",
		diagnoses=["F41", "F41", "Q99.9X"],
		place_of_service="10",
		frequency="7",
		payer_responsibility="S",
		lines=[
			make_line(charge=Decimal("0"), modifiers=["95", "95", "2", "59", "GT"], diagnosis_pointers=[4, 4])
		],
	)
	broken.subscriber.date_of_birth = datetime.date(2030, 1, 1)
	problems = scrub(broken)
	assert len(problems) >= 10
	for problem in problems:
		assert problem.code in RULE_CODES
		assert problem.path.startswith("claim")
		for secret in (*PATIENT_NAME, MEMBER_ID, "2030-01-01"):
			assert secret not in problem.message


def test_scrub_claims_prefixes_paths_with_the_claim_position():
	good = make_valid_claim()
	bad = make_valid_claim(claim_id="PCN-2", diagnoses=["F41", "M54.50"])
	problems = scrub_claims([good, bad], TODAY)
	assert problems == [
		Problem(
			"claims[1].diagnoses[0]",
			"Diagnosis 1: F41 is a category, not a billable code; add the digits after the dot "
			"(for example F41.0, F41.1, F41.3)",
			"icd10-not-billable",
		)
	]


def test_scrub_claims_flags_a_claim_id_used_twice_in_a_batch():
	problems = scrub_claims(
		[make_valid_claim(), make_valid_claim(), make_valid_claim(claim_id="OTHER")], TODAY
	)
	problem = only(problems, "claim-id-duplicate")
	assert problem.path == "claims[1].claim_id"
	assert "claim 1 of this batch" in problem.message


def test_today_must_be_a_date():
	with pytest.raises(TypeError, match=r"datetime\.date"):
		scrub_claim(make_valid_claim(), "2026-11-22")


# --- NPI -------------------------------------------------------------------------------------


def test_billing_provider_npi_check_digit():
	claim = make_valid_claim()
	claim.billing_provider.npi = "1234567890"
	problem = only(scrub(claim), "npi-check-digit")
	assert problem.path == "claim.billing_provider.npi"
	assert problem.message.startswith("Billing provider: NPI 1234567890 fails its check digit")


def test_rendering_and_referring_provider_npis():
	claim = make_valid_claim()
	claim.rendering_provider.npi = "9876543210"
	claim.referring_provider.npi = "12345"
	problems = scrub(claim)
	assert only(problems, "npi-check-digit").path == "claim.rendering_provider.npi"
	invalid = only(problems, "npi-invalid")
	assert invalid.path == "claim.referring_provider.npi"
	assert invalid.message == "Referring provider: NPI '12345' must be exactly 10 digits"


def test_line_rendering_provider_npi():
	claim = make_valid_claim()
	claim.lines[1].rendering_provider = Provider(last_name="Ng", first_name="Li", npi="1111111111")
	problem = only(scrub(claim), "npi-check-digit")
	assert problem.path == "claim.lines[1].rendering_provider.npi"
	assert problem.message.startswith("Service line 2 rendering provider: NPI 1111111111")
	claim.lines[1].rendering_provider.npi = "1111111112"
	assert scrub(claim) == []


def test_npi_in_non_ascii_digits_is_invalid_not_a_check_digit_error():
	claim = make_valid_claim()
	claim.billing_provider.npi = "1234567893".translate(
		{ord("0") + digit: 0xFF10 + digit for digit in range(10)}
	)
	assert only(scrub(claim), "npi-invalid").path == "claim.billing_provider.npi"


def test_missing_billing_npi():
	claim = make_valid_claim()
	claim.billing_provider.npi = ""
	assert only(scrub(claim), "npi-invalid").message == "Billing provider: No NPI given"


# --- diagnoses -------------------------------------------------------------------------------


def test_non_billable_and_unknown_diagnoses():
	problems = scrub(make_valid_claim(diagnoses=["F41.1", "M54.5", "Q99.9X"]))
	not_billable = only(problems, "icd10-not-billable")
	assert not_billable.path == "claim.diagnoses[1]"
	assert not_billable.message.startswith("Diagnosis 2: M54.5 is not billable on its own")
	unknown = only(problems, "icd10-unknown")
	assert unknown.path == "claim.diagnoses[2]"
	assert unknown.message == "Diagnosis 3: Q99.9X is not an ICD-10-CM code"


def test_diagnoses_without_dots_or_in_lower_case_are_accepted():
	assert scrub(make_valid_claim(diagnoses=["f411", "M5450"])) == []


def test_duplicate_diagnosis_is_found_whatever_its_spelling():
	problem = only(scrub(make_valid_claim(diagnoses=["F41.1", "M54.50", "f411"])), "diagnosis-duplicate")
	assert problem.path == "claim.diagnoses[2]"
	assert problem.message == "Diagnosis 3 (F41.1) repeats diagnosis 1"


def test_at_least_one_diagnosis():
	problems = scrub(make_valid_claim(diagnoses=[]))
	assert only(problems, "diagnosis-missing").path == "claim.diagnoses"
	# the pointers now point at nothing as well
	assert "pointer-missing-diagnosis" in rule_codes(problems)


TWELVE_BILLABLE = [
	"F41.1",
	"M54.50",
	"F32.A",
	"Z00.00",
	"S13.4XXA",
	"U07.1",
	"F41.0",
	"F41.3",
	"F41.8",
	"F41.9",
	"M54.51",
	"M54.59",
]


def test_twelve_diagnoses_fit_and_thirteen_do_not():
	assert scrub(make_valid_claim(diagnoses=TWELVE_BILLABLE)) == []
	problems = scrub(make_valid_claim(diagnoses=[*TWELVE_BILLABLE, "F43.10"]))
	assert rule_codes(problems) == {"diagnosis-too-many"}
	assert (
		only(problems, "diagnosis-too-many").message
		== "The claim has 13 diagnoses; at most 12 fit on one claim"
	)


# --- lines, procedure codes, modifiers -------------------------------------------------------


def test_at_least_one_line():
	problem = only(scrub(make_valid_claim(lines=[])), "line-missing")
	assert problem.path == "claim.lines"


def test_fifty_lines_fit_and_fifty_one_do_not():
	assert scrub(make_valid_claim(lines=[make_line() for _ in range(50)])) == []
	problems = scrub(make_valid_claim(lines=[make_line() for _ in range(51)]))
	assert rule_codes(problems) == {"line-too-many"}


def test_procedure_code_shape():
	claim = make_valid_claim()
	claim.lines[1].procedure_code = "9711"
	problem = only(scrub(claim), "procedure-code-invalid")
	assert problem.path == "claim.lines[1].procedure_code"
	assert problem.message.startswith("Service line 2: Procedure code '9711' is not a CPT or HCPCS code")
	claim.lines[1].procedure_code = "G0283"
	assert scrub(claim) == []


def test_modifier_shape_count_and_duplicates():
	claim = make_valid_claim()
	claim.lines[0].modifiers = ["59", "g", "59", "KX", "GP"]
	problems = scrub(claim)
	assert only(problems, "modifier-too-many").message == (
		"Service line 1 has 5 modifiers; at most 4 fit on a service line"
	)
	invalid = only(problems, "modifier-invalid")
	assert invalid.path == "claim.lines[0].modifiers[1]"
	duplicate = only(problems, "modifier-duplicate")
	assert duplicate.path == "claim.lines[0].modifiers[2]"
	assert duplicate.message == "Service line 1: modifier 59 appears twice"


def test_four_distinct_modifiers_pass():
	claim = make_valid_claim()
	claim.lines[0].modifiers = ["59", "KX", "GP", "76"]
	assert scrub(claim) == []


# --- charges and units -----------------------------------------------------------------------


@pytest.mark.parametrize(
	("charge", "code"),
	[
		(Decimal("0"), "charge-not-positive"),
		(Decimal("-10.00"), "charge-not-positive"),
		(Decimal("10.005"), "charge-precision"),
		(Decimal("NaN"), "charge-invalid"),
		(None, "charge-invalid"),
		(10.5, "charge-invalid"),
	],
)
def test_bad_line_charges(charge, code):
	claim = make_valid_claim()
	claim.lines[1].charge = charge
	problem = only(scrub(claim), code)
	assert problem.path == "claim.lines[1].charge"
	assert problem.message.startswith("Service line 2: ")


@pytest.mark.parametrize("charge", ["0.01", "125", "125.5", "125.500", "99999.99"])
def test_good_line_charges(charge):
	claim = make_valid_claim()
	claim.lines[1].charge = Decimal(charge)
	assert scrub(claim) == []


@pytest.mark.parametrize("units", [Decimal(0), Decimal("-1"), None])
def test_units_must_be_positive(units):
	claim = make_valid_claim()
	claim.lines[0].units = units
	assert only(scrub(claim), "units-not-positive").path == "claim.lines[0].units"


def test_fractional_units_pass():
	claim = make_valid_claim()
	claim.lines[0].units = Decimal("1.5")
	assert scrub(claim) == []


def test_declared_total_must_equal_the_lines():
	# 150.00 + 45.50 = 195.50
	assert scrub(make_valid_claim(declared_charge=Decimal("195.50"))) == []
	assert scrub(make_valid_claim(declared_charge=Decimal("195.5"))) == []
	problem = only(scrub(make_valid_claim(declared_charge=Decimal("200.00"))), "claim-total-mismatch")
	assert problem.path == "claim.declared_charge"
	assert problem.message == "The claim total 200.00 does not equal the sum of its service lines, 195.50"


# --- dates -----------------------------------------------------------------------------------


def test_service_date_today_passes_and_tomorrow_does_not():
	claim = make_valid_claim()
	claim.lines[0].service_date = TODAY
	assert scrub(claim) == []
	claim.lines[0].service_date = TODAY + datetime.timedelta(days=1)
	problem = only(scrub(claim), "date-in-future")
	assert problem.path == "claim.lines[0].service_date"
	assert problem.message == "Service line 1: the date of service 2026-11-23 is in the future"


def test_service_date_end_must_not_precede_start_nor_be_in_the_future():
	claim = make_valid_claim()
	claim.lines[1].service_date_end = SERVICE_DAY + datetime.timedelta(days=3)
	assert scrub(claim) == []
	claim.lines[1].service_date_end = SERVICE_DAY
	assert scrub(claim) == []
	claim.lines[1].service_date_end = SERVICE_DAY - datetime.timedelta(days=1)
	problem = only(scrub(claim), "service-date-end-before-start")
	assert problem.path == "claim.lines[1].service_date_end"
	assert (
		problem.message == "Service line 2: the end date 2026-11-01 is before the date of service 2026-11-02"
	)
	claim.lines[1].service_date_end = TODAY + datetime.timedelta(days=1)
	assert only(scrub(claim), "date-in-future").path == "claim.lines[1].service_date_end"


def test_missing_service_date():
	claim = make_valid_claim()
	claim.lines[0].service_date = None
	assert only(scrub(claim), "date-missing").path == "claim.lines[0].service_date"


def test_datetime_values_are_compared_as_dates():
	claim = make_valid_claim()
	claim.lines[0].service_date = datetime.datetime(2026, 11, 2, 9, 30)
	assert scrub(claim) == []


def test_onset_date_in_the_future_or_after_the_first_service():
	problem = only(scrub(make_valid_claim(onset_date=TODAY + datetime.timedelta(days=1))), "date-in-future")
	assert problem.path == "claim.onset_date"
	problem = only(scrub(make_valid_claim(onset_date=datetime.date(2026, 11, 10))), "onset-after-service")
	assert problem.message == "The onset date 2026-11-10 is after the first date of service 2026-11-02"
	assert scrub(make_valid_claim(onset_date=SERVICE_DAY)) == []
	assert scrub(make_valid_claim(onset_date=None)) == []


# --- place of service and telehealth ---------------------------------------------------------


def test_claim_and_line_place_of_service():
	claim = make_valid_claim(place_of_service="30")
	claim.lines[1].place_of_service = "1"
	problems = scrub(claim)
	assert [problem.path for problem in problems if problem.code == "place-of-service-invalid"] == [
		"claim.place_of_service",
		"claim.lines[1].place_of_service",
	]
	assert problems[0].message == "Place of service 30 is not assigned by CMS"
	claim = make_valid_claim(place_of_service="22")
	claim.lines[1].place_of_service = "12"
	assert scrub(claim) == []


@pytest.mark.parametrize("place", ["02", "10"])
def test_telehealth_place_needs_a_telehealth_modifier(place):
	problem = only(scrub(make_valid_claim(place_of_service=place)), "telehealth-modifier-missing")
	assert problem.path == "claim.place_of_service"
	assert problem.message.startswith(f"Place of service {place} means telehealth, but no service line")


@pytest.mark.parametrize("modifier", ["95", "GT", "93", "FQ", "GQ"])
def test_telehealth_place_with_a_telehealth_modifier_on_one_line_passes(modifier):
	claim = make_valid_claim(place_of_service="10")
	claim.lines[0].modifiers = [modifier]
	assert scrub(claim) == []


def test_telehealth_place_set_on_one_line_only():
	claim = make_valid_claim()
	claim.lines[1].place_of_service = "02"
	problem = only(scrub(claim), "telehealth-modifier-missing")
	assert problem.path == "claim.lines[1].place_of_service"
	claim.lines[1].modifiers = ["GP", "95"]
	assert scrub(claim) == []


@pytest.mark.parametrize("modifier", ["95", "GT"])
def test_telehealth_modifier_with_an_office_place_of_service(modifier):
	claim = make_valid_claim()
	claim.lines[1].modifiers = ["GP", modifier]
	problem = only(scrub(claim), "telehealth-place-mismatch")
	assert problem.path == "claim.lines[1].modifiers"
	assert problem.message == (
		f"Service line 2: modifier {modifier} says the visit was telehealth, but the place of service is "
		"11 (Office); use 02 or 10 for telehealth, or remove the modifier"
	)


def test_audio_only_modifier_with_an_office_place_of_service_passes():
	claim = make_valid_claim()
	claim.lines[0].modifiers = ["93"]
	assert scrub(claim) == []


# --- diagnosis pointers ----------------------------------------------------------------------


def test_pointer_to_a_missing_diagnosis():
	claim = make_valid_claim()
	claim.lines[1].diagnosis_pointers = [1, 3]
	problem = only(scrub(claim), "pointer-missing-diagnosis")
	assert problem == Problem(
		"claim.lines[1].diagnosis_pointers",
		"Service line 2: diagnosis pointer 3 has no diagnosis",
		"pointer-missing-diagnosis",
	)


def test_pointers_none_too_many_duplicated_or_not_numbers():
	claim = make_valid_claim(diagnoses=TWELVE_BILLABLE)
	claim.lines[0].diagnosis_pointers = []
	claim.lines[1].diagnosis_pointers = [1, 2, 2, 0, 5]
	problems = scrub(claim)
	assert only(problems, "pointer-missing").message == "Service line 1: point to at least one diagnosis"
	assert only(problems, "pointer-too-many").message == (
		"Service line 2 points to 5 diagnoses; at most 4 fit on a service line"
	)
	assert only(problems, "pointer-duplicate").message == "Service line 2: diagnosis pointer 2 appears twice"
	assert only(problems, "pointer-invalid").message.startswith("Service line 2: diagnosis pointer 0 is not")


def test_four_distinct_pointers_pass():
	claim = make_valid_claim(diagnoses=TWELVE_BILLABLE)
	claim.lines[0].diagnosis_pointers = [12, 1, 7, 3]
	assert scrub(claim) == []


# --- frequency -------------------------------------------------------------------------------


@pytest.mark.parametrize("frequency", ["7", "8"])
def test_replacement_and_void_need_the_original_claim_number(frequency):
	problem = only(scrub(make_valid_claim(frequency=frequency)), "original-claim-number-missing")
	assert problem.path == "claim.original_claim_number"
	assert scrub(make_valid_claim(frequency=frequency, original_claim_number="2026310012345")) == []


def test_frequency_other_than_1_7_8():
	problem = only(scrub(make_valid_claim(frequency="2")), "frequency-invalid")
	assert problem.message == (
		"Claim frequency 2 (interim-first claim) is not used on professional claims; "
		"use 1 (original), 7 (replacement) or 8 (void)"
	)
	assert "frequency-invalid" in rule_codes(scrub(make_valid_claim(frequency="X")))


# --- claim ID and separators -----------------------------------------------------------------


def test_claim_id_missing_or_too_long():
	assert only(scrub(make_valid_claim(claim_id=" ")), "claim-id-missing").path == "claim.claim_id"
	assert scrub(make_valid_claim(claim_id="A" * 20)) == []
	problem = only(scrub(make_valid_claim(claim_id="A" * 21)), "claim-id-too-long")
	assert problem.message == "The claim ID has 21 characters; at most 20 fit on a claim"


@pytest.mark.parametrize("character", ["*", ":", "^", "~", "\n"])
def test_claim_id_with_an_x12_separator(character):
	problem = only(scrub(make_valid_claim(claim_id=f"PCN{character}1")), "separator-character")
	assert problem.path == "claim.claim_id"
	assert "X12 reserves as a separator" in problem.message


def test_separator_in_any_text_field_is_found_without_echoing_it():
	claim = make_valid_claim()
	claim.subscriber.last_name = "Quill~Smith"
	claim.billing_provider.address.line1 = "12 Elm St*Suite 4"
	problems = scrub(claim)
	assert [problem.path for problem in problems] == [
		"claim.billing_provider.address.line1",
		"claim.subscriber.last_name",
	]
	assert problems[1].message == "The last name contains '~', which X12 reserves as a separator; remove it"


# --- subscriber, payer, patient --------------------------------------------------------------


def test_member_id_and_payer_id_must_be_present():
	claim = make_valid_claim(payer=Payer(name="Acme Health", payer_id=""))
	claim.subscriber.member_id = ""
	problems = scrub(claim)
	assert only(problems, "member-id-missing").path == "claim.subscriber.member_id"
	assert only(problems, "payer-id-missing").path == "claim.payer.payer_id"


def test_filing_indicator_must_be_an_x12_code():
	claim = make_valid_claim()
	claim.subscriber.filing_indicator = "XX"
	assert only(scrub(claim), "filing-indicator-invalid").path == "claim.subscriber.filing_indicator"
	claim.subscriber.filing_indicator = "MB"
	assert scrub(claim) == []


def make_dependent(**changes) -> Patient:
	patient = Patient(
		last_name="Quill",
		first_name="Teo",
		relationship="19",
		date_of_birth=datetime.date(2015, 6, 1),
		sex="M",
		address=make_address(),
	)
	return dataclasses.replace(patient, **changes)


def test_dependent_patient_with_a_past_birth_date_passes():
	assert scrub(make_valid_claim(patient=make_dependent())) == []


def test_dependent_patient_birth_date_in_the_future_missing_or_after_service():
	problem = only(
		scrub(make_valid_claim(patient=make_dependent(date_of_birth=datetime.date(2027, 1, 1)))),
		"dob-in-future",
	)
	assert problem == Problem(
		"claim.patient.date_of_birth", "The patient's date of birth is in the future", "dob-in-future"
	)
	problem = only(scrub(make_valid_claim(patient=make_dependent(date_of_birth=None))), "dob-missing")
	assert problem.path == "claim.patient.date_of_birth"
	born_after = make_dependent(date_of_birth=datetime.date(2026, 11, 10))
	assert (
		only(scrub(make_valid_claim(patient=born_after)), "dob-after-service").path
		== "claim.patient.date_of_birth"
	)


def test_subscriber_who_is_the_patient_needs_a_birth_date():
	claim = make_valid_claim()
	claim.subscriber.date_of_birth = None
	assert only(scrub(claim), "dob-missing").path == "claim.subscriber.date_of_birth"
	# a dependent carries their own birth date, so the subscriber's may be unknown
	claim.patient = make_dependent()
	assert scrub(claim) == []


# --- coordination of benefits ----------------------------------------------------------------
# Figures from the X12 TR3 example in x12-samples/837p/ig-medicare-secondary-payer-cob.x12: a claim
# to Medicare as secondary; the primary (payer 59999) paid 80 of a 120 line, CAS CO 42 25 and PR 2 15,
# adjudicated 2005-01-28.

COB_SERVICE_DAY = datetime.date(2005, 1, 19)
COB_ADJUDICATED = datetime.date(2005, 1, 28)


def make_primary_payer(**changes) -> OtherPayer:
	primary = OtherPayer(
		responsibility="P",
		payer=Payer(name="Commerce", payer_id="59999"),
		subscriber=Subscriber(
			last_name="Medyum", first_name="Carol", member_id="COM188-404777", filing_indicator="CI"
		),
		relationship="01",
		paid=Decimal("80"),
		line_adjudications=[
			LineAdjudication(
				line_number=1,
				paid=Decimal("80"),
				procedure_code="99203",
				modifiers=["25"],
				adjudication_date=COB_ADJUDICATED,
				adjustments=[
					Adjustment(group="CO", reason="42", amount=Decimal("25")),
					Adjustment(group="PR", reason="2", amount=Decimal("15")),
				],
			)
		],
	)
	return dataclasses.replace(primary, **changes)


def make_secondary_claim(**changes) -> Claim:
	claim = make_valid_claim(
		claim_id="101KEN6055",
		payer=Payer(name="Medicare", payer_id="10234"),
		payer_responsibility="S",
		lines=[
			make_line(
				procedure_code="99203", modifiers=["25"], charge=Decimal("120"), service_date=COB_SERVICE_DAY
			)
		],
		onset_date=None,
		other_payers=[make_primary_payer()],
	)
	claim.subscriber.filing_indicator = "MB"
	return dataclasses.replace(claim, **changes)


def test_secondary_claim_from_the_tr3_example_passes():
	assert scrub(make_secondary_claim()) == []


def test_secondary_claim_without_the_primary_payer():
	problem = only(scrub(make_secondary_claim(other_payers=[])), "cob-earlier-payer-missing")
	assert problem.path == "claim.other_payers"
	assert problem.message.startswith("A secondary claim must list the primary payer (responsibility P)")


def test_tertiary_claim_needs_primary_and_secondary():
	problems = scrub(make_secondary_claim(payer_responsibility="T"))
	problem = only(problems, "cob-earlier-payer-missing")
	assert "the secondary payer (responsibility S)" in problem.message
	secondary = make_primary_payer(
		responsibility="S",
		paid=Decimal("0"),
		line_adjudications=[],
		adjustments=[Adjustment(group="PR", reason="1", amount=Decimal("120"))],
		adjudication_date=datetime.date(2005, 2, 15),
	)
	claim = make_secondary_claim(payer_responsibility="T", other_payers=[make_primary_payer(), secondary])
	assert scrub(claim) == []


def test_earlier_payer_without_paid_amount_or_adjudication_date():
	primary = make_primary_payer(paid=None)
	primary.line_adjudications[0].adjudication_date = None
	problems = scrub(make_secondary_claim(other_payers=[primary]))
	paths = [problem.path for problem in problems if problem.code == "cob-adjudication-missing"]
	assert paths == ["claim.other_payers[0].paid", "claim.other_payers[0].adjudication_date"]
	# a claim-level date stands in for the line dates
	primary = make_primary_payer(adjudication_date=COB_ADJUDICATED)
	primary.line_adjudications[0].adjudication_date = None
	assert scrub(make_secondary_claim(other_payers=[primary])) == []


def test_primary_claim_may_list_a_later_payer_that_has_not_paid_yet():
	later = make_primary_payer(responsibility="S", paid=None, line_adjudications=[])
	assert scrub(make_valid_claim(other_payers=[later])) == []


def test_other_payer_with_the_same_responsibility_as_the_claim():
	problem = only(scrub(make_secondary_claim(payer_responsibility="P")), "cob-responsibility-duplicate")
	assert problem.path == "claim.other_payers[0].responsibility"
	assert "the payer this claim goes to" in problem.message


def test_invalid_responsibility_codes():
	problems = scrub(make_secondary_claim(payer_responsibility="X"))
	assert only(problems, "payer-responsibility-invalid").path == "claim.payer_responsibility"
	problems = scrub(make_secondary_claim(other_payers=[make_primary_payer(responsibility="Q")]))
	assert only(problems, "cob-responsibility-invalid").path == "claim.other_payers[0].responsibility"


def test_line_adjudication_must_reference_an_existing_line():
	primary = make_primary_payer()
	primary.line_adjudications[0].line_number = 2
	problems = scrub(make_secondary_claim(other_payers=[primary]))
	problem = only(problems, "cob-line-reference")
	assert problem.path == "claim.other_payers[0].line_adjudications[0].line_number"
	assert (
		problem.message == "Other payer 1: adjudication 1 refers to service line 2, but the claim has 1 lines"
	)


def test_paid_more_than_the_charge():
	primary = make_primary_payer(paid=Decimal("130"))
	primary.line_adjudications[0].paid = Decimal("130")
	primary.line_adjudications[0].adjustments = []
	problems = scrub(make_secondary_claim(other_payers=[primary]))
	paths = sorted(problem.path for problem in problems if problem.code == "cob-paid-exceeds-charge")
	assert paths == ["claim.other_payers[0].line_adjudications[0].paid", "claim.other_payers[0].paid"]


def test_unbalanced_line_and_claim_adjudication():
	primary = make_primary_payer()
	primary.line_adjudications[0].adjustments[1].amount = Decimal("14")
	problems = scrub(make_secondary_claim(other_payers=[primary]))
	line = only(problems, "cob-line-unbalanced")
	assert line.message == (
		"Other payer 1, service line 1: charge 120.00 minus paid 80.00 minus adjustments 39.00 "
		"leaves 1.00 unexplained"
	)
	claim = only(problems, "cob-claim-unbalanced")
	assert claim.path == "claim.other_payers[0].paid"
	assert claim.message == (
		"Other payer 1: claim charge 120.00 minus paid 80.00 minus adjustments 39.00 leaves 1.00 unexplained"
	)


def test_claim_level_adjustments_balance_the_claim():
	primary = make_primary_payer(
		paid=Decimal("80"),
		line_adjudications=[],
		adjustments=[Adjustment(group="CO", reason="45", amount=Decimal("40"))],
		adjudication_date=COB_ADJUDICATED,
	)
	assert scrub(make_secondary_claim(other_payers=[primary])) == []
	primary.adjustments[0].amount = Decimal("30")
	assert rule_codes(scrub(make_secondary_claim(other_payers=[primary]))) == {"cob-claim-unbalanced"}


def test_adjustment_group_and_reason_codes():
	primary = make_primary_payer()
	primary.line_adjudications[0].adjustments[0].group = "CR"
	primary.line_adjudications[0].adjustments[1].reason = "999"
	problems = scrub(make_secondary_claim(other_payers=[primary]))
	group = only(problems, "cob-adjustment-group-invalid")
	assert group.path == "claim.other_payers[0].line_adjudications[0].adjustments[0].group"
	reason = only(problems, "cob-adjustment-reason-unknown")
	assert reason.path == "claim.other_payers[0].line_adjudications[0].adjustments[1].reason"
	assert reason.message == (
		"Other payer 1, service line 1: adjustment reason '999' is not a claim adjustment reason code (CARC)"
	)


def test_deactivated_carc_from_an_old_remittance_is_accepted():
	primary = make_primary_payer()
	primary.line_adjudications[0].adjustments[0].reason = "B5"  # deactivated 2016, still on old ERAs
	assert scrub(make_secondary_claim(other_payers=[primary])) == []


def test_other_payer_subscriber_and_payer_ids():
	primary = make_primary_payer(payer=Payer(name="Commerce", payer_id=""))
	primary.subscriber.member_id = ""
	problems = scrub(make_secondary_claim(other_payers=[primary]))
	assert only(problems, "member-id-missing").path == "claim.other_payers[0].subscriber.member_id"
	assert only(problems, "payer-id-missing").path == "claim.other_payers[0].payer.payer_id"
	for problem in problems:
		assert "COM188-404777" not in problem.message


def test_adjudication_date_in_the_future():
	primary = make_primary_payer(adjudication_date=TODAY + datetime.timedelta(days=2))
	problem = only(scrub(make_secondary_claim(other_payers=[primary])), "date-in-future")
	assert problem.path == "claim.other_payers[0].adjudication_date"


def test_non_numeric_cob_amounts_are_reported_not_raised():
	primary = make_primary_payer(paid=Decimal("NaN"))
	primary.line_adjudications[0].adjustments[0].amount = None
	problems = scrub(make_secondary_claim(other_payers=[primary]))
	assert [problem.path for problem in problems if problem.code == "cob-amount-invalid"] == [
		"claim.other_payers[0].paid",
		"claim.other_payers[0].line_adjudications[0].adjustments[0].amount",
	]
