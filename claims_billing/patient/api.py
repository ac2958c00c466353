"""Whitelisted methods for the patient side: superbills, patient invoices, payments, statements.

Each checks the caller's permission on the documents it creates or reads; the business rules
live in ``invoicing``, the Superbill controller, ``payments_ledger`` and ``statement``.
"""

import json

import frappe
from frappe import _
from frappe.utils import getdate

from claims_billing.patient.invoicing import (
	make_patient_invoice,
	resend_patient_invoice,
	send_patient_invoice,
	void_patient_invoice,
)
from claims_billing.patient.payments_ledger import patient_ledger
from claims_billing.patient.records import require_patient
from claims_billing.patient.statement import statement_pdf
from claims_billing.patient.stripe_connection import explain_stripe_error
from claims_billing.stripe_client import StripeClientError

SUPERBILL = "Superbill"
INVOICE = "Patient Invoice"
SERVICE = "Billable Service"
# More superbills than this (about 20 s of issuing) are generated in the background instead of
# while the user waits (bench/superbill_benchmark.py: roughly a third of a second each).
BATCH_IN_REQUEST = 60


def name_list(value) -> list[str]:
	if isinstance(value, str):
		value = json.loads(value) if value.strip().startswith("[") else [value]
	return [str(name) for name in value or [] if name]


# --- superbills ------------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def create_superbills(services, issue=0) -> list[str]:
	"""One superbill per patient and rendering practitioner of ``services``; issued if ``issue``."""
	frappe.has_permission(SUPERBILL, "create", throw=True)
	if int(issue or 0):
		frappe.has_permission(SUPERBILL, "submit", throw=True)
	groups: dict[tuple, list[str]] = {}
	for name in name_list(services):
		service = frappe.db.get_value(
			SERVICE, name, ["patient_doctype", "patient", "practitioner"], as_dict=True
		)
		if not service:
			frappe.throw(_("Service {0} does not exist.").format(name))
		frappe.has_permission(SERVICE, "read", doc=name, throw=True)
		groups.setdefault((service.patient_doctype, service.patient, service.practitioner), []).append(name)
	created = []
	for (patient_doctype, patient, practitioner), names in groups.items():
		superbill = new_superbill(patient_doctype, patient, practitioner, names)
		if int(issue or 0):
			superbill.submit()
		created.append(superbill.name)
	return created


def new_superbill(patient_doctype: str, patient: str, practitioner: str, services: list[str]):
	return frappe.get_doc(
		{
			"doctype": SUPERBILL,
			"patient_doctype": patient_doctype,
			"patient": patient,
			"practitioner": practitioner,
			"issue_date": getdate(),
			"services": [{"billable_service": name} for name in services],
		}
	).insert()


def eligible_services(from_date, to_date, practitioner=None, patient_doctype=None, patient=None) -> list[str]:
	filters = {
		"billing_route": "Private Pay",
		"status": "Unbilled",
		"voided": 0,
		"date_of_service": ["between", [getdate(from_date), getdate(to_date)]],
	}
	if practitioner:
		filters["practitioner"] = practitioner
	if patient:
		filters.update({"patient_doctype": patient_doctype, "patient": patient})
	return frappe.get_all(SERVICE, filters=filters, pluck="name", order_by="date_of_service asc")


@frappe.whitelist(methods=["POST"])
def create_superbills_for_range(from_date, to_date, practitioner=None, patient_doctype=None, patient=None):
	"""Issue superbills for every unbilled private-pay service in the date range (batch generation).

	Each superbill is issued in its own savepoint: one patient's missing date of birth does not
	stop the others. Returns the superbills issued and what could not be issued, and why.
	"""
	frappe.has_permission(SUPERBILL, "submit", throw=True)
	if getdate(from_date) > getdate(to_date):
		frappe.throw(_("The range starts after it ends."))
	services = eligible_services(from_date, to_date, practitioner, patient_doctype, patient)
	superbills = frappe.db.sql(
		"""select count(distinct patient_doctype, patient, practitioner) from `tabBillable Service`
		where name in %s""",
		[tuple(services) or ("",)],
	)[0][0]
	if superbills > BATCH_IN_REQUEST:
		frappe.enqueue(
			issue_superbills_for_services,
			services=services,
			queue="long",
			timeout=3600,
			enqueue_after_commit=True,
		)
		return {"queued": len(services), "issued": [], "failed": []}
	return issue_superbills_for_services(services)


