"""Manual services ("Create New Service"): pricing, coverage and every validation message."""

import html

import frappe
import pytest
from records import (
	days_ago,
	make_fee_schedule,
	make_patient,
	make_payer,
	make_policy,
	make_practitioner,
	make_service,
)

from claims_billing.claims_billing.doctype.billable_service.billable_service import (
	get_fee_schedule_rate,
	void_service,
)
from claims_billing.problems import BillingValidationError

THIRTEEN_BILLABLE_CODES = (
	"M54.50 M62.81 F41.1 I10 E11.9 J45.909 G43.909 M25.511 M25.512 R51.9 Z00.00 M79.1 K21.9".split()
)


@pytest.fixture
def insured():
	payer = make_payer()
	patient = make_patient()
	policy = make_policy(patient.name, payer.name, valid_from="2026-01-01")
	practitioner = make_practitioner()
	return frappe._dict(payer=payer, patient=patient, policy=policy, practitioner=practitioner)


def new_service(insured, **values):
	return make_service(insured.patient.name, insured.practitioner.name, **values)


def save_problems(service) -> str:
	with pytest.raises(BillingValidationError) as refused:
		service.insert()
	return html.unescape(str(refused.value))


def test_manual_service_is_priced_and_covered(insured):
	make_fee_schedule([("97110", "", 40), ("97110", "GP", 42.5)])
	service = new_service(insured, procedure_code=" 97110", modifier_1="gp", units=3)
	service.diagnoses[0].icd10_code = "m5450"
	service.insert()
	assert service.status == "Unbilled"
	assert service.procedure_code == "97110"
	assert service.primary_service == "97110 GP"
	assert service.rate == 42.5
	assert service.charge == 127.5
	assert service.missing_rate == 0
	assert service.diagnoses[0].icd10_code == "M54.50"
	assert service.diagnoses[0].description == "Low back pain, unspecified"
	assert service.billing_route == "Insurance"
	assert service.insurance_policy == insured.policy.name
	assert service.payer == insured.payer.name
	assert service.payer_name == insured.payer.payer_name
	assert service.place_of_service == "11"
	assert service.place_of_service_name == "Office"
	assert service.source_doctype in (None, "")


def test_practitioner_rate_beats_practice_rate(insured):
	make_fee_schedule([("97140", "", 45)])
	make_fee_schedule([("97140", "", 55)], practitioner=insured.practitioner.name)
	service = new_service(insured, procedure_code="97140").insert()
	assert service.charge == 55
	other = make_practitioner()
	assert make_service(insured.patient.name, other.name, procedure_code="97140").insert().charge == 45


def test_schedule_rate_follows_code_changes_but_a_typed_rate_stays(insured):
	make_fee_schedule([("97110", "", 40), ("97140", "", 45)])
	service = new_service(insured).insert()
	assert service.rate == 40
	service.procedure_code = "97140"
	service.save()
	assert (service.rate, service.charge) == (45, 45)
	service.rate = 60
	service.units = 2
	service.save()
	assert (service.rate, service.charge, service.rate_source) == (60, 120, "Entered by hand")
	service.procedure_code = "97110"
	service.save()
	assert service.rate == 60


def test_no_rate_means_zero_charge_with_a_visible_flag(insured):
	service = new_service(insured, procedure_code="97799").insert()
	assert (service.charge, service.missing_rate, service.rate_source) == (0, 1, "")


def test_private_pay_needs_no_policy():
	patient = make_patient()
	practitioner = make_practitioner()
	service = make_service(
		patient.name, practitioner.name, billing_route="Private Pay", diagnoses=[]
	).insert()
	assert service.billing_route == "Private Pay"
	assert service.insurance_policy is None


def test_route_defaults_to_private_pay_without_policy_and_to_the_patients_payment_method():
	practitioner = make_practitioner()
	uninsured = make_patient()
	assert make_service(uninsured.name, practitioner.name).insert().billing_route == "Private Pay"
	wants_insurance = make_patient(billing_payment_method="Insurance")
	message = save_problems(make_service(wants_insurance.name, practitioner.name))
	assert "no active insurance policy" in message


@pytest.mark.parametrize(
	("values", "expected"),
	[
		({"diagnoses": [{"icd10_code": "Z99.999"}]}, "Diagnosis row #1: Z99.999 is not an ICD-10-CM code"),
		({"diagnoses": [{"icd10_code": "M54"}]}, "Diagnosis row #1: M54 is a category, not a billable code"),
		(
			{"diagnoses": [{"icd10_code": "M54.50"}, {"icd10_code": "m54.50"}]},
			"Diagnosis row #2 repeats M54.50 from row #1.",
		),
		({"procedure_code": "9711"}, "Procedure code '9711' is not a CPT or HCPCS code"),
		({"modifier_2": "G"}, "Modifier 2: Modifier 'G' must be two letters or digits"),
		({"units": 0}, "Units must be greater than 0 (entered 0.0)."),
		({"date_of_service": "tomorrow"}, "is in the future."),
		({"place_of_service": "9"}, "Place of service '9' must be two digits"),
		(
			{"diagnoses": [{"icd10_code": code} for code in THIRTEEN_BILLABLE_CODES]},
			"13 diagnoses entered; a service can carry at most 12.",
		),
	],
)
def test_each_validation_message(insured, values, expected):
	if values.get("date_of_service") == "tomorrow":
		values = {**values, "date_of_service": days_ago(-1)}
	assert expected in save_problems(new_service(insured, **values))


def test_insurance_route_without_an_active_policy_is_refused(insured):
	insured.policy.valid_to = days_ago(10)
	insured.policy.save()
	message = save_problems(new_service(insured, billing_route="Insurance"))
	assert "Billing route is Insurance, but the patient has no active insurance policy on" in message


def test_every_problem_is_listed_at_once(insured):
	service = new_service(
		insured,
		procedure_code="ABC",
		modifier_1="!!",
		units=0,
		date_of_service=days_ago(-5),
		diagnoses=[{"icd10_code": "Q99.99"}],
	)
	message = save_problems(service)
	for expected in (
		"is in the future",
		"Procedure code 'ABC'",
		"Modifier 1:",
		"Units must be greater than 0",
		"Diagnosis row #1",
	):
		assert expected in message
	assert message.count("<li>") == 5


def test_void_needs_a_reason_and_write_permission(insured):
	service = new_service(insured).insert()
	with pytest.raises(frappe.ValidationError, match="Give a reason"):
		void_service(service.name, " ")
	assert void_service(service.name, "Entered twice") == "Void"
	assert frappe.db.get_value("Billable Service", service.name, "void_reason") == "Entered twice"


def test_fee_schedule_preview_for_the_form(insured):
	make_fee_schedule([("97110", "GP", 42)])
	assert get_fee_schedule_rate("97110", days_ago(1), '["GP"]')["rate"] == "42.00"
	assert get_fee_schedule_rate("97110", days_ago(1), "[]") is None
