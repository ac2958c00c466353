"""Rules for "Duplicate & Resubmit" and "Void": which claim frequency to send and with which number.

A payer that took a claim into adjudication knows it by its own claim number (277CA REF*1K, 835
CLP07). A correction of such a claim is a replacement (frequency 7) and a cancellation is a void
(frequency 8); both carry that number in REF*F8. A claim the payer never accepted (rejected by the
clearinghouse or the payer) does not exist for the payer: it is sent again as a fresh original
(frequency 1). ``plan_resubmission`` and ``plan_void`` apply these rules to the original claim's state,
``resubmission_claim_id`` names the new claim (``CB-000123`` -> ``CB-000123-R1`` -> ``CB-000123-R2``)
and ``corrected_claim`` builds it.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from claims_billing.core import claim_status
from claims_billing.x12.claim import FREQUENCY_ORIGINAL, FREQUENCY_REPLACEMENT, FREQUENCY_VOID, Claim

MAX_CLAIM_ID_LENGTH = 20  # CLM01 as payers keep it
MAX_RESUBMISSIONS = 99
_RESUBMISSION_SUFFIX = re.compile(r"-R(\d+)$")

# Not sent yet: edit the claim itself instead.
_UNSENT = frozenset({claim_status.DRAFT, claim_status.QUEUED})
# Sent, but no verdict from the payer yet: a second copy now could reach the payer as a duplicate.
_IN_FLIGHT = frozenset({claim_status.SUBMITTED, claim_status.ACCEPTED_BY_CLEARINGHOUSE})


class CorrectionError(ValueError):
	"""A correction that cannot be made; the message says why and what to do instead."""


@dataclass(frozen=True)
class OriginalClaimState:
	"""What the correction rules need to know about the claim being corrected or voided."""

	claim_id: str
	status: str
	payer_claim_number: str = ""  # from the 277CA (REF*1K) or the ERA (CLP07)
	payer_accepted: bool = False  # the caller knows the payer holds it (overrides the history)
	history: tuple[str, ...] = ()  # earlier statuses, oldest first, to tell acceptance and voids

	@property
	def payer_holds_claim(self) -> bool:
		return self.payer_accepted or claim_status.payer_holds_claim((*self.history, self.status))

	@property
	def voided(self) -> bool:
		return self.status == claim_status.VOID or claim_status.VOID in self.history


@dataclass(frozen=True)
class CorrectionPlan:
	"""The frequency (CLM05-3) and original claim number (REF*F8) of the new claim, and why."""

	frequency: str
	original_claim_number: str
	explanation: str


def _check_status(original: OriginalClaimState) -> None:
	if original.status not in claim_status.STATUSES:
		raise CorrectionError(f"Claim {original.claim_id}: {original.status!r} is not a claim status.")


def plan_resubmission(original: OriginalClaimState) -> CorrectionPlan:
	"""How to send a corrected copy of ``original``: a replacement (7) or a fresh original (1)."""
	_check_status(original)
	claim_id, status = original.claim_id, original.status
	if status in _UNSENT:
		raise CorrectionError(
			f"Claim {claim_id} is {status} and has not been sent: edit it instead of copying it."
		)
	if status in _IN_FLIGHT:
		raise CorrectionError(
			f"Claim {claim_id} is {status}: the payer has not answered yet. Wait for its acknowledgement, "
			"or a copy sent now may be denied as a duplicate."
		)
	if original.voided:
		return CorrectionPlan(
			FREQUENCY_ORIGINAL,
			"",
			f"Claim {claim_id} was voided, so the payer no longer holds it: the new claim is a fresh original.",
		)
	number = original.payer_claim_number.strip()
	if original.payer_holds_claim:
		if not number:
			raise CorrectionError(
				f"The payer accepted claim {claim_id} but its payer claim number is not recorded. A correction "
				"must name it (frequency 7, REF*F8): find it on the 277CA or the ERA, or ask the payer, "
				"and record it on the claim first."
			)
		return CorrectionPlan(
			FREQUENCY_REPLACEMENT,
			number,
			f"The payer accepted claim {claim_id} as {number}: the new claim replaces it (frequency 7).",
		)
	return CorrectionPlan(
		FREQUENCY_ORIGINAL,
		"",
		f"The payer never accepted claim {claim_id}: the new claim is sent as a fresh original (frequency 1).",
	)


def plan_void(original: OriginalClaimState) -> CorrectionPlan:
	"""How to cancel ``original`` at the payer: a void (frequency 8) naming the payer's claim number."""
	_check_status(original)
	claim_id, status = original.claim_id, original.status
	if original.voided:
		raise CorrectionError(f"Claim {claim_id} has already been voided.")
	if status in _UNSENT:
		raise CorrectionError(
			f"Claim {claim_id} is {status} and has not been sent: there is nothing to void at the payer. "
			"Cancel it here instead."
		)
	if status in _IN_FLIGHT:
		raise CorrectionError(
			f"Claim {claim_id} is {status}: the payer has not accepted it yet, so there is nothing to void. "
			"Wait for the payer's acknowledgement."
		)
	number = original.payer_claim_number.strip()
	if not original.payer_holds_claim:
		raise CorrectionError(
			f"The payer never accepted claim {claim_id}, so it cannot be voided electronically: a rejected "
			"claim is already not on file with the payer. Close it instead; if the payer does hold it under "
			"a number, record that number (and the acceptance) first, or call the payer."
		)
	if not number:
		raise CorrectionError(
			f"Claim {claim_id} has no payer claim number, which a void must name (frequency 8, REF*F8). "
			"Find it on the 277CA or the ERA, or ask the payer, and record it on the claim first."
		)
	return CorrectionPlan(
		FREQUENCY_VOID, number, f"Claim {claim_id} is voided at the payer as {number} (frequency 8)."
	)


