"""The statuses an insurance claim moves through, which moves are allowed, and the history record.

A claim's status is set by code only: a staff action (Queue), a job (batch sent), a response file
(999, 277CA, 835). The one exception is a *manual override* by a Billing Manager after phone or paper
follow-up; it needs a reason and is marked as manual in the history. Whether the user holds the
Billing Manager role is checked by the Frappe layer; this module checks the move itself.

``TRANSITIONS`` maps ``(from, to)`` to the source kinds that may make that move without an override;
``MANUAL_TRANSITIONS`` maps each status to the statuses a manual override may set from it. Both are
plain data so the list view and form scripts can mirror them (``transition_table()``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

DRAFT = "Draft"
QUEUED = "Queued"
SUBMITTED = "Submitted"
ACCEPTED_BY_CLEARINGHOUSE = "Accepted by Clearinghouse"
REJECTED_BY_CLEARINGHOUSE = "Rejected by Clearinghouse"
ACCEPTED_BY_PAYER = "Accepted by Payer"
REJECTED_BY_PAYER = "Rejected by Payer"
PAID = "Paid"
PARTIALLY_PAID = "Partially Paid"
DENIED = "Denied"
CLOSED = "Closed"
VOID = "Void"  # a frequency-8 claim voiding this one has been sent
REVERSED = "Reversed"  # the payer took its adjudication back on an ERA (CLP02 = 22)

STATUSES = (
	DRAFT,
	QUEUED,
	SUBMITTED,
	ACCEPTED_BY_CLEARINGHOUSE,
	REJECTED_BY_CLEARINGHOUSE,
	ACCEPTED_BY_PAYER,
	REJECTED_BY_PAYER,
	PAID,
	PARTIALLY_PAID,
	DENIED,
	CLOSED,
	VOID,
	REVERSED,
)

# Who or what made a change.
SOURCE_USER = "user"  # a staff action, or a manual override
SOURCE_FILE = "file"  # a response file: 999, 277CA, 835
SOURCE_JOB = "job"  # a scheduled or queued job (batching, sending)
SOURCE_KINDS = (SOURCE_USER, SOURCE_FILE, SOURCE_JOB)

# Frappe indicator colours (frappe/public/scss/common/indicator.scss) for the list view.
INDICATOR_COLOURS = {
	DRAFT: "gray",
	QUEUED: "light-blue",
	SUBMITTED: "blue",
	ACCEPTED_BY_CLEARINGHOUSE: "cyan",
	REJECTED_BY_CLEARINGHOUSE: "red",
	ACCEPTED_BY_PAYER: "purple",
	REJECTED_BY_PAYER: "red",
	PAID: "green",
	PARTIALLY_PAID: "orange",
	DENIED: "red",
	CLOSED: "darkgrey",
	VOID: "gray",
	REVERSED: "pink",
}

# Statuses in which a payer has taken the claim into its adjudication system.
PAYER_ACCEPTED_STATUSES = frozenset({ACCEPTED_BY_PAYER, PAID, PARTIALLY_PAID, DENIED, REVERSED, VOID})
REJECTED_STATUSES = frozenset({REJECTED_BY_CLEARINGHOUSE, REJECTED_BY_PAYER})

_USER = frozenset({SOURCE_USER})
_FILE = frozenset({SOURCE_FILE})
_JOB = frozenset({SOURCE_JOB})
_USER_OR_JOB = frozenset({SOURCE_USER, SOURCE_JOB})

_ADJUDICATED = (PAID, PARTIALLY_PAID, DENIED)


def _moves(sources: frozenset[str], starts: Iterable[str], ends: Iterable[str]) -> dict:
	ends = tuple(ends)
	return {(start, end): sources for start in starts for end in ends if start != end}


TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
	# Preparing and sending.
	(DRAFT, QUEUED): _USER_OR_JOB,  # scrubbed clean
	(QUEUED, DRAFT): _USER_OR_JOB,  # taken back for editing, or the writer refused it
	(QUEUED, SUBMITTED): _JOB,  # its 837P batch was uploaded
	# 999: the clearinghouse's syntax check.
	**_moves(_FILE, (SUBMITTED,), (ACCEPTED_BY_CLEARINGHOUSE, REJECTED_BY_CLEARINGHOUSE)),
	# 277CA: the payer's (or clearinghouse's) claim acknowledgement; it may come without a 999 first,
	# and a payer may reject a claim its clearinghouse had already acknowledged.
	**_moves(_FILE, (SUBMITTED, ACCEPTED_BY_CLEARINGHOUSE), (ACCEPTED_BY_PAYER, REJECTED_BY_PAYER)),
	(ACCEPTED_BY_PAYER, REJECTED_BY_PAYER): _FILE,
	# 835: adjudication, also when an acknowledgement never came; a later ERA may pay more after an
	# appeal or re-processing.
	**_moves(_FILE, (SUBMITTED, ACCEPTED_BY_CLEARINGHOUSE, ACCEPTED_BY_PAYER), _ADJUDICATED),
	**_moves(_FILE, (PARTIALLY_PAID, DENIED), _ADJUDICATED),
	**_moves(_FILE, (PAID, PARTIALLY_PAID, DENIED, CLOSED, VOID), (REVERSED,)),
	**_moves(_FILE, (REVERSED,), _ADJUDICATED),
	# A frequency-8 claim voiding this one was sent.
	**_moves(_USER_OR_JOB, (ACCEPTED_BY_PAYER, *_ADJUDICATED, CLOSED), (VOID,)),
	# Settled, replaced by a corrected claim, or given up.
	**_moves(
		_USER_OR_JOB,
		(REJECTED_BY_CLEARINGHOUSE, REJECTED_BY_PAYER, ACCEPTED_BY_PAYER, *_ADJUDICATED, VOID, REVERSED),
		(CLOSED,),
	),
}

# What a Billing Manager may set by hand, with a reason. Never back to Draft or Queued (the claim may
# already be at the payer: use Duplicate & Resubmit), never Void (only a sent frequency-8 claim voids)
# and never Reversed (only an ERA reverses). An unsent claim may only be marked as sent on paper.
_MANUAL_TARGETS = (
	SUBMITTED,
	ACCEPTED_BY_CLEARINGHOUSE,
	REJECTED_BY_CLEARINGHOUSE,
	ACCEPTED_BY_PAYER,
	REJECTED_BY_PAYER,
	PAID,
	PARTIALLY_PAID,
	DENIED,
	CLOSED,
)
MANUAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
	status: ((SUBMITTED,) if status in (DRAFT, QUEUED) else tuple(t for t in _MANUAL_TARGETS if t != status))
	for status in STATUSES
}


class StatusTransitionError(ValueError):
	"""A status change that is not allowed; the message is a plain sentence for staff."""

	def __init__(self, message: str, current: str, new: str, source_kind: str):
		super().__init__(message)
		self.current = current
		self.new = new
		self.source_kind = source_kind


@dataclass(frozen=True, slots=True)
class StatusSource:
	"""Who or what asks for a change: ``kind`` user/file/job, ``reference`` a file name, user or job.

	``reason`` is required for a manual override and kept in the history for every change.
	"""

	kind: str
	reference: str = ""
	reason: str = ""


@dataclass(frozen=True, slots=True)
class StatusChange:
	"""One row of a claim's status history."""

	from_status: str
	to_status: str
	when: datetime.datetime
	source_kind: str
	source_reference: str = ""
	reason: str = ""
	manual: bool = False  # a Billing Manager's override rather than a regular step


