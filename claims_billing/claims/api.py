"""Whitelisted claim actions for the desk: initiate, bulk submit, send now, status override, correct, void.

Each method checks the caller's permission on the records it touches before doing anything.
"""

from __future__ import annotations

import json
from collections import defaultdict

import frappe
from frappe import _
from frappe.model.naming import make_autoname
from frappe.utils import getdate, now_datetime

from claims_billing.claims.claim_data import ClaimContext
from claims_billing.claims_billing.doctype.insurance_claim.insurance_claim import (
	CLAIM,
	MAX_LINES,
	apply_status_changes,
)
from claims_billing.core import claim_status, corrections
from claims_billing.problems import BillingValidationError
from claims_billing.roles import BILLING_MANAGER

SERVICE = "Billable Service"
FLOW_ONE_CLICK = "One-click"
FLOW_REVIEW = "Review Queue"
CLAIM_NAMING = "CLM-.YY.-.#####"


def _names(value) -> list[str]:
	if isinstance(value, str):
		value = json.loads(value) if value.strip().startswith("[") else [value]
	return [str(name) for name in dict.fromkeys(value or []) if name]


def _claim_flow() -> str:
	return frappe.get_cached_doc("Claims Billing Settings").get("claim_flow") or FLOW_REVIEW


def _require_manager() -> None:
	if BILLING_MANAGER not in frappe.get_roles():
		frappe.throw(_("Only a Billing Manager can do this."), frappe.PermissionError)


# --- creating claims ----------------------------------------------------------------------------


@frappe.whitelist()
def initiate_claims(services, flow: str | None = None) -> dict:
	"""Claims for unbilled services: one per patient and policy, at most 50 lines each.

	``flow`` One-click queues each claim that scrubs clean (others stay drafts with their problems);
	Review Queue leaves drafts. Default: the flow in Claims Billing Settings.
	"""
	frappe.has_permission(CLAIM, "create", throw=True)
	names = _names(services)
	if not names:
		frappe.throw(_("Choose at least one service."))
	for name in names:
		frappe.has_permission(SERVICE, "read", doc=name, throw=True)
	flow = flow or _claim_flow()
	if flow not in (FLOW_ONE_CLICK, FLOW_REVIEW):
		frappe.throw(_("Unknown claim flow {0}.").format(flow))
	if flow == FLOW_ONE_CLICK:
		frappe.has_permission(CLAIM, "submit", throw=True)
	rows = frappe.get_all(
		SERVICE,
		filters={"name": ["in", names]},
		fields=[
			"name",
			"patient_doctype",
			"patient",
			"insurance_policy",
			"status",
			"billing_route",
			"date_of_service",
		],
	)
	found = {row.name for row in rows}
	skipped = {name: _("Service {0} does not exist.").format(name) for name in names if name not in found}
	groups: dict[tuple, list] = defaultdict(list)
	for row in rows:
		if row.status != "Unbilled":
			skipped[row.name] = _("Service {0} is {1}.").format(row.name, _(row.status))
		elif row.billing_route != "Insurance" or not row.insurance_policy:
			skipped[row.name] = _("Service {0} is not billed to insurance (no active policy).").format(
				row.name
			)
		else:
			groups[(row.patient_doctype, row.patient, row.insurance_policy)].append(row)
	context = ClaimContext()
	created = []
	for key in sorted(groups):
		patient_doctype, patient, policy = key
		group = sorted(groups[key], key=lambda row: (getdate(row.date_of_service), row.name))
		for start in range(0, len(group), MAX_LINES):
			doc = new_claim(
				patient_doctype, patient, policy, [row.name for row in group[start : start + MAX_LINES]]
			)
			insert_claim(doc, queue=flow == FLOW_ONE_CLICK, context=context)
			created.append({"name": doc.name, "status": doc.status, "problems": doc.problems or ""})
	return {
		"claims": created,
		"queued": sum(1 for claim in created if claim["status"] == claim_status.QUEUED),
		"drafts": sum(1 for claim in created if claim["status"] == claim_status.DRAFT),
		"skipped": skipped,
		"flow": flow,
	}


