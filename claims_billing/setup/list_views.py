"""List View Settings for the Unbilled Services list, so all its columns fit on a laptop screen.

Frappe shows only three fields on screens narrower than 1920px unless the list's settings allow
more; the billing list needs Date of Service, Primary Service, Payer Name and Service Charges.
"""

import json

import frappe

from claims_billing.setup.install_records import remember, remembered

SERVICE_LIST_COLUMNS = (
	("status_field", "Status"),
	("date_of_service", "Date of Service"),
	("primary_service", "Primary Service"),
	("payer_name", "Payer Name"),
	("charge", "Service Charges"),
)


def ensure_service_list_settings(settings) -> None:
	if frappe.db.exists("List View Settings", "Billable Service"):
		return
	doc = frappe.new_doc("List View Settings")
	doc.name = "Billable Service"
	doc.total_fields = "8"
	doc.fields = json.dumps([{"fieldname": field, "label": label} for field, label in SERVICE_LIST_COLUMNS])
	doc.insert(ignore_permissions=True, set_name="Billable Service")
	remember(settings, "list_view_settings", doc.name)


def remove_service_list_settings(settings) -> None:
	for name in remembered(settings, "list_view_settings"):
		frappe.delete_doc(
			"List View Settings", name, ignore_permissions=True, force=True, ignore_missing=True
		)
