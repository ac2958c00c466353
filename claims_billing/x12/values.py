"""Element values the readers convert: amounts and quantities (X12 type R), dates and times.

Amounts become ``Decimal`` exactly as written (``"150.00"`` stays ``Decimal("150.00")``); text that
``Decimal`` would accept but X12 does not (``NaN``, ``1e5``, ``1_000``, spaces) is refused. Repeated
values share one object through small caches, which keeps large files cheap to hold in memory.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from claims_billing.x12.errors import X12Error

_CACHE_LIMIT = 8192  # entries; a full cache starts over
_decimals: dict[str, Decimal] = {}
_dates: dict[str, datetime.date | None] = {}


# ``cached_decimal(text)``: the Decimal for ``text`` when it was read before, else None (then call
# ``amount``, which checks and caches it). A dict lookup: the fast path of hot loops.
cached_decimal = _decimals.get


def decimal_or_none(text: str) -> Decimal | None:
	"""``text`` as a Decimal when it is a plain X12 number (``-12.50``, ``.75``), else None."""
	value = _decimals.get(text)
	if value is not None:
		return value
	digits = text[1:] if text[:1] == "-" else text
	whole, _, fraction = digits.partition(".")
	digits = whole + fraction
	if not digits or not digits.isascii() or not digits.isdigit():
		return None
	value = Decimal(text)
	if len(_decimals) >= _CACHE_LIMIT:
		_decimals.clear()
	_decimals[text] = value
	return value


def amount(text: str, position: int, segment_id: str, name: str) -> Decimal:
	"""A required number; ``name`` (e.g. ``"CLP03 charge"``) goes into the error message."""
	value = decimal_or_none(text)
	if value is None:
		if not text:
			raise X12Error(f"{name} is missing", position, segment_id)
		raise X12Error(f"{name} {_shown(text)} is not a number", position, segment_id)
	return value


def optional_amount(text: str, position: int, segment_id: str, name: str) -> Decimal | None:
	"""A number that may be absent (empty element gives None)."""
	if not text:
		return None
	return amount(text, position, segment_id, name)


def whole_number(text: str, position: int, segment_id: str, name: str) -> int:
	"""A required non-negative whole number (counts, positions)."""
	if not text or not text.isascii() or not text.isdigit():
		if not text:
			raise X12Error(f"{name} is missing", position, segment_id)
		raise X12Error(f"{name} {_shown(text)} is not a whole number", position, segment_id)
	return int(text)


def date_or_none(text: str) -> datetime.date | None:
	"""A CCYYMMDD date, or None when ``text`` is empty or not a real date."""
	try:
		return _dates[text]
	except KeyError:
		pass
	value = None
	if len(text) == 8 and text.isascii() and text.isdigit():
		try:
			value = datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
		except ValueError:
			value = None
	if len(_dates) >= _CACHE_LIMIT:
		_dates.clear()
	_dates[text] = value
	return value


cached_date = date_or_none
# ``cached_valid_date(text)``: the date when ``text`` was read before as a valid date, else None.
cached_valid_date = _dates.get


def date_range(qualifier: str, text: str) -> tuple[datetime.date | None, datetime.date | None]:
	"""A DTP/DTM date by its format qualifier: D8 ``CCYYMMDD`` or RD8 ``CCYYMMDD-CCYYMMDD``."""
	if qualifier == "RD8" or (not qualifier and "-" in text):
		first, _, last = text.partition("-")
		return date_or_none(first), date_or_none(last)
	return date_or_none(text), None


def is_valid_date(text: str) -> bool:
	return date_or_none(text) is not None


def is_valid_short_date(text: str) -> bool:
	"""ISA09 YYMMDD."""
	return len(text) == 6 and date_or_none("20" + text) is not None


def is_valid_time(text: str) -> bool:
	"""HHMM, HHMMSS, HHMMSSD or HHMMSSDD (decimal seconds), 24-hour clock."""
	if len(text) not in (4, 6, 7, 8) or not text.isascii() or not text.isdigit():
		return False
	if int(text[:2]) > 23 or int(text[2:4]) > 59:
		return False
	return len(text) == 4 or int(text[4:6]) <= 59


def _shown(text: str) -> str:
	"""A bad value as shown in a message: quoted and cut short."""
	return repr(text if len(text) <= 20 else text[:20] + "...")
