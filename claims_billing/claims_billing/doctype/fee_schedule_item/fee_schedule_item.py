from frappe.model.document import Document


class FeeScheduleItem(Document):
	pass
