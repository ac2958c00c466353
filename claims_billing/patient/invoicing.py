"""Patient invoices through Stripe: what to bill, sending, voiding, resending and Stripe's events.

What a line bills, per service:
- an unbilled private-pay service: its charge, booked to the patient's receivable when sent;
- a service with a patient balance in the payments ledger (a superbilled or invoiced private-pay
  service, or patient responsibility a remittance moved to the patient): that balance;
- an insurance service with nothing moved to the patient yet: the policy's copay, once.

Sending is resumable: the draft is saved first with its own idempotency key, so a send that
failed half-way (network, 5xx, rate limit) is simply sent again and Stripe replays what it
already did instead of creating a second invoice or email.
"""

import datetime
import uuid
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import add_days, convert_utc_to_system_timezone, flt, format_date, get_url, getdate

from claims_billing.accounting.patient import (
	Allocation,
	ServiceCharge,
	book_patient_charges,
	record_patient_payment,
)
from claims_billing.claims.claim_data import money
from claims_billing.core.patient_invoice_status import (
	OPEN_STATUSES,
	PAID,
	VOID,
	EventOutcome,
	outcome_of_event,
)
from claims_billing.patient.payments_ledger import patient_ledger
from claims_billing.patient.records import (
	patient_customer,
	patient_email,
	patient_portal_user,
	require_patient,
)
from claims_billing.patient.stripe_connection import stripe_client
from claims_billing.problems import throw_problems
from claims_billing.settings import billing_settings
from claims_billing.stripe_client import InvoiceLine
from claims_billing.stripe_client.money import from_cents

INVOICE = "Patient Invoice"
SERVICE = "Billable Service"
KIND_BALANCE = "Balance"
KIND_COPAY = "Copay"
PATIENT_INVOICE_KEY = "patient_invoice"
SITE_KEY = "site"


class WebhookEventRefused(Exception):
	"""An event that can never be applied (wrong amount, unknown invoice): retrying won't help."""


# --- drafting --------------------------------------------------------------------------------


def invoice_lines(service_names: list[str]) -> tuple[str, str, list[dict]]:
	"""(patient doctype, patient, line rows) for ``service_names``; throws listing every problem."""
	problems = []
	services = []
	for name in dict.fromkeys(service_names):
		if not frappe.db.exists(SERVICE, name):
			problems.append(_("Service {0} does not exist.").format(name))
		else:
			services.append(frappe.get_doc(SERVICE, name))
	if not services:
		throw_problems(problems or [_("Choose at least one service.")], _("Nothing to invoice"))
	patients = {(service.patient_doctype, service.patient) for service in services}
	if len(patients) > 1:
		throw_problems(
			[_("The services belong to {0} patients; invoice one patient at a time.").format(len(patients))]
		)
	patient_doctype, patient = patients.pop()
	ledger = patient_ledger(patient_doctype, patient)
	on_open_invoices = services_on_open_invoices([service.name for service in services])
	lines = []
	for service in services:
		if service.name in on_open_invoices:
			problems.append(
				_(
					"Service {0} is already on patient invoice {1}: send or delete that draft, or void it "
					"if it was sent, to bill the service again."
				).format(service.name, on_open_invoices[service.name])
			)
			continue
		line, problem = line_for(service, ledger)
		if problem:
			problems.append(problem)
		else:
			lines.append(line)
	throw_problems(problems, _("These services can't be invoiced"))
	return patient_doctype, patient, lines


def line_for(service, ledger) -> tuple[dict | None, str | None]:
	base = {"billable_service": service.name, "kind": KIND_BALANCE}
	if service.voided:
		return None, _("Service {0} is void.").format(service.name)
	if service.status == "Unbilled" and service.billing_route == "Private Pay":
		if flt(service.charge) <= 0:
			return None, _("Service {0} has no charge.").format(service.name)
		return {**base, "amount": flt(service.charge, 2)}, None
	balance = ledger.patient_balance(service.name)
	if balance > 0:
		items = ledger.ledger.open_items_of(service.name)
		line = {**base, "amount": flt(balance, 2)}
		if items:
			item = max(items, key=lambda pair: pair[1])[0]
			line["receivable_doctype"], line["receivable_name"] = item.split("/", 1)
		return line, None
	copay = policy_copay(service)
	if service.billing_route == "Insurance" and copay > 0 and balance == 0:
		if copay_already_billed(service.name):
			return None, _("The copay of service {0} is already invoiced.").format(service.name)
		return {**base, "kind": KIND_COPAY, "amount": flt(copay, 2)}, None
	if service.status == "Unbilled":
		return None, _("Service {0} is unbilled and billed to insurance: send the claim first.").format(
			service.name
		)
	return None, _("The patient owes nothing on service {0}.").format(service.name)


