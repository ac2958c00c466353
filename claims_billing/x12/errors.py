"""The one exception type readers raise, and the problem record validators return."""

from dataclasses import dataclass


class X12Error(ValueError):
	"""Malformed X12 input.

	The message always names where: the 1-based segment position in the file and the
	segment ID, e.g. ``segment 14 (CLP): CLP03 charge 'abc' is not a number``.
	"""

	def __init__(self, message: str, segment_number: int | None = None, segment_id: str | None = None):
		self.reason = message
		self.segment_number = segment_number
		self.segment_id = segment_id
		if segment_number is not None:
			where = f"segment {segment_number}"
			if segment_id:
				where += f" ({segment_id})"
			message = f"{where}: {message}"
		super().__init__(message)


@dataclass(frozen=True, slots=True)
class Problem:
	"""One thing wrong with a claim or file.

	``path`` points at the field (``claims[0].lines[1].diagnosis_pointers``) or the
	segment (``segment 12 (CLM)``); ``message`` is a plain sentence for billing staff.
	"""

	path: str
	message: str
	code: str = ""

	def __str__(self) -> str:
		return f"{self.path}: {self.message}"
