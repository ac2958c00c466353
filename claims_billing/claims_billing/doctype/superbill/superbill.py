"""A superbill: the itemised receipt a private-pay or out-of-network patient files with their insurer.

Draft while staff assemble it; submitting issues it: services not yet billed are booked to the
patient's receivable (accounting.patient) and marked Superbilled, and the PDF (WeasyPrint,
render.superbill) is attached. Cancelling reverses the booking and frees the services again.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, format_date, getdate

from claims_billing.accounting.patient import ServiceCharge, book_patient_charges, cancel_patient_charges
from claims_billing.claims.claim_data import money
from claims_billing.patient.documents import (
	explain_render_problems,
	patient_details,
	practice,
	rendering_provider,
	service_modifiers,
	superbill_lines,
)
from claims_billing.patient.payments_ledger import patient_ledger
from claims_billing.patient.records import patient_customer
from claims_billing.problems import throw_problems
from claims_billing.render.superbill import SuperbillData, render_superbill_pdf
from claims_billing.render.validation import RenderDataError
from claims_billing.settings import billing_settings
from claims_billing.site_apps import default_patient_doctype, patient_display_name

SERVICE = "Billable Service"
UNBILLED = "Unbilled"
INVOICED = "Invoiced"
STATUS_BY_DOCSTATUS = {0: "Draft", 1: "Issued", 2: "Cancelled"}


class Superbill(Document):
	def before_validate(self):
		if not self.patient_doctype:
			self.patient_doctype = default_patient_doctype()

	def validate(self):
		self.patient_name = patient_display_name(self.patient_doctype, self.patient)
		self.status = STATUS_BY_DOCSTATUS[self.docstatus]
		services = self.load_services()
		throw_problems(self.find_problems(services), _("This superbill can't be saved yet"))
		self.fill_rows(services)

	def before_submit(self):
		# Render first: a superbill that can't be printed books nothing and marks nothing.
		services = self.load_services()
		self.refresh_payments()
		self.flags.pdf = self.render_pdf(services)

	def on_submit(self):
		services = self.load_services()
		to_book = [
			services[row.billable_service]
			for row in self.services
			if services[row.billable_service].status == UNBILLED
		]
		if to_book:
			invoice = book_patient_charges(
				patient_customer(self.patient_doctype, self.patient),
				[
					ServiceCharge(service.name, money(service.charge), charge_label(service))
					for service in to_book
				],
				self.issue_date,
				_("Superbill {0}").format(self.name),
			)
			self.db_set("sales_invoice", invoice)
			for service in to_book:
				service.mark_billed(self.doctype, self.name)
		self.attach_pdf(self.flags.pdf)
		self.db_set("status", STATUS_BY_DOCSTATUS[1])

	def on_cancel(self):
		if self.sales_invoice:
			cancel_patient_charges(self.sales_invoice)
		for row in self.services:
			service = frappe.get_doc(SERVICE, row.billable_service)
			if service.billed_by_doctype == self.doctype and service.billed_by == self.name:
				service.release_from_billing()
		self.db_set("status", STATUS_BY_DOCSTATUS[2])

	# --- services ---------------------------------------------------------------------------

	def load_services(self) -> dict:
		names = [row.billable_service for row in self.services if row.billable_service]
		return {
			name: frappe.get_doc(SERVICE, name)
			for name in dict.fromkeys(names)
			if frappe.db.exists(SERVICE, name)
		}

	def find_problems(self, services: dict) -> list[str]:
		problems = []
		if not self.services:
			problems.append(_("Add at least one service."))
		customer = (
			frappe.db.get_value("Patient", self.patient, "customer")
			if self.patient_doctype == "Patient"
			else self.patient
		)
		seen = set()
		for row in self.services:
			service = services.get(row.billable_service)
			label = _("Row #{0}").format(row.idx)
			if service is None:
				problems.append(_("{0}: service {1} does not exist.").format(label, row.billable_service))
				continue
			if row.billable_service in seen:
				problems.append(_("{0}: service {1} is listed twice.").format(label, service.name))
			seen.add(row.billable_service)
			if (service.patient_doctype, service.patient) != (self.patient_doctype, self.patient):
				problems.append(_("{0}: service {1} is another patient's.").format(label, service.name))
			if service.practitioner != self.practitioner:
				problems.append(
					_(
						"{0}: service {1} was rendered by {2}; a superbill has one rendering practitioner."
					).format(label, service.name, service.practitioner_name or service.practitioner)
				)
			if service.billing_route != "Private Pay":
				problems.append(
					_(
						"{0}: service {1} is billed to insurance; superbills are for private-pay services."
					).format(label, service.name)
				)
			if self.issue_date and getdate(service.date_of_service) > getdate(self.issue_date):
				problems.append(
					_("{0}: service {1} is dated {2}, after the issue date.").format(
						label, service.name, format_date(service.date_of_service)
					)
				)
			if not service.diagnoses:
				problems.append(
					_("{0}: service {1} has no diagnosis; insurers reimburse only coded services.").format(
						label, service.name
					)
				)
			problems.extend(self.billing_problems(label, service, customer))
		return problems

	def billing_problems(self, label: str, service, customer: str | None) -> list[str]:
		billed_here = service.billed_by_doctype == self.doctype and service.billed_by == self.name
		if service.status == UNBILLED or billed_here:
			other = frappe.db.get_value(
				"Superbill Service",
				{
					"billable_service": service.name,
					"parent": ["!=", self.name or ""],
					"docstatus": ["<", 2],
				},
				"parent",
			)
			if other and service.status == UNBILLED:
				return [_("{0}: service {1} is already on superbill {2}.").format(label, service.name, other)]
			return []
		invoiced_to_patient = (
			service.status == INVOICED
			and service.billed_by_doctype == "Sales Invoice"
			and customer
			and frappe.db.get_value("Sales Invoice", service.billed_by, "customer") == customer
		)
		if invoiced_to_patient:
			return []
		return [
			_(
				"{0}: service {1} is {2} ({3}); only unbilled services or services invoiced to the patient can go on a superbill."
			).format(label, service.name, _(service.status), service.billed_by or "")
		]

	def fill_rows(self, services: dict):
		for row in self.services:
			service = services[row.billable_service]
			row.date_of_service = service.date_of_service
			row.primary_service = service.primary_service
			row.units = service.units
			row.place_of_service = service.place_of_service
			row.diagnosis_codes = ", ".join(diagnosis.icd10_code for diagnosis in service.diagnoses)
			row.charge = service.charge
			row.paid = flt(row.paid)
			row.balance = flt(row.charge) - flt(row.paid)
		self.services.sort(key=lambda row: (getdate(row.date_of_service), row.billable_service))
		for index, row in enumerate(self.services, start=1):
			row.idx = index
		dates = [getdate(row.date_of_service) for row in self.services]
		self.from_date = min(dates) if dates else None
		self.to_date = max(dates) if dates else None
		self.set_totals()

	def set_totals(self):
		self.total_charges = sum(flt(row.charge) for row in self.services)
		self.total_paid = sum(flt(row.paid) for row in self.services)
		self.total_balance = flt(self.total_charges) - flt(self.total_paid)

	# --- issuing ----------------------------------------------------------------------------

	def refresh_payments(self):
		"""What was paid per service, from the payments ledger, onto the rows (saved with the submit)."""
		ledger = patient_ledger(self.patient_doctype, self.patient)
		for row in self.services:
			figures = ledger.ledger.services.get(row.billable_service)
			paid = figures.patient_paid + figures.insurance_paid if figures else Decimal(0)
			row.paid = min(max(paid, Decimal(0)), money(row.charge))
			row.balance = flt(row.charge) - flt(row.paid)
		self.set_totals()

	def superbill_data(self, services: dict) -> SuperbillData:
		ordered = [services[row.billable_service] for row in self.services]
		paid = {row.billable_service: money(row.paid) for row in self.services}
		diagnoses, lines = superbill_lines(ordered, paid)
		return SuperbillData(
			practice=practice(),
			provider=rendering_provider(self.practitioner),
			patient=patient_details(self.patient_doctype, self.patient),
			number=self.name,
			issue_date=getdate(self.issue_date),
			diagnoses=diagnoses,
			services=lines,
			signature_date=None,
			note=self.note or billing_settings().superbill_note or "",
		)

	def render_pdf(self, services: dict | None = None) -> bytes:
		try:
			return render_superbill_pdf(self.superbill_data(services or self.load_services()))
		except RenderDataError as error:
			throw_problems(
				explain_render_problems(error), _("Superbill {0} can't be printed yet").format(self.name)
			)

	def attach_pdf(self, content: bytes):
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"{self.name}.pdf",
				"attached_to_doctype": self.doctype,
				"attached_to_name": self.name,
				"attached_to_field": "pdf",
				"is_private": 1,
				"content": content,
			}
		)
		file.flags.ignore_permissions = True
		file.insert()
		self.db_set("pdf", file.file_url)


def charge_label(service) -> str:
	"""What the patient's invoice line says: the date and codes, never a description or diagnosis."""
	codes = " ".join([service.procedure_code, *service_modifiers(service)])
	return _("{0} {1} ({2})").format(format_date(service.date_of_service), codes, service.name)
