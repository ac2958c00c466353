"""What is installed on this site: the Healthcare app is optional."""

import frappe

HEALTHCARE_APP = "healthcare"


def healthcare_installed() -> bool:
	return HEALTHCARE_APP in frappe.get_installed_apps()


def default_patient_doctype() -> str:
	"""Healthcare's Patient when the app is installed, else ERPNext's Customer."""
	return "Patient" if healthcare_installed() else "Customer"


def patient_display_name(patient_doctype: str, patient: str) -> str:
	if not patient_doctype or not patient:
		return ""
	field = "patient_name" if patient_doctype == "Patient" else "customer_name"
	return frappe.db.get_value(patient_doctype, patient, field) or ""
