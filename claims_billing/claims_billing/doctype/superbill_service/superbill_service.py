"""One service on a superbill (filled from the Billable Service by the Superbill controller)."""

from frappe.model.document import Document


class SuperbillService(Document):
	pass
