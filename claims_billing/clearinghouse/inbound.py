"""Receiving response files: store each once, then apply its 999 / 277CA, or hand an 835 on.

``store_response`` keeps the exact bytes as an Inbound Clearinghouse File unless the same file was
stored before (same content hash, or same sender and ISA/GS/ST control numbers): a repeat only
notes its arrival on the first record. A file that cannot be read is stored as Parse Failed with
the reader's error and nothing of it is applied. ``apply_response`` then turns the file's verdicts
into claim status changes (core.acknowledgements) and files what matches no claim, or cannot be
applied, as Clearinghouse Exceptions: nothing in a response is dropped.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import now_datetime

from claims_billing.claims_billing.doctype.clearinghouse_file import clearinghouse_file as files
from claims_billing.claims_billing.doctype.insurance_claim.insurance_claim import (
	apply_status_changes,
	current_statuses,
)
from claims_billing.core import acknowledgements
from claims_billing.x12.document import TYPE_277CA, TYPE_835, TYPE_999, document_types, read_document
from claims_billing.x12.errors import X12Error

CLAIM = "Insurance Claim"
EXCEPTION = "Clearinghouse Exception"
RECEIVE_LOCK = "claims_billing.receive"  # tabSeries row whose lock serialises storing responses
ERA_IMPORT_HOOK = "claims_billing_import_835"  # hooks: dotted paths called as f(clearinghouse_file_name)
MAX_DETAIL_LINES = 20


def _lock() -> None:
	from claims_billing.clearinghouse.outbound import take_lock

	take_lock(RECEIVE_LOCK)


def _type_label(types: list[str]) -> str:
	kinds = sorted(set(types))
	if len(kinds) == 1 and kinds[0] in (TYPE_999, TYPE_277CA, TYPE_835):
		return kinds[0]
	return "Unknown"


def store_response(file_name: str, data: bytes, when: datetime.datetime | None = None) -> tuple[str, bool]:
	"""Record a downloaded response once. Returns (record name, is new). Commits."""
	when = when or now_datetime()
	digest = files.sha256(data)
	key = None
	error = ""
	types: list[str] = []
	try:
		key = acknowledgements.response_file_key(data)
		types = document_types(data)
	except X12Error as exc:
		error = str(exc)
	_lock()
	earlier = frappe.db.get_value(files.FILE, {"direction": files.INBOUND, "content_sha256": digest}, "name")
	reason = _("identical content") if earlier else ""
	if not earlier and key is not None and key.interchange_control_numbers:
		earlier = frappe.db.get_value(
			files.FILE, {"direction": files.INBOUND, "control_key_digest": key.control_digest}, "name"
		)
		reason = _("same sender and control numbers (ISA13 {0})").format(
			", ".join(key.interchange_control_numbers)
		)
	if earlier:
		frappe.get_doc(files.FILE, earlier).add_comment(
			"Info",
			_("Received again as {0} on {1} ({2}); not stored or applied a second time.").format(
				file_name, when, reason
			),
		)
		frappe.db.commit()
		return earlier, False
	doc = frappe.get_doc(
		{
			"doctype": files.FILE,
			"direction": files.INBOUND,
			"transaction_type": _type_label(types) if not error else "Unknown",
			"status": files.PARSE_FAILED if error else files.RECEIVED,
			"file_name": file_name,
			"content_sha256": digest,
			"size": len(data),
			"received_at": when,
			"error": error,
		}
	)
	if key is not None:
		doc.update(
			{
				"control_key_digest": key.control_digest if key.interchange_control_numbers else "",
				"sender_id": ", ".join(key.sender_ids),
				"interchange_control_number": ", ".join(key.interchange_control_numbers)[:140],
				"group_control_number": ", ".join(key.group_control_numbers)[:140],
				"transaction_set_control_numbers": ", ".join(key.transaction_set_control_numbers),
			}
		)
	doc.insert(ignore_permissions=True)
	files.attach_content(doc, file_name, data)
	frappe.db.commit()
	return doc.name, True


def _exception(file_name: str, kind: str, reference: str, reason: str, claim: str | None = None) -> None:
	frappe.get_doc(
		{
			"doctype": EXCEPTION,
			"clearinghouse_file": file_name,
			"kind": kind,
			"reference": reference[:240],
			"reason": reason,
			"claim": claim,
			"status": "Open",
		}
	).insert(ignore_permissions=True)


def _response_text(update: acknowledgements.ClaimUpdate) -> str:
	details = update.details[:MAX_DETAIL_LINES]
	more = len(update.details) - len(details)
	lines = [update.message, *(f"- {detail}" for detail in details)]
	if more > 0:
		lines.append(_("... and {0} more (see the response file).").format(more))
	return "\n".join(lines)


def apply_response(name: str) -> str:
	"""Apply a stored response file to the claims. Returns the file's new status. Commits."""
	doc = frappe.get_doc(files.FILE, name)
	if doc.status != files.RECEIVED:
		return doc.status
	data = files.stored_content(name)
	try:
		transactions = read_document(data)
		acknowledgements.refuse_incomplete(transactions)
	except X12Error as exc:
		doc.db_set({"status": files.PARSE_FAILED, "error": str(exc)})
		frappe.db.commit()
		return files.PARSE_FAILED
	if any(t.type == TYPE_835 for t in transactions):
		return _hand_on_835(doc, transactions)
	acks = [t.content for t in transactions if t.type == TYPE_999]
	reports = [t.content for t in transactions if t.type == TYPE_277CA]
	result = acknowledgements.AcknowledgementResult()
	outbound_by_group = {}
	if acks:
		groups = files.sent_groups([ack.group_control_number for ack in acks])
		outbound_by_group = {group.group_control_number: record for record, group in groups}
		part = acknowledgements.apply_999(acks, [group for _record, group in groups])
		result.updates += part.updates
		result.unmatched += part.unmatched
	if reports:
		listed = sorted({claim.claim_id.strip() for report in reports for claim in report.claims})
		known = set(
			frappe.get_all(CLAIM, filters={"name": ["in", listed or [""]], "docstatus": 1}, pluck="name")
		)
		part = acknowledgements.apply_277ca(reports, known)
		result.updates += part.updates
		result.unmatched += part.unmatched
	for transaction in transactions:
		if transaction.type not in (TYPE_999, TYPE_277CA):
			result.unmatched.append(
				acknowledgements.Unmatched(
					"other transaction set",
					f"{transaction.type} {transaction.control_number}",
					_("Transaction set {0} {1} is not a 999 or 277CA; it was not applied.").format(
						transaction.type, transaction.control_number
					),
				)
			)
	when = now_datetime()
	claims = sorted({update.claim_id for update in result.updates})
	plan = acknowledgements.plan_status_changes(result.updates, current_statuses(claims), doc.file_name, when)
	extra: dict[str, dict] = defaultdict(dict)
	for update in result.updates:
		values = extra[update.claim_id]
		values["last_response"] = _response_text(update)
		values["response_codes"] = ", ".join(update.codes)[:240]
		values["needs_attention"] = 1 if update.needs_attention else 0
		if update.payer_claim_number:
			values["payer_claim_number"] = update.payer_claim_number
	changed = {change.claim_id for change in plan.changes}
	apply_status_changes([(change.claim_id, change.change) for change in plan.changes], name, extra)
	# Responses that change no status still leave their words on the claim.
	for claim, values in extra.items():
		if claim not in changed and claim in set(claims):
			frappe.db.set_value(CLAIM, claim, values)
	for unmatched in result.unmatched:
		_exception(name, unmatched.kind, unmatched.reference, unmatched.reason)
	for skipped in plan.skipped:
		_exception(
			name,
			_("not applied"),
			skipped.update.reference,
			_("{0} {1}").format(skipped.update.message, skipped.reason),
			claim=skipped.claim_id if frappe.db.exists(CLAIM, skipped.claim_id) else None,
		)
	exceptions = len(result.unmatched) + len(plan.skipped)
	status = files.APPLIED_WITH_EXCEPTIONS if exceptions else files.APPLIED
	answered = sorted({outbound_by_group[g] for g in outbound_by_group})
	doc.db_set(
		{
			"status": status,
			"applied_at": when,
			"answers_file": answered[0] if len(answered) == 1 else None,
			"claim_count": len(claims),
			"summary": _summary(result, plan),
		}
	)
	frappe.db.commit()
	return status


