"""Apply 999 and 277CA response files to the claims we sent.

``apply_999(acks, sent_groups)`` matches each 999 to the 837P file it answers (AK102 = our GS06,
AK202 = our ST02) and gives every claim of that file a ``ClaimUpdate``: Accepted or Rejected by
Clearinghouse, with the errors in words. ``apply_277ca(reports, known_claim_ids)`` gives every claim a
277CA lists (TRN02 = our claim id) an update: Accepted or Rejected by Payer, with the status codes in
words, the payer claim number (REF*1K), the charge (STC04) and the date (STC02). Whatever cannot be
tied to a claim we sent comes back in ``unmatched`` with the reason; nothing is dropped.
``apply_response_file(data, ...)`` reads a file and does either, as its transaction sets need.
``plan_status_changes`` turns updates into history rows, skipping (with the reason) any the claim's
current status does not allow, such as a late acknowledgement for a claim already paid.

How a 999 decides
    IK5 A or E accepts a transaction set, R, M, W or X rejects it (E: accepted with errors noted,
    listed in the details). AK9 R, M, W or X rejects the whole group, whatever the sets say. A set
    the 999 does not list takes the group's verdict (AK9 A or E); under AK9 P it is accepted only
    when the listed rejections account for every rejected set (AK903 - AK904), otherwise the claim
    gets no status and is flagged for attention. A 999 rejects a whole transaction set, so every
    claim in it is rejected; errors inside a claim's CLM..next CLM segments (loops 23xx/24xx) are
    named as that claim's own, and the other claims are told they can be resent unchanged.

How a 277CA decides (claim status category, code source 507, the first part of each STC composite)
    Accepted by Payer:  A0 forwarded, A1 received, A2 accepted into adjudication, A5 split on
                        acceptance, P0-P5 pending (held in the payer's adjudication system), and
                        DR01, DR02, DR08 (data-reporting receipt/acceptance/warning).
                        A0 and A1 can come from a clearinghouse's own 277CA; the claim still moves to
                        Accepted by Payer, and a later payer rejection moves it on to Rejected by Payer.
    Rejected by Payer:  A3 returned as unprocessable, A4 not found, A6 missing information, A7
                        invalid information, A8 relational field in error, E3 and E4 correction
                        required, DR03-DR07.
    No status change:   F0-F4 finalized (the ERA decides Paid or Denied), R0-R17 requests for more
                        information (flagged for attention), E0-E2 and D0 response not possible, and
                        any code not in the list (flagged). When no code is known, STC03 decides: U
                        (reject) rejects, WQ (accept) accepts.
    A rejection anywhere in the claim's STCs wins over an acceptance.

The response file's natural key (``response_file_key``) is its content sha256 plus its sender and
ISA13/GS06/ST02 control numbers; ``duplicate_reason`` says whether a file was processed before.
Messages name claim ids and codes, never patient names, member ids or the bad values a 999 echoes.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from claims_billing.core import claim_status, code_lists
from claims_billing.x12.acknowledgement import (
	ACCEPTED_ACK_CODES,
	ClaimAcknowledgement,
	ClaimAcknowledgementReport,
	FunctionalAck,
	SegmentError,
	StatusCode,
	StatusInfo,
	TransactionSetAck,
)
from claims_billing.x12.document import TYPE_277CA, TYPE_999, read_document
from claims_billing.x12.envelope import iter_transaction_sets
from claims_billing.x12.errors import X12Error

VERSION_837P = "005010X222A1"

OUTCOME_ACCEPTED = "accepted"
OUTCOME_REJECTED = "rejected"
OUTCOME_NO_DECISION = "no decision"

REJECTED_ACK_CODES = frozenset({"R", "M", "W", "X"})
PARTIAL_ACK_CODE = "P"
SEGMENTS_IN_ERROR_CODES = frozenset({"5", "I5"})  # IK502: "one or more segments are in error"

ACCEPTED_CATEGORIES = frozenset(
	{"A0", "A1", "A2", "A5", "P0", "P1", "P2", "P3", "P4", "P5", "DR01", "DR02", "DR08"}
)
REJECTED_CATEGORIES = frozenset(
	{"A3", "A4", "A6", "A7", "A8", "E3", "E4", "DR03", "DR04", "DR05", "DR06", "DR07"}
)
# Known, but neither accepting nor rejecting: finalized (the ERA decides), requests, no response.
INFORMATIONAL_CATEGORIES = frozenset(
	{"F0", "F1", "F2", "F3", "F3F", "F3N", "F4", "F5", "E0", "E1", "E2", "D0", "RQ", "X0"}
	| {f"R{number}" for number in range(18)}
)
ACTION_ACCEPT = "WQ"  # STC03
ACTION_REJECT = "U"

# STC01-3 entity identifier codes (element 98) common in 277CA status composites.
ENTITY_NAMES = {
	"03": "dependent",
	"1P": "provider",
	"2B": "third-party administrator",
	"36": "employer",
	"40": "receiver",
	"41": "submitter",
	"71": "attending provider",
	"77": "service location",
	"82": "rendering provider",
	"85": "billing provider",
	"87": "pay-to provider",
	"DK": "ordering provider",
	"DN": "referring provider",
	"DQ": "supervising provider",
	"FA": "facility",
	"GB": "other insured",
	"HK": "subscriber",
	"IL": "insured or subscriber",
	"PR": "payer",
	"PRP": "primary payer",
	"QC": "patient",
	"SEP": "secondary payer",
	"TTP": "tertiary payer",
}

_CLAIM_LOOP_PREFIXES = ("23", "24")  # 2300..2440: segments that belong to one claim
_MAX_IDS_NAMED = 5


# --- what we sent -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SentTransactionSet:
	"""One ST/SE of an 837P file we sent: its ST02 and the claims in it, in file order."""

	control_number: str  # ST02 as sent
	claim_ids: tuple[str, ...]
	# Position (ST = 1) of each claim's CLM segment, aligned with claim_ids; empty when unknown.
	claim_positions: tuple[int, ...] = ()


@dataclass(frozen=True)
class SentGroup:
	"""One GS/GE functional group we sent (``batching.Batch.sent_group()`` builds it)."""

	group_control_number: str  # GS06
	transaction_sets: tuple[SentTransactionSet, ...]
	interchange_control_number: str = ""  # ISA13
	version: str = VERSION_837P  # GS08
	file_name: str = ""


# --- results ----------------------------------------------------------------------------------


@dataclass
class ClaimUpdate:
	"""What one response says about one claim."""

	claim_id: str
	outcome: str  # OUTCOME_ACCEPTED, OUTCOME_REJECTED or OUTCOME_NO_DECISION
	new_status: str | None  # the status to move to; None when the response decides nothing
	message: str  # one sentence for the status history
	details: list[str] = field(default_factory=list)  # each error or status code in words
	needs_attention: bool = False  # staff should act: rejected, or a code that asks for something
	codes: list[str] = field(default_factory=list)  # the codes as sent, e.g. "IK5:R", "A7:21:85"
	reference: str = ""  # which part of the response: "999 0001, group 1042, set 1042"
	payer_claim_number: str = ""  # 277CA REF*1K
	charge: Decimal | None = None  # 277CA STC04
	status_date: datetime.date | None = None  # 277CA STC02


@dataclass(frozen=True)
class Unmatched:
	"""A part of a response that answers nothing we sent (or that we cannot tell); never dropped."""

	kind: str  # "999 group", "999 transaction set", "277CA claim", "277CA level"
	reference: str
	reason: str


@dataclass
class AcknowledgementResult:
	updates: list[ClaimUpdate] = field(default_factory=list)
	unmatched: list[Unmatched] = field(default_factory=list)


def _normal(number: str) -> str:
	"""Control numbers compare as numbers when they are digits: ST02 ``0028`` answers AK202 ``28``."""
	text = (number or "").strip()
	return str(int(text)) if text.isdigit() else text


def _names(ids: Iterable[str]) -> str:
	ids = list(ids)
	shown = ", ".join(ids[:_MAX_IDS_NAMED])
	return shown + (f" and {len(ids) - _MAX_IDS_NAMED} more" if len(ids) > _MAX_IDS_NAMED else "")


# --- 999 ----------------------------------------------------------------------------------------


@dataclass
class _SetError:
	text: str
	position: int | None = None
	loop_id: str = ""
	codes: list[str] = field(default_factory=list)


def _segment_errors(segment: SegmentError) -> list[_SetError]:
	loop = f", loop {segment.loop_id}" if segment.loop_id else ""
	where = f"the {segment.segment_id} segment at position {segment.position} of the transaction set{loop}"
	errors = []
	# IK304 8 only says "see the element errors", which follow.
	if not segment.elements or segment.error_code not in ("", "8"):
		text = f"{where}: {segment.description or 'error not given'}"
		errors.append(_SetError(text, segment.position, segment.loop_id, [f"IK304:{segment.error_code}"]))
	for element in segment.elements:
		name = segment.segment_id
		if element.element_position is not None:
			name += f"{element.element_position:02d}"
		if element.component_position is not None:
			name += f"-{element.component_position}"
		reference = f" (data element {element.reference_number})" if element.reference_number else ""
		text = f"{name}{reference} in {where}: {element.description}"
		errors.append(_SetError(text, segment.position, segment.loop_id, [f"IK403:{element.error_code}"]))
	return errors


def _set_errors(set_ack: TransactionSetAck | None) -> list[_SetError]:
	if set_ack is None:
		return []
	errors = []
	for index, (code, description) in enumerate(
		zip(set_ack.error_codes, set_ack.error_descriptions, strict=True), start=2
	):
		# IK502 5 / I5 ("segments are in error") only announces the segment errors listed below.
		summary_only = code in SEGMENTS_IN_ERROR_CODES and set_ack.segment_errors
		text = "" if summary_only else f"transaction set: {description}"
		errors.append(_SetError(text, codes=[f"IK5{index:02d}:{code}"]))
	for segment in set_ack.segment_errors:
		errors.extend(_segment_errors(segment))
	return errors


def _owner(error: _SetError, sent: SentTransactionSet) -> str | None:
	"""The claim whose segments hold ``error``, when the error sits in a claim loop and positions are known."""
	positions = sent.claim_positions
	if error.position is None or not positions or len(positions) != len(sent.claim_ids):
		return None
	if not error.loop_id.startswith(_CLAIM_LOOP_PREFIXES):
		return None
	owner = None
	for claim_id, start in sorted(zip(sent.claim_ids, positions, strict=True), key=lambda pair: pair[1]):
		if start > error.position:
			break
		owner = claim_id
	return owner


def _rejected_set_updates(
	sent: SentTransactionSet,
	errors: list[_SetError],
	cause: str,
	codes: list[str],
	reference: str,
) -> list[ClaimUpdate]:
	codes = codes + [code for error in errors if not error.text for code in error.codes]
	own: dict[str, list[_SetError]] = {claim_id: [] for claim_id in sent.claim_ids}
	shared: list[_SetError] = []
	for error in errors:
		if not error.text:
			continue  # a code with nothing to add beyond the errors listed
		owner = _owner(error, sent)
		(own[owner] if owner in own else shared).append(error)
	with_errors = [claim_id for claim_id in sent.claim_ids if own[claim_id]]
	updates = []
	for claim_id in sent.claim_ids:
		mine = own[claim_id]
		if mine:
			tail = " Errors in this claim are listed below."
		elif with_errors:
			others = [other for other in with_errors if other != claim_id]
			tail = f" The errors are in claim(s) {_names(others)} of the same set"
			tail += "; this claim can be resent unchanged." if not shared else "."
		elif shared:
			tail = " The errors are listed below; the 999 does not tie them to one claim."
		else:
			tail = " The 999 gives no further detail."
		details = [error.text for error in mine] + [error.text for error in shared]
		updates.append(
			ClaimUpdate(
				claim_id=claim_id,
				outcome=OUTCOME_REJECTED,
				new_status=claim_status.REJECTED_BY_CLEARINGHOUSE,
				message=f"Rejected by the clearinghouse: {cause}.{tail}",
				details=details,
				needs_attention=True,
				codes=codes + [code for error in mine + shared for code in error.codes],
				reference=reference,
			)
		)
	return updates


def _accepted_set_updates(
	sent: SentTransactionSet, set_ack: TransactionSetAck | None, how: str, codes: list[str], reference: str
) -> list[ClaimUpdate]:
	errors = _set_errors(set_ack)
	noted = " Errors were noted but do not stop the claim." if any(e.text for e in errors) else ""
	return [
		ClaimUpdate(
			claim_id=claim_id,
			outcome=OUTCOME_ACCEPTED,
			new_status=claim_status.ACCEPTED_BY_CLEARINGHOUSE,
			message=f"Accepted by the clearinghouse: {how}.{noted}",
			details=[error.text for error in errors if error.text],
			codes=codes + [code for error in errors for code in error.codes],
			reference=reference,
		)
		for claim_id in sent.claim_ids
	]


def _undecided_set_updates(
	sent: SentTransactionSet, why: str, codes: list[str], reference: str
) -> list[ClaimUpdate]:
	return [
		ClaimUpdate(
			claim_id=claim_id,
			outcome=OUTCOME_NO_DECISION,
			new_status=None,
			message=f"No status change: {why}",
			needs_attention=True,
			codes=list(codes),
			reference=reference,
		)
		for claim_id in sent.claim_ids
	]


def _match_group(ack: FunctionalAck, index: dict[str, list[SentGroup]], where: str) -> SentGroup | Unmatched:
	number = ack.group_control_number
	candidates = index.get(_normal(number), [])
	if not candidates:
		return Unmatched(
			"999 group",
			f"{where}, group {number}",
			f"No 837P file we sent has group control number {number} (GS06); the 999 answers a file "
			"from another system or one not recorded here.",
		)
	if len(candidates) > 1:
		files = _names(group.file_name or group.interchange_control_number or "?" for group in candidates)
		return Unmatched(
			"999 group",
			f"{where}, group {number}",
			f"Group control number {number} was used by more than one file we sent ({files}); "
			"the 999 cannot be tied to one of them.",
		)
	group = candidates[0]
	if ack.functional_id and ack.functional_id != "HC":
		return Unmatched(
			"999 group",
			f"{where}, group {number}",
			f"The 999 acknowledges a functional group of type {ack.functional_id} (AK101), "
			f"but group {number} we sent holds claims (HC).",
		)
	# Addenda aside (005010X222 and 005010X222A1 are both 837P), the guides must agree.
	if ack.version and group.version and ack.version[:10] != group.version[:10]:
		return Unmatched(
			"999 group",
			f"{where}, group {number}",
			f"The 999 acknowledges a {ack.version} group (AK103), but group {number} we sent "
			f"is {group.version}; it answers another file with the same number.",
		)
	return group


def apply_999(acks: Iterable[FunctionalAck], sent_groups: Iterable[SentGroup]) -> AcknowledgementResult:
	"""Per claim of every file a 999 answers: accepted or rejected by the clearinghouse, and why."""
	index: dict[str, list[SentGroup]] = {}
	for group in sent_groups:
		index.setdefault(_normal(group.group_control_number), []).append(group)
	result = AcknowledgementResult()
	for ack in acks:
		where = f"999 {ack.control_number}"
		matched = _match_group(ack, index, where)
		if isinstance(matched, Unmatched):
			result.unmatched.append(matched)
			continue
		_apply_group(ack, matched, where, result)
	return result


def _apply_group(ack: FunctionalAck, group: SentGroup, where: str, result: AcknowledgementResult) -> None:
	gcn = group.group_control_number
	ours = {_normal(sent.control_number): sent for sent in group.transaction_sets}
	listed: dict[str, TransactionSetAck] = {}
	for set_ack in ack.transaction_sets:
		number = _normal(set_ack.control_number)
		if number not in ours or (set_ack.set_id and set_ack.set_id != "837"):
			result.unmatched.append(
				Unmatched(
					"999 transaction set",
					f"{where}, group {gcn}, set {set_ack.control_number}",
					f"Group {gcn} we sent has no {set_ack.set_id or 'transaction'} set with control number "
					f"{set_ack.control_number} (ST02).",
				)
			)
			continue
		listed[number] = set_ack
	group_codes = [
		f"AK9:{ack.ack_code}",
		*(f"AK9{i:02d}:{code}" for i, code in enumerate(ack.error_codes, 5)),
	]
	group_errors = ack.error_descriptions
	rejected_listed = sum(1 for set_ack in listed.values() if not set_ack.accepted)
	for number, sent in ours.items():
		set_ack = listed.get(number)
		reference = f"{where}, group {gcn}, set {sent.control_number}"
		codes = group_codes + ([f"IK5:{set_ack.ack_code}"] if set_ack else [])
		if ack.ack_code in REJECTED_ACK_CODES:
			cause = f"the 999 rejected the whole functional group {gcn} ({ack.ack_description})"
			errors = [_SetError(f"functional group: {text}") for text in group_errors] + _set_errors(set_ack)
			result.updates.extend(_rejected_set_updates(sent, errors, cause, codes, reference))
		elif set_ack is not None and set_ack.ack_code in REJECTED_ACK_CODES:
			cause = f"the 999 rejected transaction set {sent.control_number} ({set_ack.ack_description})"
			result.updates.extend(_rejected_set_updates(sent, _set_errors(set_ack), cause, codes, reference))
		elif set_ack is not None and set_ack.accepted:
			how = f"the 999 accepted transaction set {sent.control_number} ({set_ack.ack_description})"
			result.updates.extend(_accepted_set_updates(sent, set_ack, how, codes, reference))
		elif set_ack is not None:
			why = f"the 999 answers set {sent.control_number} with code {set_ack.ack_code!r}, which this app does not know."
			result.updates.extend(_undecided_set_updates(sent, why, codes, reference))
		elif ack.ack_code in ACCEPTED_ACK_CODES:
			how = f"the 999 accepted functional group {gcn} ({ack.ack_description})"
			result.updates.extend(_accepted_set_updates(sent, None, how, codes, reference))
		elif ack.ack_code == PARTIAL_ACK_CODE and rejected_listed == ack.sets_received - ack.sets_accepted:
			how = (
				f"the 999 partially accepted group {gcn}; every rejected set is listed and "
				f"set {sent.control_number} is not among them"
			)
			result.updates.extend(_accepted_set_updates(sent, None, how, codes, reference))
		else:
			why = (
				f"the 999 answers group {gcn} with AK9 {ack.ack_code} ({ack.ack_description}) but does not say "
				f"whether set {sent.control_number} was accepted; ask the clearinghouse."
			)
			result.updates.extend(_undecided_set_updates(sent, why, codes, reference))


# --- 277CA --------------------------------------------------------------------------------------


def _strip_usage(text: str) -> str:
	return text.split(" Usage:")[0].strip()


def _short(description: str) -> str:
	"""``Acknowledgement/Receipt-The claim...`` -> ``Acknowledgement/Receipt``."""
	return description.split("-")[0].strip().rstrip(".")


def describe_status_code(code: StatusCode) -> str:
	"""One STC composite in words: ``A7:562:85 (billing provider): Acknowledgement/...; Entity's NPI``."""
	raw = ":".join(part for part in (code.category, code.status, code.entity) if part)
	category = code_lists.describe_claim_status_category(code.category)
	words = category if category else f"category {code.category} is not in the claim status category list"
	if code.status:
		status = code_lists.describe_claim_status(code.status)
		words += f"; {_strip_usage(status)}" if status else f"; status code {code.status} is not in the list"
	entity = ENTITY_NAMES.get(code.entity, f"entity {code.entity}") if code.entity else ""
	return f"{raw}{f' ({entity})' if entity else ''}: {words}"


