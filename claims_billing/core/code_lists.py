"""The X12 and CMS code lists shipped in ``claims_billing/data`` (see SOURCES.md there).

Each list is a CSV with a ``code`` column; it is read on first use and cached. Lookups forgive
surrounding spaces and lower case, but not missing leading zeros: place of service "2" is not "02".
Deactivated CARC and RARC codes still describe (an old remittance may carry them); ask
``carc_status`` / ``rarc_status`` when it matters.
"""

import csv
import functools
import io
import types
from collections.abc import Mapping
from importlib import resources

DATA_PACKAGE = "claims_billing"
DATA_FOLDER = "data"

LIST_NAMES = (
	"adjustment_group",
	"carc",
	"claim_filing_indicator",
	"claim_frequency",
	"claim_status",
	"claim_status_category",
	"clp02_claim_status",
	"place_of_service",
	"rarc",
)

UNASSIGNED_PLACE_OF_SERVICE = "Unassigned"


class CodeListError(RuntimeError):
	"""A shipped code list is missing or malformed: a packaging fault, not bad user input."""


def load(name: str) -> Mapping[str, Mapping[str, str]]:
	"""Every row of list ``name`` keyed by code. Read-only: the result is shared between callers."""
	if name not in LIST_NAMES:
		raise ValueError(f"unknown code list {name!r}; known lists: {', '.join(LIST_NAMES)}")
	return _load_cached(name)


@functools.cache
def _load_cached(name: str) -> Mapping[str, Mapping[str, str]]:
	file_name = f"{name}.csv"
	resource = resources.files(DATA_PACKAGE).joinpath(DATA_FOLDER, file_name)
	try:
		text = resource.read_text(encoding="utf-8")
	except FileNotFoundError:
		raise CodeListError(f"code list {file_name} is missing from the installed package") from None
	except UnicodeDecodeError as error:
		raise CodeListError(f"code list {file_name} is not UTF-8 (byte {error.start})") from None
	reader = csv.DictReader(io.StringIO(text, newline=""))
	if not reader.fieldnames or "code" not in reader.fieldnames:
		raise CodeListError(f"code list {file_name} has no 'code' column in its header")
	rows: dict[str, Mapping[str, str]] = {}
	for row in reader:
		where = f"code list {file_name} line {reader.line_num}"
		# DictReader fills short rows with None and gathers extra cells under the None key.
		if None in row or None in row.values():
			raise CodeListError(f"{where}: expected {len(reader.fieldnames)} columns")
		code = row["code"].strip()
		if not code:
			raise CodeListError(f"{where}: empty code")
		if code in rows:
			raise CodeListError(f"{where}: code {code} appears twice")
		rows[code] = types.MappingProxyType(row)
	return types.MappingProxyType(rows)


def _row(name: str, code: str | None) -> Mapping[str, str] | None:
	if not isinstance(code, str):
		return None
	return load(name).get(code.strip().upper())


def _column(name: str, code: str | None, column: str) -> str | None:
	row = _row(name, code)
	return None if row is None else row[column]


def describe_carc(code: str | None) -> str | None:
	"""Claim Adjustment Reason Code text, also for deactivated codes."""
	return _column("carc", code, "description")


def carc_status(code: str | None) -> str | None:
	"""``active`` or ``deactivated``; None when the code is unknown."""
	return _column("carc", code, "status")


def describe_rarc(code: str | None) -> str | None:
	"""Remittance Advice Remark Code text, also for deactivated codes."""
	return _column("rarc", code, "description")


def rarc_status(code: str | None) -> str | None:
	"""``active`` or ``deactivated``; None when the code is unknown."""
	return _column("rarc", code, "status")


def describe_claim_status_category(code: str | None) -> str | None:
	"""277 STC01-1 claim status category (code source 507), e.g. A1, F2."""
	return _column("claim_status_category", code, "description")


def describe_claim_status(code: str | None) -> str | None:
	"""277 STC01-2 claim status code (code source 508)."""
	return _column("claim_status", code, "description")


def describe_place_of_service(code: str | None) -> str | None:
	"""The CMS name of a place of service, e.g. "Office" for 11; "Unassigned" for gaps in the list."""
	return _column("place_of_service", code, "name")


def is_active_place_of_service(code: str | None) -> bool:
	"""True when CMS has assigned the code to a place (not one of the "Unassigned" gaps)."""
	name = describe_place_of_service(code)
	return name is not None and name != UNASSIGNED_PLACE_OF_SERVICE


def describe_adjustment_group(code: str | None) -> str | None:
	"""CAS01 group name, e.g. "Contractual Obligation" for CO."""
	return _column("adjustment_group", code, "name")


def describe_claim_filing_indicator(code: str | None) -> str | None:
	"""SBR09 / CLP06 claim filing indicator, e.g. "Medicare Part B" for MB."""
	return _column("claim_filing_indicator", code, "description")


def describe_clp02(code: str | None) -> str | None:
	"""835 CLP02 claim status, e.g. "Processed as Primary" for 1."""
	return _column("clp02_claim_status", code, "description")


def describe_claim_frequency(code: str | None) -> str | None:
	"""CLM05-3 claim frequency in CMS wording, e.g. "REPLACEMENT OF PRIOR CLAIM" for 7."""
	return _column("claim_frequency", code, "description")
