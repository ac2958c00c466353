from frappe.model.document import Document


class BillableServiceDiagnosis(Document):
	pass