def category_outcome(category: str) -> str:
	"""OUTCOME_ACCEPTED, OUTCOME_REJECTED or OUTCOME_NO_DECISION for one claim status category code."""
	if category in REJECTED_CATEGORIES:
		return OUTCOME_REJECTED
	if category in ACCEPTED_CATEGORIES:
		return OUTCOME_ACCEPTED
	return OUTCOME_NO_DECISION


def payer_outcome(statuses: list[StatusInfo]) -> tuple[str, StatusCode | None]:
	"""The verdict of a claim's STCs and the code that decided it (None when STC03 decided or nothing did)."""
	codes = [code for status in statuses for code in status.codes]
	for wanted in (OUTCOME_REJECTED, OUTCOME_ACCEPTED):
		for code in codes:
			if category_outcome(code.category) == wanted:
				return wanted, code
	known = any(code.category in INFORMATIONAL_CATEGORIES for code in codes)
	actions = {status.action_code for status in statuses}
	if not known:
		if ACTION_REJECT in actions:
			return OUTCOME_REJECTED, None
		if ACTION_ACCEPT in actions:
			return OUTCOME_ACCEPTED, None
	return OUTCOME_NO_DECISION, None


def _line_details(claim: ClaimAcknowledgement) -> list[str]:
	details = []
	for number, line in enumerate(claim.lines, start=1):
		procedure = (
			":".join([line.procedure_code, *line.modifiers]) if line.procedure_code else "no procedure"
		)
		for status in line.statuses:
			for code in status.codes:
				details.append(f"Service line {number} ({procedure}): {describe_status_code(code)}")
	return details


