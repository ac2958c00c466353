"""Custom fields the claim lifecycle adds to ERPNext DocTypes (on every site, with or without Healthcare).

* Sales Invoice / Sales Invoice Item: which sent file, claim and patient a receivable line belongs
  to (claims_billing.accounting.claims books them; the line's service goes in the shared
  ``billable_service`` tag of setup/ledger_fields.py);
* Customer: date of birth and sex of a patient kept as a Customer on sites without Healthcare
  (claims_billing.claims.claim_data reads them for the 837P).
"""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from claims_billing.accounting.claims import (
	BOOKING_CORRECTION,
	BOOKING_FIELD,
	BOOKING_SENT,
	BOOKING_VOID,
	FILE_FIELD,
	ITEM_CLAIM_FIELD,
	ITEM_PATIENT_DOCTYPE_FIELD,
	ITEM_PATIENT_FIELD,
)
from claims_billing.claims.claim_data import CUSTOMER_DOB_FIELD, CUSTOMER_SEX_FIELD

MODULE = "Claims Billing"


def claim_custom_fields() -> dict[str, list[dict]]:
	return {
		"Sales Invoice": [
			{
				"fieldname": "insurance_claims_section",
				"fieldtype": "Section Break",
				"label": "Insurance Claims",
				"insert_after": "remarks",
				"collapsible": 1,
				"depends_on": BOOKING_FIELD,
			},
			{
				"fieldname": BOOKING_FIELD,
				"fieldtype": "Select",
				"label": "Claims Booking",
				"options": "\n".join(("", BOOKING_SENT, BOOKING_CORRECTION, BOOKING_VOID)),
				"insert_after": "insurance_claims_section",
				"read_only": 1,
				"no_copy": 1,
			},
			{
				"fieldname": FILE_FIELD,
				"fieldtype": "Link",
				"label": "Clearinghouse File",
				"options": "Clearinghouse File",
				"insert_after": BOOKING_FIELD,
				"read_only": 1,
				"no_copy": 1,
			},
		],
		"Sales Invoice Item": [
			{
				"fieldname": ITEM_CLAIM_FIELD,
				"fieldtype": "Link",
				"label": "Insurance Claim",
				"options": "Insurance Claim",
				"insert_after": "description",
				"read_only": 1,
				"search_index": 1,
				"no_copy": 1,
			},
			{
				"fieldname": ITEM_PATIENT_DOCTYPE_FIELD,
				"fieldtype": "Link",
				"label": "Patient Record Type",
				"options": "DocType",
				"insert_after": ITEM_CLAIM_FIELD,
				"read_only": 1,
				"hidden": 1,
				"no_copy": 1,
			},
			{
				"fieldname": ITEM_PATIENT_FIELD,
				"fieldtype": "Dynamic Link",
				"label": "Patient",
				"options": ITEM_PATIENT_DOCTYPE_FIELD,
				"insert_after": ITEM_PATIENT_DOCTYPE_FIELD,
				"read_only": 1,
				"no_copy": 1,
			},
		],
		"Customer": [
			{
				"fieldname": CUSTOMER_DOB_FIELD,
				"fieldtype": "Date",
				"label": "Patient Date of Birth",
				"insert_after": "customer_type",
				"depends_on": 'eval:doc.customer_type=="Individual"',
				"description": "For insurance claims of a patient kept as a Customer.",
			},
			{
				"fieldname": CUSTOMER_SEX_FIELD,
				"fieldtype": "Select",
				"label": "Patient Sex",
				"options": "\nFemale\nMale\nUnknown",
				"insert_after": CUSTOMER_DOB_FIELD,
				"depends_on": 'eval:doc.customer_type=="Individual"',
			},
		],
	}


def add_claim_custom_fields() -> None:
	fields = claim_custom_fields()
	for rows in fields.values():
		for row in rows:
			row["module"] = MODULE
	create_custom_fields(fields, update=True)


def remove_claim_custom_fields() -> None:
	for doctype, rows in claim_custom_fields().items():
		for row in rows:
			name = frappe.db.get_value("Custom Field", {"dt": doctype, "fieldname": row["fieldname"]})
			if name:
				frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.clear_cache(doctype=doctype)
