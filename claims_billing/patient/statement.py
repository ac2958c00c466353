"""A patient statement (PDF): open balances per service and the payments received.

Built from the payments ledger (so from ERPNext's documents) and rendered by
render.statement with WeasyPrint.
"""

import frappe
from frappe import _
from frappe.utils import add_days, getdate

from claims_billing.core.patient_invoice_status import OPEN_STATUSES
from claims_billing.patient.documents import (
	explain_render_problems,
	patient_details,
	practice,
	service_modifiers,
)
from claims_billing.patient.payments_ledger import patient_ledger
from claims_billing.problems import throw_problems
from claims_billing.render.statement import (
	PaymentReceived,
	StatementData,
	StatementLine,
	render_statement_pdf,
)
from claims_billing.render.validation import RenderDataError
from claims_billing.settings import billing_settings


def statement_data(patient_doctype: str, patient: str) -> StatementData:
	ledger = patient_ledger(patient_doctype, patient)
	statement_date = getdate()
	lines = [
		StatementLine(
			date_of_service=getdate(row["date_of_service"]),
			procedure_code=row["procedure_code"],
			modifiers=service_modifiers(row),
			charge=row["charge"],
			insurance_paid=row["insurance_paid"],
			adjustments=row["write_off"],
			patient_paid=row["patient_paid"],
		)
		for row in ledger.rows()
		if row["booked"] and row["balance"] > 0 and getdate(row["date_of_service"]) <= statement_date
	]
	if not lines:
		frappe.throw(_("The patient has no open balance to put on a statement."))
	payments = [
		PaymentReceived(
			date=getdate(payment["posting_date"]),
			amount=payment["amount"],
			method=payment["mode_of_payment"] or _("Card (Stripe)"),
			reference=payment["reference_no"] or "",
		)
		for payment in ledger.payments
		if payment["amount"] > 0
	]
	settings = billing_settings()
	phone = settings.billing_provider_phone
	return StatementData(
		practice=practice(),
		patient=patient_details(patient_doctype, patient),
		statement_date=statement_date,
		due_date=add_days(statement_date, int(settings.patient_invoice_due_days or 30)),
		lines=lines,
		payments=payments,
		how_to_pay=_("Pay online with the link below or call us at {0}.").format(phone)
		if phone
		else _("Pay online with the link below."),
		payment_link=open_payment_link(patient_doctype, patient),
	)


def open_payment_link(patient_doctype: str, patient: str) -> str:
	link = frappe.db.get_value(
		"Patient Invoice",
		{
			"patient_doctype": patient_doctype,
			"patient": patient,
			"docstatus": 1,
			"status": ["in", OPEN_STATUSES],
		},
		"hosted_invoice_url",
		order_by="creation desc",
	)
	return link if link and link.startswith("https://") else ""


def statement_pdf(patient_doctype: str, patient: str) -> bytes:
	data = statement_data(patient_doctype, patient)
	try:
		return render_statement_pdf(data)
	except RenderDataError as error:
		throw_problems(explain_render_problems(error), _("The statement can't be printed yet"))
