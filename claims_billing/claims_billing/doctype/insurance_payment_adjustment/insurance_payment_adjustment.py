from frappe.model.document import Document


class InsurancePaymentAdjustment(Document):
	pass