def _summary(result: acknowledgements.AcknowledgementResult, plan: acknowledgements.StatusPlan) -> str:
	counts: dict[str, int] = defaultdict(int)
	for change in plan.changes:
		counts[change.change.to_status] += 1
	parts = [f"{status}: {count}" for status, count in sorted(counts.items())]
	no_change = sum(1 for update in result.updates if update.new_status is None)
	if no_change:
		parts.append(_("No status change: {0}").format(no_change))
	if plan.skipped:
		parts.append(_("Not applied: {0}").format(len(plan.skipped)))
	if result.unmatched:
		parts.append(_("Unmatched: {0}").format(len(result.unmatched)))
	return "; ".join(parts) or _("Nothing to apply.")


def _hand_on_835(doc, transactions) -> str:
	"""An ERA belongs to the remittance importer (the ERA issue); until one is installed it waits."""
	importers = frappe.get_hooks(ERA_IMPORT_HOOK)
	if not importers:
		doc.db_set(
			{
				"status": files.WAITING_FOR_ERA_IMPORT,
				"summary": _("{0} remittance(s); waiting for the ERA importer.").format(
					sum(1 for t in transactions if t.type == TYPE_835)
				),
			}
		)
		frappe.db.commit()
		return files.WAITING_FOR_ERA_IMPORT
	for importer in importers:
		frappe.get_attr(importer)(doc.name)
	frappe.db.commit()
	return frappe.db.get_value(files.FILE, doc.name, "status")
