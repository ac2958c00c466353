from frappe.model.document import Document


class InsurancePaymentClaim(Document):
	pass
