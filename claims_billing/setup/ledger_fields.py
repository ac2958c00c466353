"""Custom fields for the patient side: service tags on money rows, and the Patient's Payments tab.

``billable_service`` on Sales Invoice Item, Journal Entry Account and Payment Entry Deduction
names the service a row's money is for. The payments ledger (claims_billing.patient.payments_ledger)
attributes tagged rows to their service; every module of claims_billing.accounting tags the
rows it creates. ERPNext itself is unchanged: the field is optional and ignored by its code.
"""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

MODULE = "Claims Billing"
BILLABLE_SERVICE_FIELD = "billable_service"
PAYMENTS_TAB_FIELD = "billing_payments_tab"
PAYMENTS_HTML_FIELD = "billing_payments_html"

# Row DocType -> the field the tag follows.
TAGGED_ROWS = {
	"Sales Invoice Item": "cost_center",
	"Journal Entry Account": "party",
	"Payment Entry Deduction": "cost_center",
}


def accounting_custom_fields() -> dict[str, list[dict]]:
	return {
		doctype: [
			{
				"fieldname": BILLABLE_SERVICE_FIELD,
				"fieldtype": "Link",
				"label": "Billable Service",
				"options": "Billable Service",
				"insert_after": after,
				"search_index": 1,
				"no_copy": 1,
				"description": "The service this row's amount is for (payments ledger).",
			}
		]
		for doctype, after in TAGGED_ROWS.items()
	}


def patient_custom_fields() -> dict[str, list[dict]]:
	"""The Payments tab on Healthcare's Patient form (only with Healthcare)."""
	return {
		"Patient": [
			{
				"fieldname": PAYMENTS_TAB_FIELD,
				"fieldtype": "Tab Break",
				"label": "Payments",
				"insert_after": "other_risk_factors",
			},
			{
				"fieldname": PAYMENTS_HTML_FIELD,
				"fieldtype": "HTML",
				"label": "Payments",
				"insert_after": PAYMENTS_TAB_FIELD,
			},
		]
	}


def add_fields(fields: dict[str, list[dict]]) -> None:
	for rows in fields.values():
		for row in rows:
			row["module"] = MODULE
	create_custom_fields(fields, update=True)


def remove_fields(fields: dict[str, list[dict]]) -> None:
	for doctype, rows in fields.items():
		for row in rows:
			name = frappe.db.get_value("Custom Field", {"dt": doctype, "fieldname": row["fieldname"]})
			if name:
				frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.clear_cache(doctype=doctype)


def add_accounting_fields() -> None:
	add_fields(accounting_custom_fields())


def remove_accounting_fields() -> None:
	remove_fields(accounting_custom_fields())


def add_patient_fields() -> None:
	add_fields(patient_custom_fields())


def remove_patient_fields() -> None:
	remove_fields(patient_custom_fields())
