"""A request to a patient to pay their balance, sent and collected through Stripe.

Draft → Sent (submitting is sending: claims_billing.patient.invoicing.send_patient_invoice) →
Paid / Overdue (Stripe's webhook) or Void (cancelled here and at Stripe). The charge itself lives
in ERPNext (the patient's receivable); voiding an invoice withdraws the request, not the charge.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, format_date

from claims_billing.core.patient_invoice_status import DRAFT, PAID, SENT, VOID
from claims_billing.patient.invoicing import new_idempotency_key, services_on_open_invoices
from claims_billing.patient.records import patients_of_portal_user
from claims_billing.problems import throw_problems
from claims_billing.settings import billing_settings
from claims_billing.site_apps import default_patient_doctype, patient_display_name

SERVICE = "Billable Service"


class PatientInvoice(Document):
	def before_validate(self):
		if not self.patient_doctype:
			self.patient_doctype = default_patient_doctype()
		settings = billing_settings()
		if not self.currency:
			self.currency = settings.patient_invoice_currency or frappe.get_cached_value(
				"Company", settings.company, "default_currency"
			)
		if self.due_days in (None, ""):
			self.due_days = settings.patient_invoice_due_days or 0
		if not self.stripe_idempotency_key:
			self.stripe_idempotency_key = new_idempotency_key()

	def validate(self):
		self.patient_name = patient_display_name(self.patient_doctype, self.patient)
		if self.docstatus == 0:
			self.status = DRAFT
		self.fill_lines()
		throw_problems(self.find_problems(), _("This patient invoice can't be saved yet"))

	def before_submit(self):
		if not self.flags.sent_through_stripe:
			frappe.throw(_("Use Send Invoice: submitting a patient invoice is sending it through Stripe."))
		self.status = SENT

	def before_cancel(self):
		if self.status == PAID:
			frappe.throw(
				_(
					"Patient invoice {0} is paid ({1}); refund it at Stripe and cancel the payment instead."
				).format(self.name, self.payment_entry)
			)
		if not self.flags.voided_at_stripe:
			frappe.throw(_("Use Void: it voids the invoice at Stripe too."))

	def on_cancel(self):
		self.db_set("status", VOID)

	def fill_lines(self):
		for line in self.lines:
			service = frappe.db.get_value(
				SERVICE,
				line.billable_service,
				["date_of_service", "primary_service", "patient_doctype", "patient"],
				as_dict=True,
			)
			if not service:
				continue
			line.date_of_service = service.date_of_service
			what = _("copay") if line.kind == "Copay" else service.primary_service
			line.description = _("{0} {1} ({2})").format(
				format_date(service.date_of_service), what, line.billable_service
			)
		self.grand_total = sum(flt(line.amount, 2) for line in self.lines)

	def find_problems(self) -> list[str]:
		problems = []
		if not self.lines:
			problems.append(_("Add at least one line."))
		seen = set()
		for line in self.lines:
			label = _("Line #{0}").format(line.idx)
			owner = frappe.db.get_value(SERVICE, line.billable_service, ["patient_doctype", "patient"])
			if not owner:
				problems.append(_("{0}: service {1} does not exist.").format(label, line.billable_service))
				continue
			if tuple(owner) != (self.patient_doctype, self.patient):
				problems.append(
					_("{0}: service {1} is another patient's.").format(label, line.billable_service)
				)
			if line.billable_service in seen:
				problems.append(_("{0}: service {1} is listed twice.").format(label, line.billable_service))
			seen.add(line.billable_service)
			if flt(line.amount, 2) <= 0:
				problems.append(_("{0}: the amount must be more than zero.").format(label))
		if self.docstatus == 0:
			for service, other in services_on_open_invoices(list(seen), exclude=self.name).items():
				problems.append(_("Service {0} is already on patient invoice {1}.").format(service, other))
		return problems


def has_website_permission(doc, ptype, user, verbose=False):
	"""Portal users read the sent invoices of the patients they are."""
	if ptype != "read" or doc.docstatus != 1:
		return False
	return (doc.patient_doctype, doc.patient) in patients_of_portal_user(user)


def get_list_context(context=None):
	return {
		"title": _("My Invoices"),
		"get_list": portal_invoices,
		"row_template": "templates/includes/patient_invoice_row.html",
		"no_breadcrumbs": True,
	}


def portal_invoices(doctype, txt, filters, limit_start, limit_page_length=20, order_by=None, **kwargs):
	user = frappe.session.user
	if user == "Guest":
		return []
	pairs = patients_of_portal_user(user)
	if not pairs:
		return []
	conditions = " or ".join(["(patient_doctype = %s and patient = %s)"] * len(pairs))
	values = [value for pair in pairs for value in pair]
	return frappe.db.sql(
		f"""
		select name, status, grand_total, currency, due_date, hosted_invoice_url, stripe_invoice_number,
			creation
		from `tabPatient Invoice`
		where docstatus = 1 and ({conditions})
		order by creation desc
		limit %s offset %s
		""",
		[*values, int(limit_page_length), int(limit_start)],
		as_dict=True,
	)
