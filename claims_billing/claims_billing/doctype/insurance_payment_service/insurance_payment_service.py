from frappe.model.document import Document


class InsurancePaymentService(Document):
	pass