def new_claim(patient_doctype: str, patient: str, policy: str, services: list[str], **values):
	return frappe.get_doc(
		{
			"doctype": CLAIM,
			"patient_doctype": patient_doctype,
			"patient": patient,
			"insurance_policy": policy,
			"services": [{"billable_service": name} for name in services],
			**values,
		}
	)


def insert_claim(doc, queue: bool, context: ClaimContext | None = None, name: str | None = None):
	"""Insert a new claim; with ``queue`` it is submitted (Queued) in the same save when it scrubs clean."""
	doc.flags.claim_context = context or ClaimContext()
	name = name or make_autoname(CLAIM_NAMING, CLAIM)
	doc.name = name
	if queue:
		doc.prepare()
		if not doc.problems:
			doc.docstatus = 1
			doc.flags.prepared = True
	doc.insert(set_name=name)
	return doc


@frappe.whitelist()
def submit_claims(claims) -> dict:
	"""Queue several draft claims (the review queue's bulk submit). Each one that fails says why."""
	results = {"queued": [], "failed": {}}
	for name in _names(claims):
		doc = frappe.get_doc(CLAIM, name)
		doc.check_permission("submit")
		if doc.docstatus != 0:
			results["failed"][name] = _("Claim {0} is not a draft.").format(name)
			continue
		frappe.db.savepoint("submit_claim")
		try:
			doc.submit()
		except BillingValidationError:
			frappe.db.rollback(save_point="submit_claim")
			frappe.clear_messages()
			results["failed"][name] = frappe.db.get_value(CLAIM, name, "problems") or doc.problems
			continue
		results["queued"].append(name)
	return results


# --- the clearinghouse --------------------------------------------------------------------------


def _require_send_rights() -> None:
	frappe.has_permission(CLAIM, "submit", throw=True)


@frappe.whitelist(methods=["POST"])
def send_queued_claims_now() -> dict:
	"""The "Submit Queued Claims" button: run the send job now."""
	_require_send_rights()
	from claims_billing.jobs.clearinghouse import send_queued_claims

	return send_queued_claims()


@frappe.whitelist(methods=["POST"])
def fetch_responses_now() -> dict:
	_require_send_rights()
	from claims_billing.jobs.clearinghouse import receive_responses

	return receive_responses()


@frappe.whitelist(methods=["POST"])
def test_connection() -> dict:
	"""Connect and look at both folders; on an unknown host key, return it for staff to confirm."""
	_require_manager()
	from claims_billing.clearinghouse.connection import open_transport, safe_message
	from claims_billing.transport import TransportError, TransportHostKeyUnknown

	try:
		check = open_transport().check()
	except TransportHostKeyUnknown as error:
		return {
			"ok": False,
			"message": safe_message(error),
			"host_key": error.host_key,
			"fingerprint": error.fingerprint,
		}
	except TransportError as error:
		return {"ok": False, "message": safe_message(error)}
	return {"ok": True, "message": check.summary()}


@frappe.whitelist(methods=["POST"])
def upload_response_file(file_url: str) -> dict:
	"""Local-folder mode: staff attach a response downloaded from the clearinghouse's website."""
	_require_send_rights()
	from claims_billing.clearinghouse import inbound

	file = frappe.get_doc("File", {"file_url": file_url})
	file.check_permission("read")
	with open(file.get_full_path(), "rb") as handle:
		data = handle.read()
	name, new = inbound.store_response(file.file_name, data)
	status = (
		inbound.apply_response(name) if new else frappe.db.get_value("Clearinghouse File", name, "status")
	)
	return {"file": name, "new": new, "status": status}


