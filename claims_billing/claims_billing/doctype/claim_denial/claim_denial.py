from frappe.model.document import Document


class ClaimDenial(Document):
	pass
