"""An 835 file becomes Insurance Payments: one per BPR/TRN payment, matched to our claims.

Matching (``core.matching``): CLP01 against our claim names, then CLP07 against the payer claim
numbers we know, then suggestions by patient, date of service and charge that staff confirm.
Lines match by REF*6R (our Billable Service name), else by code, modifiers and date. Claim
payments and lines that match nothing wait in the Unmatched Remittance queue with the reason.

Idempotent by the natural key payer + TRN02 (``payment_key``, a unique column): a second import of
the same payment is refused with a clear message and creates nothing. Fully matched payments post
at once when the "Auto-post ERAs" setting is on; the others wait for review as drafts.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime, today

from claims_billing.core import adjudication, matching
from claims_billing.remittance import payment_data
from claims_billing.x12.claim import to_dict
from claims_billing.x12.errors import X12Error
from claims_billing.x12.read_835 import read_835
from claims_billing.x12.remittance import Remittance

PAYMENT = "Insurance Payment"
CLAIM = "Insurance Claim"
UNMATCHED = "Unmatched Remittance"
STATUS_NEEDS_REVIEW = "Needs Review"
STATUS_READY = "Ready to Post"
# Claims an ERA may answer: sent, acknowledged, adjudicated before (reversals, re-processing).
PAYABLE_STATUSES = (
	"Submitted",
	"Accepted by Clearinghouse",
	"Accepted by Payer",
	"Rejected by Payer",
	"Paid",
	"Partially Paid",
	"Denied",
	"Reversed",
	"Closed",
)
METHODS = {"ACH": "ACH", "BOP": "ACH", "FWT": "ACH", "CHK": "Check", "NON": "None"}
MAX_SUGGESTION_CANDIDATES = 2000


class DuplicateEraError(frappe.ValidationError):
	"""Every payment in the file was imported before."""


@dataclass
class ImportResult:
	payments: list[str] = field(default_factory=list)
	posted: list[str] = field(default_factory=list)
	duplicates: list[str] = field(default_factory=list)  # messages, one per refused payment
	unmatched: int = 0


def payment_key(payer: str, trace_number: str) -> str:
	return f"{payer}|{trace_number.strip()}"[:140]


def import_era(
	data: bytes, *, file_name: str = "", clearinghouse_file: str | None = None, auto_post: bool | None = None
) -> ImportResult:
	"""Import every payment of an 835 file; see the module docstring."""
	try:
		remittances = read_835(data)
	except X12Error as error:
		frappe.throw(
			_("{0} is not a readable 835: {1}").format(file_name or _("The file"), str(error)),
			exc=X12ImportError,
		)
	if auto_post is None:
		auto_post = bool(frappe.get_cached_doc("Claims Billing Settings").get("auto_post_eras"))
	result = ImportResult()
	seen: set[str] = set()
	for remittance in remittances:
		if not remittance.complete:
			result.duplicates.append(
				_("Payment {0} is cut off before its end (SE/GE/IEA); it was not imported.").format(
					remittance.trace_number
				)
			)
			continue
		name, duplicate = import_remittance(remittance, clearinghouse_file, seen)
		if duplicate:
			result.duplicates.append(duplicate)
			continue
		result.payments.append(name)
		result.unmatched += frappe.db.count(UNMATCHED, {"insurance_payment": name})
		if auto_post and frappe.db.get_value(PAYMENT, name, "status") == STATUS_READY:
			from claims_billing.remittance.posting import submit_payment

			if submit_payment(name, raise_on_failure=False):
				result.posted.append(name)
	if result.duplicates and not result.payments:
		frappe.throw(
			"\n".join(result.duplicates), title=_("This ERA was imported before"), exc=DuplicateEraError
		)
	return result


class X12ImportError(frappe.ValidationError):
	pass


def import_era_file(clearinghouse_file: str) -> ImportResult | None:
	"""Import the 835 a Clearinghouse File holds (the receiving job's ``claims_billing_import_835`` hook).

	The file's status tells the outcome: Applied, Applied with Exceptions (claims waiting in the
	Unmatched Remittance queue, or payments imported before) or Parse Failed.
	"""
	from claims_billing.claims_billing.doctype.clearinghouse_file import clearinghouse_file as files

	record = frappe.get_doc(files.FILE, clearinghouse_file)
	try:
		result = import_era(
			files.stored_content(record.name),
			file_name=record.file_name or record.name,
			clearinghouse_file=record.name,
		)
	except (X12ImportError, DuplicateEraError) as error:
		status = files.PARSE_FAILED if isinstance(error, X12ImportError) else files.APPLIED_WITH_EXCEPTIONS
		record.db_set({"status": status, "summary": str(error)[:1000], "applied_at": now_datetime()})
		return None
	summary = _("{0} payment(s) imported, {1} posted, {2} waiting in Unmatched Remittances.").format(
		len(result.payments), len(result.posted), result.unmatched
	)
	if result.duplicates:
		summary += " " + " ".join(result.duplicates)
	exceptions = result.unmatched or result.duplicates or len(result.posted) < len(result.payments)
	record.db_set(
		{
			"status": files.APPLIED_WITH_EXCEPTIONS if exceptions else files.APPLIED,
			"summary": summary[:1000],
			"applied_at": now_datetime(),
		}
	)
	return result


# --- one payment --------------------------------------------------------------------------------


def _era_payer_id(remittance: Remittance) -> str:
	return (remittance.payer_id or remittance.originator_id or remittance.payer_name or "").strip()


def find_payer(remittance: Remittance, matched_payers: set[str]) -> str | None:
	"""Our Insurance Payer: the one of the matched claims, else the only one with the ERA's payer ID."""
	if len(matched_payers) == 1:
		return next(iter(matched_payers))
	payer_id = (remittance.payer_id or "").strip()
	if payer_id:
		found = frappe.get_all("Insurance Payer", filters={"payer_id": payer_id}, pluck="name", limit=2)
		if len(found) == 1:
			return found[0]
	return None


