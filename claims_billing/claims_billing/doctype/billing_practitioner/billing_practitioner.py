"""A clinician who renders billable services: the NPI and taxonomy the 837P needs.

App-owned so manual services work without the Healthcare app. When Healthcare is installed a
custom field links it to a Healthcare Practitioner (see setup.custom_fields).
"""

import frappe
from frappe import _
from frappe.model.document import Document

from claims_billing.core.codes import npi_problem
from claims_billing.permissions import remove_restrictions, sync_practitioner_restriction
from claims_billing.problems import throw_problems

TAXONOMY_LENGTH = 10


class BillingPractitioner(Document):
	def before_validate(self):
		for field in ("npi", "taxonomy_code", "first_name", "last_name"):
			if self.get(field):
				self.set(field, self.get(field).strip())
		self.taxonomy_code = (self.taxonomy_code or "").upper()
		if not self.practitioner_name and (self.first_name or self.last_name):
			self.practitioner_name = " ".join(filter(None, [self.first_name, self.last_name]))

	def validate(self):
		problems = []
		if self.npi and (problem := npi_problem(self.npi)):
			problems.append(_("NPI: {0}").format(problem))
		if self.taxonomy_code and (
			len(self.taxonomy_code) != TAXONOMY_LENGTH or not self.taxonomy_code.isalnum()
		):
			problems.append(
				_("Taxonomy code {0} must be 10 letters or digits (e.g. 225100000X).").format(
					self.taxonomy_code
				)
			)
		if self.npi and (other := self.practitioner_with_same_npi()):
			problems.append(_("NPI {0} already belongs to practitioner {1}.").format(self.npi, other))
		throw_problems(problems)

	def practitioner_with_same_npi(self) -> str | None:
		return frappe.db.get_value(
			"Billing Practitioner", {"npi": self.npi, "name": ["!=", self.name or ""]}, "name"
		)

	def on_update(self):
		previous = self.get_doc_before_save()
		if previous and previous.user and previous.user != self.user:
			remove_restrictions(self.name, previous.user)
		if self.user:
			sync_practitioner_restriction(self.user, self.name)

	def on_trash(self):
		remove_restrictions(self.name)
