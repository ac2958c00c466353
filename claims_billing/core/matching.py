"""Match an ERA's claim payments to our claims, and its service payments to our claim lines.

Claims (``match_claims``), in order:

1. CLP01 (the patient control number we sent) equals one of our claim ids: matched. Payers that
   change its case or drop spaces still match, one level weaker. A CLP01 match whose patient
   contradicts ours (another member id; without ids, another last name) becomes a suggestion.
2. CLP07 (the payer's claim number) equals a payer claim number we already know for a claim
   (from an earlier ERA or a 277CA): matched.
3. Otherwise our claims for the same patient (last name or member id) with a service date in the
   payment's dates are *suggested*, best first, with the reason; staff confirm. Never automatic.

Lines (``match_lines``): by the line control number echoed in REF*6R, else by procedure code,
modifiers and date of service. The code we sent is SVC06 when the payer changed it, else SVC01.
Payers that reorder modifiers or drop some match one level weaker. A payer may bundle (one SVC
paying several of our lines, its charge their sum) or split (several SVCs for one line, the
first carrying the line's charge or all of them sharing it). Everything left over is reported with
the reason.

Reasons name codes, dates, amounts and claim ids, never patient names or member ids.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from claims_billing.x12.claim import Claim
from claims_billing.x12.remittance import ClaimPayment, ServicePayment

_ZERO = Decimal(0)

# How a claim payment was matched.
BY_CLAIM_ID = "claim id (CLP01)"
BY_CLAIM_ID_LOOSELY = "claim id (CLP01) ignoring case, spaces and punctuation"
BY_PAYER_CLAIM_NUMBER = "payer claim number (CLP07)"

MATCHED = "matched"
SUGGESTED = "suggested"
UNMATCHED = "unmatched"

# How a service payment was matched to our lines, strongest first.
LINE_BY_CONTROL_NUMBER = "line control number (REF*6R)"
LINE_EXACT = "procedure, modifiers and date"
LINE_MODIFIERS_REORDERED = "procedure and date; modifiers in another order"
LINE_MODIFIERS_DROPPED = "procedure and date; the payer dropped modifiers"
LINE_MODIFIERS_DIFFER = "procedure and date; modifiers differ"
LINE_BUNDLED = "bundled: one service payment for several lines"
LINE_SPLIT = "split: one of several service payments for a line"
LINE_UNMATCHED = "unmatched"

# Most lines a bundle search combines; a claim has at most 50 lines, usually a few per date.
MAX_BUNDLE_SIZE = 4
_NOT_WORD = re.compile(r"[^0-9A-Z]")


@dataclass(kw_only=True)
class OpenLine:
	"""One line of our claim as matching needs it."""

	procedure_code: str
	charge: Decimal
	service_date: datetime.date | None = None
	modifiers: list[str] = field(default_factory=list)
	line_control_number: str = ""
	service_date_end: datetime.date | None = None
	units: Decimal = Decimal(1)


@dataclass(kw_only=True)
class OpenClaim:
	"""One of our claims an ERA may pay or reverse (open, or posted recently), as plain data."""

	claim_id: str
	charge: Decimal
	patient_last_name: str = ""
	patient_first_name: str = ""
	member_id: str = ""
	payer_claim_numbers: list[str] = field(default_factory=list)
	service_date_from: datetime.date | None = None
	service_date_to: datetime.date | None = None
	lines: list[OpenLine] = field(default_factory=list)

	def service_dates(self) -> tuple[datetime.date | None, datetime.date | None]:
		"""From and to: as given, else from the lines."""
		starts = [line.service_date for line in self.lines if line.service_date is not None]
		ends = [line.service_date_end or line.service_date for line in self.lines if line.service_date]
		start = self.service_date_from or (min(starts) if starts else None)
		end = self.service_date_to or (max(ends) if ends else start)
		return start, end


def open_claim(claim: Claim, payer_claim_numbers: Iterable[str] = ()) -> OpenClaim:
	"""The ``OpenClaim`` of an 837P ``Claim``; the patient is the claim's patient, else the subscriber."""
	person = claim.patient if claim.patient is not None else claim.subscriber
	return OpenClaim(
		claim_id=claim.claim_id,
		charge=claim.total_charge,
		patient_last_name=person.last_name,
		patient_first_name=person.first_name,
		member_id=claim.subscriber.member_id,
		payer_claim_numbers=[n for n in payer_claim_numbers if n],
		lines=[
			OpenLine(
				procedure_code=line.procedure_code,
				charge=line.charge,
				service_date=line.service_date,
				modifiers=list(line.modifiers),
				line_control_number=line.line_control_number,
				service_date_end=line.service_date_end,
				units=line.units,
			)
			for line in claim.lines
		],
	)