def import_remittance(
	remittance: Remittance, clearinghouse_file: str | None = None, seen: set[str] | None = None
) -> tuple[str | None, str]:
	"""Create one Insurance Payment; returns (its name, "") or (None, why it is a duplicate)."""
	candidates = _load_claims(
		claim_ids={p.claim_id for p in remittance.claims if p.claim_id},
		payer_claim_numbers={p.payer_claim_number for p in remittance.claims if p.payer_claim_number},
	)
	matches = matching.match_claims(remittance.claims, list(candidates.values()))
	matched_payers = {candidates[m.claim_id].payer for m in matches if m.status == matching.MATCHED}
	payer = find_payer(remittance, matched_payers)
	if any(m.status == matching.UNMATCHED for m in matches):
		extra = _suggestion_candidates(remittance, payer, set(candidates))
		if extra:
			candidates.update(extra)
			pool = list(extra.values())
			matches = [
				m
				if m.status != matching.UNMATCHED
				else matching.match_claim(remittance.claims[m.payment_index], pool, m.payment_index)
				for m in matches
			]
	key = payment_key(payer or f"ERA {_era_payer_id(remittance)}", remittance.trace_number)
	if seen is not None:
		# One file repeating a trace number in several sets: each set is its own payment.
		if key in seen:
			key = payment_key(key, f"ST {remittance.control_number}")
		seen.add(key)
	existing = frappe.db.get_value(PAYMENT, {"payment_key": key}, ["name", "docstatus"], as_dict=True)
	if existing:
		return None, _(
			"Payment {0} from payer {1} was imported before as Insurance Payment {2}; nothing was imported again."
		).format(remittance.trace_number, payer or _era_payer_id(remittance), existing.name)
	doc = build_payment(remittance, payer, key, matches, candidates, clearinghouse_file)
	doc.flags.ignore_permissions = True
	doc.insert()
	queue_unmatched(doc)
	return doc.name, ""


@dataclass
class _Candidate:
	open_claim: matching.OpenClaim
	payer: str
	charge: object
	services: list[str]  # Billable Service per claim line, in line order
	prior_payers_amount: object


def _load_claims(claim_ids: set[str], payer_claim_numbers: set[str]) -> dict[str, matching.OpenClaim]:
	filters_by = []
	if claim_ids:
		filters_by.append({"name": ["in", list(claim_ids)]})
	if payer_claim_numbers:
		filters_by.append({"payer_claim_number": ["in", list(payer_claim_numbers)]})
	names: set[str] = set()
	for filters in filters_by:
		names.update(
			frappe.get_all(
				CLAIM, filters={**filters, "docstatus": 1, "status": ["in", PAYABLE_STATUSES]}, pluck="name"
			)
		)
	return _open_claims(sorted(names))


