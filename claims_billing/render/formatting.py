"""How amounts, dates and quantities read on patient-facing documents (US practice conventions)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(amount: Decimal) -> str:
	"""``Decimal("1234.5")`` -> ``$1,234.50``; negative amounts (credits) -> ``-$12.00``."""
	cents = amount.quantize(CENT, rounding=ROUND_HALF_UP)
	sign = "-" if cents < 0 else ""
	return f"{sign}${abs(cents):,.2f}"


def us_date(value: datetime.date | None) -> str:
	"""``MM/DD/YYYY``, or an empty string when there is no date."""
	if value is None:
		return ""
	return f"{value.month:02d}/{value.day:02d}/{value.year:04d}"


def quantity(value: Decimal | int) -> str:
	"""Units without trailing zeros: ``Decimal("1.00")`` -> ``1``, ``Decimal("1.50")`` -> ``1.5``."""
	value = Decimal(value)
	if value == value.to_integral_value():
		return f"{value:.0f}"
	return f"{value.normalize():f}"
