from frappe.model.document import Document


class InsuranceClaimService(Document):
	pass