def _require_unconfirmed_upload(clearinghouse_file: str, refusal: str) -> None:
	"""A Billing Manager acting on an unconfirmed upload; ``refusal`` (translated, with {0} the file and
	{1} its status) when the file is not one."""
	_require_manager()
	status = frappe.db.get_value("Clearinghouse File", clearinghouse_file, "status")
	if status != "Upload Unconfirmed":
		frappe.throw(refusal.format(clearinghouse_file, status))


@frappe.whitelist(methods=["POST"])
def confirm_upload(clearinghouse_file: str) -> dict:
	"""A Billing Manager confirms that an unconfirmed upload did reach the clearinghouse."""
	_require_unconfirmed_upload(
		clearinghouse_file, _("Only an unconfirmed upload can be confirmed; {0} is {1}.")
	)
	from claims_billing.clearinghouse import outbound

	claims = outbound.confirm_upload(clearinghouse_file)
	outbound.book_receivables(clearinghouse_file)
	return {"claims": claims}


@frappe.whitelist(methods=["POST"])
def retry_upload(clearinghouse_file: str) -> dict:
	"""A Billing Manager found that an unconfirmed upload never arrived: upload the same bytes again."""
	_require_unconfirmed_upload(
		clearinghouse_file, _("Only an unconfirmed upload can be retried; {0} is {1}.")
	)
	frappe.db.set_value("Clearinghouse File", clearinghouse_file, "status", "Upload Failed")
	return send_queued_claims_now()


@frappe.whitelist(methods=["POST"])
def resolve_exception(name: str, resolution: str) -> None:
	doc = frappe.get_doc("Clearinghouse Exception", name)
	doc.check_permission("write")
	if not (resolution or "").strip():
		frappe.throw(_("Say what was done about it."))
	doc.update(
		{
			"status": "Resolved",
			"resolution": resolution.strip(),
			"resolved_by": frappe.session.user,
			"resolved_on": now_datetime(),
		}
	)
	doc.save()


# --- status and corrections ---------------------------------------------------------------------


def _history_statuses(name: str) -> tuple[str, ...]:
	return tuple(
		row.to_status
		for row in frappe.get_all(
			"Insurance Claim Status Change",
			filters={"parenttype": CLAIM, "parent": name},
			fields=["to_status"],
			order_by="idx asc",
		)
	)


@frappe.whitelist(methods=["POST"])
def set_claim_status(claim: str, status: str, reason: str) -> str:
	"""A Billing Manager's manual override (phone or paper follow-up), kept in the history with the reason."""
	_require_manager()
	doc = frappe.get_doc(CLAIM, claim)
	doc.check_permission("write")
	if doc.docstatus != 1:
		frappe.throw(_("Only a queued or sent claim has a status to override."))
	source = claim_status.StatusSource(claim_status.SOURCE_USER, frappe.session.user, (reason or "").strip())
	try:
		change = claim_status.change_status(doc.status, status, source, now_datetime())
	except claim_status.StatusTransitionError as error:
		frappe.throw(str(error))
	apply_status_changes([(claim, change)], extra={claim: {"needs_attention": 0}})
	if doc.status == claim_status.QUEUED and not doc.sales_invoice:
		# Sent on paper: its receivable is booked as if the send job had sent it.
		from claims_billing.accounting.claims import book_sent_claims

		frappe.db.set_value(CLAIM, claim, "submitted_on", now_datetime(), update_modified=False)
		book_sent_claims([claim])
	return status


def _original_state(doc) -> corrections.OriginalClaimState:
	return corrections.OriginalClaimState(
		claim_id=doc.name,
		status=doc.status,
		payer_claim_number=doc.payer_claim_number or "",
		history=_history_statuses(doc.name)[:-1],
	)


def _taken(name: str) -> bool:
	return bool(frappe.db.exists(CLAIM, name))


def _note(original: str, text: str, values: dict) -> None:
	status = frappe.db.get_value(CLAIM, original, "status")
	note = claim_status.StatusChange(
		status, status, now_datetime(), claim_status.SOURCE_USER, frappe.session.user, text
	)
	apply_status_changes([(original, note)], extra={original: values})


