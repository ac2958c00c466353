"""Read 999 implementation acknowledgements into ``FunctionalAck`` objects.

``read_999(data)`` returns one ``FunctionalAck`` per 999 transaction set: the verdict on one functional
group we sent (AK1/AK9) and on each of its transaction sets (AK2/IK5), with the segment (IK3),
element (IK4) and context (CTX) errors the receiver found. Malformed input, or a file cut off inside a
segment, raises ``X12Error`` naming the segment number and ID. A file that ends cleanly after the AK9
but before its SE, GE or IEA reads, with ``FunctionalAck.complete`` False: never apply such an ack.
"""

from __future__ import annotations

from claims_billing.x12.acknowledgement import ElementError, FunctionalAck, SegmentError, TransactionSetAck
from claims_billing.x12.envelope import TransactionSet, read_sets
from claims_billing.x12.errors import X12Error
from claims_billing.x12.values import whole_number


def read_999(data: bytes) -> list[FunctionalAck]:
	"""Every 999 transaction set in ``data`` (bytes of an X12 file), one ``FunctionalAck`` each.

	Transaction sets of other types are skipped; a file with no 999 at all raises ``X12Error``.
	"""
	acks, seen = read_sets(data, "999", read_999_transaction)
	if not acks:
		found = f"it holds {', '.join(sorted(set(seen)))}" if seen else "it has no transaction sets"
		raise X12Error(f"no 999 transaction set in this file: {found}")
	return acks


def _element(elements: list[str], index: int) -> str:
	return elements[index] if index < len(elements) else ""


def _optional_position(text: str, position: int, name: str) -> int | None:
	return whole_number(text, position, "IK4", name) if text else None


def read_999_transaction(transaction: TransactionSet) -> FunctionalAck:
	"""Read one 999 transaction set (from ``envelope.iter_transaction_sets``)."""
	component = transaction.delimiters.component
	get = _element
	group: FunctionalAck | None = None
	set_ack: TransactionSetAck | None = None
	set_ack_position = 0
	segment_error: SegmentError | None = None
	element_error: ElementError | None = None
	finished = False
	for position, elements in transaction.segments():
		segment_id = elements[0]
		if finished:
			raise X12Error(
				f"{segment_id} after the AK9 group response (AK9 must come last)", position, segment_id
			)
		if group is None:
			if segment_id != "AK1":
				raise X12Error(
					f"{segment_id} before the AK1 functional group response header (a 999 must begin with AK1)",
					position,
					segment_id,
				)
			group = FunctionalAck(
				control_number=transaction.control_number,
				functional_id=_required(elements, 1, position, "functional identifier code"),
				group_control_number=_required(elements, 2, position, "group control number"),
				version=get(elements, 3),
				ack_code="",
				sets_included=0,
				sets_received=0,
				sets_accepted=0,
			)
		elif segment_id == "AK2":
			_check_closed(set_ack, set_ack_position, position, segment_id)
			set_ack = TransactionSetAck(
				set_id=_required(elements, 1, position, "transaction set identifier"),
				control_number=_required(elements, 2, position, "transaction set control number"),
				version=get(elements, 3),
				ack_code="",
			)
			set_ack_position = position
			segment_error = None
			element_error = None
			group.transaction_sets.append(set_ack)
		elif segment_id == "IK3":
			if set_ack is None or set_ack.ack_code:
				raise X12Error(
					"IK3 segment error outside a transaction set response (no AK2 before it)", position, "IK3"
				)
			segment_error = SegmentError(
				segment_id=_required(elements, 1, position, "segment ID in error"),
				position=whole_number(get(elements, 2), position, "IK3", "IK302 segment position"),
				loop_id=get(elements, 3),
				error_code=get(elements, 4),
			)
			element_error = None
			set_ack.segment_errors.append(segment_error)
		elif segment_id == "IK4":
			if segment_error is None:
				raise X12Error("IK4 element error without an IK3 segment error before it", position, "IK4")
			where = _required(elements, 1, position, "element position").split(component)
			element_error = ElementError(
				element_position=whole_number(where[0], position, "IK4", "IK401-1 element position"),
				component_position=_optional_position(get(where, 1), position, "IK401-2 component position"),
				repetition_position=_optional_position(
					get(where, 2), position, "IK401-3 repetition position"
				),
				reference_number=get(elements, 2),
				error_code=_required(elements, 3, position, "element error code"),
				bad_value=get(elements, 4),
			)
			segment_error.elements.append(element_error)
		elif segment_id == "CTX":
			context = [value for value in elements[1:] if value]
			if element_error is not None:
				element_error.context.extend(context)
			elif segment_error is not None:
				segment_error.context.extend(context)
		elif segment_id == "IK5":
			if set_ack is None or set_ack.ack_code:
				raise X12Error("IK5 without an AK2 transaction set response before it", position, "IK5")
			set_ack.ack_code = _required(elements, 1, position, "transaction set acknowledgement code")
			set_ack.error_codes = [code for code in elements[2:7] if code]
			segment_error = None
			element_error = None
		elif segment_id == "AK9":
			_check_closed(set_ack, set_ack_position, position, segment_id)
			group.ack_code = _required(elements, 1, position, "functional group acknowledgement code")
			group.sets_included = whole_number(
				get(elements, 2), position, "AK9", "AK902 transaction sets included"
			)
			group.sets_received = whole_number(
				get(elements, 3), position, "AK9", "AK903 transaction sets received"
			)
			group.sets_accepted = whole_number(
				get(elements, 4), position, "AK9", "AK904 transaction sets accepted"
			)
			group.error_codes = [code for code in elements[5:10] if code]
			finished = True
	if group is None:
		raise transaction.missing("no AK1 functional group response")
	if not finished:
		raise transaction.missing("no AK9 functional group response trailer")
	return group


def _required(elements: list[str], index: int, position: int, name: str) -> str:
	value = _element(elements, index)
	if not value:
		raise X12Error(f"{elements[0]}{index:02d} {name} is missing", position, elements[0])
	return value


def _check_closed(set_ack: TransactionSetAck | None, opened_at: int, position: int, segment_id: str) -> None:
	if set_ack is not None and not set_ack.ack_code:
		raise X12Error(
			f"the AK2 transaction set response at segment {opened_at} has no IK5 before this {segment_id}",
			position,
			segment_id,
		)
