"""Automatic capture: submitted Healthcare documents become Billable Services."""

import frappe
import pytest
from records import (
	code_value,
	codification,
	days_ago,
	make_diagnosis,
	make_encounter,
	make_fee_schedule,
	make_healthcare_practitioner,
	make_patient,
	make_payer,
	make_policy,
	make_practitioner,
	services_of,
	unique,
)

from claims_billing.services import capture


@pytest.fixture
def clinic():
	"""A patient with an active primary policy, a clinician known to billing, and a fee schedule."""
	payer = make_payer()
	patient = make_patient()
	policy = make_policy(patient.name, payer.name)
	clinician = make_healthcare_practitioner()
	practitioner = make_practitioner(healthcare_practitioner=clinician.name)
	make_fee_schedule([("97110", "", 40), ("97140", "", 45.5)])
	return frappe._dict(
		payer=payer, patient=patient, policy=policy, clinician=clinician, practitioner=practitioner
	)


def diagnoses(service) -> list[str]:
	return [row.icd10_code for row in service.diagnoses]


def set_settings(**values):
	settings = frappe.get_single("Claims Billing Settings")
	settings.update(values)
	settings.save()


def test_encounter_creates_one_service_per_procedure_code_priced_from_fee_schedule(clinic):
	encounter = make_encounter(
		clinic.patient.name,
		clinic.clinician.name,
		codes=[
			("CPT", "97110"),
			("ICD-10-CM", "M54.50"),
			("CPT", "97140"),
			("ICD-10-CM", "M62.81"),
			("HCPCS", "G0283"),
		],
	)
	services = {service.procedure_code: service for service in services_of(encounter)}
	assert sorted(services) == ["97110", "97140", "G0283"]

	therapy = services["97110"]
	assert therapy.charge == 40.0
	assert therapy.rate_source.startswith("Fee Schedule Fees")
	assert services["97140"].charge == 45.5
	assert diagnoses(therapy) == ["M54.50", "M62.81"]
	assert therapy.patient == clinic.patient.name
	assert therapy.patient_name == clinic.patient.patient_name
	assert therapy.practitioner == clinic.practitioner.name
	assert str(therapy.date_of_service) == days_ago(2)
	assert therapy.billing_route == "Insurance"
	assert therapy.insurance_policy == clinic.policy.name
	assert therapy.payer_name == clinic.payer.payer_name
	assert therapy.place_of_service == "11"
	assert therapy.telehealth == 0
	assert therapy.status == "Unbilled"
	assert therapy.problems == ""
	assert therapy.capture_key == f"Patient Encounter|{encounter.name}|97110|1"

	# No rate for G0283: charge 0, flagged, never silently.
	unpriced = services["G0283"]
	assert unpriced.charge == 0
	assert unpriced.missing_rate == 1
	assert unpriced.rate_source == ""


def test_diagnoses_come_from_the_encounters_diagnosis_records(clinic):
	anxiety = make_diagnosis("F41.1")
	encounter = make_encounter(
		clinic.patient.name,
		clinic.clinician.name,
		codes=[("CPT", "97110")],
		diagnosis=[{"diagnosis": anxiety.name}],
	)
	[service] = services_of(encounter)
	assert diagnoses(service) == ["F41.1"]


def test_without_diagnoses_the_patients_recorded_diagnoses_are_used(clinic):
	earlier = make_encounter(
		clinic.patient.name,
		clinic.clinician.name,
		codes=[("ICD-10-CM", "S33.5XXA"), ("ICD-10-CM", "M54.50")],
		encounter_date=days_ago(30),
	)
	assert services_of(earlier) == []  # no procedure codes, nothing billable
	encounter = make_encounter(clinic.patient.name, clinic.clinician.name, codes=[("CPT", "97110")])
	[service] = services_of(encounter)
	assert diagnoses(service) == ["S33.5XXA", "M54.50"]
	comments = frappe.get_all(
		"Comment", filters={"reference_name": service.name, "comment_type": "Info"}, pluck="content"
	)
	assert any(earlier.name in comment for comment in comments)


def test_telehealth_encounter_gets_telehealth_modifier_and_place_of_service(clinic):
	encounter = make_encounter(
		clinic.patient.name,
		clinic.clinician.name,
		codes=[("CPT", "97110"), ("ICD-10-CM", "M54.50")],
		telehealth_visit=1,
	)
	[service] = services_of(encounter)
	assert service.telehealth == 1
	assert service.modifier_1 == "95"
	assert service.place_of_service == "10"
	assert service.primary_service == "97110 95"
	# A rate without modifiers still prices the telehealth line.
	assert service.charge == 40.0


def test_telehealth_modifier_and_place_come_from_settings(clinic):
	set_settings(telehealth_modifier="GT", telehealth_place_of_service="02")
	encounter = make_encounter(
		clinic.patient.name,
		clinic.clinician.name,
		codes=[("CPT", "97110"), ("ICD-10-CM", "M54.50")],
		telehealth_visit=1,
	)
	[service] = services_of(encounter)
	assert (service.modifier_1, service.place_of_service) == ("GT", "02")
	assert service.place_of_service_name.startswith("Telehealth")


def test_capture_can_be_switched_off(clinic):
	set_settings(create_services_automatically=0)
	encounter = make_encounter(clinic.patient.name, clinic.clinician.name, codes=[("CPT", "97110")])
	assert services_of(encounter) == []


def test_encounter_without_procedure_codes_creates_nothing(clinic):
	encounter = make_encounter(clinic.patient.name, clinic.clinician.name, codes=[("ICD-10-CM", "M54.50")])
	assert services_of(encounter) == []


