from frappe.model.document import Document


class UnmatchedRemittance(Document):
	pass