def _suggestion_candidates(remittance: Remittance, payer: str | None, known: set[str]) -> dict:
	"""Our claims that may be those of unmatched claim payments: same payer, dates in range."""
	dates = []
	for payment in remittance.claims:
		dates += [d for d in (payment.statement_from, payment.statement_to) if d]
		dates += [s.service_date for s in payment.services if s.service_date]
	if not dates:
		return {}
	filters = {
		"docstatus": 1,
		"status": ["in", PAYABLE_STATUSES],
		"first_date_of_service": ["between", [min(dates), max(dates)]],
	}
	if payer:
		filters["payer"] = payer
	names = frappe.get_all(CLAIM, filters=filters, pluck="name", limit=MAX_SUGGESTION_CANDIDATES)
	return _open_claims([n for n in names if n not in known])


def _open_claims(names: list[str]) -> dict:
	"""OpenClaims (with our claim's payer and service names) from the claims' sent 837P data."""
	if not names:
		return {}
	result = {}
	services: dict[str, list[str]] = {}
	for row in frappe.get_all(
		"Insurance Claim Service",
		filters={"parenttype": CLAIM, "parent": ["in", names]},
		fields=["parent", "billable_service"],
		order_by="parent asc, idx asc",
	):
		services.setdefault(row.parent, []).append(row.billable_service)
	for row in frappe.get_all(
		CLAIM,
		filters={"name": ["in", names]},
		fields=[
			"name",
			"payer",
			"payer_claim_number",
			"x12_snapshot",
			"total_charge",
			"balance",
			*_optional_claim_fields(),
		],
	):
		if not row.x12_snapshot:
			continue
		open_claim = _open_claim_from_snapshot(row.name, json.loads(row.x12_snapshot))
		open_claim.payer_claim_numbers = [row.payer_claim_number] if row.payer_claim_number else []
		open_claim.payer = row.payer
		open_claim.services = services.get(row.name, [])
		open_claim.prior_payers_amount = payment_data.money(row.get("prior_payers_amount"))
		result[row.name] = open_claim
	return result


def _day(value) -> datetime.date | None:
	return datetime.date.fromisoformat(value) if value else None


def _open_claim_from_snapshot(name: str, data: dict) -> matching.OpenClaim:
	"""``matching.open_claim`` of the sent 837P data, read straight from its JSON form (fast)."""
	person = data.get("patient") or data.get("subscriber") or {}
	subscriber = data.get("subscriber") or {}
	return matching.OpenClaim(
		claim_id=name,
		charge=sum((Decimal(line["charge"]) for line in data.get("lines", [])), Decimal(0)),
		patient_last_name=person.get("last_name", ""),
		patient_first_name=person.get("first_name", ""),
		member_id=subscriber.get("member_id", ""),
		lines=[
			matching.OpenLine(
				procedure_code=line["procedure_code"],
				charge=Decimal(line["charge"]),
				service_date=_day(line.get("service_date")),
				modifiers=list(line.get("modifiers") or []),
				line_control_number=line.get("line_control_number") or "",
				service_date_end=_day(line.get("service_date_end")),
				units=Decimal(line.get("units") or 1),
			)
			for line in data.get("lines", [])
		],
	)


def _optional_claim_fields() -> list[str]:
	meta = frappe.get_meta(CLAIM)
	return [f for f in ("prior_payers_amount",) if meta.has_field(f)]


def _without_prior_payers(payment, prior):
	"""A next payer's claim payment without the earlier payers' share (OA-23): what it owes."""
	if not prior:
		return payment
	import copy

	view = copy.deepcopy(payment)
	removed = payment_data.ZERO
	kept = []
	for adjustment in view.adjustments:
		if adjustment.group == "OA" and adjustment.reason == payment_data.PRIOR_PAYER_REASON:
			removed += adjustment.amount
		else:
			kept.append(adjustment)
	view.adjustments = kept
	for service in view.services:
		line_removed = sum(
			(
				a.amount
				for a in service.adjustments
				if a.group == "OA" and a.reason == payment_data.PRIOR_PAYER_REASON
			),
			payment_data.ZERO,
		)
		service.adjustments = [
			a
			for a in service.adjustments
			if not (a.group == "OA" and a.reason == payment_data.PRIOR_PAYER_REASON)
		]
		service.charge -= line_removed
		removed += line_removed
	view.charge -= removed
	return view


