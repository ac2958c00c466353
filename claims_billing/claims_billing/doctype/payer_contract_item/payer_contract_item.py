from frappe.model.document import Document


class PayerContractItem(Document):
	pass
