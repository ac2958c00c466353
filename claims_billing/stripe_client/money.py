"""Dollars as ``Decimal`` ↔ Stripe's integer amounts in the currency's smallest unit."""

from decimal import Decimal

from claims_billing.stripe_client.errors import StripeInputError

# Currencies whose smallest unit is not a hundredth: converting "dollars times 100" would be wrong
# for them, so they are refused rather than silently mis-billed.
ZERO_DECIMAL_CURRENCIES = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
THREE_DECIMAL_CURRENCIES = frozenset("bhd jod kwd omr tnd".split())
# Stripe's ceiling for one amount in two-decimal currencies ($999,999.99).
MAX_AMOUNT_CENTS = 99_999_999
HUNDRED = Decimal(100)


def check_currency(currency: object, path: str = "currency") -> str:
	"""A lowercase ISO 4217 code whose minor unit is a cent."""
	if (
		not isinstance(currency, str)
		or len(currency) != 3
		or not currency.isascii()
		or not currency.isalpha()
	):
		raise StripeInputError(path, f"{currency!r} is not a three-letter currency code")
	currency = currency.lower()
	if currency in ZERO_DECIMAL_CURRENCIES or currency in THREE_DECIMAL_CURRENCIES:
		raise StripeInputError(
			path, f"{currency} does not have cents; only two-decimal currencies are supported"
		)
	return currency


def to_cents(amount: object, path: str) -> int:
	"""A positive ``Decimal`` amount in whole cents, exactly; refuses floats and fractions of a cent."""
	if not isinstance(amount, Decimal):
		raise StripeInputError(path, f"amount must be a Decimal, got {type(amount).__name__} {amount!r}")
	if not amount.is_finite():
		raise StripeInputError(path, f"amount {amount} is not a number")
	cents = amount * HUNDRED
	if cents != cents.to_integral_value():
		raise StripeInputError(path, f"amount {amount} has a fraction of a cent")
	if cents <= 0:
		raise StripeInputError(path, f"amount {amount} must be more than zero")
	if cents > MAX_AMOUNT_CENTS:
		raise StripeInputError(path, f"amount {amount} is above Stripe's limit of 999999.99")
	return int(cents)


def from_cents(cents: int) -> Decimal:
	"""1250 → Decimal('12.50')."""
	return Decimal(cents).scaleb(-2)
