"""Read 277CA claim acknowledgements (005010X214) into ``ClaimAcknowledgementReport`` objects.

``read_277ca(data)`` returns one report per 277 transaction set. Each report lists the information
receiver and billing provider levels (2000B/2000C, with their STCs when sent) and every claim (loop
2200D) with its status codes, payer claim number, charge and dates. Codes are returned as sent;
``claims_billing.core.code_lists`` describes them. Malformed input, or a file cut off inside a segment,
raises ``X12Error``. A file that ends cleanly after a segment but before its SE, GE or IEA reads what
it holds, with ``ClaimAcknowledgementReport.complete`` False: never apply such a report.
"""

from __future__ import annotations

from claims_billing.x12.acknowledgement import (
	ClaimAcknowledgement,
	ClaimAcknowledgementReport,
	ProviderAcknowledgement,
	ServiceLineStatus,
	StatusCode,
	StatusInfo,
)
from claims_billing.x12.envelope import TransactionSet, read_sets
from claims_billing.x12.errors import X12Error
from claims_billing.x12.values import amount, date_or_none, date_range, optional_amount

# HL03 hierarchical level codes of a 277CA.
LEVEL_SOURCE = "20"  # 2000A information source (payer or clearinghouse)
LEVEL_RECEIVER = "21"  # 2000B information receiver (us, or our clearinghouse account)
LEVEL_PROVIDER = "19"  # 2000C billing provider of service
LEVEL_PATIENT = "PT"  # 2000D patient: one claim

_ACCEPTED_QUANTITY = frozenset({"90", "QA"})
_REJECTED_QUANTITY = frozenset({"AA", "QC"})


def read_277ca(data: bytes) -> list[ClaimAcknowledgementReport]:
	"""Every 277 claim acknowledgement transaction set in ``data``, one report each.

	Transaction sets of other types are skipped; a file without any 277 raises ``X12Error``.
	"""
	reports, seen = read_sets(data, "277", read_277ca_transaction)
	if not reports:
		found = f"it holds {', '.join(sorted(set(seen)))}" if seen else "it has no transaction sets"
		raise X12Error(f"no 277 claim acknowledgement transaction set in this file: {found}")
	return reports


def _element(elements: list[str], index: int) -> str:
	return elements[index] if index < len(elements) else ""


def _status(elements: list[str], position: int, component: str) -> StatusInfo:
	codes = []
	for index in (1, 10, 11):
		composite = _element(elements, index)
		if not composite:
			continue
		parts = composite.split(component)
		category = parts[0]
		status = parts[1] if len(parts) > 1 else ""
		if not category:
			raise X12Error(f"STC{index:02d}-1 claim status category code is missing", position, "STC")
		codes.append(StatusCode(category=category, status=status, entity=parts[2] if len(parts) > 2 else ""))
	if not codes:
		raise X12Error("STC01 claim status composite is missing", position, "STC")
	return StatusInfo(
		codes=codes,
		effective_date=date_or_none(_element(elements, 2)),
		action_code=_element(elements, 3),
		charge=optional_amount(_element(elements, 4), position, "STC", "STC04 total claim charge"),
		message=_element(elements, 12),
	)


