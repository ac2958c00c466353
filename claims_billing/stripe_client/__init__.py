"""The Stripe calls the app makes for patient invoices (pure: no Frappe)."""

from claims_billing.stripe_client.client import StripeBillingClient
from claims_billing.stripe_client.errors import (
	StripeAuthenticationError,
	StripeCardDeclined,
	StripeClientError,
	StripeIdempotencyConflict,
	StripeInputError,
	StripeInvalidRequest,
	StripeRateLimited,
	StripeSignatureError,
	StripeUnavailable,
	StripeUnexpectedResponse,
	StripeWebhookError,
)
from claims_billing.stripe_client.masking import mask_secret, scrub_secrets
from claims_billing.stripe_client.models import InvoiceLine, StripeInvoice
from claims_billing.stripe_client.webhook import verify_webhook

__all__ = [
	"InvoiceLine",
	"StripeAuthenticationError",
	"StripeBillingClient",
	"StripeCardDeclined",
	"StripeClientError",
	"StripeIdempotencyConflict",
	"StripeInputError",
	"StripeInvalidRequest",
	"StripeInvoice",
	"StripeRateLimited",
	"StripeSignatureError",
	"StripeUnavailable",
	"StripeUnexpectedResponse",
	"StripeWebhookError",
	"mask_secret",
	"scrub_secrets",
	"verify_webhook",
]