def resubmission_claim_id(original_id: str, taken: Collection[str] | Callable[[str], bool]) -> str:
	"""A new claim id derived from ``original_id``: ``CB-000123-R1``, then ``-R2``..., at most 20 characters.

	An id that already ends in ``-R<n>`` counts on from n. When the id would be too long, the start of
	the original is dropped (the end of a claim id is its distinctive part). ``taken`` is the set of
	ids in use, or a callable answering whether one is.
	"""
	is_taken = taken if callable(taken) else taken.__contains__
	base = original_id.strip()
	if not base:
		raise CorrectionError("The original claim id is empty.")
	found = _RESUBMISSION_SUFFIX.search(base)
	first = 1
	if found:
		base = base[: found.start()]
		first = int(found.group(1)) + 1
	for attempt in range(first, MAX_RESUBMISSIONS + 1):
		suffix = f"-R{attempt}"
		stem = base[-(MAX_CLAIM_ID_LENGTH - len(suffix)) :].lstrip("-") or base[-1]
		candidate = stem + suffix
		if not is_taken(candidate):
			return candidate
	raise CorrectionError(
		f"Claim {original_id} has been resubmitted {MAX_RESUBMISSIONS} times already; create a new claim instead."
	)


def corrected_claim(original: Claim, plan: CorrectionPlan, new_claim_id: str) -> Claim:
	"""A copy of ``original`` under ``new_claim_id`` with the plan's frequency and original claim number.

	The copy is deep: editing its lines or parties leaves the original untouched.
	"""
	if not new_claim_id or len(new_claim_id) > MAX_CLAIM_ID_LENGTH:
		raise CorrectionError(f"The new claim id must be 1 to {MAX_CLAIM_ID_LENGTH} characters.")
	if new_claim_id == original.claim_id:
		raise CorrectionError("The corrected claim needs a claim id of its own, not the original's.")
	return dataclasses.replace(
		copy.deepcopy(original),
		claim_id=new_claim_id,
		frequency=plan.frequency,
		original_claim_number=plan.original_claim_number,
		declared_charge=None,
	)
