"""Coordination of benefits: carry an earlier payer's 835 answer onto the claim for the next payer.

``other_payer_from_remittance`` turns one ERA claim payment (CLP loop) into the ``OtherPayer`` the
837P writes as loops 2320/2330A/2330B (claim level) and 2430 (line level). ``secondary_claim``
builds the whole claim addressed to the next payer (P -> S -> T).

Where the remaining patient liability goes follows the TR3 (and X12 RFI 1391): on each line
(2430 AMT*EAF, the PR adjustments of that line) when the payer reported lines, at claim level
(2320 AMT*EAF = CLP05) when it reported the claim only; never both.

Inputs that would give a secondary payer unbalanced or wrong numbers raise ``ValueError``
(a payment for another claim, a reversal, an ERA that does not balance, a service the claim
does not have, a line the ERA left out).
"""

from __future__ import annotations

import copy
import dataclasses
from decimal import Decimal

from claims_billing.x12.claim import (
	FREQUENCY_ORIGINAL,
	RELATIONSHIP_SELF,
	Adjustment,
	Claim,
	LineAdjudication,
	OtherPayer,
	Patient,
	Payer,
	ServiceLine,
	Subscriber,
)
from claims_billing.x12.remittance import ClaimPayment, Remittance, ServicePayment

NEXT_RESPONSIBILITY = {"P": "S", "S": "T"}
PATIENT_RESPONSIBILITY_GROUP = "PR"
_ZERO = Decimal(0)

# Default of ``secondary_claim(patient=...)``: work out who the patient is from the subscribers.
SAME_PATIENT = object()


def other_payer_from_remittance(
	claim: Claim,
	payment: ClaimPayment,
	remittance: Remittance,
	responsibility: str,
	payer: Payer,
	subscriber: Subscriber,
	relationship: str = RELATIONSHIP_SELF,
) -> OtherPayer:
	"""How ``payer`` adjudicated ``claim``, from its 835 ``payment``, as COB data for the next payer.

	``responsibility`` is that payer's place (P, S, T); ``subscriber`` its insured;
	``relationship`` the patient's relationship to that insured (2320 SBR02).
	"""
	_check_payment(claim, payment)
	adjudication_date = remittance.payment_date or remittance.production_date
	if adjudication_date is None:
		raise ValueError(
			f"remittance {remittance.control_number}: no payment date (BPR16) or production date (DTM*405) "
			"to report as the adjudication date (DTP*573)"
		)
	line_adjudications = []
	claim_has_patient_share = any(a.group == PATIENT_RESPONSIBILITY_GROUP for a in payment.adjustments)
	# Line-level liability only when the lines add up to the claim's; otherwise report it once, on the claim.
	liability_on_lines = bool(payment.services) and not claim_has_patient_share
	for number, service in _match_services(claim, payment):
		line_adjudications.append(
			LineAdjudication(
				line_number=number,
				paid=service.paid,
				procedure_code=service.procedure_code,
				modifiers=list(service.modifiers),
				units=service.units if service.units is not None else Decimal(1),
				adjudication_date=adjudication_date,
				adjustments=_copy_adjustments(service.adjustments),
				remaining_patient_liability=_patient_share(service.adjustments)
				if liability_on_lines
				else None,
			)
		)
	return OtherPayer(
		responsibility=responsibility,
		payer=payer,
		subscriber=subscriber,
		relationship=relationship,
		paid=payment.paid,
		adjudication_date=adjudication_date,
		payer_claim_number=payment.payer_claim_number,
		adjustments=_copy_adjustments(payment.adjustments),
		remaining_patient_liability=None if liability_on_lines else payment.patient_responsibility,
		line_adjudications=line_adjudications,
	)


