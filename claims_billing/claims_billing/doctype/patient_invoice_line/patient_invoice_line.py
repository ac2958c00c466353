"""One service on a patient invoice: what the patient owes for it and which receivable holds it."""

from frappe.model.document import Document


class PatientInvoiceLine(Document):
	pass
