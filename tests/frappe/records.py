"""Builders for the records Frappe-tier tests need. Names are unique so tests never collide."""

import random

import frappe
from frappe.utils import add_days, getdate

from claims_billing.core.codes import npi_check_digit

COMPANY = "Test Clinic"
SCHEDULE_START = "2026-01-01"


def unique(prefix: str) -> str:
	return f"{prefix} {frappe.generate_hash(length=8)}"


def days_ago(days: int) -> str:
	return str(add_days(getdate(), -days))


def valid_npi() -> str:
	first_nine = "1" + "".join(random.choice("0123456789") for _ in range(8))
	return first_nine + npi_check_digit(first_nine)


def make_payer(**values):
	return frappe.get_doc(
		{"doctype": "Insurance Payer", "payer_name": unique("Payer"), "payer_id": "60054", **values}
	).insert()


def make_practitioner(**values):
	return frappe.get_doc(
		{
			"doctype": "Billing Practitioner",
			"practitioner_name": unique("Dr"),
			"first_name": "Dana",
			"last_name": unique("Doe"),
			"npi": valid_npi(),
			"taxonomy_code": "225100000X",
			**values,
		}
	).insert()


def make_patient(**values):
	return frappe.get_doc(
		{
			"doctype": "Patient",
			"first_name": "Pat",
			"last_name": unique("Test"),
			"sex": "Female",
			"dob": "1980-02-03",
			**values,
		}
	).insert()


def make_customer_patient():
	return frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": unique("Patient"),
			"customer_type": "Individual",
			"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
			"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name")
			or frappe.db.get_value("Territory", {}, "name"),
		}
	).insert()


def make_policy(patient, payer, patient_doctype="Patient", **values):
	return frappe.get_doc(
		{
			"doctype": "Patient Insurance Policy",
			"patient_doctype": patient_doctype,
			"patient": patient,
			"payer": payer,
			"member_id": "W" + frappe.generate_hash(length=8).upper(),
			"priority": "Primary",
			"valid_from": SCHEDULE_START,
			**values,
		}
	).insert()


def make_fee_schedule(rows, practitioner=None, effective_from=SCHEDULE_START, **values):
	"""rows: (code, modifiers, charge) tuples."""
	return frappe.get_doc(
		{
			"doctype": "Fee Schedule",
			"fee_schedule_name": unique("Fees"),
			"practitioner": practitioner,
			"effective_from": effective_from,
			"items": [
				{"procedure_code": code, "modifiers": modifiers, "charge": charge}
				for code, modifiers, charge in rows
			],
			**values,
		}
	).insert()


def code_value(system: str, code: str) -> str:
	name = frappe.db.get_value("Code Value", {"code_system": system, "code_value": code})
	if name:
		return name
	return (
		frappe.get_doc({"doctype": "Code Value", "code_system": system, "code_value": code, "display": code})
		.insert()
		.name
	)


def codification(*codes: tuple[str, str]) -> list[dict]:
	"""Codification Table rows for (code system, code) pairs."""
	return [{"code_value": code_value(system, code), "code_system": system} for system, code in codes]


def make_healthcare_practitioner():
	return frappe.get_doc(
		{"doctype": "Healthcare Practitioner", "first_name": "Hana", "last_name": unique("Clinician")}
	).insert()


def make_diagnosis(*icd_codes: str):
	return frappe.get_doc(
		{
			"doctype": "Diagnosis",
			"diagnosis": unique("Diagnosis"),
			"codification_table": codification(*[("ICD-10-CM", code) for code in icd_codes]),
		}
	).insert()


def make_encounter(patient, practitioner, codes=(), submit=True, **values):
	encounter = frappe.get_doc(
		{
			"doctype": "Patient Encounter",
			"patient": patient,
			"practitioner": practitioner,
			"encounter_date": days_ago(2),
			"company": COMPANY,
			"codification_table": codification(*codes),
			**values,
		}
	).insert()
	if submit:
		encounter.submit()
	return encounter


def services_of(source) -> list:
	names = frappe.get_all(
		"Billable Service",
		filters={"source_doctype": source.doctype, "source_name": source.name},
		order_by="capture_key asc",
		pluck="name",
	)
	return [frappe.get_doc("Billable Service", name) for name in names]


def make_service(patient, practitioner, **values):
	return frappe.get_doc(
		{
			"doctype": "Billable Service",
			"patient_doctype": "Patient",
			"patient": patient,
			"practitioner": practitioner,
			"date_of_service": days_ago(3),
			"procedure_code": "97110",
			"units": 1,
			"diagnoses": [{"icd10_code": "M54.50"}],
			**values,
		}
	)


def make_api_user(roles: list[str], label: str = "user", user_type: str = "System User", insert=None):
	"""A user with token credentials for /api calls, as ``frappe._dict(name, headers)``.

	``insert`` (e.g. the ``committed`` fixture's) records it for deletion; by default the caller deletes it.
	"""
	values = {
		"doctype": "User",
		"email": f"cb-{label}-{frappe.generate_hash(length=6)}@example.com",
		"first_name": f"CB {label}",
		"user_type": user_type,
		"send_welcome_email": 0,
		"roles": [{"role": role} for role in roles],
	}
	user = insert(values) if insert else frappe.get_doc(values).insert(ignore_permissions=True)
	user.api_key = frappe.generate_hash(length=15)
	secret = frappe.generate_hash(length=15)
	user.api_secret = secret
	user.save(ignore_permissions=True)
	return frappe._dict(name=user.name, headers={"Authorization": f"token {user.api_key}:{secret}"})