# --- claims ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suggestion:
	"""A claim that may be the one paid; ``score`` counts the facts that agree (higher is better)."""

	claim_id: str
	reason: str
	score: int


@dataclass(kw_only=True)
class ClaimMatch:
	"""The answer for one claim payment (``payment_index`` in the remittance's claims)."""

	payment_index: int
	status: str  # MATCHED, SUGGESTED or UNMATCHED
	claim_id: str | None = None  # ours, when matched
	how: str = ""  # BY_CLAIM_ID, BY_CLAIM_ID_LOOSELY or BY_PAYER_CLAIM_NUMBER
	suggestions: list[Suggestion] = field(default_factory=list)
	reason: str = ""


def _loose(text: str) -> str:
	return _NOT_WORD.sub("", text.upper())


def _payment_dates(payment: ClaimPayment) -> tuple[datetime.date | None, datetime.date | None]:
	dates = [s.service_date for s in payment.services if s.service_date is not None]
	dates += [s.service_date_end for s in payment.services if s.service_date_end is not None]
	start = payment.statement_from or (min(dates) if dates else None)
	end = payment.statement_to or (max(dates) if dates else start)
	return start, end


def _payment_people(payment: ClaimPayment) -> tuple[set[str], set[str], set[str]]:
	"""Last names, first names and member ids the payment carries (patient, insured, corrected)."""
	last, first, ids = set(), set(), set()
	for party in (payment.patient, payment.corrected_patient, payment.insured):
		if party is None:
			continue
		if party.last_name:
			last.add(_loose(party.last_name))
		if party.first_name:
			first.add(_loose(party.first_name))
		if party.id:
			ids.add(_loose(party.id))
	return last, first, ids


def _patient_facts(payment: ClaimPayment, claim: OpenClaim) -> tuple[bool | None, bool | None, bool | None]:
	"""Whether last name, first name and member id agree; None when either side lacks the fact."""
	last, first, ids = _payment_people(payment)
	ours_last, ours_first, ours_id = (
		_loose(claim.patient_last_name),
		_loose(claim.patient_first_name),
		_loose(claim.member_id),
	)
	last_agrees = (ours_last in last) if last and ours_last else None
	first_agrees = (ours_first in first) if first and ours_first else None
	id_agrees = (ours_id in ids) if ids and ours_id else None
	return last_agrees, first_agrees, id_agrees


def _contradicts(payment: ClaimPayment, claim: OpenClaim) -> bool:
	"""True when the payment names someone else: another member id, or (without ids) another last name."""
	last_agrees, _, id_agrees = _patient_facts(payment, claim)
	return id_agrees is False or (id_agrees is None and last_agrees is False)


def _dates_overlap(payment: ClaimPayment, claim: OpenClaim) -> bool | None:
	start, end = _payment_dates(payment)
	ours_start, ours_end = claim.service_dates()
	if start is None or ours_start is None:
		return None
	return start <= (ours_end or ours_start) and ours_start <= (end or start)


def _suggest(payment: ClaimPayment, claims: Sequence[OpenClaim]) -> list[Suggestion]:
	found = []
	for claim in claims:
		last_agrees, first_agrees, id_agrees = _patient_facts(payment, claim)
		if not (last_agrees or id_agrees):
			continue
		if _dates_overlap(payment, claim) is not True:
			continue
		agree = []
		differ = []
		for fact, label in (
			(last_agrees, "patient last name"),
			(first_agrees, "first name"),
			(id_agrees, "member id"),
		):
			if fact:
				agree.append(label)
			elif fact is False:
				differ.append(label)
		start, end = _payment_dates(payment)
		dates = f"{start}" if start == end else f"{start} to {end}"
		agree.append(f"date of service {dates}")
		if claim.charge == payment.charge:
			agree.append(f"charge {payment.charge}")
		else:
			differ.append(f"charge ({payment.charge} paid against {claim.charge} billed)")
		reason = f"claim {claim.claim_id}: same {', '.join(agree)}"
		if differ:
			reason += f"; different {', '.join(differ)}"
		found.append(Suggestion(claim.claim_id, reason, len(agree) - len(differ)))
	found.sort(key=lambda s: -s.score)
	return found


