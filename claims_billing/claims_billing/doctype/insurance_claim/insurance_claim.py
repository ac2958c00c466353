"""One insurance claim: one patient, one policy (payer), up to 50 service lines.

Frappe's submit is "queue": a draft that scrubs clean is submitted and its status becomes Queued;
the send job (claims_billing.jobs.clearinghouse) puts it in an 837P file. From then on the status
is set by code only (files, jobs, or a Billing Manager's override with a reason), and every
change is a row of the status history. ``apply_status_changes`` writes many claims' changes in a
few statements for the jobs; ``InsuranceClaim.move_to`` changes one claim being saved.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import format_date, getdate, now_datetime, today

from claims_billing.claims.claim_data import (
	ClaimContext,
	build_claim,
	expected_allowed,
	modifiers_of,
	money,
	settings_problems,
)
from claims_billing.core import claim_status
from claims_billing.core.claim_status import StatusSource
from claims_billing.core.cob import carry_earlier_payers
from claims_billing.core.codes import describe_icd10
from claims_billing.core.scrubber import scrub_claim
from claims_billing.problems import throw_problems
from claims_billing.site_apps import default_patient_doctype
from claims_billing.x12.claim import Claim, ClaimDataError, from_dict, to_dict

CLAIM = "Insurance Claim"
HISTORY = "Insurance Claim Status Change"
SERVICE = "Billable Service"
MAX_LINES = 50
MAX_DIAGNOSES = 12
MAX_POINTERS = 4
# Primary -> secondary -> tertiary: a chain of next-payer claims is never longer than this.
MAX_PAYER_STEPS = 3
# PWK02 codes that say the paperwork travels as a file the payer receives.
FILE_TRANSMISSIONS = frozenset({"EL", "EM", "FT"})
CONTROL_NUMBER_TRANSMISSIONS = frozenset({"BM", "EL", "EM", "FT", "FX"})
# Scrubber rules the record checks of claim_data already report with the record to fix.
COVERED_BY_RECORD_CHECKS = frozenset({"dob-missing"})


def user_source(reason: str = "") -> StatusSource:
	return StatusSource(claim_status.SOURCE_USER, frappe.session.user, reason)


def history_row(change: claim_status.StatusChange, clearinghouse_file: str | None = None) -> dict:
	return {
		"changed_at": change.when,
		"from_status": change.from_status,
		"to_status": change.to_status,
		"source_kind": change.source_kind,
		"source": (change.source_reference or "")[:240],
		"clearinghouse_file": clearinghouse_file,
		"manual": 1 if change.manual else 0,
		"reason": change.reason,
	}


class InsuranceClaim(Document):
	# --- saving ---------------------------------------------------------------------------------

	def before_validate(self):
		if not self.patient_doctype:
			self.patient_doctype = default_patient_doctype()
		if not self.status:
			self.status = claim_status.DRAFT
		if not self.frequency:
			self.frequency = "Original"
		if not self.company:
			self.company = frappe.get_cached_doc("Claims Billing Settings").company
		if self.company and not self.currency:
			self.currency = frappe.get_cached_value("Company", self.company, "default_currency")

	def validate(self):
		if self.flags.prepared:
			# initiate_claims just prepared this new claim to decide whether to queue it.
			self.flags.prepared = False
		elif self.docstatus.is_draft() or self._action == "submit":
			self.prepare()

	def prepare(self):
		"""Fill lines, diagnoses and totals from the services; list what stops the claim (``problems``)."""
		self.claim_number = self.name
		self.patient_name = self.context().person(self.patient_doctype, self.patient).display_name
		policy = self.context().policy(self.insurance_policy) if self.insurance_policy else None
		if policy is not None:
			self.payer = policy.payer
			self.payer_name = frappe.get_cached_value("Insurance Payer", policy.payer, "payer_name")
		services = self.load_services()
		self.fill_lines(services)
		self.problems = "\n".join(self.find_problems(policy))

	def context(self) -> ClaimContext:
		if self.flags.claim_context is None:
			self.flags.claim_context = ClaimContext()
		return self.flags.claim_context

	def load_services(self) -> dict:
		names = [row.billable_service for row in self.services if row.billable_service]
		errors = []
		if not names:
			errors.append(_("Add at least one service."))
		if len(self.services) > MAX_LINES:
			errors.append(
				_(
					"A claim holds at most {0} service lines; this one has {1}. Split it into several claims."
				).format(MAX_LINES, len(self.services))
			)
		seen = set()
		for row in self.services:
			if row.billable_service in seen:
				errors.append(
					_("Row #{0}: service {1} is listed twice.").format(row.idx, row.billable_service)
				)
			seen.add(row.billable_service)
		services = {
			row.name: row
			for row in frappe.get_all(
				SERVICE,
				filters={"name": ["in", names or [""]]},
				fields=[
					"name",
					"patient_doctype",
					"patient",
					"status",
					"billed_by_doctype",
					"billed_by",
					"billing_route",
					"insurance_policy",
					"date_of_service",
					"procedure_code",
					"modifier_1",
					"modifier_2",
					"modifier_3",
					"modifier_4",
					"units",
					"charge",
					"practitioner",
					"place_of_service",
				],
			)
		}
		for row in frappe.get_all(
			"Billable Service Diagnosis",
			filters={"parenttype": SERVICE, "parent": ["in", names or [""]]},
			fields=["parent", "icd10_code"],
			order_by="parent asc, idx asc",
		):
			services[row.parent].setdefault("diagnoses", []).append(row.icd10_code)
		# A correction or void takes over (or repeats) the services of the claim it replaces; a next
		# payer's claim bills the services its first claim holds.
		earlier = self.earlier_payer_claims()
		owners = ({self.name, self.original_claim} | set(earlier)) - {None, ""}
		for row in self.services:
			service = services.get(row.billable_service)
			if service is None:
				errors.append(
					_("Row #{0}: service {1} does not exist.").format(row.idx, row.billable_service)
				)
				continue
			if (service.patient_doctype, service.patient) != (self.patient_doctype, self.patient):
				errors.append(
					_("Row #{0}: service {1} belongs to another patient.").format(row.idx, service.name)
				)
			if service.status == "Void":
				errors.append(_("Row #{0}: service {1} is void.").format(row.idx, service.name))
			elif earlier and not (service.billed_by_doctype == CLAIM and service.billed_by in owners):
				errors.append(
					_(
						"Row #{0}: service {1} is not on claim {2}, whose remittance this claim follows."
					).format(row.idx, service.name, earlier[0])
				)
			elif service.billed_by and not (
				service.billed_by_doctype == CLAIM and service.billed_by in owners
			):
				errors.append(
					_("Row #{0}: service {1} is already billed by {2} {3}.").format(
						row.idx, service.name, _(service.billed_by_doctype), service.billed_by
					)
				)
		throw_problems(errors, _("These services can't go on this claim"))
		return services

	def fill_lines(self, services: dict):
		rows = sorted(
			self.services,
			key=lambda row: (getdate(services[row.billable_service].date_of_service), row.billable_service),
		)
		diagnoses: list[str] = []
		for row in rows:
			for code in services[row.billable_service].get("diagnoses", []):
				if code not in diagnoses:
					diagnoses.append(code)
		self.set("diagnoses", [])
		for code in diagnoses:
			self.append("diagnoses", {"icd10_code": code, "description": (describe_icd10(code) or "")[:140]})
		total = allowed = Decimal(0)
		for index, row in enumerate(rows, start=1):
			service = services[row.billable_service]
			row.idx = index
			modifiers = [service.get(f"modifier_{n}") for n in range(1, 5) if service.get(f"modifier_{n}")]
			row.date_of_service = service.date_of_service
			row.procedure_code = service.procedure_code
			row.modifiers = " ".join(modifiers)
			row.units = service.units
			row.charge = service.charge
			row.practitioner = service.practitioner
			row.place_of_service = service.place_of_service
			pointers = [diagnoses.index(code) + 1 for code in service.get("diagnoses", [])[:MAX_POINTERS]]
			row.diagnosis_pointers = ",".join(str(p) for p in pointers)
			row.expected_allowed = expected_allowed(
				self.payer, service.procedure_code, service.date_of_service, modifiers, service.units
			)
			total += money(service.charge)
			allowed += money(row.expected_allowed)
		self.services = rows
		self.first_date_of_service = rows[0].date_of_service if rows else None
		self.place_of_service = rows[0].place_of_service if rows else ""
		self.total_charge = total
		self.expected_allowed = allowed
		if self.docstatus.is_draft() and not self.secondary_claim_of:
			# A next payer's balance is what the earlier payers left, set when their payment posted.
			self.balance = total
		self.flags.service_records = services

	def find_problems(self, policy) -> list[str]:
		context = self.context()
		problems = list(settings_problems(context.settings))
		services = self.flags.service_records
		if policy is not None:
			if (policy.patient_doctype, policy.patient) != (self.patient_doctype, self.patient):
				problems.append(_("Policy {0} belongs to another patient.").format(policy.name))
			payer = context.payer(policy.payer)
			if payer is not None and payer.disabled:
				problems.append(_("Insurance Payer {0} is disabled.").format(payer.name))
			for row in self.services:
				service = services[row.billable_service]
				if service.billing_route != "Insurance":
					problems.append(
						_("Service line {0} ({1}) is billed as {2}, not to insurance.").format(
							row.idx, service.name, _(service.billing_route or "Private Pay")
						)
					)
				if not policy_active_on(policy, service.date_of_service):
					problems.append(
						_("Service line {0}: policy {1} is not active on the date of service {2}.").format(
							row.idx, policy.name, format_date(service.date_of_service)
						)
					)
		problems.extend(self.attachment_problems(policy))
		built = build_claim(self, context)
		problems.extend(built.problems)
		if self.secondary_claim_of:
			problems.extend(self.carry_earlier_payers(built.claim))
		for problem in scrub_claim(built.claim, getdate(today())):
			if problem.code not in COVERED_BY_RECORD_CHECKS:
				problems.append(problem.message.rstrip(".") + ".")
		self.flags.built_claim = built.claim
		return list(dict.fromkeys(problems))

	def earlier_payer_claims(self) -> list[str]:
		"""The claims of the earlier payers, nearest first (a tertiary claim: secondary, primary)."""
		chain = []
		name = self.secondary_claim_of
		while name and name not in chain and len(chain) < MAX_PAYER_STEPS:
			chain.append(name)
			name = frappe.db.get_value(CLAIM, name, "secondary_claim_of")
		return chain

	def carry_earlier_payers(self, claim: Claim) -> list[str]:
		"""COB data for the claim rebuilt from the records, from the claim as the payment created it.

		The posting wrote the earlier payers' adjudication into ``x12_snapshot``; submitting rewrites
		the snapshot with it, so it is there for every later save.
		"""
		try:
			stored = from_dict(Claim, json.loads(self.x12_snapshot or "null"), f"claim {self.name}")
		except (ClaimDataError, ValueError, TypeError):
			stored = None
		if stored is None:
			return [
				_("Claim {0} has no coordination-of-benefits data from {1}'s remittance.").format(
					self.name, self.secondary_claim_of
				)
			]
		return [
			_("Coordination of benefits: {0}.").format(problem)
			for problem in carry_earlier_payers(claim, stored)
		]

	def attachment_problems(self, policy) -> list[str]:
		problems = []
		for row in self.attachments:
			if (
				row.transmission_code in CONTROL_NUMBER_TRANSMISSIONS
				and not (row.control_number or "").strip()
			):
				row.control_number = f"{self.name}-{row.idx}"
			if row.transmission_code in FILE_TRANSMISSIONS and not row.file:
				problems.append(
					_("Attachment row #{0} is sent electronically ({1}) but has no file.").format(
						row.idx, row.transmission_code
					)
				)
		payer = self.context().payer(policy.payer) if policy is not None else None
		if payer is not None and payer.get("requires_attachment") and not self.attachments:
			codes = set(modifiers_of(payer.get("attachment_procedure_codes")))
			needing = sorted(
				{row.procedure_code for row in self.services if not codes or row.procedure_code in codes}
			)
			if needing:
				problems.append(
					_(
						"{0} requires an attachment (PWK) for {1}: add the paperwork under Attachments."
					).format(payer.payer_name, ", ".join(needing))
				)
		return problems

	def before_insert(self):
		if self.status != claim_status.DRAFT:
			self.status = claim_status.DRAFT

	def on_update(self):
		if self.docstatus.is_draft():
			self.sync_services()

	def sync_services(self):
		"""Services on this claim are "On Claim"; services taken off it are unbilled again.

		A void claim only repeats the lines of the claim it voids, which keeps them; a next payer's
		claim only repeats its first claim's lines.
		"""
		if self.frequency == "Void" or self.secondary_claim_of:
			return
		wanted = {row.billable_service for row in self.services}
		if self.flags.in_insert:
			current = set()  # a claim being inserted holds no services yet
		else:
			current = set(
				frappe.get_all(
					SERVICE, filters={"billed_by_doctype": CLAIM, "billed_by": self.name}, pluck="name"
				)
			)
		self.release(sorted(current - wanted))
		new = sorted(wanted - current)
		if new:
			frappe.db.set_value(
				SERVICE,
				{"name": ["in", new]},
				{"billed_by_doctype": CLAIM, "billed_by": self.name, "status": "On Claim"},
			)

	def before_submit(self):
		if self.problems:
			throw_problems(self.problems.split("\n"), _("Claim {0} can't be queued yet").format(self.name))
		claim = self.flags.built_claim
		claim.claim_id = self.name
		for attachment, row in zip(claim.attachments, self.attachments, strict=True):
			attachment.control_number = (row.control_number or "").strip() or f"{self.name}-{row.idx}"
			row.control_number = attachment.control_number
		self.x12_snapshot = json.dumps(to_dict(claim), separators=(",", ":"))
		self.claim_number = self.name
		if not self.secondary_claim_of:
			self.balance = self.total_charge
		self.move_to(claim_status.QUEUED, user_source(_("Scrubbed clean and queued for sending.")))

	def on_submit(self):
		self.sync_services()

	def before_cancel(self):
		if self.status != claim_status.QUEUED or self.clearinghouse_file:
			frappe.throw(
				_(
					"Claim {0} is {1}: it has gone to the clearinghouse. Use Duplicate & Resubmit to correct it "
					"or Void to take it back from the payer."
				).format(self.name, _(self.status))
			)

	def on_cancel(self):
		self.move_to(claim_status.DRAFT, user_source(_("Taken back from the queue for editing.")))
		self.db_update_all()
		self.give_back(self.own_services())

	def on_trash(self):
		self.give_back(self.own_services())

	def own_services(self) -> list[str]:
		return frappe.get_all(
			SERVICE, filters={"billed_by_doctype": CLAIM, "billed_by": self.name}, pluck="name"
		)

	def give_back(self, services: list[str]):
		"""This claim is withdrawn: a correction's services go back to the claim it corrects."""
		original = self.original_claim if self.frequency != "Void" else None
		if services and original and frappe.db.get_value(CLAIM, original, "docstatus") == 1:
			frappe.db.set_value(SERVICE, {"name": ["in", services]}, {"billed_by": original})
			return
		self.release(services)

	def release(self, services: list[str]):
		"""Services taken off this claim are unbilled again."""
		for name in services:
			frappe.get_doc(SERVICE, name).release_from_billing()

	# --- status ---------------------------------------------------------------------------------

	def move_to(self, new_status: str, source: StatusSource, clearinghouse_file: str | None = None):
		"""Change the status of this document in memory, with its history row (the caller saves)."""
		change = claim_status.change_status(self.status, new_status, source, now_datetime())
		self.append("status_history", history_row(change, clearinghouse_file))
		self.status = new_status
		return change

	def add_note(self, text: str, source: StatusSource | None = None):
		"""A history row that changes nothing but records a link (a correction or a void)."""
		source = source or user_source()
		self.append(
			"status_history",
			{
				"changed_at": now_datetime(),
				"from_status": self.status,
				"to_status": self.status,
				"source_kind": source.kind,
				"source": source.reference,
				"reason": text,
			},
		)


