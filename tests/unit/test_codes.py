"""Single-code checks: ICD-10-CM (against the simple-icd-10-cm data), CPT/HCPCS shape, modifiers, NPI, POS."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims_billing.core import codes

# Unicode digits that str.isdigit() accepts but an X12 NPI must not contain.
FULLWIDTH_DIGITS = {ord("0") + digit: 0xFF10 + digit for digit in range(10)}


def cms_npi_check_digit(first_nine: str) -> int:
	"""The check digit as CMS describes it: double every other digit from the right, add 24, round up to 10."""
	total = 24  # the digits of the 80840 prefix after doubling
	for position, char in enumerate(reversed(first_nine)):
		value = int(char) * (2 if position % 2 == 0 else 1)
		total += value // 10 + value % 10
	return (10 - total % 10) % 10


# --- ICD-10-CM -------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("typed", "normalized"),
	[
		("f411", "F41.1"),
		("F41.1", "F41.1"),
		(" m54 50 ", "M54.50"),
		("s134xxa", "S13.4XXA"),
		("F41", "F41"),
		("F41.", "F41"),
	],
)
def test_normalize_icd10(typed, normalized):
	assert codes.normalize_icd10(typed) == normalized


@given(st.from_regex(r"[A-Za-z][0-9][0-9A-Za-z]\.?[0-9A-Za-z]{0,4}", fullmatch=True))
def test_normalize_icd10_is_idempotent(code):
	once = codes.normalize_icd10(code)
	assert codes.normalize_icd10(once) == once


@pytest.mark.parametrize("code", ["F41.1", "f411", "M54.50", "F32.A", "Z00.00", "S13.4XXA", "U07.1"])
def test_billable_icd10_codes_have_no_problem(code):
	assert codes.icd10_problem(code) is None


def test_category_is_not_billable_and_says_to_add_digits():
	message = codes.icd10_problem("F41")
	assert message.startswith("F41 is a category, not a billable code; add the digits after the dot")
	assert "F41.1" in message


def test_m54_5_is_not_billable_since_october_2021():
	message = codes.icd10_problem("M54.5")
	assert message.startswith("M54.5 is not billable on its own")
	assert "M54.50" in message
	assert codes.icd10_problem("M54.50") is None


def test_injury_code_without_seventh_character_says_so():
	message = codes.icd10_problem("S13.4")
	assert "7th character" in message
	assert "S13.4XXA" in message


@pytest.mark.parametrize("code", ["Q99.9X", "T81.4X", "Z99.999"])
def test_well_formed_but_nonexistent_codes(code):
	assert codes.icd10_problem(code) == f"{code} is not an ICD-10-CM code"


@pytest.mark.parametrize("code", ["hello", "123.4", "A00-A09", "F4"])
def test_malformed_codes_explain_the_expected_shape(code):
	message = codes.icd10_problem(code)
	assert message.startswith(f"{code} is not an ICD-10-CM code: expected a letter")


@pytest.mark.parametrize("code", ["", "   ", None])
def test_empty_diagnosis(code):
	assert codes.icd10_problem(code) == "No diagnosis code given"


def test_describe_icd10_uses_the_public_descriptions():
	assert codes.describe_icd10("f411") == "Generalized anxiety disorder"
	assert codes.describe_icd10("M54.50") == "Low back pain, unspecified"
	assert codes.describe_icd10("F41") == "Other anxiety disorders"
	assert codes.describe_icd10("Q99.9X") is None
	assert codes.describe_icd10("not a code") is None
	assert codes.describe_icd10(None) is None


# --- procedure codes and modifiers -----------------------------------------------------------


@pytest.mark.parametrize(
	"code", ["99213", "90837", "97110", "98941", "1036F", "0591T", "0001U", "G0283", "J1100", "A4550"]
)
def test_well_formed_procedure_codes(code):
	assert codes.procedure_code_problem(code) is None


@pytest.mark.parametrize("code", ["9921", "992131", "W1234", "G028", "1036X", "ABCDE", "99 213x"])
def test_malformed_procedure_codes(code):
	message = codes.procedure_code_problem(code)
	assert message.startswith(f"Procedure code '{code}' is not a CPT or HCPCS code")
	assert "5 digits" in message and "A to V" in message


def test_procedure_code_in_lower_case_or_with_spaces_gets_the_fix():
	assert codes.procedure_code_problem("j1100") == (
		"Procedure code 'j1100' must be written as J1100 (capital letters, no spaces)"
	)
	assert "must be written as 99213" in codes.procedure_code_problem(" 99213")


def test_procedure_code_with_modifier_attached():
	assert codes.procedure_code_problem("99213-25") == (
		"Procedure code '99213-25': enter 99213 here and put modifiers in the modifier fields"
	)
	assert "enter 97110 here" in codes.procedure_code_problem("97110:GP:59")


@pytest.mark.parametrize("code", ["", None])
def test_empty_procedure_code(code):
	assert codes.procedure_code_problem(code) == "No procedure code given"


@pytest.mark.parametrize("modifier", ["25", "59", "GT", "95", "KX", "GP", "Q6"])
def test_well_formed_modifiers(modifier):
	assert codes.modifier_problem(modifier) is None


@pytest.mark.parametrize("modifier", ["2", "GTX", "G-", "*5"])
def test_malformed_modifiers(modifier):
	assert (
		codes.modifier_problem(modifier)
		== f"Modifier '{modifier}' must be two letters or digits (e.g. 25, 59, GT)"
	)


def test_lower_case_modifier_gets_the_fix():
	assert codes.modifier_problem("gt") == "Modifier 'gt' must be written as GT (capital letters, no spaces)"
	assert codes.modifier_problem("") == "Empty modifier"


# --- NPI -------------------------------------------------------------------------------------


def test_cms_example_npi_is_valid():
	assert codes.is_valid_npi("1234567893")
	assert codes.npi_problem("1234567893") is None
	assert codes.npi_check_digit("123456789") == "3"


@pytest.mark.parametrize("npi", ["1234567890", "1234567894", "2134567893", "0100000009", "9876543210"])
def test_npis_with_a_wrong_check_digit(npi):
	assert not codes.is_valid_npi(npi)
	assert codes.npi_problem(npi) == (
		f"NPI {npi} fails its check digit, so it is mistyped; copy it again from the NPI registry"
	)


@pytest.mark.parametrize(
	"npi", ["123456789", "12345678931", "12345678a3", " 1234567893", "1234567893".translate(FULLWIDTH_DIGITS)]
)
def test_npis_that_are_not_ten_ascii_digits(npi):
	assert not codes.is_valid_npi(npi)
	assert codes.npi_problem(npi) == f"NPI '{npi}' must be exactly 10 digits"


def test_missing_npi():
	assert codes.npi_problem("") == "No NPI given"
	assert codes.npi_problem(None) == "No NPI given"
	assert not codes.is_valid_npi(None)


@given(st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_check_digit_agrees_with_the_cms_method(first_nine):
	digit = codes.npi_check_digit(first_nine)
	assert int(digit) == cms_npi_check_digit(first_nine)
	assert codes.is_valid_npi(first_nine + digit)


@given(st.from_regex(r"[0-9]{9}", fullmatch=True), st.integers(0, 9), st.integers(1, 9))
def test_any_single_digit_typo_is_caught(first_nine, position, shift):
	npi = first_nine + codes.npi_check_digit(first_nine)
	typo = npi[:position] + str((int(npi[position]) + shift) % 10) + npi[position + 1 :]
	assert not codes.is_valid_npi(typo)


def test_check_digit_needs_nine_digits():
	with pytest.raises(ValueError, match="exactly 9 digits"):
		codes.npi_check_digit("12345678")


# --- place of service ------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["11", "02", "10", "12", "22", "99"])
def test_assigned_places_of_service(code):
	assert codes.place_of_service_problem(code) is None


def test_unassigned_place_of_service():
	assert codes.place_of_service_problem("30") == "Place of service 30 is not assigned by CMS"
	assert codes.place_of_service_problem("00") == "Place of service 00 is not assigned by CMS"


@pytest.mark.parametrize("code", ["1", "011", "O1", "AB"])
def test_place_of_service_must_be_two_digits(code):
	assert codes.place_of_service_problem(code).startswith(f"Place of service '{code}' must be two digits")


def test_missing_place_of_service():
	assert codes.place_of_service_problem("") == "No place of service given"


def test_telehealth_constants():
	assert codes.TELEHEALTH_PLACES_OF_SERVICE == {"02", "10"}
	assert codes.TELEHEALTH_MODIFIERS == {"95", "GT"}
	assert codes.TELEHEALTH_RELATED_MODIFIERS == {"93", "FQ", "GQ"}
	assert codes.is_telehealth_place_of_service("10")
	assert not codes.is_telehealth_place_of_service("11")
	for place in codes.TELEHEALTH_PLACES_OF_SERVICE:
		assert codes.place_of_service_problem(place) is None
