"""A part of a response file that matched no claim, or that a claim could not take: kept, never dropped."""

import frappe
from frappe import _
from frappe.model.document import Document


class ClearinghouseException(Document):
	def validate(self):
		if self.status == "Resolved" and not (self.resolution or "").strip():
			frappe.throw(_("Say what was done about it before marking it resolved."))