def policy_active_on(policy, on_date) -> bool:
	if not policy.enabled or not on_date:
		return False
	day = getdate(on_date)
	if getdate(policy.valid_from) > day:
		return False
	return not policy.valid_to or getdate(policy.valid_to) >= day


# --- many claims at once (jobs and response files) --------------------------------------------


def apply_status_changes(
	changes: list[tuple[str, claim_status.StatusChange]],
	clearinghouse_file: str | None = None,
	extra: dict[str, dict] | None = None,
) -> None:
	"""Write status changes of many claims: each claim's new status and fields, one history row per change.

	``changes`` are (claim name, StatusChange) in order; a claim may change twice. ``extra`` maps a
	claim name to more field values to set (payer claim number, response text...).
	"""
	if not changes:
		return
	extra = extra or {}
	names = list(dict.fromkeys(name for name, _change in changes))
	last_idx = dict(
		frappe.db.sql(
			f"""select parent, max(idx) from `tab{HISTORY}` where parenttype=%s and parent in %s group by parent""",
			(CLAIM, names),
		)
	)
	when = now_datetime()
	user = frappe.session.user
	rows = []
	final: dict[str, str] = {}
	for name, change in changes:
		idx = last_idx.get(name, 0) + 1
		last_idx[name] = idx
		row = history_row(change, clearinghouse_file)
		rows.append(
			(
				frappe.generate_hash(length=10),
				name,
				CLAIM,
				"status_history",
				idx,
				when,
				when,
				user,
				user,
				1,
				row["changed_at"],
				row["from_status"],
				row["to_status"],
				row["source_kind"],
				row["source"],
				row["clearinghouse_file"],
				row["manual"],
				row["reason"],
			)
		)
		final[name] = change.to_status
	frappe.db.bulk_insert(
		HISTORY,
		[
			"name",
			"parent",
			"parenttype",
			"parentfield",
			"idx",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"docstatus",
			"changed_at",
			"from_status",
			"to_status",
			"source_kind",
			"source",
			"clearinghouse_file",
			"manual",
			"reason",
		],
		rows,
	)
	groups: dict[tuple, list[str]] = defaultdict(list)
	for name, status in final.items():
		values = {"status": status, **extra.get(name, {})}
		groups[tuple(sorted(values.items()))].append(name)
	for items, group in groups.items():
		for start in range(0, len(group), 1000):
			frappe.db.set_value(
				CLAIM, {"name": ["in", group[start : start + 1000]]}, dict(items), modified=when
			)


def current_statuses(names: list[str]) -> dict[str, str]:
	if not names:
		return {}
	result = {}
	for start in range(0, len(names), 1000):
		chunk = names[start : start + 1000]
		result.update(
			frappe.get_all(
				CLAIM,
				filters={"name": ["in", chunk], "docstatus": 1},
				fields=["name", "status"],
				as_list=True,
			)
		)
	return result


def status_history(name: str) -> list[dict]:
	"""The history rows of one claim, oldest first (for tests and the API)."""
	return frappe.get_all(
		HISTORY,
		filters={"parenttype": CLAIM, "parent": name},
		fields=[
			"from_status",
			"to_status",
			"source_kind",
			"source",
			"clearinghouse_file",
			"manual",
			"reason",
		],
		order_by="idx asc",
	)


@frappe.whitelist()
def get_status_options(name: str) -> dict:
	"""For the form: the statuses a manager may set by hand from the claim's current one."""
	doc = frappe.get_doc(CLAIM, name)
	doc.check_permission("read")
	return {
		"manual": list(claim_status.MANUAL_TRANSITIONS.get(doc.status, ())),
		"can_override": "Billing Manager" in frappe.get_roles(),
		"colours": claim_status.INDICATOR_COLOURS,
	}