def secondary_claim(
	primary: Claim,
	primary_payment: ClaimPayment,
	remittance: Remittance,
	secondary_payer: Payer,
	secondary_subscriber: Subscriber,
	claim_id: str,
	*,
	patient: Patient | object | None = SAME_PATIENT,
) -> Claim:
	"""``primary`` re-addressed to the next payer, carrying how ``primary``'s payer adjudicated it.

	Works for any step: a primary claim gives the secondary claim (S), a secondary claim gives the
	tertiary one (T), which then carries both earlier payers. ``other_payers`` starts with the payer
	just adjudicated, followed by the earlier ones (the new destination payer is dropped from it).

	``patient``: by default the patient stays the same person. When that person is the new
	subscriber the claim has no separate patient; when the patient was a dependent they stay one
	with the same relationship; when the patient was the old subscriber but is not the new one,
	pass ``patient=`` (a ``Patient`` with the relationship to the new subscriber).

	Payer-specific values are not carried: the prior authorization (REF*G1) and the replacement
	data (frequency becomes original, no payer claim number).
	"""
	next_responsibility = NEXT_RESPONSIBILITY.get(primary.payer_responsibility)
	if next_responsibility is None:
		raise ValueError(
			f"claim {primary.claim_id}: payer_responsibility {primary.payer_responsibility!r} has no next payer "
			"(P gives S, S gives T)"
		)
	relationship = RELATIONSHIP_SELF if primary.patient is None else primary.patient.relationship
	adjudicated = other_payer_from_remittance(
		primary,
		primary_payment,
		remittance,
		primary.payer_responsibility,
		primary.payer,
		primary.subscriber,
		relationship,
	)
	earlier = [
		copy.deepcopy(other)
		for other in primary.other_payers
		if other.payer.payer_id != secondary_payer.payer_id
	]
	if patient is SAME_PATIENT:
		patient = _patient_for(primary, secondary_subscriber)
	return dataclasses.replace(
		primary,
		claim_id=claim_id,
		payer=secondary_payer,
		subscriber=secondary_subscriber,
		patient=patient,
		payer_responsibility=next_responsibility,
		frequency=FREQUENCY_ORIGINAL,
		original_claim_number="",
		prior_authorization="",
		diagnoses=list(primary.diagnoses),
		lines=copy.deepcopy(primary.lines),
		attachments=copy.deepcopy(primary.attachments),
		other_payers=[adjudicated, *earlier],
	)


def carry_earlier_payers(claim: Claim, earlier: Claim) -> list[str]:
	"""Give ``claim``, rebuilt from the records, the COB data ``earlier`` (its stored form) carries.

	A next payer's claim is rebuilt when staff edit and submit it; the records know the services
	and the new payer, only the stored claim knows how the earlier payers adjudicated it. Returns
	what does not fit (empty when the COB data applies line for line).
	"""
	claim.payer_responsibility = earlier.payer_responsibility
	claim.other_payers = copy.deepcopy(earlier.other_payers)
	if not claim.other_payers:
		return [f"claim {claim.claim_id}: no earlier payer's adjudication to send to the next payer"]
	problems = []
	for other in claim.other_payers:
		for adjudication in other.line_adjudications:
			number = adjudication.line_number
			line = claim.lines[number - 1] if 0 < number <= len(claim.lines) else None
			if line is None:
				problems.append(
					f"{other.payer.name} adjudicated service line {number}, which this claim no longer has"
				)
			elif line.procedure_code != adjudication.procedure_code:
				problems.append(
					f"{other.payer.name} adjudicated {adjudication.procedure_code} on service line "
					f"{number}; this claim's line {number} is now {line.procedure_code}"
				)
	return problems


# --- checks and matching -----------------------------------------------------------------------


def _check_payment(claim: Claim, payment: ClaimPayment) -> None:
	where = f"claim {claim.claim_id}"
	if payment.claim_id != claim.claim_id:
		raise ValueError(f"{where}: the claim payment is for claim {payment.claim_id} (CLP01)")
	if payment.is_reversal:
		raise ValueError(f"{where}: the claim payment is a reversal (CLP02=22); use the corrected payment")
	if payment.charge != claim.total_charge:
		raise ValueError(
			f"{where}: the payer adjudicated a charge of {payment.charge} (CLP03), the claim totals "
			f"{claim.total_charge}; COB amounts would not balance"
		)
	adjusted = _total(payment.adjustments) + sum((_total(s.adjustments) for s in payment.services), _ZERO)
	if payment.charge - payment.paid != adjusted:
		raise ValueError(
			f"{where}: the ERA does not balance: charge {payment.charge} - paid {payment.paid} "
			f"!= adjustments {adjusted}"
		)
	for k, service in enumerate(payment.services):
		if service.charge - service.paid != _total(service.adjustments):
			raise ValueError(
				f"{where}: ERA service {k + 1} ({service.procedure_code}) does not balance: charge "
				f"{service.charge} - paid {service.paid} != adjustments {_total(service.adjustments)}"
			)


