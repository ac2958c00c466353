"""The typed errors the Stripe client raises instead of the library's own exceptions.

Callers (jobs, the webhook endpoint) decide what to do from the type alone: retry later
(``StripeUnavailable``, ``StripeRateLimited``), tell the patient (``StripeCardDeclined``),
fix configuration (``StripeAuthenticationError``) or fix the data (``StripeInvalidRequest``,
``StripeInputError``). Every message passes through ``scrub_secrets`` and ``redact_emails``
so no key or patient email address reaches an Error Log.
"""

from claims_billing.stripe_client.masking import redact_emails, scrub_secrets


class StripeClientError(Exception):
	"""Base of every error the client raises."""

	def __init__(
		self,
		message: str,
		*,
		http_status: int | None = None,
		code: str | None = None,
		request_id: str | None = None,
	):
		self.message = redact_emails(scrub_secrets(message))
		self.http_status = http_status
		self.code = code
		self.request_id = request_id
		super().__init__(self.message)

	def __repr__(self) -> str:
		return (
			f"{type(self).__name__}({self.message!r}, http_status={self.http_status!r}, code={self.code!r})"
		)


class StripeInputError(StripeClientError, ValueError):
	"""Our own data is unfit to send (refused before any request); ``path`` names the field."""

	def __init__(self, path: str, message: str):
		self.path = path
		super().__init__(f"{path}: {message}")


class StripeAuthenticationError(StripeClientError):
	"""The API key is missing, wrong, revoked or lacks permission (HTTP 401/403)."""


class StripeInvalidRequest(StripeClientError):
	"""Stripe refused the request's content (HTTP 400/404); ``param`` names the offending parameter."""

	def __init__(self, message: str, *, param: str | None = None, **details):
		self.param = param
		super().__init__(message, **details)


class StripeIdempotencyConflict(StripeInvalidRequest):
	"""An idempotency key was reused with different parameters: two different things got the same key."""


class StripeCardDeclined(StripeClientError):
	"""The card was declined (HTTP 402); ``decline_code`` is the issuer's reason when Stripe has one."""

	def __init__(self, message: str, *, decline_code: str | None = None, **details):
		self.decline_code = decline_code
		super().__init__(message, **details)


class StripeRateLimited(StripeClientError):
	"""Stripe kept answering 429 after our retries; try again later."""


class StripeUnavailable(StripeClientError):
	"""Stripe answered 5xx or could not be reached, after the library's retries; try again later."""


class StripeUnexpectedResponse(StripeClientError):
	"""Stripe answered, but not with what the request should have produced."""


class StripeWebhookError(StripeClientError):
	"""An incoming webhook cannot be accepted."""


class StripeSignatureError(StripeWebhookError):
	"""The ``Stripe-Signature`` header is missing, malformed, wrong or too old."""