def policy_copay(service) -> Decimal:
	if not service.insurance_policy:
		return Decimal(0)
	return money(frappe.db.get_value("Patient Insurance Policy", service.insurance_policy, "copay"))


def copay_already_billed(service: str) -> bool:
	return bool(
		frappe.db.sql(
			"""
			select 1 from `tabPatient Invoice Line` line
			join `tabPatient Invoice` invoice on invoice.name = line.parent
			where line.billable_service = %s and line.kind = %s and invoice.docstatus = 1
				and invoice.status != %s
			limit 1
			""",
			(service, KIND_COPAY, VOID),
		)
	)


def services_on_open_invoices(services: list[str], exclude: str | None = None) -> dict[str, str]:
	"""Service -> the draft, sent or overdue patient invoice it is on."""
	if not services:
		return {}
	rows = frappe.db.sql(
		"""
		select line.billable_service, invoice.name from `tabPatient Invoice Line` line
		join `tabPatient Invoice` invoice on invoice.name = line.parent
		where line.billable_service in %(services)s and invoice.name != %(exclude)s
			and (invoice.docstatus = 0 or (invoice.docstatus = 1 and invoice.status in %(open)s))
		""",
		{"services": tuple(services), "exclude": exclude or "", "open": OPEN_STATUSES},
	)
	return dict(rows)


def make_patient_invoice(
	service_names: list[str], superbill: str | None = None, amended_from: str | None = None
):
	"""Insert a draft patient invoice for the services' current patient balances."""
	patient_doctype, patient, lines = invoice_lines(service_names)
	invoice = frappe.get_doc(
		{
			"doctype": INVOICE,
			"patient_doctype": patient_doctype,
			"patient": patient,
			"superbill": superbill,
			"amended_from": amended_from,
			"lines": lines,
		}
	)
	invoice.insert()
	return invoice


# --- sending ---------------------------------------------------------------------------------


def send_patient_invoice(name: str):
	"""Book what is unbilled, create, finalize and send the Stripe invoice, submit. One transaction."""
	invoice = frappe.get_doc(INVOICE, name)
	invoice.check_permission("submit")
	if invoice.docstatus != 0:
		frappe.throw(
			_("Patient invoice {0} is {1}; only drafts can be sent.").format(name, _(invoice.status))
		)
	require_patient(invoice.patient_doctype, invoice.patient)
	invoice.email = patient_email(invoice.patient_doctype, invoice.patient)
	if not invoice.email:
		throw_problems(
			[
				_(
					"The patient has no email address: add one to the patient record so Stripe can send the invoice."
				)
			],
			_("Invoice {0} can't be sent yet").format(name),
		)
	invoice.customer = patient_customer(invoice.patient_doctype, invoice.patient)
	book_unbilled_lines(invoice)
	client = stripe_client()
	customer_id = client.ensure_customer(
		patient_ref=f"{invoice.patient_doctype}/{invoice.patient}",
		name=invoice.patient_name,
		email=invoice.email,
		existing_customer_id=known_stripe_customer(invoice.patient_doctype, invoice.patient),
	)
	sent = client.create_invoice(
		customer_id,
		stripe_lines(invoice),
		idempotency_key=invoice.stripe_idempotency_key,
		currency=(invoice.currency or "USD").lower(),
		days_until_due=int(invoice.due_days or 0),
		metadata={PATIENT_INVOICE_KEY: invoice.name, SITE_KEY: frappe.local.site},
		description=_("Invoice {0} from {1}").format(invoice.name, practice_name()),
	)
	if sent.total != money(invoice.grand_total):
		frappe.throw(
			_("Stripe invoice {0} totals {1}, this invoice {2}; it was not submitted.").format(
				sent.id, sent.total, invoice.grand_total
			)
		)
	invoice.update(
		{
			"stripe_customer_id": customer_id,
			"stripe_invoice_id": sent.id,
			"stripe_invoice_number": sent.number,
			"hosted_invoice_url": sent.hosted_invoice_url,
			"due_date": sent.due_date or add_days(getdate(), int(invoice.due_days or 0)),
			"last_stripe_error": "",
		}
	)
	invoice.flags.sent_through_stripe = True
	invoice.submit()
	notify_patient(invoice)
	return invoice