def test_unknown_clinician_gets_a_billing_practitioner_and_the_service_says_what_is_missing(clinic):
	stranger = make_healthcare_practitioner()
	encounter = make_encounter(
		clinic.patient.name, stranger.name, codes=[("CPT", "97110"), ("ICD-10-CM", "M54.50")]
	)
	[service] = services_of(encounter)
	practitioner = frappe.get_doc("Billing Practitioner", service.practitioner)
	assert practitioner.healthcare_practitioner == stranger.name
	assert practitioner.npi in (None, "")
	assert "No NPI given" in service.problems


def make_procedure_template(codes=(("CPT", "20560"),), item_code=None):
	return frappe.get_doc(
		{
			"doctype": "Clinical Procedure Template",
			"template": unique("Dry needling"),
			"item_code": item_code or unique("DN"),
			"item_group": frappe.db.get_value("Item Group", {"is_group": 0}, "name"),
			"description": "Trigger point injection",
			"codification_table": codification(*codes),
		}
	).insert()


def make_clinical_procedure(clinic, template, **values):
	procedure = frappe.get_doc(
		{
			"doctype": "Clinical Procedure",
			"patient": clinic.patient.name,
			"practitioner": clinic.clinician.name,
			"procedure_template": template.name,
			"company": "Test Clinic",
			"start_date": days_ago(1),
			"codification_table": codification(("ICD-10-CM", "M79.1")),
			**values,
		}
	).insert()
	procedure.submit()
	return procedure


def test_clinical_procedure_bills_its_templates_code(clinic):
	make_fee_schedule([("20560", "", 75)])
	procedure = make_clinical_procedure(clinic, make_procedure_template())
	[service] = services_of(procedure)
	assert (service.procedure_code, service.charge, diagnoses(service)) == ("20560", 75, ["M79.1"])
	assert service.capture_key == f"Clinical Procedure|{procedure.name}|20560|1"


def test_template_without_codes_falls_back_to_a_code_shaped_item_code(clinic):
	template = make_procedure_template(codes=(), item_code="97750")
	procedure = make_clinical_procedure(clinic, template)
	assert [service.procedure_code for service in services_of(procedure)] == ["97750"]
	not_a_code = make_clinical_procedure(clinic, make_procedure_template(codes=(), item_code=unique("DN")))
	assert services_of(not_a_code) == []


def test_procedure_done_on_an_encounters_prescription_is_not_billed_twice(clinic):
	template = make_procedure_template()
	encounter = make_encounter(
		clinic.patient.name,
		clinic.clinician.name,
		codes=[("ICD-10-CM", "M79.1")],
		procedure_prescription=[{"procedure": template.name, "practitioner": clinic.clinician.name}],
	)
	assert [service.procedure_code for service in services_of(encounter)] == ["20560"]
	prescription = encounter.procedure_prescription[0].name
	procedure = make_clinical_procedure(clinic, template, prescription=prescription)
	assert services_of(procedure) == []


def test_prescribed_procedure_codes_come_from_the_template(clinic):
	template = make_procedure_template()
	encounter = make_encounter(
		clinic.patient.name,
		clinic.clinician.name,
		codes=[("CPT", "97110"), ("ICD-10-CM", "M54.50")],
		procedure_prescription=[{"procedure": template.name, "practitioner": clinic.clinician.name}],
	)
	assert sorted(service.procedure_code for service in services_of(encounter)) == ["20560", "97110"]


def test_therapy_session_uses_its_therapy_types_codes_and_tele_location(clinic):
	therapy_type = frappe.get_doc(
		{
			"doctype": "Therapy Type",
			"therapy_type": unique("Therapeutic activities"),
			"item_code": unique("TA"),
			"item_name": "Therapeutic activities",
			"item_group": frappe.db.get_value("Item Group", {"is_group": 0}, "name"),
			"description": "Therapeutic activities",
			"rate": 60,
			"codification_table": codification(("CPT", "97530")),
		}
	).insert()
	make_fee_schedule([("97530", "", 52.25)])
	plan = frappe.get_doc(
		{
			"doctype": "Therapy Plan",
			"patient": clinic.patient.name,
			"company": "Test Clinic",
			"start_date": days_ago(10),
			"therapy_plan_details": [{"therapy_type": therapy_type.name, "no_of_sessions": 6}],
		}
	).insert()
	session = frappe.get_doc(
		{
			"doctype": "Therapy Session",
			"patient": clinic.patient.name,
			"practitioner": clinic.clinician.name,
			"therapy_type": therapy_type.name,
			"therapy_plan": plan.name,
			"duration": 45,
			"company": "Test Clinic",
			"start_date": days_ago(1),
			"location": "Tele",
			"codification_table": codification(("ICD-10-CM", "M54.50")),
		}
	).insert()
	session.submit()
	[service] = services_of(session)
	assert service.procedure_code == "97530"
	assert service.charge == 52.25
	assert service.telehealth == 1
	assert service.place_of_service == "10"
	assert diagnoses(service) == ["M54.50"]


def test_code_systems_are_recognised_by_name_or_uri():
	assert capture.code_kind({"code_system": "CPT", "system": ""}) == "procedure"
	assert capture.code_kind({"code_system": "My CPT copy", "system": "http://www.ama-assn.org/go/cpt/"}) == (
		"procedure"
	)
	assert capture.code_kind({"code_system": "ICD-10-CM (United States)", "system": ""}) == "diagnosis"
	assert capture.code_kind({"code_system": "SNOMED CT", "system": "http://snomed.info/sct"}) is None


def test_code_value_lookup_fills_rows_without_the_fetched_code(clinic):
	name = code_value("CPT", "97140")
	assert capture.row_code(frappe._dict(code="", code_value=name)) == "97140"