def match_claim(payment: ClaimPayment, claims: Sequence[OpenClaim], payment_index: int = 0) -> ClaimMatch:
	"""Match one claim payment against ``claims``; see the module docstring for the order of rules."""
	by_id = [c for c in claims if c.claim_id == payment.claim_id]
	how = BY_CLAIM_ID
	if not by_id and _loose(payment.claim_id):
		by_id = [c for c in claims if _loose(c.claim_id) == _loose(payment.claim_id)]
		how = BY_CLAIM_ID_LOOSELY
	if len(by_id) == 1 and not _contradicts(payment, by_id[0]):
		return ClaimMatch(payment_index=payment_index, status=MATCHED, claim_id=by_id[0].claim_id, how=how)
	if payment.payer_claim_number:
		by_number = [c for c in claims if payment.payer_claim_number in c.payer_claim_numbers]
		if len(by_number) == 1:
			return ClaimMatch(
				payment_index=payment_index,
				status=MATCHED,
				claim_id=by_number[0].claim_id,
				how=BY_PAYER_CLAIM_NUMBER,
			)
	else:
		by_number = []
	suggestions = _suggest(payment, claims)
	if by_id:
		# One claim id on the payment but a different patient, or our id shared by several claims.
		why = (
			"names a different patient (member id or last name)"
			if len(by_id) == 1
			else f"belongs to {len(by_id)} of our claims"
		)
		for claim in by_id:
			if all(s.claim_id != claim.claim_id for s in suggestions):
				suggestions.append(
					Suggestion(claim.claim_id, f"claim {claim.claim_id}: same claim id, but it {why}", 0)
				)
		return ClaimMatch(
			payment_index=payment_index,
			status=SUGGESTED,
			suggestions=suggestions,
			reason=f"claim id {payment.claim_id} (CLP01) {why}; confirm the claim",
		)
	if len(by_number) > 1:
		suggestions += [
			Suggestion(c.claim_id, f"claim {c.claim_id}: same payer claim number", 0)
			for c in by_number
			if all(s.claim_id != c.claim_id for s in suggestions)
		]
	start, end = _payment_dates(payment)
	dates = "no dates of service" if start is None else (f"{start}" if start == end else f"{start} to {end}")
	looked_for = f"no claim has claim id {payment.claim_id} (CLP01)"
	if payment.payer_claim_number:
		if len(by_number) > 1:
			looked_for += (
				f", payer claim number {payment.payer_claim_number} (CLP07) belongs to {len(by_number)}"
			)
		else:
			looked_for += f" or payer claim number {payment.payer_claim_number} (CLP07)"
	if suggestions:
		return ClaimMatch(
			payment_index=payment_index,
			status=SUGGESTED,
			suggestions=suggestions,
			reason=f"{looked_for}; {len(suggestions)} claim(s) for the same patient and dates ({dates}) "
			"to confirm",
		)
	return ClaimMatch(
		payment_index=payment_index,
		status=UNMATCHED,
		reason=f"{looked_for}, and none is for the same patient with a service date in {dates}",
	)


def match_claims(payments: Sequence[ClaimPayment], claims: Sequence[OpenClaim]) -> list[ClaimMatch]:
	"""One ``ClaimMatch`` per claim payment, in order."""
	return [match_claim(payment, claims, index) for index, payment in enumerate(payments)]


# --- lines -------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class ServiceMatch:
	"""Which of our lines (0-based ``line_indexes``) one service payment (``service_index``) pays."""

	service_index: int
	line_indexes: list[int]
	level: str
	reason: str = ""