def issue_superbills_for_services(services: list[str]) -> dict:
	groups: dict[tuple, list[str]] = {}
	for row in frappe.get_all(
		SERVICE,
		filters={"name": ["in", services]},
		fields=["name", "patient_doctype", "patient", "practitioner"],
		order_by="date_of_service asc",
	):
		groups.setdefault((row.patient_doctype, row.patient, row.practitioner), []).append(row.name)
	issued, failed = [], []
	for (patient_doctype, patient, practitioner), names in groups.items():
		frappe.db.savepoint("superbill_batch")
		try:
			superbill = new_superbill(patient_doctype, patient, practitioner, names)
			superbill.submit()
			issued.append(superbill.name)
		except frappe.ValidationError as error:
			frappe.db.rollback(save_point="superbill_batch")
			frappe.clear_messages()
			failed.append({"services": names, "error": frappe.utils.strip_html(str(error))})
	return {"queued": 0, "issued": issued, "failed": failed}


# --- patient invoices ------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def send_invoice(services=None, superbill=None) -> str:
	"""Draft a patient invoice for the services (or a superbill's open balances) and send it."""
	frappe.has_permission(INVOICE, "create", throw=True)
	frappe.has_permission(INVOICE, "submit", throw=True)
	names = name_list(services)
	if superbill:
		frappe.has_permission(SUPERBILL, "read", doc=superbill, throw=True)
		patient_doctype, patient = frappe.db.get_value(SUPERBILL, superbill, ["patient_doctype", "patient"])
		owed = patient_ledger(patient_doctype, patient)
		# Only what is still owed: services the patient already paid stay off the invoice.
		names += [
			row.billable_service
			for row in frappe.get_all(
				"Superbill Service",
				filters={"parent": superbill, "parenttype": SUPERBILL},
				fields=["billable_service"],
			)
			if row.billable_service not in names and owed.patient_balance(row.billable_service) > 0
		]
	for name in names:
		frappe.has_permission(SERVICE, "read", doc=name, throw=True)
	draft = make_patient_invoice(names, superbill=superbill)
	# The draft and its idempotency key outlive a failed send, so sending again resumes it.
	frappe.db.commit()
	send_draft(draft.name)
	return draft.name


@frappe.whitelist(methods=["POST"])
def send_draft_invoice(name) -> str:
	send_draft(name)
	return name


def send_draft(name: str) -> None:
	try:
		send_patient_invoice(name)
	except StripeClientError as error:
		frappe.db.rollback()
		frappe.db.set_value(INVOICE, name, "last_stripe_error", error.message[:1000])
		frappe.db.commit()
		frappe.throw(explain_stripe_error(error), title=_("Invoice {0} was not sent").format(name))


@frappe.whitelist(methods=["POST"])
def void_invoice(name) -> str:
	try:
		return void_patient_invoice(name).status
	except StripeClientError as error:
		frappe.throw(explain_stripe_error(error), title=_("Invoice {0} was not voided").format(name))


@frappe.whitelist(methods=["POST"])
def resend_invoice(name) -> str:
	"""Void the invoice if it is still open, then send a new one for the current balances."""
	frappe.has_permission(INVOICE, "submit", throw=True)
	try:
		replacement = resend_patient_invoice(name)
	except StripeClientError as error:
		frappe.throw(explain_stripe_error(error), title=_("Invoice {0} was not resent").format(name))
	frappe.db.commit()
	send_draft(replacement.name)
	return replacement.name


# --- payments and statements -----------------------------------------------------------------


def check_patient_access(patient_doctype: str, patient: str) -> None:
	require_patient(patient_doctype, patient)
	frappe.has_permission(INVOICE, "read", throw=True)
	frappe.has_permission(patient_doctype, "read", doc=patient, throw=True)


@frappe.whitelist()
def patient_payments(patient_doctype, patient) -> dict:
	"""The Payments tab: per service, charge, insurance paid, patient paid, write-off, balance."""
	check_patient_access(patient_doctype, patient)
	ledger = patient_ledger(patient_doctype, patient)
	rows = ledger.rows()
	figures = ("charge", "insurance_paid", "patient_paid", "write_off", "balance", "patient_balance")
	return {
		"rows": [
			{
				"service": row["service"],
				"date_of_service": row["date_of_service"],
				"primary_service": row["primary_service"],
				"status": row["status"],
				"payer_name": row["payer_name"],
				**{figure: str(row[figure]) for figure in figures},
			}
			for row in rows
		],
		"totals": {figure: str(value) for figure, value in ledger.totals().items()},
		"unapplied": str(ledger.ledger.unapplied["patient"]),
		"problems": [str(problem) for problem in ledger.ledger.problems],
	}


@frappe.whitelist()
def patient_statement(patient_doctype, patient):
	"""Download the patient's statement PDF."""
	check_patient_access(patient_doctype, patient)
	frappe.local.response.filename = f"Statement {patient} {getdate()}.pdf"
	frappe.local.response.filecontent = statement_pdf(patient_doctype, patient)
	frappe.local.response.type = "pdf"
