"""Which claims need a follow-up call or action, and why ("Needs Follow-up").

Two questions, each with a sentence per claim:

* **No response.** A sent claim still waiting for the payer (Submitted, Accepted by Clearinghouse,
  Accepted by Payer, Reversed) with no response file for ``days_without_response`` days, counted from
  the later of its submission and its last response.
* **Timely filing.** A claim the payer does not hold yet (not sent, in flight, or rejected) whose
  filing deadline (first date of service + the payer's timely filing days) is within
  ``near_limit_days`` or already past. Once a payer accepted the claim the limit is met.

Days are calendar days; a claim waiting exactly ``days_without_response`` days is due. Results
come most urgent first: past the limit, then nearest to it, then longest without a response.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from claims_billing.core import claim_status

DEFAULT_DAYS_WITHOUT_RESPONSE = 30
DEFAULT_NEAR_LIMIT_DAYS = 15

REASON_NO_RESPONSE = "no response"
REASON_NEAR_LIMIT = "near timely filing limit"
REASON_PAST_LIMIT = "past timely filing limit"
REASON_MISSING_DATE = "missing date"

# Sent and waiting for the payer's next word (an acknowledgement or an ERA).
AWAITING_RESPONSE = frozenset(
	{
		claim_status.SUBMITTED,
		claim_status.ACCEPTED_BY_CLEARINGHOUSE,
		claim_status.ACCEPTED_BY_PAYER,
		claim_status.REVERSED,
	}
)
# Not (or no longer) held by the payer: the timely filing clock still runs.
FILING_OPEN = frozenset(
	{
		claim_status.DRAFT,
		claim_status.QUEUED,
		claim_status.SUBMITTED,
		claim_status.ACCEPTED_BY_CLEARINGHOUSE,
		claim_status.REJECTED_BY_CLEARINGHOUSE,
		claim_status.REJECTED_BY_PAYER,
	}
)

_WAITING_FOR = {
	claim_status.SUBMITTED: "with no acknowledgement from the clearinghouse or the payer since",
	claim_status.ACCEPTED_BY_CLEARINGHOUSE: "accepted by the clearinghouse, with no word from the payer since",
	claim_status.ACCEPTED_BY_PAYER: "accepted by the payer, with no payment or denial since",
	claim_status.REVERSED: "reversed by the payer, with no new payment or denial since",
}


class FollowUpError(ValueError):
	"""Settings or claim data that cannot be checked; the message names the field."""


@dataclass(frozen=True)
class FollowUpClaim:
	"""What the follow-up check needs to know about one claim."""

	claim_id: str
	status: str
	service_date: datetime.date  # the first date of service: the timely filing clock starts there
	submitted_on: datetime.date | None = None
	last_response_on: datetime.date | None = None  # the latest 999, 277CA or ERA for it
	timely_filing_days: int | None = None  # the payer's limit; None or 0 when not set


@dataclass
class FollowUpItem:
	"""One claim that needs attention, with every reason found."""

	claim_id: str
	status: str
	reasons: list[str] = field(default_factory=list)  # REASON_* codes
	sentences: list[str] = field(default_factory=list)  # one per reason, for staff
	days_waiting: int | None = None  # since submission or the last response
	filing_deadline: datetime.date | None = None
	days_left: int | None = None  # until the filing deadline; negative when past

	@property
	def summary(self) -> str:
		return " ".join(self.sentences)


def _day(value: datetime.date) -> str:
	return value.isoformat()


def _days(count: int) -> str:
	return f"{count} day" if count == 1 else f"{count} days"


def _check_settings(today, days_without_response: int, near_limit_days: int) -> None:
	if not isinstance(today, datetime.date) or isinstance(today, datetime.datetime):
		raise FollowUpError(f"today: expected a date, got {type(today).__name__}.")
	for name, value in (
		("days_without_response", days_without_response),
		("near_limit_days", near_limit_days),
	):
		if isinstance(value, bool) or not isinstance(value, int) or value < 0:
			raise FollowUpError(f"{name}: expected a whole number of days (0 or more), got {value!r}.")
	if days_without_response < 1:
		raise FollowUpError("days_without_response: must be at least 1 day.")


def _check_claim(claim: FollowUpClaim, path: str) -> None:
	if claim.status not in claim_status.STATUSES:
		raise FollowUpError(
			f"{path}.status: {claim.status!r} is not a claim status (claim {claim.claim_id})."
		)
	for name in ("service_date", "submitted_on", "last_response_on"):
		value = getattr(claim, name)
		if value is None and name != "service_date":
			continue
		if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
			raise FollowUpError(f"{path}.{name}: expected a date (claim {claim.claim_id}).")
	days = claim.timely_filing_days
	if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
		raise FollowUpError(
			f"{path}.timely_filing_days: expected a whole number of days (claim {claim.claim_id})."
		)


def _no_response(claim: FollowUpClaim, item: FollowUpItem, today: datetime.date, threshold: int) -> None:
	if claim.status not in AWAITING_RESPONSE:
		return
	dates = [d for d in (claim.submitted_on, claim.last_response_on) if d is not None]
	if not dates:
		item.reasons.append(REASON_MISSING_DATE)
		item.sentences.append(
			f"Status is {claim.status} but no submission date is recorded, so its wait cannot be measured."
		)
		return
	since = max(dates)
	waited = (today - since).days
	item.days_waiting = waited
	if waited < threshold:
		return
	event = (
		"Last response" if claim.last_response_on is not None and since == claim.last_response_on else "Sent"
	)
	item.reasons.append(REASON_NO_RESPONSE)
	item.sentences.append(
		f"{event} {_days(waited)} ago ({_day(since)}), {_WAITING_FOR[claim.status]}; "
		f"follow up after {_days(threshold)}."
	)


def _timely_filing(claim: FollowUpClaim, item: FollowUpItem, today: datetime.date, near: int) -> None:
	if claim.status not in FILING_OPEN or not claim.timely_filing_days:
		return
	deadline = claim.service_date + datetime.timedelta(days=claim.timely_filing_days)
	left = (deadline - today).days
	item.filing_deadline = deadline
	item.days_left = left
	limit = f"The payer's timely filing limit ({_days(claim.timely_filing_days)} from the date of service {_day(claim.service_date)})"
	if left < 0:
		item.reasons.append(REASON_PAST_LIMIT)
		item.sentences.append(
			f"{limit} passed on {_day(deadline)}, {_days(-left)} ago; the claim is {claim.status}. "
			"Only proof of timely filing (for example an earlier acknowledgement) can save it now."
		)
	elif left <= near:
		when = "today" if left == 0 else f"in {_days(left)}"
		item.reasons.append(REASON_NEAR_LIMIT)
		item.sentences.append(
			f"{limit} ends on {_day(deadline)}, {when}; the claim is {claim.status} and the payer does not hold it yet."
		)


def _urgency(item: FollowUpItem) -> tuple:
	if REASON_PAST_LIMIT in item.reasons:
		rank = 0
	elif REASON_NEAR_LIMIT in item.reasons:
		rank = 1
	elif REASON_MISSING_DATE in item.reasons:
		rank = 2
	else:
		rank = 3
	days_left = item.days_left if item.days_left is not None else 0
	return (rank, days_left, -(item.days_waiting or 0), item.claim_id)


def needs_follow_up(
	claims: Iterable[FollowUpClaim],
	today: datetime.date,
	days_without_response: int = DEFAULT_DAYS_WITHOUT_RESPONSE,
	near_limit_days: int = DEFAULT_NEAR_LIMIT_DAYS,
) -> list[FollowUpItem]:
	"""The claims that need follow-up, most urgent first, each with its reasons in words."""
	_check_settings(today, days_without_response, near_limit_days)
	items = []
	for index, claim in enumerate(claims):
		_check_claim(claim, f"claims[{index}]")
		item = FollowUpItem(claim.claim_id, claim.status)
		_no_response(claim, item, today, days_without_response)
		_timely_filing(claim, item, today, near_limit_days)
		if item.reasons:
			items.append(item)
	return sorted(items, key=_urgency)
