"""Patient Payments Ledger (script report): the payments ledger of one patient, per service."""

import frappe
from frappe import _

from claims_billing.patient.api import check_patient_access
from claims_billing.patient.payments_ledger import patient_ledger


def execute(filters=None):
	filters = frappe._dict(filters or {})
	if not filters.patient:
		return columns(), []
	check_patient_access(filters.patient_doctype, filters.patient)
	ledger = patient_ledger(filters.patient_doctype, filters.patient)
	data = [
		{
			"service": row["service"],
			"date_of_service": row["date_of_service"],
			"primary_service": row["primary_service"],
			"status": row["status"],
			"payer_name": row["payer_name"] or _("Private Pay"),
			"charge": row["charge"],
			"insurance_paid": row["insurance_paid"],
			"patient_paid": row["patient_paid"],
			"write_off": row["write_off"],
			"balance": row["balance"],
		}
		for row in ledger.rows()
	]
	message = None
	if ledger.ledger.problems:
		message = "<br>".join(frappe.utils.escape_html(str(problem)) for problem in ledger.ledger.problems)
	return columns(), data, message


def columns() -> list[dict]:
	money = {"fieldtype": "Currency", "width": 120}
	return [
		{
			"fieldname": "service",
			"label": _("Service"),
			"fieldtype": "Link",
			"options": "Billable Service",
			"width": 140,
		},
		{"fieldname": "date_of_service", "label": _("Date of Service"), "fieldtype": "Date", "width": 110},
		{"fieldname": "primary_service", "label": _("Procedure"), "fieldtype": "Data", "width": 110},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 100},
		{"fieldname": "payer_name", "label": _("Payer"), "fieldtype": "Data", "width": 140},
		{"fieldname": "charge", "label": _("Service Charge"), **money},
		{"fieldname": "insurance_paid", "label": _("Insurance Paid"), **money},
		{"fieldname": "patient_paid", "label": _("Patient Paid"), **money},
		{"fieldname": "write_off", "label": _("Write-Off"), **money},
		{"fieldname": "balance", "label": _("Balance"), **money},
	]
