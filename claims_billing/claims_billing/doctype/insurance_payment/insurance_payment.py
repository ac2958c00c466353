"""One payer payment: an 835 BPR/TRN pair or a paper EOB. Submitting posts it; cancelling reverses it.

The controller only maps: rows and totals here, the posting in ``claims_billing.remittance.posting``.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document

from claims_billing.remittance import manual, payment_data, posting
from claims_billing.remittance.payment_data import ZERO, money


class InsurancePayment(Document):
	def before_validate(self):
		if not self.company:
			self.company = frappe.get_cached_doc("Claims Billing Settings").company
		if self.company and not self.currency:
			self.currency = frappe.get_cached_value("Company", self.company, "default_currency")
		if self.source == "Manual":
			manual.fill_claim_rows(self)
			if self.payer and self.trace_number and not self.payment_key:
				self.payment_key = f"{self.payer}|{self.trace_number.strip()}"[:140]

	def validate(self):
		problems = []
		if self.source == "Manual":
			problems += manual.problems(self)
		for row in self.claims:
			row.patient_responsibility = payment_data.currency(payment_data.row_patient_responsibility(row))
		self.total_charge = sum((money(r.charge) for r in self.claims if not r.reversal), ZERO)
		self.total_paid = sum((money(r.paid) for r in self.claims), ZERO)
		self.total_patient_responsibility = sum((money(r.patient_responsibility) for r in self.claims), ZERO)
		self.total_write_off = sum((money(r.write_off) for r in self.claims), ZERO)
		self.total_other_adjustments = sum(
			(money(r.other_adjustments) + money(r.payer_initiated) for r in self.claims), ZERO
		)
		self.total_provider_adjustments = sum((money(r.amount) for r in self.provider_adjustments), ZERO)
		if self.docstatus.is_draft() and self.status not in ("Needs Review", "Ready to Post"):
			self.status = "Draft"
		if problems:
			from claims_billing.problems import throw_problems

			throw_problems(problems, _("Please fix these before saving"))

	def update_children(self):
		if self._action == "submit" and self.flags.rows_as_stored:
			# Posted as loaded (posting.submit_payment): only the rows' docstatus changes, so one
			# statement per table instead of one per row (an ERA has thousands of rows).
			for field in self.meta.get_table_fields():
				frappe.db.sql(
					f"update `tab{field.options}` set docstatus = 1 where parent = %s and parenttype = %s",
					(self.name, self.doctype),
				)
			return
		super().update_children()

	def on_submit(self):
		posting.post(self)

	def on_cancel(self):
		posting.cancel(self)
