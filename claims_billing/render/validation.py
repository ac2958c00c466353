"""Checks run on document data before rendering; every problem names the field path.

Messages describe the kind of value expected and never repeat patient names or dates of birth.
"""

import datetime
import re
from decimal import Decimal

from claims_billing.x12.errors import Problem

# CPT (five digits, or four and F/T/U/M) and HCPCS Level II (a letter and four digits). A strict
# shape also keeps CPT descriptions from being typed into the code field.
_PROCEDURE_CODE = re.compile(r"[0-9]{5}|[0-9]{4}[FTUM]|[A-V][0-9]{4}")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")
CENT = Decimal("0.01")
# A claim line holds at most four modifiers.
MAX_MODIFIERS = 4


class RenderDataError(ValueError):
	"""Document data that cannot be rendered; ``problems`` lists each field that is wrong."""

	def __init__(self, document: str, problems: list[Problem]):
		self.problems = problems
		listed = "; ".join(str(problem) for problem in problems)
		super().__init__(f"{document} cannot be rendered: {listed}")


class ProblemCollector:
	"""Gathers every problem in one pass so staff can fix them all at once."""

	def __init__(self) -> None:
		self.problems: list[Problem] = []

	def add(self, path: str, message: str) -> None:
		self.problems.append(Problem(path, message))

	def text(self, value: object, path: str, required: bool = True) -> bool:
		if not isinstance(value, str):
			self.add(path, f"expected text, got {type(value).__name__}")
			return False
		if required and not value.strip():
			self.add(path, "is required")
			return False
		return True

	def money(self, value: object, path: str, allow_negative: bool = False) -> bool:
		if isinstance(value, bool) or not isinstance(value, Decimal):
			self.add(path, f"expected a Decimal amount, got {type(value).__name__}")
			return False
		if not value.is_finite():
			self.add(path, "is not a finite amount")
			return False
		if value != value.quantize(CENT):
			# Lines would print rounded but add up unrounded, and the totals would disagree.
			self.add(path, f"{value} has fractions of a cent")
			return False
		if value < 0 and not allow_negative:
			self.add(path, f"must not be negative (got {value})")
			return False
		return True

	def quantity(self, value: object, path: str) -> bool:
		if isinstance(value, bool) or not isinstance(value, Decimal | int):
			self.add(path, f"expected a Decimal quantity, got {type(value).__name__}")
			return False
		if not Decimal(value).is_finite() or value <= 0:
			self.add(path, "must be a positive number")
			return False
		return True

	def date(self, value: object, path: str, required: bool = True) -> bool:
		if value is None and not required:
			return True
		if not isinstance(value, datetime.date):
			self.add(path, f"expected a date, got {type(value).__name__}")
			return False
		return True

	def npi(self, value: object, path: str, required: bool = True) -> bool:
		if not self.text(value, path, required):
			return False
		# Shape only: the check digit is verified where the NPI is entered.
		if value and not (len(value) == 10 and value.isdigit()):
			self.add(path, f"an NPI is 10 digits, got {value!r}")
			return False
		return True

	def procedure_code(self, value: object, path: str) -> bool:
		if not self.text(value, path):
			return False
		if not _PROCEDURE_CODE.fullmatch(value):
			self.add(path, f"{value!r} is not a CPT or HCPCS code (codes only, no descriptions)")
			return False
		return True

	def modifiers(self, value: object, path: str) -> bool:
		if not isinstance(value, list):
			self.add(path, f"expected a list of modifiers, got {type(value).__name__}")
			return False
		problems_before = len(self.problems)
		if len(value) > MAX_MODIFIERS:
			self.add(path, f"{len(value)} modifiers; a line holds at most {MAX_MODIFIERS}")
		for index, modifier in enumerate(value):
			if not isinstance(modifier, str) or not _MODIFIER.fullmatch(modifier):
				self.add(f"{path}[{index}]", f"{modifier!r} is not a two-character modifier such as 95")
		return len(self.problems) == problems_before

	def raise_if_any(self, document: str) -> None:
		if self.problems:
			raise RenderDataError(document, self.problems)