@dataclass(frozen=True, slots=True)
class UnmatchedLine:
	line_index: int
	reason: str


@dataclass(kw_only=True)
class LineMatching:
	"""The lines of one claim payment against one of our claims."""

	services: list[ServiceMatch]
	unmatched_lines: list[UnmatchedLine] = field(default_factory=list)

	@property
	def complete(self) -> bool:
		"""Every service payment and every line found its partner."""
		return not self.unmatched_lines and all(m.level != LINE_UNMATCHED for m in self.services)

	def lines_of(self, service_index: int) -> list[int]:
		return self.services[service_index].line_indexes

	def services_of(self, line_index: int) -> list[int]:
		return [m.service_index for m in self.services if line_index in m.line_indexes]


def _submitted(service: ServicePayment) -> tuple[str, list[str]]:
	"""The procedure code and modifiers we sent: SVC06 when the payer changed the code, else SVC01."""
	if service.submitted_procedure_code:
		return service.submitted_procedure_code, service.submitted_modifiers
	return service.procedure_code, service.modifiers


def _modifier_level(sent: list[str], paid: list[str]) -> str:
	if sent == paid:
		return LINE_EXACT
	if sorted(sent) == sorted(paid):
		return LINE_MODIFIERS_REORDERED
	if set(paid) <= set(sent):
		return LINE_MODIFIERS_DROPPED
	return LINE_MODIFIERS_DIFFER


_LEVEL_ORDER = (LINE_EXACT, LINE_MODIFIERS_REORDERED, LINE_MODIFIERS_DROPPED, LINE_MODIFIERS_DIFFER)


def _same_date(line: OpenLine, date: datetime.date | None) -> bool:
	if date is None or line.service_date is None:
		return True
	end = line.service_date_end or line.service_date
	return line.service_date <= date <= end


def _describe(service: ServicePayment, number: int) -> str:
	code, modifiers = _submitted(service)
	shown = ":".join([code, *modifiers])
	return f"service {number} ({shown}, charge {service.charge})"


