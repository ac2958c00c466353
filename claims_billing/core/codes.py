"""Checks of single codes a claim carries: ICD-10-CM, CPT/HCPCS, modifiers, NPI, place of service.

Each ``*_problem`` function returns None when the value is fine, else one plain sentence for
billing staff. The Frappe layer calls them to validate form fields; the scrubber calls them for
whole claims. Procedure codes are checked for shape only: CPT descriptions are licensed by the AMA.
"""

import functools
import re
import warnings

from claims_billing.core import code_lists

# Places of service that mean telehealth: 02 (patient not at home), 10 (patient at home).
TELEHEALTH_PLACES_OF_SERVICE = frozenset({"02", "10"})
# Modifiers that say "this line was telehealth"; with any other place of service they contradict it.
TELEHEALTH_MODIFIERS = frozenset({"95", "GT"})
# Modifiers that also mark a remote service but are billed with ordinary places too: 93 audio-only,
# FQ audio-only at RHC/FQHC, GQ asynchronous (store and forward). They satisfy a telehealth place
# of service, but are not flagged when the place is not 02 or 10.
TELEHEALTH_RELATED_MODIFIERS = frozenset({"93", "FQ", "GQ"})

NPI_LENGTH = 10
# An NPI is an ISO 7812 card number with issuer prefix 80840; the prefix is not written.
NPI_ISSUER_PREFIX = "80840"

_ICD10_SHAPE = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")
_CPT = re.compile(r"[0-9]{5}")
# F: Category II, T: Category III, U: proprietary laboratory analyses, M: multianalyte assays.
_CPT_SUFFIXED = re.compile(r"[0-9]{4}[FTUM]")
_HCPCS_LEVEL_II = re.compile(r"[A-V][0-9]{4}")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")
# "99213-25", "99213:25:59": a code typed with its modifiers.
_CODE_WITH_MODIFIERS = re.compile(r"([0-9A-Z]{5})(?:[-:\s]+[0-9A-Z]{2})+")
_TEN_DIGITS = re.compile(r"[0-9]{10}")
_TWO_DIGITS = re.compile(r"[0-9]{2}")
_EXAMPLES_SHOWN = 3


# --- ICD-10-CM -------------------------------------------------------------------------------


@functools.cache
def _icd10_cm():
	# Imported on first use: loading the code set takes about two seconds. The package calls a
	# deprecated importlib.resources function on import; that warning is its business, not ours.
	with warnings.catch_warnings():
		warnings.simplefilter("ignore", DeprecationWarning)
		import simple_icd_10_cm

	return simple_icd_10_cm


def normalize_icd10(code: str) -> str:
	"""Upper case, no spaces, the dot after the third character: ``f411`` -> ``F41.1``."""
	compact = "".join(code.split()).replace(".", "").upper()
	return compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"


def icd10_problem(code: str | None) -> str | None:
	"""None when ``code`` is a billable ICD-10-CM code (a leaf of the tabular list)."""
	if not isinstance(code, str) or not code.strip():
		return "No diagnosis code given"
	normalized = normalize_icd10(code)
	if not _ICD10_SHAPE.fullmatch(normalized):
		return (
			f"{code.strip()} is not an ICD-10-CM code: expected a letter, a digit and a letter or digit, "
			"then up to four more characters after the dot (e.g. F41.1)"
		)
	icd = _icd10_cm()
	if not icd.is_valid_item(normalized):
		return f"{normalized} is not an ICD-10-CM code"
	if icd.is_leaf(normalized):
		return None
	children = icd.get_children(normalized)
	examples = ", ".join(children[:_EXAMPLES_SHOWN])
	if icd.is_category(normalized):
		return (
			f"{normalized} is a category, not a billable code; add the digits after the dot "
			f"(for example {examples})"
		)
	if children and all(icd.is_extended_subcategory(child) for child in children):
		return (
			f"{normalized} is not billable without its 7th character for the encounter "
			f"(for example {examples})"
		)
	return f"{normalized} is not billable on its own; use a more specific code (for example {examples})"


def describe_icd10(code: str | None) -> str | None:
	"""The ICD-10-CM description (public domain, CDC/CMS), also for non-billable headings."""
	if not isinstance(code, str) or not code.strip():
		return None
	normalized = normalize_icd10(code)
	if not _ICD10_SHAPE.fullmatch(normalized):
		return None
	icd = _icd10_cm()
	return icd.get_description(normalized) if icd.is_valid_item(normalized) else None


