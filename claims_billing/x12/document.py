"""Read any supported X12 file and give its JSON form.

``read_document(data)`` reads each transaction set with the reader its type needs:

==========  =====================================  ==============================
type        recognised by                          content
==========  =====================================  ==============================
``835``     ST01 835                               ``remittance.Remittance``
``277CA``   ST01 277, version (ST03/GS08) X214     ``ClaimAcknowledgementReport``
``999``     ST01 999                               ``acknowledgement.FunctionalAck``
``837P``    ST01 837, version X222                 ``read_837p.Transaction837``
==========  =====================================  ==============================

A file that ends cleanly after a whole segment but before its SE, GE or IEA trailers still reads:
the transaction sets it cuts short come back with ``complete = False`` (on the ``ParsedTransaction``
and on its content) and the missing trailers in ``ParsedTransaction.problems``. Such a set is only
what the file holds: **callers that act on a response (post a remittance, apply acknowledgements)
must refuse an incomplete one** and ask for the file again. A file cut off in the middle of a
segment raises ``X12Error``.

``read_and_validate(data)`` reads and validates in one pass over the file: the same transactions as
``read_document`` and the same problems as ``validate.validate_file``, for about the cost of reading.

``to_json_dict(transactions)`` turns the result into plain JSON data, ``{"transactions": [...],
"complete": ..., "problems": [...]}``, where every transaction has ``type`` and ``control_number``;
amounts are strings holding the exact decimal as written in the file (``"150.00"``), dates are
``YYYY-MM-DD`` and missing values null.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from claims_billing.x12.acknowledgement import ClaimAcknowledgementReport, FunctionalAck, StatusCode
from claims_billing.x12.claim import Adjustment, Claim, ServiceLine
from claims_billing.x12.envelope import TransactionSet, iter_transaction_sets, missing_trailers, paused_gc
from claims_billing.x12.errors import Problem, X12Error
from claims_billing.x12.read_277ca import read_277ca_transaction
from claims_billing.x12.read_835 import read_835_transaction
from claims_billing.x12.read_837p import Transaction837, read_837p_transaction
from claims_billing.x12.read_999 import read_999_transaction
from claims_billing.x12.remittance import ClaimPayment, Remittance, ServicePayment
from claims_billing.x12.validate import FileChecker, problem_from_error, validate_file

TYPE_835 = "835"
TYPE_277CA = "277CA"
TYPE_999 = "999"
TYPE_837P = "837P"

_READERS = {
	TYPE_835: read_835_transaction,
	TYPE_277CA: read_277ca_transaction,
	TYPE_999: read_999_transaction,
	TYPE_837P: read_837p_transaction,
}


@dataclass(slots=True)
class ParsedTransaction:
	"""One transaction set read from a file."""

	type: str  # "835", "277CA", "999" or "837P"
	control_number: str  # ST02
	content: Remittance | ClaimAcknowledgementReport | FunctionalAck | Transaction837
	position: int = 0  # segment number of its ST in the file
	# False when the file ends before this set's SE, its group's GE or its interchange's IEA: the
	# content is then only what the file holds, and must not be acted on (posted, applied).
	complete: bool = True
	problems: list[Problem] = field(default_factory=list)  # the missing trailers of an incomplete set


def transaction_type(set_id: str, version: str) -> str | None:
	"""The document type of a transaction set from ST01 and its version (ST03, else GS08), or None."""
	if set_id == "835":
		return TYPE_835
	if set_id == "999":
		return TYPE_999
	if set_id == "277" and "X214" in version:
		return TYPE_277CA
	if set_id == "837" and "X222" in version:
		return TYPE_837P
	return None


def _type_of(transaction: TransactionSet) -> str:
	kind = transaction_type(transaction.set_id, transaction.version)
	if kind is None:
		what = transaction.set_id or "(no ST01)"
		if transaction.version:
			what += f" version {transaction.version}"
		raise X12Error(
			f"transaction set {what} is not one this app reads (835, 277CA 005010X214, 999, 837P 005010X222)",
			transaction.position,
			"ST",
		)
	return kind


def read_document(data: bytes) -> list[ParsedTransaction]:
	"""Every transaction set of ``data`` read with the reader its type needs, in file order.

	Raises ``X12Error`` when the input is not X12, is malformed or cut off in the middle of a segment,
	or holds a transaction set of a type this app does not read (an 837I, a 270...). A file that ends
	cleanly but before its trailers reads, with ``complete = False`` on the sets it cuts short: check
	``complete`` before acting on a transaction.
	"""
	with paused_gc():
		return _read_all(iter_transaction_sets(data, allow_truncated=True))


def read_and_validate(data: bytes) -> tuple[list[ParsedTransaction] | None, list[Problem]]:
	"""``read_document(data)`` and ``validate.validate_file(data)`` in one pass over the file.

	Returns the transactions (None when the file cannot be read) and the problems ``validate_file``
	finds, in the same order. When the file cannot be read but ``validate_file`` finds nothing, the
	problems are the reason it cannot be read (code ``"unreadable"``), so they are never empty then.
	As with ``read_document``, check ``complete`` before acting on a transaction.
	"""
	checker = FileChecker(split=True)
	try:
		with paused_gc():
			transactions = _read_all(iter_transaction_sets(data, allow_truncated=True, observer=checker))
			checker.finish()
	except X12Error as error:
		# Rare and never large in practice: validate the whole file on its own, as validate_file does.
		problems = validate_file(data)
		return None, problems or [problem_from_error(error, "unreadable")]
	return transactions, checker.problems


def _read_all(transactions: Iterator[TransactionSet]) -> list[ParsedTransaction]:
	parsed = []
	groups = []  # not the sets themselves: holding every set until the end would cost memory
	last = None
	for transaction in transactions:
		kind = _type_of(transaction)
		content = _READERS[kind](transaction)
		parsed.append(ParsedTransaction(kind, transaction.control_number, content, transaction.position))
		groups.append(transaction.group)
		last = transaction
	if not parsed:
		raise X12Error("the file holds no transaction sets (no ST segment)")
	# Whether a set is complete is known only once the walk has reached the end of the file.
	for index, (result, group) in enumerate(zip(parsed, groups, strict=True)):
		missing = missing_trailers(group, last.missing_se if index == len(parsed) - 1 else None)
		if missing:
			result.complete = result.content.complete = False
			result.problems = missing
	return parsed


def document_types(data: bytes) -> list[str]:
	"""The type of each transaction set in ``data`` (``"835"``, ``"277CA"``...), without reading bodies."""
	return [_type_of(transaction) for transaction in iter_transaction_sets(data, allow_truncated=True)]


# --- JSON form ------------------------------------------------------------------------------


def _text(value: str) -> str | None:
	return value or None


def _money(value: Decimal | None) -> str | None:
	return None if value is None else str(value)


def _day(value: datetime.date | None) -> str | None:
	return None if value is None else value.isoformat()


def _adjustment_json(adjustment: Adjustment) -> dict[str, Any]:
	return {"group": adjustment.group, "reason": adjustment.reason, "amount": str(adjustment.amount)}


def _service_payment_json(service: ServicePayment) -> dict[str, Any]:
	return {
		"procedure_code": service.procedure_code,
		"modifiers": list(service.modifiers),
		"charge": str(service.charge),
		"paid": str(service.paid),
		"units": _money(service.units),
		"service_date": _day(service.service_date),
		"line_control_number": _text(service.line_control_number),
		"allowed": _money(service.allowed),
		"adjustments": [_adjustment_json(a) for a in service.adjustments],
		"remark_codes": list(service.remark_codes),
	}


def _claim_payment_json(claim: ClaimPayment) -> dict[str, Any]:
	return {
		"claim_id": claim.claim_id,
		"status_code": claim.status_code,
		"charge": str(claim.charge),
		"paid": str(claim.paid),
		"patient_responsibility": str(claim.patient_responsibility),
		"payer_claim_number": _text(claim.payer_claim_number),
		"filing_indicator": _text(claim.filing_indicator),
		"adjustments": [_adjustment_json(a) for a in claim.adjustments],
		"remark_codes": list(claim.remark_codes),
		"services": [_service_payment_json(s) for s in claim.services],
	}


def _remittance_json(remittance: Remittance) -> dict[str, Any]:
	return {
		"payment": {
			"amount": str(remittance.amount),
			"method": _text(remittance.method),
			"date": _day(remittance.payment_date),
			"trace_number": _text(remittance.trace_number),
			"credit_debit": _text(remittance.credit_debit),
			"handling_code": _text(remittance.handling_code),
		},
		"payer": {"name": _text(remittance.payer_name), "id": _text(remittance.payer_id)},
		"payee": {"name": _text(remittance.payee_name), "id": _text(remittance.payee_id)},
		"claims": [_claim_payment_json(c) for c in remittance.claims],
		"provider_adjustments": [
			{
				"provider_id": adjustment.provider_id,
				"reason_code": adjustment.reason_code,
				"reference": _text(adjustment.reference),
				"amount": str(adjustment.amount),
				"fiscal_period_date": _day(adjustment.fiscal_period_date),
			}
			for adjustment in remittance.provider_adjustments
		],
	}


def _status_code_json(code: StatusCode) -> dict[str, Any]:
	return {"category": code.category, "status": _text(code.status), "entity": _text(code.entity)}


def _claim_acknowledgement_json(report: ClaimAcknowledgementReport) -> dict[str, Any]:
	return {
		"claims": [
			{
				"claim_id": claim.claim_id,
				"status_category": _text(claim.status_category),
				"status_code": _text(claim.status_code),
				"statuses": [_status_code_json(code) for code in claim.codes],
				"payer_claim_number": _text(claim.payer_claim_number),
				"charge": _money(claim.charge),
				"status_date": _day(claim.status_date),
			}
			for claim in report.claims
		]
	}


def _functional_ack_json(ack: FunctionalAck) -> dict[str, Any]:
	sets = []
	for set_ack in ack.transaction_sets:
		errors = [
			_error_json("transaction_set", code, set_ack.error_descriptions[i])
			for i, code in enumerate(set_ack.error_codes)
		]
		for segment in set_ack.segment_errors:
			if segment.error_code or not segment.elements:
				errors.append(
					_error_json(
						"segment",
						segment.error_code,
						segment.description,
						segment_id=segment.segment_id,
						segment_position=segment.position,
						loop_id=_text(segment.loop_id),
					)
				)
			for element in segment.elements:
				errors.append(
					_error_json(
						"element",
						element.error_code,
						element.description,
						segment_id=segment.segment_id,
						segment_position=segment.position,
						loop_id=_text(segment.loop_id),
						element_position=element.element_position,
						reference_number=_text(element.reference_number),
						bad_value=_text(element.bad_value),
					)
				)
		sets.append(
			{"control_number": set_ack.control_number, "ack_code": set_ack.ack_code, "errors": errors}
		)
	return {"ack_code": ack.ack_code, "sets": sets}


def _error_json(level: str, code: str, description: str, **where: Any) -> dict[str, Any]:
	"""One 999 error: every error has the same keys, null where they do not apply."""
	return {
		"level": level,
		"code": _text(code),
		"description": _text(description),
		"segment_id": where.get("segment_id"),
		"segment_position": where.get("segment_position"),
		"loop_id": where.get("loop_id"),
		"element_position": where.get("element_position"),
		"reference_number": where.get("reference_number"),
		"bad_value": where.get("bad_value"),
	}


def _service_line_json(line: ServiceLine) -> dict[str, Any]:
	return {
		"procedure_code": line.procedure_code,
		"modifiers": list(line.modifiers),
		"charge": str(line.charge),
		"units": str(line.units),
		"unit_code": _text(line.unit_code),
		"service_date": _day(line.service_date),
		"service_date_end": _day(line.service_date_end),
		"diagnosis_pointers": list(line.diagnosis_pointers),
		"place_of_service": _text(line.place_of_service),
		"line_control_number": _text(line.line_control_number),
	}


def _claim_json(claim: Claim) -> dict[str, Any]:
	return {
		"claim_id": claim.claim_id,
		"charge": _money(claim.declared_charge),
		"frequency": _text(claim.frequency),
		"place_of_service": _text(claim.place_of_service),
		"diagnoses": list(claim.diagnoses),
		"lines": [_service_line_json(line) for line in claim.lines],
	}


def _transaction_837_json(transaction: Transaction837) -> dict[str, Any]:
	return {"claims": [_claim_json(claim) for claim in transaction.claims]}


_TRAILER_ORDER = ("missing-se", "missing-ge", "missing-iea")
_JSON_FORMS = {
	TYPE_835: _remittance_json,
	TYPE_277CA: _claim_acknowledgement_json,
	TYPE_999: _functional_ack_json,
	TYPE_837P: _transaction_837_json,
}


def to_json_dict(transactions: list[ParsedTransaction]) -> dict[str, Any]:
	"""The JSON form of ``read_document``'s result: ``{"transactions": [...], "complete": true, "problems": []}``.

	``complete`` is false when the file ends before the trailers of some transaction set (such a
	file must not be acted on); ``problems`` then lists the missing trailers as {path, message, code}.

	Each transaction is ``{"type", "control_number", ...}`` plus, by type:

	- 835: ``payment`` {amount, method, date, trace_number, credit_debit, handling_code}, ``payer`` and
	  ``payee`` {name, id}, ``claims`` [{claim_id, status_code, charge, paid, patient_responsibility,
	  payer_claim_number, filing_indicator, adjustments [{group, reason, amount}], remark_codes,
	  services [{procedure_code, modifiers, charge, paid, units, service_date, line_control_number,
	  allowed, adjustments, remark_codes}]}], ``provider_adjustments`` [{provider_id, reason_code,
	  reference, amount, fiscal_period_date}].
	- 277CA: ``claims`` [{claim_id, status_category, status_code, statuses [{category, status,
	  entity}], payer_claim_number, charge, status_date}].
	- 999: ``ack_code`` (AK901), ``sets`` [{control_number, ack_code (IK501), errors [{level
	  ("transaction_set", "segment" or "element"), code, description, segment_id, segment_position,
	  loop_id, element_position, reference_number, bad_value}]}].
	- 837P: ``claims`` [{claim_id, charge (CLM02), frequency, place_of_service, diagnoses, lines
	  [{procedure_code, modifiers, charge, units, unit_code, service_date, service_date_end,
	  diagnosis_pointers, place_of_service, line_control_number}]}].
	"""
	out = []
	for transaction in transactions:
		entry = {"type": transaction.type, "control_number": transaction.control_number}
		entry.update(_JSON_FORMS[transaction.type](transaction.content))
		out.append(entry)
	problems = []
	for transaction in transactions:
		for problem in transaction.problems:
			found = {"path": problem.path, "message": problem.message, "code": problem.code}
			if found not in problems:  # sets of one cut-off group share its missing GE and IEA
				problems.append(found)
	problems.sort(key=lambda problem: _TRAILER_ORDER.index(problem["code"]))  # innermost first
	return {
		"transactions": out,
		"complete": all(transaction.complete for transaction in transactions),
		"problems": problems,
	}