def _claim_update(claim: ClaimAcknowledgement, claim_id: str, where: str) -> ClaimUpdate:
	outcome, deciding = payer_outcome(claim.statuses)
	codes = [":".join(part for part in (c.category, c.status, c.entity) if part) for c in claim.codes]
	details = [describe_status_code(code) for code in claim.codes]
	details += [f"Message: {status.message}" for status in claim.statuses if status.message]
	details += _line_details(claim)
	when = f" on {claim.status_date.isoformat()}" if claim.status_date else ""
	if deciding is not None:
		category = code_lists.describe_claim_status_category(deciding.category) or deciding.category
		basis = f"{deciding.category} {_short(category)}"
	else:
		basis = f"action code {claim.action_code or '(none)'} (STC03); status category {claim.status_category} is unknown"
	number = f" Payer claim number {claim.payer_claim_number}." if claim.payer_claim_number else ""
	if outcome == OUTCOME_ACCEPTED:
		message = f"Accepted by the payer ({where}{when}): {basis}.{number}"
		new_status = claim_status.ACCEPTED_BY_PAYER
		attention = False
	elif outcome == OUTCOME_REJECTED:
		message = f"Rejected by the payer ({where}{when}): {basis}. Correct the claim and send it again."
		new_status = claim_status.REJECTED_BY_PAYER
		attention = True
	else:
		first = claim.status_category
		message = f"No status change ({where}{when}): status category {first} neither accepts nor rejects the claim."
		new_status = None
		attention = not all(code.category.startswith("F") for code in claim.codes)
	return ClaimUpdate(
		claim_id=claim_id,
		outcome=outcome,
		new_status=new_status,
		message=message,
		details=details,
		needs_attention=attention,
		codes=codes,
		reference=f"{where}, claim {claim_id}",
		payer_claim_number=claim.payer_claim_number,
		charge=claim.charge,
		status_date=claim.status_date,
	)


