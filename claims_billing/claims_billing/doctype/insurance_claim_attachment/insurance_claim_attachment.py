from frappe.model.document import Document


class InsuranceClaimAttachment(Document):
	pass
