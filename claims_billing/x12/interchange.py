"""The envelope every file we write shares: checks on ``Envelope``, ISA/GS headers, GE/IEA trailers.

The 837P and 835 writers build their transaction sets and hand the segment list to ``finish``.
"""

from __future__ import annotations

import datetime

from claims_billing.x12.claim import Envelope

MAX_CONTROL_NUMBER = 999_999_999

SEPARATOR_NAMES = {
	"element_separator": "element separator",
	"component_separator": "component separator",
	"repetition_separator": "repetition separator",
	"segment_terminator": "segment terminator",
}


def check_envelope(envelope: Envelope, control_numbers: tuple[str, ...]) -> dict[str, str]:
	"""Refuse an envelope X12 cannot carry; returns {separator character: its field name}.

	``control_numbers`` names the ``Envelope`` fields the writer uses (an 835 takes its ST02 from
	each remittance, so it does not check ``transaction_set_control_number``).
	"""
	separators = {}
	for name in SEPARATOR_NAMES:
		value = getattr(envelope, name)
		if not isinstance(value, str) or len(value) != 1 or not value.isascii():
			raise ValueError(f"envelope.{name}: must be one ASCII character")
		if value.isalnum() or value == " ":
			raise ValueError(
				f"envelope.{name}: {value!r} cannot be a separator (letters, digits and space are data)"
			)
		separators[value] = name
	if len(separators) != len(SEPARATOR_NAMES):
		raise ValueError(
			"envelope: element, component, repetition separators and segment terminator must differ"
		)
	for name in control_numbers:
		number = getattr(envelope, name)
		if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_CONTROL_NUMBER:
			raise ValueError(
				f"envelope.{name}: must be a whole number from 1 to {MAX_CONTROL_NUMBER}, got {number!r}"
			)
	for name in ("sender_id", "receiver_id"):
		value = getattr(envelope, name)
		if not value or len(value) > 15:
			raise ValueError(f"envelope.{name}: must be 1 to 15 characters (ISA06/ISA08)")
	for name in ("sender_qualifier", "receiver_qualifier"):
		if len(getattr(envelope, name)) != 2:
			raise ValueError(f"envelope.{name}: must be 2 characters (ISA05/ISA07)")
	for name in ("application_sender_code", "application_receiver_code"):
		value = getattr(envelope, name)
		if value and not 2 <= len(value) <= 15:
			raise ValueError(f"envelope.{name}: must be 2 to 15 characters (GS02/GS03)")
	if not isinstance(envelope.created, datetime.datetime):
		raise ValueError("envelope.created: must be a date and time (ISA09/ISA10, GS04/GS05)")
	if envelope.usage_indicator not in ("P", "T"):
		raise ValueError("envelope.usage_indicator: must be P (production) or T (test)")
	return separators


def header(envelope: Envelope, functional_id: str, implementation_guide: str) -> list[str]:
	"""The ISA (fixed width) and GS segments."""
	e = envelope.element_separator
	created = envelope.created
	isa = e.join(
		(
			"ISA",
			"00",
			" " * 10,
			"00",
			" " * 10,
			envelope.sender_qualifier,
			envelope.sender_id.ljust(15),
			envelope.receiver_qualifier,
			envelope.receiver_id.ljust(15),
			f"{created.year % 100:02d}{created.month:02d}{created.day:02d}",
			f"{created.hour:02d}{created.minute:02d}",
			envelope.repetition_separator,
			"00501",
			f"{envelope.interchange_control_number:09d}",
			"0",
			envelope.usage_indicator,
			envelope.component_separator,
		)
	)
	gs = e.join(
		(
			"GS",
			functional_id,
			envelope.application_sender_code or envelope.sender_id,
			envelope.application_receiver_code or envelope.receiver_id,
			f"{created.year:04d}{created.month:02d}{created.day:02d}",
			f"{created.hour:02d}{created.minute:02d}",
			str(envelope.group_control_number),
			"X",
			implementation_guide,
		)
	)
	return [isa, gs]


def finish(segments: list[str], envelope: Envelope, transaction_sets: int) -> bytes:
	"""Append GE and IEA to ``segments`` (which start with ``header``'s) and give the file's bytes."""
	e = envelope.element_separator
	segments.append(e.join(("GE", str(transaction_sets), str(envelope.group_control_number))))
	segments.append(e.join(("IEA", "1", f"{envelope.interchange_control_number:09d}")))
	terminator = envelope.segment_terminator + ("\n" if envelope.line_break else "")
	return (terminator.join(segments) + terminator).encode("ascii")
