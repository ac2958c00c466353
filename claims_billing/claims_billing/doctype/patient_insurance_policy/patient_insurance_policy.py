"""A patient's coverage with one payer. At most one active policy per priority at any date."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import format_date, getdate

from claims_billing.problems import throw_problems
from claims_billing.services.coverage import refresh_patient_snapshot, refresh_unbilled_coverage
from claims_billing.site_apps import default_patient_doctype, healthcare_installed, patient_display_name

FAR_FUTURE = getdate("9999-12-31")


class PatientInsurancePolicy(Document):
	def before_validate(self):
		if not self.patient_doctype:
			self.patient_doctype = default_patient_doctype()
		self.member_id = (self.member_id or "").strip()
		self.group_number = (self.group_number or "").strip()
		self.subscriber_state = (self.subscriber_state or "").strip().upper()

	def validate(self):
		self.patient_name = patient_display_name(self.patient_doctype, self.patient)
		problems = []
		if self.patient_doctype == "Patient" and not healthcare_installed():
			problems.append(
				_("Patient records need the Healthcare app; choose Customer as the patient record.")
			)
		if missing := self.missing_subscriber_details():
			problems.append(
				_("The subscriber is not the patient, so enter the subscriber's {0}.").format(
					", ".join(missing)
				)
			)
		if self.valid_to and getdate(self.valid_to) < getdate(self.valid_from):
			problems.append(
				_("Valid to ({0}) is before valid from ({1}).").format(
					format_date(self.valid_to), format_date(self.valid_from)
				)
			)
		elif self.enabled and (clash := self.overlapping_policy()):
			problems.append(
				_(
					"The patient already has an active {0} policy ({1}, {2}) for part of these dates. "
					"End that policy or make this one inactive."
				).format(_(self.priority), clash.name, clash.payer)
			)
		throw_problems(problems)

	def missing_subscriber_details(self) -> list[str]:
		if self.relationship_to_subscriber in (None, "", "Self"):
			return []
		required = {
			"subscriber_first_name": _("first name"),
			"subscriber_last_name": _("last name"),
			"subscriber_dob": _("date of birth"),
			"subscriber_sex": _("sex"),
		}
		return [label for field, label in required.items() if not self.get(field)]

	def overlapping_policy(self):
		"""Another active policy of the same priority whose validity window overlaps this one."""
		start = getdate(self.valid_from)
		end = getdate(self.valid_to) if self.valid_to else FAR_FUTURE
		others = frappe.get_all(
			"Patient Insurance Policy",
			filters={
				"patient_doctype": self.patient_doctype,
				"patient": self.patient,
				"priority": self.priority,
				"enabled": 1,
				"name": ["!=", self.name or ""],
			},
			fields=["name", "payer", "valid_from", "valid_to"],
		)
		for other in others:
			other_end = getdate(other.valid_to) if other.valid_to else FAR_FUTURE
			if getdate(other.valid_from) <= end and start <= other_end:
				return other
		return None

	def on_update(self):
		self.refresh_dependents()

	def after_delete(self):
		self.refresh_dependents()

	def refresh_dependents(self):
		refresh_patient_snapshot(self.patient_doctype, self.patient)
		refresh_unbilled_coverage(self.patient_doctype, self.patient)