def _check_status(status: str, role: str, current: str, new: str, source_kind: str) -> None:
	if status not in STATUSES:
		raise StatusTransitionError(
			f"{status!r} is not a claim status (the {role} status); known statuses: {', '.join(STATUSES)}.",
			current,
			new,
			source_kind,
		)


def _allowed_next(current: str) -> str:
	steps = sorted({end for (start, end) in TRANSITIONS if start == current}, key=STATUSES.index)
	return ", ".join(steps) if steps else "none"


def is_manual_override(current: str, new: str, source: StatusSource) -> bool:
	"""Whether moving ``current`` -> ``new`` for ``source`` counts as a manual override (not a regular step)."""
	return source.kind not in TRANSITIONS.get((current, new), frozenset())


def transition(current: str, new: str, source: StatusSource) -> None:
	"""Check that ``source`` may move a claim from ``current`` to ``new``; raise ``StatusTransitionError`` if not.

	A regular step needs only the right kind of source (a 999 moves Submitted to Accepted by
	Clearinghouse, a user does not). Anything else listed in ``MANUAL_TRANSITIONS`` is a manual override:
	it needs a user and a reason.
	"""
	kind = source.kind
	if kind not in SOURCE_KINDS:
		raise StatusTransitionError(
			f"{kind!r} is not a source of status changes; use one of {', '.join(SOURCE_KINDS)}.",
			current,
			new,
			kind,
		)
	_check_status(current, "current", current, new, kind)
	_check_status(new, "new", current, new, kind)
	if current == new:
		raise StatusTransitionError(f"The claim is already {current}.", current, new, kind)
	regular = TRANSITIONS.get((current, new), frozenset())
	if kind in regular:
		return
	if new in MANUAL_TRANSITIONS[current]:
		if kind != SOURCE_USER:
			who = f"a {' or '.join(sorted(regular))}, or " if regular else "only "
			raise StatusTransitionError(
				f"A {kind} cannot move a claim from {current} to {new}; {who}a Billing Manager can, "
				"as a manual override with a reason.",
				current,
				new,
				kind,
			)
		if not source.reason.strip():
			raise StatusTransitionError(
				f"Moving a claim from {current} to {new} by hand is a manual override: give the reason "
				"(for example the payer call or letter it is based on).",
				current,
				new,
				kind,
			)
		return
	if regular:
		who = " or ".join(sorted(regular))
		raise StatusTransitionError(
			f"Only a {who} can move a claim from {current} to {new}, not a {kind}.", current, new, kind
		)
	raise StatusTransitionError(
		f"A claim cannot go from {current} to {new}. From {current} it can go to: {_allowed_next(current)}.",
		current,
		new,
		kind,
	)


