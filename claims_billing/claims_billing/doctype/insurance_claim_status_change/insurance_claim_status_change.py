from frappe.model.document import Document


class InsuranceClaimStatusChange(Document):
	pass