def _carry_next_payer(original, doc) -> None:
	"""A next payer's corrected claim keeps its place after the earlier payers, and their COB data."""
	if not original.secondary_claim_of:
		return
	for field in (
		"secondary_claim_of",
		"payer_responsibility",
		"prior_payers_amount",
		"receivable_journal_entry",
	):
		doc.set(field, original.get(field))
	# The COB data lives in the claim's stored 837P data; the correction's form rebuilds the rest.
	doc.x12_snapshot = original.x12_snapshot
	doc.balance = original.balance


def _copy_lines(original, doc) -> None:
	for row in original.attachments:
		doc.append(
			"attachments",
			{
				"report_type": row.report_type,
				"transmission_code": row.transmission_code,
				"file": row.file,
				"description": row.description,
			},
		)
	doc.prior_authorization = original.prior_authorization


@frappe.whitelist(methods=["POST"])
def duplicate_and_resubmit(claim: str) -> str:
	"""A corrected draft of a rejected or denied claim, linked to it (frequency 7 or a fresh original)."""
	original = frappe.get_doc(CLAIM, claim)
	original.check_permission("read")
	frappe.has_permission(CLAIM, "create", throw=True)
	try:
		plan = corrections.plan_resubmission(_original_state(original))
		name = corrections.resubmission_claim_id(original.name, _taken)
	except corrections.CorrectionError as error:
		frappe.throw(str(error))
	doc = new_claim(
		original.patient_doctype,
		original.patient,
		original.insurance_policy,
		[row.billable_service for row in original.services],
		frequency="Replacement" if plan.frequency == "7" else "Original",
		original_claim=original.name,
		original_payer_claim_number=plan.original_claim_number,
	)
	_copy_lines(original, doc)
	_carry_next_payer(original, doc)
	insert_claim(doc, queue=False, name=name)
	_note(
		original.name,
		_("Duplicate & Resubmit: corrected claim {0} created. {1}").format(doc.name, plan.explanation),
		{"corrected_by": doc.name},
	)
	return doc.name


@frappe.whitelist(methods=["POST"])
def void_claim(claim: str, reason: str = "") -> str:
	"""Queue a frequency-8 claim that cancels ``claim`` at the payer; its receivable reverses when sent."""
	original = frappe.get_doc(CLAIM, claim)
	original.check_permission("write")
	frappe.has_permission(CLAIM, "submit", throw=True)
	if original.secondary_claim_of:
		# Its receivable is what the earlier payers left, not a sale to reverse: staff decide who owes it.
		frappe.throw(
			_(
				"Claim {0} bills {1} for what claim {2} left. It can't be voided: write its balance off "
				"or correct and resubmit it."
			).format(claim, original.payer_name, original.secondary_claim_of)
		)
	if original.voided_by and frappe.db.get_value(CLAIM, original.voided_by, "docstatus") == 1:
		frappe.throw(_("Claim {0} is already being voided by {1}.").format(claim, original.voided_by))
	try:
		plan = corrections.plan_void(_original_state(original))
		name = corrections.resubmission_claim_id(original.name, _taken)
	except corrections.CorrectionError as error:
		frappe.throw(str(error))
	doc = new_claim(
		original.patient_doctype,
		original.patient,
		original.insurance_policy,
		[row.billable_service for row in original.services],
		frequency="Void",
		original_claim=original.name,
		original_payer_claim_number=plan.original_claim_number,
	)
	_copy_lines(original, doc)
	insert_claim(doc, queue=True, name=name)
	if doc.docstatus != 1:
		frappe.throw(
			_("The void claim can't be queued: {0}").format(doc.problems.replace("\n", " ")),
			BillingValidationError,
		)
	text = _("Void: claim {0} (frequency 8) queued. {1}").format(doc.name, plan.explanation)
	if (reason or "").strip():
		text += " " + _("Reason: {0}").format(reason.strip())
	_note(original.name, text, {"voided_by": doc.name})
	return doc.name