def change_status(current: str, new: str, source: StatusSource, when: datetime.datetime) -> StatusChange:
	"""Check the move (``transition``) and return the history row that records it."""
	transition(current, new, source)
	return StatusChange(
		from_status=current,
		to_status=new,
		when=when,
		source_kind=source.kind,
		source_reference=source.reference,
		reason=source.reason.strip(),
		manual=is_manual_override(current, new, source),
	)


def is_allowed(current: str, new: str, source: StatusSource) -> bool:
	"""``transition`` as a yes/no question."""
	try:
		transition(current, new, source)
	except StatusTransitionError:
		return False
	return True


def payer_holds_claim(history: Iterable[str]) -> bool:
	"""Whether, after these statuses (oldest first, current last), the payer holds the claim.

	An acceptance, payment, denial or void means it does; a later rejection means it does not (an
	A1 receipt from a clearinghouse followed by the payer's A3, for example).
	"""
	holds = False
	for status in history:
		if status in PAYER_ACCEPTED_STATUSES:
			holds = True
		elif status in REJECTED_STATUSES:
			holds = False
	return holds


def list_indicator(status: str) -> tuple[str, str, str]:
	"""What Frappe's list view ``get_indicator`` returns: label, colour and filter."""
	if status not in INDICATOR_COLOURS:
		raise ValueError(f"{status!r} is not a claim status")
	return status, INDICATOR_COLOURS[status], f"status,=,{status}"


def transition_table() -> dict:
	"""Both tables as JSON-ready data for client scripts.

	``{"regular": {from: {to: [source kinds]}}, "manual": {from: [to, ...]}, "colours": {status: colour}}``
	"""
	regular: dict[str, dict[str, list[str]]] = {status: {} for status in STATUSES}
	for (start, end), kinds in TRANSITIONS.items():
		regular[start][end] = sorted(kinds)
	return {
		"regular": regular,
		"manual": {status: list(targets) for status, targets in MANUAL_TRANSITIONS.items()},
		"colours": dict(INDICATOR_COLOURS),
	}
