"""Choosing the charge (fee schedule) or allowed amount (payer contract) for one service.

A rate applies to a service when the procedure code matches, the service date falls in
the rate's effective window, every modifier on the rate is also on the service, and the
rate's practitioner (if it names one) is the rendering practitioner. Among the rates that
apply, the most specific wins:

	code + modifiers + practitioner  >  code + practitioner  >  code + modifiers  >  code

Ties go to the rate with more modifiers, then to the latest effective date, so a new
yearly fee schedule replaces last year's without editing it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Rate:
	"""One priced procedure code, as read from a fee schedule or payer contract row."""

	procedure_code: str
	amount: Decimal
	effective_from: date
	effective_to: date | None = None
	modifiers: tuple[str, ...] = ()
	practitioner: str | None = None
	# Where the rate came from (e.g. the fee schedule's name), shown to staff.
	source: str = ""

	def __post_init__(self):
		# Rows typed by staff arrive as "97110 " and "gp, 59"; compare on one spelling.
		object.__setattr__(self, "procedure_code", normalize_procedure_code(self.procedure_code))
		object.__setattr__(self, "modifiers", normalize_modifiers(self.modifiers))
		if not self.procedure_code:
			raise ValueError("rate has no procedure code")
		if not isinstance(self.amount, Decimal):
			raise TypeError(f"rate for {self.procedure_code}: amount must be a Decimal, got {self.amount!r}")
		if self.amount < 0:
			raise ValueError(f"rate for {self.procedure_code}: amount {self.amount} is negative")
		if self.effective_to is not None and self.effective_to < self.effective_from:
			raise ValueError(
				f"rate for {self.procedure_code}: effective to {self.effective_to} "
				f"is before effective from {self.effective_from}"
			)

	def is_effective_on(self, service_date: date) -> bool:
		if service_date < self.effective_from:
			return False
		return self.effective_to is None or service_date <= self.effective_to

	def applies_to(
		self, procedure_code: str, service_date: date, modifiers: Iterable[str], practitioner: str | None
	) -> bool:
		if self.procedure_code != normalize_procedure_code(procedure_code):
			return False
		if not self.is_effective_on(service_date):
			return False
		if self.practitioner and self.practitioner != practitioner:
			return False
		return set(self.modifiers) <= set(normalize_modifiers(modifiers))

	def specificity(self) -> tuple[bool, bool, int, date]:
		"""Sort key: practitioner first, then having modifiers, then how many, then recency."""
		return (bool(self.practitioner), bool(self.modifiers), len(self.modifiers), self.effective_from)


def normalize_procedure_code(code: str) -> str:
	return (code or "").strip().upper()


def normalize_modifiers(modifiers: Iterable[str] | str | None) -> tuple[str, ...]:
	"""Modifiers as upper-case codes in their given order, blanks and repeats dropped.

	Accepts a sequence or a string separated by spaces, commas or colons ("GP 59", "GP,59").
	"""
	if modifiers is None:
		return ()
	if isinstance(modifiers, str):
		modifiers = modifiers.replace(",", " ").replace(":", " ").split()
	seen: list[str] = []
	for modifier in modifiers:
		code = (modifier or "").strip().upper()
		if code and code not in seen:
			seen.append(code)
	return tuple(seen)


def find_rate(
	rates: Iterable[Rate],
	procedure_code: str,
	service_date: date,
	modifiers: Iterable[str] | str | None = (),
	practitioner: str | None = None,
) -> Rate | None:
	"""The most specific rate that applies to the service, or None when none does."""
	modifiers = normalize_modifiers(modifiers)
	applicable = [
		rate for rate in rates if rate.applies_to(procedure_code, service_date, modifiers, practitioner)
	]
	if not applicable:
		return None
	return max(applicable, key=Rate.specificity)


def extended_amount(unit_amount: Decimal, units: Decimal | int) -> Decimal:
	"""Unit amount times units, rounded half-up to cents (as a claim line carries it)."""
	if not isinstance(unit_amount, Decimal):
		raise TypeError(f"unit amount must be a Decimal, got {unit_amount!r}")
	units = Decimal(units)
	if units <= 0:
		raise ValueError(f"units must be greater than zero, got {units}")
	return (unit_amount * units).quantize(CENT, rounding=ROUND_HALF_UP)