def build_payment(remittance, payer, key, matches, candidates, clearinghouse_file=None):
	settings = frappe.get_cached_doc("Claims Billing Settings")
	amount = adjudication.signed_payment_amount(remittance)
	doc = frappe.get_doc(
		{
			"doctype": PAYMENT,
			"payer": payer,
			"source": "ERA File",
			"company": settings.company,
			"payment_date": payment_data.payment_date_of(remittance) or getdate(today()),
			"payment_method": METHODS.get((remittance.method or "").upper(), "None"),
			"trace_number": remittance.trace_number[:140],
			"amount": payment_data.currency(amount),
			"clearinghouse_file": clearinghouse_file,
			"era_payer_id": _era_payer_id(remittance)[:140],
			"payment_key": key,
		}
	)
	problems = [p.message for p in adjudication.check_payment(remittance)]
	for match in matches:
		payment = remittance.claims[match.payment_index]
		ours = candidates.get(match.claim_id) if match.status == matching.MATCHED else None
		if ours is not None:
			payment = _without_prior_payers(payment, ours.prior_payers_amount)
			billed = ours.charge - ours.prior_payers_amount if not payment.is_reversal else None
		else:
			billed = None
		breakdown = adjudication.adjudicate(payment, billed, f"claim payment {match.payment_index + 1}")
		problems += [p.message for p in breakdown.problems if p.code != "charge-differs"]
		if match.status == matching.MATCHED:
			status, reason = payment_data.MATCHED, _("Matched by {0}.").format(match.how)
		elif match.status == matching.SUGGESTED:
			status = payment_data.SUGGESTED
			reason = match.reason + "\n" + "\n".join(s.reason for s in match.suggestions[:5])
		else:
			status, reason = payment_data.UNMATCHED, match.reason
		doc.append(
			"claims",
			payment_data.claim_row(
				breakdown,
				insurance_claim=ours.claim_id if ours is not None else None,
				match_status=status,
				match_reason=reason,
				payment_index=match.payment_index,
			),
		)
		doc.claims[-1].era_json = json.dumps(
			to_dict(remittance.claims[match.payment_index]), separators=(",", ":")
		)
		doc.claims[-1].suggested_claims = [s.claim_id for s in match.suggestions[:5]]
		services = {}
		if ours is not None:
			lines = matching.match_lines(payment, ours)
			for service_match in lines.services:
				names = [ours.services[i] for i in service_match.line_indexes if i < len(ours.services)]
				services[service_match.service_index + 1] = (names[0] if names else None, service_match.level)
			doc.claims[-1].unmatched_lines = lines.unmatched_lines
		for row in payment_data.service_rows(
			breakdown,
			claim_row_index=len(doc.claims),
			insurance_claim=doc.claims[-1].insurance_claim,
			services=services,
		):
			doc.append("services", row)
	for adjustment in remittance.provider_adjustments:
		doc.append("provider_adjustments", payment_data.plb_row(adjustment))
	ready = payer and all(row.match_status == payment_data.MATCHED for row in doc.claims)
	ready = (
		ready
		and all(row.billable_service for row in doc.services)
		and not adjudication.check_payment(remittance)
	)
	if not payer:
		problems.insert(
			0, _("No Insurance Payer of ours has payer ID {0}.").format(_era_payer_id(remittance))
		)
	doc.status = STATUS_READY if ready else STATUS_NEEDS_REVIEW
	doc.problems = "\n".join(dict.fromkeys(problems))[:10000]
	return doc


def queue_unmatched(doc) -> None:
	"""Unmatched and suggested claim payments, and unmatched lines, into the Unmatched Remittance queue."""
	rows = []
	for row in doc.claims:
		if row.match_status in (payment_data.SUGGESTED, payment_data.UNMATCHED):
			suggested = getattr(row, "suggested_claims", None) or []
			rows.append(
				{
					"kind": "Claim",
					"payment_row": row.idx,
					"claim_id": row.claim_id,
					"payer_claim_number": row.payer_claim_number,
					"charge": row.adjudicated_charge,
					"paid": row.paid,
					"reason": row.match_reason,
					"suggestions": "\n".join(suggested),
					"suggested_claim": suggested[0] if suggested else None,
				}
			)
	for service in doc.services:
		if service.insurance_claim and not service.billable_service:
			rows.append(
				{
					"kind": "Service Line",
					"payment_row": service.claim_row,
					"claim_id": doc.claims[service.claim_row - 1].claim_id,
					"procedure_code": service.procedure_code,
					"service_date": service.date_of_service,
					"charge": service.charge,
					"paid": service.paid,
					"reason": _(
						"Service {0} {1} on {2} matches no line of claim {3} by line control number, code, modifiers or date."
					).format(
						service.idx, service.procedure_code, service.date_of_service, service.insurance_claim
					),
					"suggested_claim": service.insurance_claim,
				}
			)
	for values in rows:
		record = frappe.get_doc(
			{
				"doctype": UNMATCHED,
				"insurance_payment": doc.name,
				"payer": doc.payer,
				"status": "Open",
				**values,
			}
		)
		record.flags.ignore_permissions = True
		record.flags.ignore_links = True
		record.insert()