def read_277ca_transaction(transaction: TransactionSet) -> ClaimAcknowledgementReport:
	"""Read one 277 transaction set (from ``envelope.iter_transaction_sets``)."""
	component = transaction.delimiters.component
	get = _element
	report = ClaimAcknowledgementReport(control_number=transaction.control_number)
	levels: dict[str, ProviderAcknowledgement] = {}  # HL01 -> receiver or provider level
	level = ""  # HL03 of the current level
	receiver: ProviderAcknowledgement | None = None
	provider: ProviderAcknowledgement | None = None
	claim: ClaimAcknowledgement | None = None
	claim_position = 0
	line: ServiceLineStatus | None = None
	for position, elements in transaction.segments():
		segment_id = elements[0]
		if segment_id == "HL":
			_check_claim(claim, claim_position)
			claim = None
			line = None
			hierarchical_id = get(elements, 1)
			parent = levels.get(get(elements, 2))
			level = get(elements, 3)
			if level == LEVEL_RECEIVER:
				receiver = ProviderAcknowledgement("information_receiver", "", "", "", hierarchical_id)
				provider = None
				levels[hierarchical_id] = receiver
				report.providers.append(receiver)
			elif level == LEVEL_PROVIDER:
				if parent is not None and parent.level == "information_receiver":
					receiver = parent
				provider = ProviderAcknowledgement("provider", "", "", "", hierarchical_id, parent=receiver)
				levels[hierarchical_id] = provider
				report.providers.append(provider)
			elif level == LEVEL_PATIENT:
				if parent is not None and parent.level == "provider":
					provider = parent
				claim = ClaimAcknowledgement(
					claim_id="",
					hierarchical_id=hierarchical_id,
					provider=provider,
					receiver=provider.parent if provider is not None else receiver,
				)
				claim_position = position
				report.claims.append(claim)
			elif level != LEVEL_SOURCE:
				raise X12Error(
					f"HL03 level code {level!r} is not one a 277CA uses (20, 21, 19, PT)", position, "HL"
				)
		elif segment_id == "STC":
			status = _status(elements, position, component)
			if line is not None:
				line.statuses.append(status)
			elif claim is not None:
				claim.statuses.append(status)
			elif level == LEVEL_PROVIDER and provider is not None:
				provider.statuses.append(status)
			elif level == LEVEL_RECEIVER and receiver is not None:
				receiver.statuses.append(status)
			else:
				raise X12Error("STC status outside a receiver, provider or claim level", position, segment_id)
		elif segment_id == "TRN":
			trace = get(elements, 2)
			if claim is not None:
				if line is None and not claim.claim_id:
					claim.claim_id = trace
			elif level == LEVEL_PROVIDER and provider is not None:
				provider.trace_number = trace
			elif level == LEVEL_RECEIVER and receiver is not None:
				receiver.trace_number = trace
		elif segment_id == "REF":
			qualifier = get(elements, 1)
			if line is not None:
				if qualifier == "FJ":
					line.line_control_number = get(elements, 2)
			elif claim is not None:
				if qualifier == "1K":
					claim.payer_claim_number = get(elements, 2)
				elif qualifier == "BLT":
					claim.billing_type = get(elements, 2)
				elif qualifier == "EA":
					claim.medical_record_number = get(elements, 2)
		elif segment_id == "DTP":
			if get(elements, 1) != "472":
				if level == LEVEL_SOURCE and get(elements, 1) in ("050", "009"):
					value = date_or_none(get(elements, 3))
					if elements[1] == "050":
						report.received_date = value
					else:
						report.process_date = value
				continue
			start, end = date_range(get(elements, 2), get(elements, 3))
			target = line if line is not None else claim
			if target is not None:
				target.service_date = start
				target.service_date_end = end
		elif segment_id == "NM1":
			if level == LEVEL_PATIENT and claim is not None:
				claim.patient_last_name = get(elements, 3)
				claim.patient_first_name = get(elements, 4)
				claim.patient_id = get(elements, 9)
			elif level == LEVEL_SOURCE:
				report.payer_name = get(elements, 3)
				report.payer_id = get(elements, 9)
			else:
				target = (
					provider if level == LEVEL_PROVIDER else receiver if level == LEVEL_RECEIVER else None
				)
				if target is not None:
					target.name = get(elements, 3)
					target.id_qualifier = get(elements, 8)
					target.id = get(elements, 9)
		elif segment_id == "QTY" or segment_id == "AMT":
			target = provider if level == LEVEL_PROVIDER else receiver if level == LEVEL_RECEIVER else None
			if target is None:
				continue
			qualifier = get(elements, 1)
			value = amount(get(elements, 2), position, segment_id, f"{segment_id}02 quantity or amount")
			if segment_id == "QTY":
				if qualifier in _ACCEPTED_QUANTITY:
					target.accepted_quantity = value
				elif qualifier in _REJECTED_QUANTITY:
					target.rejected_quantity = value
			elif qualifier == "YU":
				target.accepted_amount = value
			elif qualifier == "YY":
				target.rejected_amount = value
		elif segment_id == "SVC":
			if claim is None:
				raise X12Error("SVC service line status outside a claim", position, segment_id)
			parts = get(elements, 1).split(component)
			line = ServiceLineStatus(
				procedure_code=parts[1] if len(parts) > 1 else "",
				charge=optional_amount(get(elements, 2), position, segment_id, "SVC02 line charge"),
				code_qualifier=parts[0],
				modifiers=[m for m in parts[2:6] if m],
				units=optional_amount(get(elements, 7), position, segment_id, "SVC07 units"),
			)
			claim.lines.append(line)
		elif segment_id == "BHT":
			report.reference = get(elements, 3)
			report.created = date_or_none(get(elements, 4))
	_check_claim(claim, claim_position)
	return report


def _check_claim(claim: ClaimAcknowledgement | None, position: int) -> None:
	if claim is None:
		return
	if not claim.claim_id:
		raise X12Error(
			"the patient level (loop 2000D) has no TRN*2 claim status tracking number (our patient control number)",
			position,
			"HL",
		)
	if not claim.statuses:
		raise X12Error(f"claim {claim.claim_id!r} (loop 2200D) has no STC status", position, "HL")