def book_unbilled_lines(invoice) -> None:
	"""Put unbilled private-pay services on the patient's receivable and point their lines at it."""
	unbilled = []
	for line in invoice.lines:
		if line.receivable_name or line.kind != KIND_BALANCE:
			continue
		service = frappe.get_doc(SERVICE, line.billable_service)
		if service.status == "Unbilled":
			unbilled.append((line, service))
	if not unbilled:
		return
	from claims_billing.claims_billing.doctype.superbill.superbill import charge_label

	sales_invoice = book_patient_charges(
		invoice.customer,
		[
			ServiceCharge(service.name, money(line.amount), charge_label(service))
			for line, service in unbilled
		],
		getdate(),
		_("Patient invoice {0}").format(invoice.name),
	)
	for line, service in unbilled:
		service.mark_billed("Sales Invoice", sales_invoice)
		line.receivable_doctype, line.receivable_name = "Sales Invoice", sales_invoice
	invoice.sales_invoice = sales_invoice


def stripe_lines(invoice) -> list[InvoiceLine]:
	return [
		InvoiceLine(
			description=line.description, amount=money(line.amount), service_ref=line.billable_service
		)
		for line in invoice.lines
	]


def known_stripe_customer(patient_doctype: str, patient: str) -> str | None:
	"""The patient's Stripe customer from an earlier invoice: one customer per patient."""
	return frappe.db.get_value(
		INVOICE,
		{
			"patient_doctype": patient_doctype,
			"patient": patient,
			"docstatus": ["in", [1, 2]],
			"stripe_customer_id": ["is", "set"],
		},
		"stripe_customer_id",
		order_by="creation asc",
	)


def practice_name() -> str:
	settings = billing_settings()
	return settings.billing_provider_name or settings.company or ""


def notify_patient(invoice) -> None:
	"""Record on the patient's timeline that Stripe emailed the invoice; show it on their portal."""
	subject = _("Invoice {0} from {1}: {2} due {3}").format(
		invoice.stripe_invoice_number or invoice.name,
		practice_name(),
		frappe.format_value(invoice.grand_total, {"fieldtype": "Currency", "options": invoice.currency}),
		format_date(invoice.due_date),
	)
	content = _(
		"Stripe emailed this invoice to the patient. Pay online: <a href='{0}'>{0}</a><br>Services: {1}"
	).format(
		invoice.hosted_invoice_url,
		", ".join(frappe.utils.escape_html(line.description) for line in invoice.lines),
	)
	frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Automated Message",
			"communication_medium": "Email",
			"sent_or_received": "Sent",
			"subject": subject,
			"content": content,
			"recipients": invoice.email,
			"reference_doctype": INVOICE,
			"reference_name": invoice.name,
			"timeline_links": [{"link_doctype": invoice.patient_doctype, "link_name": invoice.patient}],
		}
	).insert(ignore_permissions=True)
	user = patient_portal_user(invoice.patient_doctype, invoice.patient)
	if user:
		frappe.share.add_docshare(
			INVOICE, invoice.name, user, read=1, notify=0, flags={"ignore_share_permission": True}
		)
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"type": "Alert",
				"document_type": INVOICE,
				"document_name": invoice.name,
				"subject": subject,
				"email_content": _("Pay online at {0} or see your invoices at {1}").format(
					invoice.hosted_invoice_url, get_url("/patient-invoices")
				),
			}
		).insert(ignore_permissions=True)


# --- voiding and resending -------------------------------------------------------------------


def void_patient_invoice(name: str, at_stripe: bool = True):
	"""Void a sent or overdue invoice (at Stripe unless Stripe voided it) and cancel it here.

	The patient's balance stays on their receivable: voiding takes back the request to pay, not
	the charge. Resend, or write the balance off.
	"""
	invoice = frappe.get_doc(INVOICE, name)
	invoice.check_permission("cancel")
	if invoice.docstatus != 1 or invoice.status not in OPEN_STATUSES:
		frappe.throw(
			_("Patient invoice {0} is {1}; only sent or overdue invoices can be voided.").format(
				name, _(invoice.status)
			)
		)
	if at_stripe and invoice.stripe_invoice_id:
		voided = stripe_client().void_invoice(invoice.stripe_invoice_id)
		if voided.status != "void":
			frappe.throw(_("Stripe reports invoice {0} as {1}, not void.").format(voided.id, voided.status))
	invoice.flags.voided_at_stripe = True
	invoice.cancel()
	return invoice