def _level_rejections(report: ClaimAcknowledgementReport, where: str) -> list[Unmatched]:
	"""Receiver or provider levels that reject claims without listing any claim under them."""
	found = []
	for level in report.providers:
		outcome, _ = payer_outcome(level.statuses)
		if outcome != OUTCOME_REJECTED:
			continue
		if any(claim.provider is level or claim.receiver is level for claim in report.claims):
			continue
		label = "information receiver" if level.level == "information_receiver" else "billing provider"
		codes = "; ".join(describe_status_code(code) for status in level.statuses for code in status.codes)
		count = f" {level.rejected_quantity} claim(s)" if level.rejected_quantity is not None else " claims"
		amount = f" for {level.rejected_amount}" if level.rejected_amount is not None else ""
		found.append(
			Unmatched(
				"277CA level",
				f"{where}, {label} {level.id or level.hierarchical_id}",
				f"The {label} level rejects{count}{amount} without listing which: {codes}.",
			)
		)
	return found


def apply_277ca(
	reports: Iterable[ClaimAcknowledgementReport],
	known_claim_ids: Collection[str] | Callable[[str], bool],
) -> AcknowledgementResult:
	"""Per claim a 277CA lists: accepted or rejected by the payer, in words; unknown claims are unmatched.

	``known_claim_ids`` is the set of claim ids we sent, or a callable answering whether one exists.
	"""
	known = known_claim_ids if callable(known_claim_ids) else known_claim_ids.__contains__
	result = AcknowledgementResult()
	for report in reports:
		where = f"277CA {report.control_number}"
		for claim in report.claims:
			claim_id = claim.claim_id.strip()
			if not known(claim_id):
				when = f" dated {claim.status_date.isoformat()}" if claim.status_date else ""
				result.unmatched.append(
					Unmatched(
						"277CA claim",
						f"{where}, claim {claim_id}",
						f"No claim we sent has the patient control number {claim_id} (TRN02); its status "
						f"{claim.status_category}{when} is not applied.",
					)
				)
				continue
			result.updates.append(_claim_update(claim, claim_id, where))
		result.unmatched.extend(_level_rejections(report, where))
	return result


