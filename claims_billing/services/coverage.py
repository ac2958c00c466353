"""Which insurance policy covers a patient on a date, and the Patient form's insurance snapshot."""

import frappe
from frappe.utils import getdate, today

PRIORITIES = ("Primary", "Secondary", "Tertiary")
# Custom fields on Healthcare's Patient (created by setup.custom_fields).
PAYMENT_METHOD_FIELD = "billing_payment_method"
SNAPSHOT_PAYER_FIELD = "billing_primary_payer"
SNAPSHOT_MEMBER_ID_FIELD = "billing_member_id"


def active_policies(patient_doctype: str, patient: str, on_date) -> list[dict]:
	"""Enabled policies in force on ``on_date``, best priority first."""
	if not patient_doctype or not patient or not on_date:
		return []
	on_date = getdate(on_date)
	policies = frappe.get_all(
		"Patient Insurance Policy",
		filters={
			"patient_doctype": patient_doctype,
			"patient": patient,
			"enabled": 1,
			"valid_from": ["<=", on_date],
		},
		fields=["name", "priority", "payer", "member_id", "valid_from", "valid_to"],
		order_by="valid_from desc",
	)
	in_force = [policy for policy in policies if not policy.valid_to or getdate(policy.valid_to) >= on_date]
	return sorted(in_force, key=lambda policy: PRIORITIES.index(policy.priority))


def billing_policy(patient_doctype: str, patient: str, on_date) -> dict | None:
	"""The policy a claim for this date goes to first: the best-priority active one."""
	policies = active_policies(patient_doctype, patient, on_date)
	return policies[0] if policies else None


def patient_payment_method(patient_doctype: str, patient: str) -> str:
	"""Insurance / Private Pay as set on the Patient form, or "" when not chosen."""
	if patient_doctype != "Patient" or not patient:
		return ""
	if not frappe.get_meta("Patient").has_field(PAYMENT_METHOD_FIELD):
		return ""
	return frappe.db.get_value("Patient", patient, PAYMENT_METHOD_FIELD) or ""


def refresh_patient_snapshot(patient_doctype: str, patient: str) -> None:
	"""Copy today's primary policy (payer name, member ID) onto the Patient form."""
	if patient_doctype != "Patient" or not frappe.db.exists("Patient", patient):
		return
	if not frappe.get_meta("Patient").has_field(SNAPSHOT_PAYER_FIELD):
		return
	policy = next(
		(p for p in active_policies(patient_doctype, patient, today()) if p.priority == "Primary"),
		None,
	)
	payer_name = frappe.db.get_value("Insurance Payer", policy.payer, "payer_name") if policy else ""
	frappe.db.set_value(
		"Patient",
		patient,
		{
			SNAPSHOT_PAYER_FIELD: payer_name or "",
			SNAPSHOT_MEMBER_ID_FIELD: policy.member_id if policy else "",
		},
		update_modified=False,
	)


def service_coverage(billing_route: str, patient_doctype: str, patient: str, on_date) -> dict:
	"""Billing route and the policy/payer fields a Billable Service carries for that route.

	With no route chosen: the patient's payment method, else Insurance when a policy is active.
	"""
	policy = billing_policy(patient_doctype, patient, on_date)
	route = billing_route or patient_payment_method(patient_doctype, patient)
	if not route:
		route = "Insurance" if policy else "Private Pay"
	if route != "Insurance" or not policy:
		return {"billing_route": route, "insurance_policy": None, "payer": None, "payer_name": ""}
	return {
		"billing_route": route,
		"insurance_policy": policy.name,
		"payer": policy.payer,
		"payer_name": frappe.db.get_value("Insurance Payer", policy.payer, "payer_name") or policy.payer,
	}


def refresh_unbilled_coverage(patient_doctype: str, patient: str) -> None:
	"""A policy changed: point the patient's unbilled services at the policy now in force."""
	services = frappe.get_all(
		"Billable Service",
		filters={"patient_doctype": patient_doctype, "patient": patient, "status": "Unbilled"},
		fields=["name", "billing_route", "date_of_service", "insurance_policy", "payer", "payer_name"],
	)
	for service in services:
		wanted = service_coverage(service.billing_route, patient_doctype, patient, service.date_of_service)
		changed = {
			field: value for field, value in wanted.items() if (service.get(field) or None) != (value or None)
		}
		if changed:
			frappe.db.set_value("Billable Service", service.name, changed)
