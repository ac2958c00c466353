"""Custom fields this app adds to other apps' DocTypes (only Healthcare's, so only with Healthcare)."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from claims_billing.services.coverage import (
	PAYMENT_METHOD_FIELD,
	SNAPSHOT_MEMBER_ID_FIELD,
	SNAPSHOT_PAYER_FIELD,
)

MODULE = "Claims Billing"
TELEHEALTH_VISIT_FIELD = "telehealth_visit"
HEALTHCARE_PRACTITIONER_FIELD = "healthcare_practitioner"
POLICIES_BUTTON_FIELD = "billing_insurance_policies"


def healthcare_custom_fields() -> dict[str, list[dict]]:
	return {
		"Patient": [
			{
				"fieldname": "billing_section",
				"fieldtype": "Section Break",
				"label": "Insurance & Billing",
				"insert_after": "patient_details",
			},
			{
				"fieldname": PAYMENT_METHOD_FIELD,
				"fieldtype": "Select",
				"label": "Payment Method",
				"options": "\nInsurance\nPrivate Pay",
				"insert_after": "billing_section",
				"description": "How this patient's services are billed. Empty: Insurance when a policy is active.",
			},
			{
				"fieldname": "billing_column",
				"fieldtype": "Column Break",
				"insert_after": PAYMENT_METHOD_FIELD,
			},
			{
				"fieldname": SNAPSHOT_PAYER_FIELD,
				"fieldtype": "Data",
				"label": "Primary Insurance",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "billing_column",
			},
			{
				"fieldname": SNAPSHOT_MEMBER_ID_FIELD,
				"fieldtype": "Data",
				"label": "Member ID",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": SNAPSHOT_PAYER_FIELD,
			},
			{
				"fieldname": POLICIES_BUTTON_FIELD,
				"fieldtype": "Button",
				"label": "Edit Insurance Policies",
				"insert_after": SNAPSHOT_MEMBER_ID_FIELD,
			},
		],
		"Patient Encounter": [
			{
				"fieldname": TELEHEALTH_VISIT_FIELD,
				"fieldtype": "Check",
				"label": "Telehealth Visit",
				"insert_after": "encounter_time",
				"allow_on_submit": 0,
				"description": "Bills the services with the telehealth modifier and place of service.",
			},
		],
		"Billing Practitioner": [
			{
				"fieldname": HEALTHCARE_PRACTITIONER_FIELD,
				"fieldtype": "Link",
				"label": "Healthcare Practitioner",
				"options": "Healthcare Practitioner",
				"insert_after": "user",
				"unique": 1,
				"description": "Services captured from this practitioner's encounters are billed under this record.",
			},
		],
	}


def add_healthcare_custom_fields() -> None:
	fields = healthcare_custom_fields()
	for rows in fields.values():
		for row in rows:
			row["module"] = MODULE
	create_custom_fields(fields, update=True)


def remove_healthcare_custom_fields() -> None:
	for doctype, rows in healthcare_custom_fields().items():
		for row in rows:
			name = frappe.db.get_value("Custom Field", {"dt": doctype, "fieldname": row["fieldname"]})
			if name:
				frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.clear_cache(doctype=doctype)