def refuse_incomplete(transactions) -> None:
	"""Raise ``X12Error`` naming what is missing when any transaction set was cut short."""
	missing = [str(problem) for t in transactions if not t.complete for problem in t.problems]
	if any(not t.complete for t in transactions):
		raise X12Error(
			"the file ends before its trailers, so nothing from it is applied: "
			+ ("; ".join(missing) or "missing SE/GE/IEA")
		)


def apply_response_file(
	data: bytes,
	sent_groups: Iterable[SentGroup],
	known_claim_ids: Collection[str] | Callable[[str], bool],
) -> AcknowledgementResult:
	"""Read a response file and apply its 999 and 277CA transaction sets, in file order.

	Other transaction sets (an 835, an 837P) are reported as unmatched: they belong elsewhere.
	Raises ``X12Error`` when the file cannot be read, or when it ends before its SE/GE/IEA trailers:
	a cut-short acknowledgement may be missing claims, so nothing from it is applied.
	"""
	transactions = read_document(data)
	refuse_incomplete(transactions)
	groups = list(sent_groups)
	result = AcknowledgementResult()
	for transaction in transactions:
		if transaction.type == TYPE_999:
			part = apply_999([transaction.content], groups)
		elif transaction.type == TYPE_277CA:
			part = apply_277ca([transaction.content], known_claim_ids)
		else:
			where = f"{transaction.type} {transaction.control_number}"
			result.unmatched.append(
				Unmatched(
					"other transaction set",
					where,
					f"Transaction set {where} (ST at segment {transaction.position}) is not a 999 or 277CA "
					"acknowledgement; it is not applied here.",
				)
			)
			continue
		result.updates.extend(part.updates)
		result.unmatched.extend(part.unmatched)
	return result


