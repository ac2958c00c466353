"""The practice's charge per procedure code, optionally per practitioner, effective-dated."""

from frappe.model.document import Document

from claims_billing.problems import throw_problems
from claims_billing.services.rates import rate_table_problems


class FeeSchedule(Document):
	def validate(self):
		throw_problems(rate_table_problems(self, "charge"))
