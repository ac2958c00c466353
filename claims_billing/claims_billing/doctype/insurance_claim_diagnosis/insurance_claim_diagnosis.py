from frappe.model.document import Document


class InsuranceClaimDiagnosis(Document):
	pass