def resend_patient_invoice(name: str):
	"""Void (if still open) and send a new invoice for the same services' current balances."""
	invoice = frappe.get_doc(INVOICE, name)
	if invoice.docstatus == 1 and invoice.status in OPEN_STATUSES:
		invoice = void_patient_invoice(name)
	elif invoice.status != VOID:
		frappe.throw(
			_("Patient invoice {0} is {1}; only open or void invoices can be resent.").format(
				name, _(invoice.status)
			)
		)
	services = [line.billable_service for line in invoice.lines]
	replacement = make_patient_invoice(services, superbill=invoice.superbill, amended_from=invoice.name)
	return replacement


# --- Stripe events ---------------------------------------------------------------------------


def invoice_for_stripe_event(stripe_invoice: dict) -> str | None:
	"""Our patient invoice for a Stripe invoice object: by its id, else by the name in its metadata."""
	name = frappe.db.get_value(
		INVOICE, {"stripe_invoice_id": stripe_invoice.get("id"), "docstatus": ["!=", 0]}
	)
	if name:
		return name
	metadata = stripe_invoice.get("metadata") or {}
	if metadata.get(SITE_KEY) == frappe.local.site and frappe.db.exists(
		INVOICE, metadata.get(PATIENT_INVOICE_KEY)
	):
		candidate = metadata[PATIENT_INVOICE_KEY]
		if frappe.db.get_value(INVOICE, candidate, "stripe_invoice_id") == stripe_invoice.get("id"):
			return candidate
	return None


def apply_stripe_event(name: str, event_type: str, stripe_invoice: dict) -> EventOutcome:
	"""Apply one verified Stripe event to patient invoice ``name``; return what it did."""
	invoice = frappe.get_doc(INVOICE, name)
	outcome = outcome_of_event(invoice.status, event_type)
	if outcome.record_payment:
		record_stripe_payment(invoice, stripe_invoice)
	elif outcome.status == VOID and invoice.status != VOID:
		void_patient_invoice(name, at_stripe=False)
	elif outcome.status != invoice.status:
		invoice.db_set("status", outcome.status)
	if event_type == "invoice.payment_failed" and invoice.status in OPEN_STATUSES:
		invoice.db_set("payment_attempts_failed", (invoice.payment_attempts_failed or 0) + 1)
	invoice.add_comment("Info", outcome.note)
	return outcome


def record_stripe_payment(invoice, stripe_invoice: dict) -> str:
	paid_cents = stripe_invoice.get("amount_paid")
	if isinstance(paid_cents, bool) or not isinstance(paid_cents, int):
		raise WebhookEventRefused(f"invoice.paid for {invoice.name} has no amount_paid in cents")
	paid = from_cents(paid_cents)
	if paid != money(invoice.grand_total):
		raise WebhookEventRefused(
			f"Stripe invoice {stripe_invoice.get('id')} was paid {paid}, but {invoice.name} is for "
			f"{money(invoice.grand_total)}; record the payment by hand"
		)
	paid_at = (stripe_invoice.get("status_transitions") or {}).get("paid_at")
	paid_on = getdate()
	if isinstance(paid_at, int) and not isinstance(paid_at, bool):
		paid_on = getdate(
			convert_utc_to_system_timezone(datetime.datetime.fromtimestamp(paid_at, datetime.timezone.utc))
		)
	allocations = [
		Allocation(line.receivable_doctype, line.receivable_name, money(line.amount))
		for line in invoice.lines
		if line.receivable_doctype and line.receivable_name
	]
	payment = record_patient_payment(
		invoice.customer or patient_customer(invoice.patient_doctype, invoice.patient),
		paid,
		allocations,
		posting_date=paid_on,
		reference_no=stripe_invoice.get("number") or stripe_invoice.get("id"),
		remarks=_("Stripe payment of patient invoice {0} (Stripe {1})").format(
			invoice.name, stripe_invoice.get("id")
		),
	)
	invoice.db_set({"payment_entry": payment, "paid_on": paid_on, "status": PAID})
	return payment


def new_idempotency_key() -> str:
	return f"patient-invoice-{uuid.uuid4()}"