def _match_services(claim: Claim, payment: ClaimPayment) -> list[tuple[int, ServicePayment]]:
	"""Pair each ERA service with the claim line (1-based number) it pays.

	By line control number (REF*6R) first, else by the procedure code and modifiers we sent
	(SVC06 when the payer changed the code) and the date of service.
	"""
	by_control_number = {}
	for number, line in enumerate(claim.lines, 1):
		if line.line_control_number:
			by_control_number.setdefault(line.line_control_number, number)
	taken: set[int] = set()
	pairs = []
	for k, service in enumerate(payment.services):
		number = by_control_number.get(service.line_control_number) if service.line_control_number else None
		if number is None or number in taken:
			number = _match_by_code(claim.lines, service, payment, taken)
		if number is None:
			raise ValueError(
				f"claim {claim.claim_id}: ERA service {k + 1} ({service.procedure_code}) matches no line of "
				"the claim by line control number (REF*6R) or by procedure code, modifiers and date"
			)
		taken.add(number)
		pairs.append((number, service))
	if payment.services:
		missing = [number for number in range(1, len(claim.lines) + 1) if number not in taken]
		if missing:
			raise ValueError(
				f"claim {claim.claim_id}: the ERA reports no service for line(s) "
				f"{', '.join(map(str, missing))}; every line needs its adjudication for COB"
			)
		pairs.sort(key=lambda pair: pair[0])
	for number, service in pairs:
		line = claim.lines[number - 1]
		if service.charge != line.charge:
			raise ValueError(
				f"claim {claim.claim_id}: line {number} charges {line.charge} but the ERA adjudicated "
				f"{service.charge} (SVC02); COB amounts would not balance"
			)
	return pairs


def _match_by_code(
	lines: list[ServiceLine], service: ServicePayment, payment: ClaimPayment, taken: set[int]
) -> int | None:
	if service.submitted_procedure_code:
		code, modifiers = service.submitted_procedure_code, service.submitted_modifiers
	else:
		code, modifiers = service.procedure_code, service.modifiers
	wanted_modifiers = sorted(modifiers)
	service_date = service.service_date or payment.statement_from
	for number, line in enumerate(lines, 1):
		if number in taken or line.procedure_code != code or sorted(line.modifiers) != wanted_modifiers:
			continue
		if service_date is not None and line.service_date != service_date:
			continue
		return number
	return None


def _patient_for(primary: Claim, new_subscriber: Subscriber) -> Patient | None:
	person = primary.patient if primary.patient is not None else primary.subscriber
	if _same_person(person, new_subscriber):
		return None
	if primary.patient is not None:
		return copy.deepcopy(primary.patient)
	raise ValueError(
		f"claim {primary.claim_id}: the patient is the primary subscriber but not the new subscriber; "
		"pass patient= with their relationship to the new subscriber"
	)


def _same_person(a: Patient | Subscriber, b: Subscriber) -> bool:
	return (
		a.last_name.strip().casefold() == b.last_name.strip().casefold()
		and a.first_name.strip().casefold() == b.first_name.strip().casefold()
		and a.date_of_birth == b.date_of_birth
	)


def _total(adjustments: list[Adjustment]) -> Decimal:
	return sum((a.amount for a in adjustments), _ZERO)


def _patient_share(adjustments: list[Adjustment]) -> Decimal:
	return sum((a.amount for a in adjustments if a.group == PATIENT_RESPONSIBILITY_GROUP), _ZERO)


def _copy_adjustments(adjustments: list[Adjustment]) -> list[Adjustment]:
	return [dataclasses.replace(a) for a in adjustments]
