"""What a payer allows per procedure code, effective-dated; used to check contractual write-offs."""

from frappe.model.document import Document

from claims_billing.problems import throw_problems
from claims_billing.services.rates import rate_table_problems


class PayerContract(Document):
	def validate(self):
		throw_problems(rate_table_problems(self, "allowed_amount"))