def match_lines(payment: ClaimPayment, claim: OpenClaim) -> LineMatching:
	"""Pair the service payments of ``payment`` with the lines of ``claim``."""
	services = payment.services
	lines = claim.lines
	assigned: dict[int, ServiceMatch] = {}
	taken: set[int] = set()  # lines paid one-to-one or by a bundle

	def service_date(service: ServicePayment) -> datetime.date | None:
		return service.service_date or payment.statement_from

	# 1. Line control number; several services with one control number are a split line.
	by_control: dict[str, int] = {}
	for index, line in enumerate(lines):
		if line.line_control_number:
			by_control.setdefault(line.line_control_number, index)
	for k, service in enumerate(services):
		index = by_control.get(service.line_control_number) if service.line_control_number else None
		if index is not None:
			assigned[k] = ServiceMatch(service_index=k, line_indexes=[index], level=LINE_BY_CONTROL_NUMBER)
			taken.add(index)

	def candidates(service: ServicePayment, pool: Iterable[int]) -> list[tuple[int, int]]:
		"""(level rank, line index) of lines with the same code and date, best first."""
		code, modifiers = _submitted(service)
		date = service_date(service)
		found = []
		for index in pool:
			line = lines[index]
			if line.procedure_code == code and _same_date(line, date):
				found.append((_LEVEL_ORDER.index(_modifier_level(line.modifiers, modifiers)), index))
		found.sort()
		return found

	# 2. Code, modifiers and date with the same charge, strongest modifier level first.
	for rank in range(len(_LEVEL_ORDER)):
		for k, service in enumerate(services):
			if k in assigned:
				continue
			free = [i for i in range(len(lines)) if i not in taken]
			for found_rank, index in candidates(service, free):
				if found_rank == rank and lines[index].charge == service.charge:
					assigned[k] = ServiceMatch(
						service_index=k, line_indexes=[index], level=_LEVEL_ORDER[rank]
					)
					taken.add(index)
					break

	# 3. Bundles: one service whose charge is the sum of several free lines on its date, one of
	#    them with the code we sent.
	for k, service in enumerate(services):
		if k in assigned:
			continue
		bundle = _find_bundle(service, service_date(service), lines, taken)
		if bundle:
			assigned[k] = ServiceMatch(
				service_index=k,
				line_indexes=bundle,
				level=LINE_BUNDLED,
				reason=f"{_describe(service, k + 1)} pays lines {', '.join(str(i + 1) for i in bundle)} "
				f"(charges {' + '.join(str(lines[i].charge) for i in bundle)})",
			)
			taken.update(bundle)

	# 4. Code and date with another charge: the payer adjudicated part of a line, or split it.
	for k, service in enumerate(services):
		if k in assigned:
			continue
		free = [i for i in range(len(lines)) if i not in taken]
		found = candidates(service, free)
		if found:
			rank, index = found[0]
			assigned[k] = ServiceMatch(
				service_index=k,
				line_indexes=[index],
				level=_LEVEL_ORDER[rank],
				reason=f"{_describe(service, k + 1)}: line {index + 1} charges {lines[index].charge}",
			)
			taken.add(index)

	# 5. Further services for a line already paid: split lines.
	for k, service in enumerate(services):
		if k in assigned:
			continue
		found = candidates(service, sorted(taken))
		single = [index for _, index in found if not _in_bundle(assigned, index)]
		if single:
			index = single[0]
			assigned[k] = ServiceMatch(service_index=k, line_indexes=[index], level=LINE_SPLIT)

	# Every line with more than one service is a split; say whether the parts add up.
	for index in range(len(lines)):
		parts = [m for m in assigned.values() if m.line_indexes == [index]]
		if len(parts) > 1:
			total = sum((services[m.service_index].charge for m in parts), _ZERO)
			numbers = ", ".join(
				str(m.service_index + 1) for m in sorted(parts, key=lambda m: m.service_index)
			)
			adds_up = "" if total == lines[index].charge else f", not the line's {lines[index].charge}"
			for m in parts:
				if m.level != LINE_BY_CONTROL_NUMBER:
					m.level = LINE_SPLIT
				m.reason = f"line {index + 1} is split into services {numbers}, charging {total}{adds_up}"

	matches = []
	for k, service in enumerate(services):
		if k in assigned:
			matches.append(assigned[k])
			continue
		code, _ = _submitted(service)
		date = service_date(service)
		same_code = [i for i, line in enumerate(lines) if line.procedure_code == code]
		if any(_same_date(lines[i], date) for i in same_code):
			why = f"every line with procedure {code} on {date} is paid by another service"
		elif same_code:
			why = f"no line with procedure {code} on {date}"
		else:
			why = f"the claim has no line with procedure {code}"
		matches.append(
			ServiceMatch(
				service_index=k,
				line_indexes=[],
				level=LINE_UNMATCHED,
				reason=f"{_describe(service, k + 1)} matches no line: {why}",
			)
		)
	paid_lines = {index for m in matches for index in m.line_indexes}
	unmatched = []
	for index, line in enumerate(lines):
		if index in paid_lines:
			continue
		shown = ":".join([line.procedure_code, *line.modifiers])
		date = line.service_date or "no date"
		unmatched.append(
			UnmatchedLine(
				index,
				f"line {index + 1} ({shown}, {date}, charge {line.charge}) has no service payment "
				"on this claim payment",
			)
		)
	return LineMatching(services=matches, unmatched_lines=unmatched)


def _in_bundle(assigned: dict[int, ServiceMatch], index: int) -> bool:
	return any(len(m.line_indexes) > 1 and index in m.line_indexes for m in assigned.values())


def _find_bundle(
	service: ServicePayment, date: datetime.date | None, lines: list[OpenLine], taken: set[int]
) -> list[int]:
	code, _ = _submitted(service)
	free = [i for i, line in enumerate(lines) if i not in taken and _same_date(line, date)]
	anchors = [i for i in free if lines[i].procedure_code == code]
	if not anchors or len(free) < 2:
		return []
	for size in range(2, min(MAX_BUNDLE_SIZE, len(free)) + 1):
		for combination in itertools.combinations(free, size):
			if any(i in anchors for i in combination) and (
				sum((lines[i].charge for i in combination), _ZERO) == service.charge
			):
				return list(combination)
	return []
