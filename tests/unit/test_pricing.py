"""Fee schedule / payer contract rate selection (claims_billing.core.pricing)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims_billing.core.pricing import Rate, extended_amount, find_rate, normalize_modifiers

JAN_1 = date(2024, 1, 1)
SERVICE_DAY = date(2024, 6, 3)


def rate(amount, code="97110", modifiers=(), practitioner=None, start=JAN_1, end=None, source=""):
	return Rate(
		procedure_code=code,
		amount=Decimal(amount),
		effective_from=start,
		effective_to=end,
		modifiers=modifiers,
		practitioner=practitioner,
		source=source,
	)


ALL_LEVELS = [
	rate("40.00", source="code"),
	rate("45.00", modifiers=("GP",), source="code+modifiers"),
	rate("50.00", practitioner="BPR-1", source="code+practitioner"),
	rate("55.00", modifiers=("GP",), practitioner="BPR-1", source="code+modifiers+practitioner"),
]


@pytest.mark.parametrize(
	("modifiers", "practitioner", "expected_source"),
	[
		(("GP",), "BPR-1", "code+modifiers+practitioner"),
		((), "BPR-1", "code+practitioner"),
		(("GP",), "BPR-2", "code+modifiers"),
		((), "BPR-2", "code"),
		((), None, "code"),
	],
)
def test_most_specific_rate_wins(modifiers, practitioner, expected_source):
	chosen = find_rate(ALL_LEVELS, "97110", SERVICE_DAY, modifiers, practitioner)
	assert chosen is not None
	assert chosen.source == expected_source


def test_practitioner_rate_beats_modifier_rate_even_when_listed_first():
	rates = [ALL_LEVELS[1], ALL_LEVELS[2]]
	chosen = find_rate(rates, "97110", SERVICE_DAY, ("GP",), "BPR-1")
	assert chosen.amount == Decimal("50.00")


def test_rate_with_modifiers_applies_only_when_service_carries_them_all():
	rates = [rate("45.00", modifiers=("GP", "59"))]
	assert find_rate(rates, "97110", SERVICE_DAY, ("GP",)) is None
	assert find_rate(rates, "97110", SERVICE_DAY, ("59", "GP", "KX")).amount == Decimal("45.00")


def test_plain_code_rate_still_prices_a_telehealth_modifier_service():
	assert find_rate([rate("40.00")], "97110", SERVICE_DAY, ("95",)).amount == Decimal("40.00")


def test_more_modifiers_is_more_specific():
	rates = [rate("45.00", modifiers=("GP",)), rate("47.00", modifiers=("GP", "KX"))]
	assert find_rate(rates, "97110", SERVICE_DAY, ("GP", "KX")).amount == Decimal("47.00")


def test_other_practitioners_rate_never_applies():
	rates = [rate("50.00", practitioner="BPR-1")]
	assert find_rate(rates, "97110", SERVICE_DAY, (), "BPR-2") is None
	assert find_rate(rates, "97110", SERVICE_DAY) is None


def test_effective_window_is_inclusive_and_newest_schedule_wins():
	last_year = rate("38.00", start=date(2023, 1, 1), end=date(2023, 12, 31))
	this_year = rate("40.00", start=date(2024, 1, 1))
	assert find_rate([last_year, this_year], "97110", date(2023, 12, 31)).amount == Decimal("38.00")
	assert find_rate([last_year, this_year], "97110", date(2024, 1, 1)).amount == Decimal("40.00")
	assert find_rate([last_year, this_year], "97110", date(2022, 12, 31)) is None
	open_ended_old = rate("35.00", start=date(2020, 1, 1))
	assert find_rate([open_ended_old, this_year], "97110", SERVICE_DAY).amount == Decimal("40.00")


def test_code_and_modifier_spelling_is_normalized():
	rates = [rate("45.00", code=" g0283 ", modifiers="gp, 59")]
	assert rates[0].procedure_code == "G0283"
	assert rates[0].modifiers == ("GP", "59")
	assert find_rate(rates, "G0283", SERVICE_DAY, "59 gp").amount == Decimal("45.00")


def test_no_rate_for_other_code():
	assert find_rate(ALL_LEVELS, "97112", SERVICE_DAY, ("GP",), "BPR-1") is None


def test_normalize_modifiers_drops_blanks_and_repeats_keeping_order():
	assert normalize_modifiers(["gp", "", None, "GP", "kx"]) == ("GP", "KX")
	assert normalize_modifiers("GP:59") == ("GP", "59")
	assert normalize_modifiers(None) == ()


def test_rate_rejects_float_negative_and_backwards_window():
	with pytest.raises(TypeError, match="97110: amount must be a Decimal"):
		Rate("97110", 40.0, JAN_1)
	with pytest.raises(ValueError, match="negative"):
		Rate("97110", Decimal("-1"), JAN_1)
	with pytest.raises(ValueError, match="before effective from"):
		Rate("97110", Decimal("1"), JAN_1, date(2023, 1, 1))
	with pytest.raises(ValueError, match="no procedure code"):
		Rate(" ", Decimal("1"), JAN_1)


def test_extended_amount_rounds_half_up_to_cents():
	assert extended_amount(Decimal("40.00"), 3) == Decimal("120.00")
	assert extended_amount(Decimal("33.335"), 1) == Decimal("33.34")
	assert extended_amount(Decimal("10.00"), Decimal("1.5")) == Decimal("15.00")
	with pytest.raises(ValueError, match="units must be greater than zero"):
		extended_amount(Decimal("10.00"), 0)
	with pytest.raises(TypeError):
		extended_amount(10.0, 1)


amounts = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)


@given(
	st.lists(
		st.tuples(amounts, st.sampled_from([(), ("GP",), ("GP", "KX")]), st.sampled_from([None, "BPR-1"])),
		min_size=1,
		max_size=8,
	)
)
def test_chosen_rate_always_applies_and_nothing_applicable_is_more_specific(rows):
	rates = [rate(str(amount), modifiers=mods, practitioner=prac) for amount, mods, prac in rows]
	chosen = find_rate(rates, "97110", SERVICE_DAY, ("GP", "KX"), "BPR-1")
	assert chosen is not None
	assert chosen.applies_to("97110", SERVICE_DAY, ("GP", "KX"), "BPR-1")
	assert all(other.specificity() <= chosen.specificity() for other in rates)