# --- status history -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedChange:
	claim_id: str
	change: claim_status.StatusChange
	update: ClaimUpdate


@dataclass(frozen=True)
class SkippedUpdate:
	claim_id: str
	reason: str
	update: ClaimUpdate


@dataclass
class StatusPlan:
	changes: list[PlannedChange] = field(default_factory=list)
	skipped: list[SkippedUpdate] = field(default_factory=list)


def plan_status_changes(
	updates: Iterable[ClaimUpdate],
	current_statuses: Mapping[str, str],
	file_reference: str,
	when: datetime.datetime,
) -> StatusPlan:
	"""The history rows a response file makes, in file order, and the updates its claims cannot take.

	``current_statuses`` maps claim id to status before the file; a claim named twice in one file
	sees its own earlier change. Updates that decide nothing (``new_status`` None) make no row.
	"""
	statuses = dict(current_statuses)
	plan = StatusPlan()
	for update in updates:
		if update.new_status is None:
			continue
		current = statuses.get(update.claim_id)
		if current is None:
			plan.skipped.append(
				SkippedUpdate(update.claim_id, f"Claim {update.claim_id} was not found.", update)
			)
			continue
		if current == update.new_status:
			plan.skipped.append(SkippedUpdate(update.claim_id, f"The claim is already {current}.", update))
			continue
		source = claim_status.StatusSource(claim_status.SOURCE_FILE, file_reference, update.message)
		try:
			change = claim_status.change_status(current, update.new_status, source, when)
		except claim_status.StatusTransitionError as error:
			plan.skipped.append(SkippedUpdate(update.claim_id, str(error), update))
			continue
		statuses[update.claim_id] = update.new_status
		plan.changes.append(PlannedChange(update.claim_id, change, update))
	return plan