# --- Procedure codes and modifiers -----------------------------------------------------------


def _is_procedure_code(code: str) -> bool:
	return any(pattern.fullmatch(code) for pattern in (_CPT, _CPT_SUFFIXED, _HCPCS_LEVEL_II))


def procedure_code_problem(code: str | None) -> str | None:
	"""None for a well-formed CPT (Category I, II, III) or HCPCS Level II code. Shape only."""
	if not isinstance(code, str) or not code.strip():
		return "No procedure code given"
	if _is_procedure_code(code):
		return None
	cleaned = "".join(code.split()).upper()
	if _is_procedure_code(cleaned):
		return f"Procedure code '{code}' must be written as {cleaned} (capital letters, no spaces)"
	with_modifiers = _CODE_WITH_MODIFIERS.fullmatch(code.strip().upper())
	if with_modifiers and _is_procedure_code(with_modifiers.group(1)):
		return (
			f"Procedure code '{code}': enter {with_modifiers.group(1)} here "
			"and put modifiers in the modifier fields"
		)
	return (
		f"Procedure code '{code}' is not a CPT or HCPCS code: expected 5 digits (CPT, e.g. 99213), "
		"4 digits and F, T, U or M (other CPT categories, e.g. 0591T), "
		"or a letter from A to V and 4 digits (HCPCS, e.g. G0283)"
	)


def modifier_problem(mod: str | None) -> str | None:
	"""None for a well-formed procedure modifier: two capital letters or digits."""
	if not isinstance(mod, str) or not mod.strip():
		return "Empty modifier"
	if _MODIFIER.fullmatch(mod):
		return None
	if _MODIFIER.fullmatch(mod.strip().upper()):
		return f"Modifier '{mod}' must be written as {mod.strip().upper()} (capital letters, no spaces)"
	return f"Modifier '{mod}' must be two letters or digits (e.g. 25, 59, GT)"


# --- NPI -------------------------------------------------------------------------------------


def _luhn_sum(digits: str) -> int:
	"""Luhn sum of ``digits`` with the rightmost digit unweighted."""
	total = 0
	for position, char in enumerate(reversed(digits)):
		value = int(char)
		if position % 2 == 1:
			value *= 2
			if value > 9:
				value -= 9
		total += value
	return total


def npi_check_digit(first_nine: str) -> str:
	"""The tenth digit that makes ``first_nine`` a valid NPI."""
	if not re.fullmatch(r"[0-9]{9}", first_nine or ""):
		raise ValueError("npi_check_digit needs exactly 9 digits")
	return str((10 - _luhn_sum(NPI_ISSUER_PREFIX + first_nine + "0") % 10) % 10)


def is_valid_npi(npi: str | None) -> bool:
	"""10 digits whose last is the Luhn check digit over the prefix 80840 and the first nine."""
	return (
		isinstance(npi, str)
		and bool(_TEN_DIGITS.fullmatch(npi))
		and _luhn_sum(NPI_ISSUER_PREFIX + npi) % 10 == 0
	)


def npi_problem(npi: str | None) -> str | None:
	if not isinstance(npi, str) or not npi.strip():
		return "No NPI given"
	if not _TEN_DIGITS.fullmatch(npi):
		return f"NPI '{npi}' must be exactly 10 digits"
	if not is_valid_npi(npi):
		return f"NPI {npi} fails its check digit, so it is mistyped; copy it again from the NPI registry"
	return None


# --- Place of service ------------------------------------------------------------------------


def place_of_service_problem(code: str | None) -> str | None:
	"""None for a two-digit place of service that CMS has assigned."""
	if not isinstance(code, str) or not code.strip():
		return "No place of service given"
	if not _TWO_DIGITS.fullmatch(code):
		return f"Place of service '{code}' must be two digits (e.g. 11 for Office, 02 or 10 for telehealth)"
	if not code_lists.is_active_place_of_service(code):
		return f"Place of service {code} is not assigned by CMS"
	return None


def is_telehealth_place_of_service(code: str | None) -> bool:
	return code in TELEHEALTH_PLACES_OF_SERVICE
