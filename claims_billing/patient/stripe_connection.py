"""The site's Stripe client and webhook secret, from Claims Billing Settings (Password fields)."""

import frappe
from frappe import _

from claims_billing.settings import billing_settings
from claims_billing.stripe_client import (
	StripeAuthenticationError,
	StripeBillingClient,
	StripeCardDeclined,
	StripeClientError,
	StripeIdempotencyConflict,
	StripeInputError,
	StripeRateLimited,
	StripeUnavailable,
)

# The library's own retries of network errors and 5xx (each with its backoff).
NETWORK_RETRIES = 2


def stripe_client() -> StripeBillingClient:
	settings = billing_settings()
	key = settings.get_password("stripe_secret_key", raise_exception=False)
	if not key:
		frappe.throw(_("Set the Stripe Secret Key in Claims Billing Settings first."))
	return StripeBillingClient(
		key,
		base_url=(settings.stripe_api_base or "").strip() or None,
		max_network_retries=NETWORK_RETRIES,
		# Two sites sharing one Stripe account never replay each other's customers.
		idempotency_namespace=frappe.local.site,
	)


def webhook_secret() -> str:
	return billing_settings().get_password("stripe_webhook_secret", raise_exception=False) or ""


def explain_stripe_error(error: StripeClientError) -> str:
	"""What staff should do about a failed Stripe call, in a sentence (no secrets, no emails)."""
	if isinstance(error, StripeUnavailable | StripeRateLimited):
		return _(
			"Stripe did not answer ({0}). Nothing was sent twice: try again in a minute and it resumes "
			"where it stopped."
		).format(error.message)
	if isinstance(error, StripeAuthenticationError):
		return _("Stripe refused the secret key in Claims Billing Settings ({0}).").format(error.message)
	if isinstance(error, StripeIdempotencyConflict):
		return _(
			"Stripe already has a different invoice under this invoice's key ({0}); void this draft and "
			"create a new one."
		).format(error.message)
	if isinstance(error, StripeCardDeclined):
		return _("The card was declined ({0}).").format(error.decline_code or error.message)
	if isinstance(error, StripeInputError):
		return _("The invoice can't go to Stripe: {0}").format(error.message)
	return _("Stripe refused the request: {0}").format(error.message)


def settings_problems(settings) -> list[str]:
	"""What is wrong with the Stripe part of Claims Billing Settings (validated with the rest)."""
	problems = []
	key = settings.get("stripe_secret_key") or ""
	# A saved Password field reads back as asterisks; only a newly typed key can be checked.
	if key and not set(key) <= {"*"} and not key.startswith(("sk_", "rk_")):
		problems.append(_("The Stripe Secret Key starts with sk_ (or rk_ for a restricted key)."))
	secret = settings.get("stripe_webhook_secret") or ""
	if secret and not set(secret) <= {"*"} and not secret.startswith("whsec_"):
		problems.append(_("The Stripe Webhook Signing Secret starts with whsec_."))
	base = (settings.get("stripe_api_base") or "").strip()
	if base and not base.startswith(("https://", "http://127.0.0.1", "http://localhost")):
		problems.append(
			_("The Stripe API Address must be an https:// address (plain http only on this machine).")
		)
	if (settings.get("patient_invoice_due_days") or 0) < 0:
		problems.append(_("Invoice Due Days cannot be negative."))
	account = settings.get("stripe_deposit_account")
	if account:
		company, account_type, is_group = frappe.db.get_value(
			"Account", account, ["company", "account_type", "is_group"]
		) or (None, None, None)
		if account_type not in ("Bank", "Cash") or is_group:
			problems.append(_("Stripe Deposit Account {0} must be a Bank or Cash account.").format(account))
		if settings.get("company") and company != settings.company:
			problems.append(_("Stripe Deposit Account {0} belongs to another company.").format(account))
	return problems
