"""One billable procedure line: the unit of work on the billing to-do list (Unbilled Services).

Created by hand ("Create New Service") or captured from submitted clinical documents
(claims_billing.services.capture). Claims, superbills and invoices mark it billed; cancelling its source
voids it.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, format_date, getdate, today

from claims_billing.core.code_lists import describe_place_of_service
from claims_billing.core.codes import (
	TELEHEALTH_PLACES_OF_SERVICE,
	describe_icd10,
	icd10_problem,
	modifier_problem,
	normalize_icd10,
	npi_problem,
	place_of_service_problem,
	procedure_code_problem,
)
from claims_billing.core.pricing import extended_amount, normalize_procedure_code
from claims_billing.problems import throw_problems
from claims_billing.services.coverage import service_coverage
from claims_billing.services.rates import fee_schedule_rate
from claims_billing.settings import billing_settings
from claims_billing.site_apps import default_patient_doctype, healthcare_installed, patient_display_name

MAX_DIAGNOSES = 12
MODIFIER_FIELDS = ("modifier_1", "modifier_2", "modifier_3", "modifier_4")
# What billed a service decides its status; the billing documents arrive with later issues.
STATUS_BY_BILLING_DOCTYPE = {
	"Insurance Claim": "On Claim",
	"Superbill": "Superbilled",
	"Sales Invoice": "Invoiced",
}
UNBILLED = "Unbilled"
VOID = "Void"
HAND_ENTERED = "Entered by hand"
FEE_SCHEDULE_PREFIX = "Fee Schedule "


def service_status(voided: bool, billed_by_doctype: str | None) -> str:
	if voided:
		return VOID
	return STATUS_BY_BILLING_DOCTYPE.get(billed_by_doctype or "", UNBILLED)


class BillableService(Document):
	def before_validate(self):
		if not self.patient_doctype:
			self.patient_doctype = default_patient_doctype()
		self.procedure_code = normalize_procedure_code(self.procedure_code)
		for field in MODIFIER_FIELDS:
			self.set(field, (self.get(field) or "").strip().upper())
		self.place_of_service = (self.place_of_service or "").strip()
		for row in self.diagnoses:
			if row.icd10_code and row.icd10_code.strip():
				row.icd10_code = normalize_icd10(row.icd10_code)

	def validate(self):
		self.refuse_changes_once_billed()
		self.patient_name = patient_display_name(self.patient_doctype, self.patient)
		self.apply_telehealth()
		self.primary_service = " ".join([self.procedure_code, *self.modifiers()]).strip()
		self.describe_codes()
		self.update(
			service_coverage(self.billing_route, self.patient_doctype, self.patient, self.date_of_service)
		)
		self.price()
		self.status = service_status(self.voided, self.billed_by_doctype)
		problems = self.find_problems()
		if self.flags.from_capture:
			# Captured while a clinician submits their note: record, don't block; staff fix it here.
			self.problems = "\n".join(problems)
		else:
			throw_problems(problems, _("This service can't be saved yet"))
			self.problems = ""

	def on_trash(self):
		if self.status not in (UNBILLED, VOID):
			frappe.throw(
				_("Service {0} is {1} ({2}); remove it from there before deleting it.").format(
					self.name, _(self.status), self.billed_by
				)
			)

	# --- derived fields -------------------------------------------------------------------

	def modifiers(self) -> list[str]:
		return [self.get(field) for field in MODIFIER_FIELDS if self.get(field)]

	def apply_telehealth(self):
		settings = billing_settings()
		if not self.telehealth:
			if not self.place_of_service:
				self.place_of_service = settings.default_place_of_service or ""
			return
		if self.place_of_service not in TELEHEALTH_PLACES_OF_SERVICE:
			self.place_of_service = settings.telehealth_place_of_service or self.place_of_service
		modifier = (settings.telehealth_modifier or "").strip().upper()
		if modifier and modifier not in self.modifiers():
			free = next((field for field in MODIFIER_FIELDS if not self.get(field)), None)
			if free:
				self.set(free, modifier)
			else:
				self.flags.telehealth_modifier_dropped = modifier

	def describe_codes(self):
		for row in self.diagnoses:
			row.description = (describe_icd10(row.icd10_code) or "")[:140]
		self.place_of_service_name = describe_place_of_service(self.place_of_service) or ""

	def price(self):
		"""Unit rate from the fee schedule unless typed by hand; charge = rate x units."""
		looked_up = None
		if self.procedure_code and self.date_of_service:
			looked_up = fee_schedule_rate(
				self.procedure_code, self.date_of_service, self.modifiers(), self.practitioner
			)
		if self.rate_was_typed(looked_up):
			self.rate_source = HAND_ENTERED
		else:
			self.rate = looked_up.amount if looked_up else 0
			self.rate_source = f"{FEE_SCHEDULE_PREFIX}{looked_up.source}" if looked_up else ""
		self.missing_rate = 0 if flt(self.rate) > 0 else 1
		units = Decimal(str(flt(self.units)))
		self.charge = extended_amount(Decimal(str(flt(self.rate))), units) if units > 0 else 0

	def rate_was_typed(self, looked_up) -> bool:
		"""A non-zero rate not explained by a fee schedule (now or as last saved) was typed."""
		if not flt(self.rate):
			return False
		if not (self.rate_source or "").startswith(FEE_SCHEDULE_PREFIX):
			return True
		if looked_up and flt(self.rate) == flt(looked_up.amount):
			return False
		previous = self.get_doc_before_save()
		# Unchanged since a schedule set it: follow code/modifier/practitioner/date changes.
		return not (previous and flt(previous.rate) == flt(self.rate))

	# --- validation -----------------------------------------------------------------------

	def refuse_changes_once_billed(self):
		if self.is_new() or self.flags.billing_update:
			return
		previous = self.get_doc_before_save()
		if previous and previous.status != UNBILLED and not self.flags.from_capture:
			frappe.throw(
				_("Service {0} is {1} and can no longer be changed.").format(self.name, _(previous.status))
			)

	def find_problems(self) -> list[str]:
		problems = []
		if not self.practitioner:
			problems.append(_("No rendering practitioner."))
		if self.patient_doctype == "Patient" and not healthcare_installed():
			problems.append(
				_("Patient records need the Healthcare app; choose Customer as the patient record.")
			)
		if self.date_of_service and getdate(self.date_of_service) > getdate(today()):
			problems.append(
				_("Date of service {0} is in the future.").format(format_date(self.date_of_service))
			)
		if problem := procedure_code_problem(self.procedure_code):
			problems.append(problem)
		for number, field in enumerate(MODIFIER_FIELDS, start=1):
			if self.get(field) and (problem := modifier_problem(self.get(field))):
				problems.append(_("Modifier {0}: {1}").format(number, problem))
		if self.flags.telehealth_modifier_dropped:
			problems.append(
				_("Telehealth needs modifier {0}, but all four modifier fields are in use.").format(
					self.flags.telehealth_modifier_dropped
				)
			)
		if flt(self.units) <= 0:
			problems.append(_("Units must be greater than 0 (entered {0}).").format(flt(self.units)))
		if self.place_of_service and (problem := place_of_service_problem(self.place_of_service)):
			problems.append(problem)
		problems.extend(self.diagnosis_problems())
		problems.extend(self.insurance_problems())
		return problems

	def diagnosis_problems(self) -> list[str]:
		problems = []
		if len(self.diagnoses) > MAX_DIAGNOSES:
			problems.append(
				_("{0} diagnoses entered; a service can carry at most {1}.").format(
					len(self.diagnoses), MAX_DIAGNOSES
				)
			)
		first_row = {}
		for row in self.diagnoses:
			if problem := icd10_problem(row.icd10_code):
				problems.append(_("Diagnosis row #{0}: {1}").format(row.idx, problem))
			elif row.icd10_code in first_row:
				problems.append(
					_("Diagnosis row #{0} repeats {1} from row #{2}.").format(
						row.idx, row.icd10_code, first_row[row.icd10_code]
					)
				)
			else:
				first_row[row.icd10_code] = row.idx
		return problems

	def insurance_problems(self) -> list[str]:
		if self.billing_route != "Insurance":
			return []
		problems = []
		if not self.insurance_policy and self.patient and self.date_of_service:
			problems.append(
				_(
					"Billing route is Insurance, but the patient has no active insurance policy on {0}. "
					"Add the policy or choose Private Pay."
				).format(format_date(self.date_of_service))
			)
		if not self.diagnoses:
			problems.append(_("Insurance claims need at least one diagnosis."))
		if self.practitioner:
			npi = frappe.db.get_value("Billing Practitioner", self.practitioner, "npi")
			if problem := npi_problem(npi):
				problems.append(
					_("Rendering practitioner {0}: {1}").format(
						self.practitioner_name or self.practitioner, problem
					)
				)
		return problems

	# --- lifecycle used by capture and by the billing documents ----------------------------

	def void(self, reason: str):
		if self.status not in (UNBILLED, VOID):
			frappe.throw(_("Service {0} is {1}; it can't be voided.").format(self.name, _(self.status)))
		self.db_set({"voided": 1, "void_reason": reason, "status": VOID})
		self.add_comment("Info", _("Voided: {0}").format(reason))

	def mark_billed(self, billing_doctype: str, billing_name: str):
		"""Called by the claim / superbill / invoice that bills this service."""
		if self.status != UNBILLED:
			frappe.throw(
				_("Service {0} is {1}; only unbilled services can be billed.").format(
					self.name, _(self.status)
				)
			)
		self.db_set(
			{
				"billed_by_doctype": billing_doctype,
				"billed_by": billing_name,
				"status": service_status(False, billing_doctype),
			}
		)

	def release_from_billing(self):
		"""The claim / superbill / invoice dropped this service: it is unbilled again."""
		self.db_set(
			{"billed_by_doctype": None, "billed_by": None, "status": service_status(self.voided, None)}
		)


@frappe.whitelist()
def void_service(name: str, reason: str):
	service = frappe.get_doc("Billable Service", name)
	service.check_permission("write")
	if not (reason or "").strip():
		frappe.throw(_("Give a reason for voiding the service."))
	service.void(reason.strip())
	return service.status


@frappe.whitelist()
def get_fee_schedule_rate(procedure_code: str, date_of_service: str, modifiers=None, practitioner=None):
	"""For the form: the rate that would apply, so staff see it before saving."""
	frappe.has_permission("Billable Service", "write", throw=True)
	if isinstance(modifiers, str):
		modifiers = frappe.parse_json(modifiers) if modifiers.startswith("[") else modifiers
	rate = fee_schedule_rate(procedure_code, date_of_service, modifiers or (), practitioner)
	return {"rate": str(rate.amount), "source": rate.source} if rate else None