# --- response file identity ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseFileKey:
	"""The natural key of a response file: its content hash and its envelope control numbers."""

	sha256: str
	sender_ids: tuple[str, ...]  # ISA06 of each interchange
	interchange_control_numbers: tuple[str, ...]  # ISA13
	group_control_numbers: tuple[str, ...]  # GS06
	transaction_set_control_numbers: tuple[str, ...]  # ST02, in file order

	@property
	def control_key(self) -> str:
		"""``sender|ISA13s|GS06s|ST02s``: the same for a re-delivered copy whose bytes differ."""
		return "|".join(
			",".join(part)
			for part in (
				self.sender_ids,
				self.interchange_control_numbers,
				self.group_control_numbers,
				self.transaction_set_control_numbers,
			)
		)

	@property
	def control_digest(self) -> str:
		"""sha256 of ``control_key``: fixed length, for a unique index."""
		return hashlib.sha256(self.control_key.encode()).hexdigest()

	def __str__(self) -> str:
		return f"{self.sha256}|{self.control_key}"


def response_file_key(data: bytes) -> ResponseFileKey:
	"""The key of a response file; raises ``X12Error`` when its envelopes are broken."""
	senders: list[str] = []
	interchanges: list[str] = []
	groups: list[str] = []
	sets: list[str] = []
	last_interchange = last_group = None
	for transaction in iter_transaction_sets(data):
		group = transaction.group
		if group is not last_group:
			last_group = group
			groups.append(group.control_number)
			if group.interchange is not last_interchange:
				last_interchange = group.interchange
				senders.append(group.interchange.sender_id)
				interchanges.append(group.interchange.control_number)
		sets.append(transaction.control_number)
	return ResponseFileKey(
		sha256=hashlib.sha256(data).hexdigest(),
		sender_ids=tuple(senders),
		interchange_control_numbers=tuple(interchanges),
		group_control_numbers=tuple(groups),
		transaction_set_control_numbers=tuple(sets),
	)


def duplicate_reason(key: ResponseFileKey, earlier: Iterable[ResponseFileKey]) -> str | None:
	"""Why ``key`` repeats a file processed before, or None when it is new.

	Same bytes is a duplicate; so is a different copy with the same sender and control numbers
	(ISA13 is unique per sender, so a resent interchange keeps it).
	"""
	for seen in earlier:
		if seen.sha256 == key.sha256:
			return "This file was processed before (identical content)."
		if key.interchange_control_numbers and seen.control_key == key.control_key:
			return (
				f"A file with the same sender and control numbers (ISA13 "
				f"{', '.join(key.interchange_control_numbers)}) was processed before."
			)
	return None
