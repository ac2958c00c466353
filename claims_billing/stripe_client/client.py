"""The Stripe calls the app makes for patient balances: customers, invoices, voids, payments.

Everything goes through the official ``stripe`` library (``stripe.StripeClient``), configured
per instance so one site's key and base address never leak into another's. Plain data in and
out: ``Decimal`` dollars, ``StripeInvoice``, typed errors from ``errors``.

Retries: the library retries network errors, 409 and 5xx itself (``max_network_retries``);
it does not retry 429 unless Stripe asks it to, so rate limits are retried here with a short
backoff. Every POST carries an explicit idempotency key, reused by every retry of it, so a
retry can never create a second object.
"""

import datetime
import hashlib
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import stripe

from claims_billing.stripe_client.errors import (
	StripeAuthenticationError,
	StripeCardDeclined,
	StripeClientError,
	StripeIdempotencyConflict,
	StripeInputError,
	StripeInvalidRequest,
	StripeRateLimited,
	StripeUnavailable,
	StripeUnexpectedResponse,
)
from claims_billing.stripe_client.masking import mask_secret
from claims_billing.stripe_client.models import InvoiceLine, StripeInvoice
from claims_billing.stripe_client.money import check_currency, from_cents, to_cents

PATIENT_REF_KEY = "patient_ref"
SERVICE_REF_KEY = "service_ref"
# Invoice metadata: a digest of the lines, so reusing an idempotency key for other lines is a
# conflict at Stripe instead of silently returning the earlier invoice.
LINES_DIGEST_KEY = "lines_digest"
# Stripe's limits on metadata and idempotency keys.
METADATA_MAX_KEYS = 50
METADATA_KEY_MAX_LENGTH = 40
METADATA_VALUE_MAX_LENGTH = 500
IDEMPOTENCY_KEY_MAX_LENGTH = 255
# Room left in an idempotency key for the suffixes create_invoice derives from it.
IDEMPOTENCY_SUFFIX_ROOM = 20
MAX_LINES_PER_INVOICE = 250
# Object ids; test-mode payment methods such as pm_card_visa carry underscores too.
_ID_PATTERN = re.compile(r"[a-z]+_[A-Za-z0-9_]+")


class StripeBillingClient:
	"""Patient invoicing through one Stripe account.

	``base_url`` points the library elsewhere than https://api.stripe.com (tests use a local
	server). ``idempotency_namespace`` (e.g. the site name) keeps two sites sharing one Stripe
	account from replaying each other's customers.
	"""

	def __init__(
		self,
		api_key: str,
		*,
		base_url: str | None = None,
		max_network_retries: int = 2,
		timeout: float = 30.0,
		rate_limit_retries: int = 2,
		rate_limit_backoff: float = 1.0,
		idempotency_namespace: str = "",
	):
		if not isinstance(api_key, str) or not api_key.strip():
			raise StripeInputError("api_key", "no Stripe secret key is configured")
		# Only the masked form is kept on this object; the key itself lives in the library's client.
		self.masked_key = mask_secret(api_key)
		self.base_url = base_url
		self._rate_limit_retries = rate_limit_retries
		self._rate_limit_backoff = rate_limit_backoff
		self._namespace = idempotency_namespace
		self._stripe = stripe.StripeClient(
			api_key,
			base_addresses={"api": base_url} if base_url else {},
			max_network_retries=max_network_retries,
			http_client=stripe.RequestsClient(timeout=timeout),
		)

	def __repr__(self) -> str:
		return f"StripeBillingClient(key={self.masked_key}, base_url={self.base_url or 'api.stripe.com'})"

	# Customers

	def ensure_customer(
		self, patient_ref: str, name: str, email: str, existing_customer_id: str | None = None
	) -> str:
		"""The Stripe customer id for a patient, creating the customer the first time.

		The customer is created with only our patient ref (so its idempotency key, derived
		from the ref, always sees the same parameters) and then updated with the current
		name and email, so corrections in the patient record reach Stripe's invoice emails.
		A stored ``existing_customer_id`` must belong to the same patient ref.
		"""
		_require_text(patient_ref, "patient_ref")
		_require_text(name, "name")
		_check_email(email)
		if existing_customer_id is None:
			created = self._call(
				"creating the Stripe customer",
				lambda key: self._stripe.v1.customers.create(
					params={"metadata": {PATIENT_REF_KEY: patient_ref}},
					options={"idempotency_key": key},
				),
				idempotency_key=self._derived_key("customer", patient_ref),
			)
			customer_id = _field(created, "id", "customer")
		else:
			customer_id = _check_id(existing_customer_id, "cus_", "existing_customer_id")
			current = self._call(
				f"reading Stripe customer {customer_id}",
				lambda _key: self._stripe.v1.customers.retrieve(customer_id),
			)
			if current.get("deleted"):
				raise StripeInvalidRequest(
					f"Stripe customer {customer_id} was deleted; clear the stored id to create a new one",
					param="customer",
				)
			recorded_ref = (current.get("metadata") or {}).get(PATIENT_REF_KEY)
			if recorded_ref not in (None, "", patient_ref):
				raise StripeUnexpectedResponse(
					f"Stripe customer {customer_id} is recorded for a different patient; not updating it"
				)
		self._call(
			f"updating Stripe customer {customer_id}",
			lambda key: self._stripe.v1.customers.update(
				customer_id,
				params={"name": name, "email": email, "metadata": {PATIENT_REF_KEY: patient_ref}},
				options={"idempotency_key": key},
			),
			idempotency_key=self._random_key(),
		)
		return customer_id

	# Invoices

	def create_invoice(
		self,
		customer_id: str,
		lines: Sequence[InvoiceLine],
		*,
		idempotency_key: str,
		currency: str = "usd",
		days_until_due: int = 30,
		metadata: Mapping[str, str] | None = None,
		description: str | None = None,
	) -> StripeInvoice:
		"""Invoice the patient (one invoice item per line), finalize it and have Stripe email it.

		Calling again with the same ``idempotency_key`` (within Stripe's 24 hours) resumes a
		call that failed half-way instead of creating a second invoice: the draft and its
		items are replayed, an invoice already finalized is only sent, and the send itself is
		replayed (no second email) if it already happened. The same key with other lines is a
		``StripeIdempotencyConflict``.
		"""
		customer_id = _check_id(customer_id, "cus_", "customer_id")
		currency = check_currency(currency)
		line_cents = _check_lines(lines)
		if isinstance(days_until_due, bool) or not isinstance(days_until_due, int) or days_until_due < 0:
			raise StripeInputError(
				"days_until_due", f"must be a whole number of days >= 0, got {days_until_due!r}"
			)
		invoice_metadata = _check_metadata(metadata or {}, "metadata")
		if LINES_DIGEST_KEY in invoice_metadata:
			raise StripeInputError(f"metadata[{LINES_DIGEST_KEY}]", "is reserved for the client")
		invoice_metadata[LINES_DIGEST_KEY] = _lines_digest(currency, lines, line_cents)
		_require_text(idempotency_key, "idempotency_key")
		if len(idempotency_key) > IDEMPOTENCY_KEY_MAX_LENGTH - IDEMPOTENCY_SUFFIX_ROOM:
			raise StripeInputError(
				"idempotency_key",
				f"is {len(idempotency_key)} characters; at most "
				f"{IDEMPOTENCY_KEY_MAX_LENGTH - IDEMPOTENCY_SUFFIX_ROOM} are allowed",
			)

		draft_params: dict[str, Any] = {
			"customer": customer_id,
			"currency": currency,
			"collection_method": "send_invoice",
			"days_until_due": days_until_due,
			# We finalize and send ourselves, right after adding the lines.
			"auto_advance": False,
			# Only the items created below for this invoice; never other pending items of the customer.
			"pending_invoice_items_behavior": "exclude",
			"metadata": invoice_metadata,
		}
		if description:
			draft_params["description"] = description
		draft = self._call(
			f"creating an invoice for customer {customer_id}",
			lambda key: self._stripe.v1.invoices.create(
				params=draft_params, options={"idempotency_key": key}
			),
			idempotency_key=f"{idempotency_key}/invoice",
		)
		invoice_id = _check_id(_field(draft, "id", "invoice"), "in_", "invoice.id")
		# A replayed create returns the draft as it was then; ask what the invoice is now.
		current = self._retrieve(invoice_id)
		status = _field(current, "status", "invoice")
		if status == "draft":
			self._add_lines(customer_id, invoice_id, currency, lines, line_cents, idempotency_key)
			self._check_total(invoice_id, sum(line_cents))
			current = self._call(
				f"finalizing invoice {invoice_id}",
				lambda key: self._stripe.v1.invoices.finalize_invoice(
					invoice_id, options={"idempotency_key": key}
				),
				idempotency_key=f"{idempotency_key}/finalize",
			)
			status = _field(current, "status", "invoice")
		if status == "open":
			current = self._call(
				f"sending invoice {invoice_id}",
				lambda key: self._stripe.v1.invoices.send_invoice(
					invoice_id, options={"idempotency_key": key}
				),
				idempotency_key=f"{idempotency_key}/send",
			)
		return _to_invoice(current)

	def retrieve_invoice(self, invoice_id: str) -> StripeInvoice:
		return _to_invoice(self._retrieve(_check_id(invoice_id, "in_", "invoice_id")))

	def void_invoice(self, invoice_id: str) -> StripeInvoice:
		"""Void an open invoice (the patient no longer owes it); Stripe refuses drafts and paid ones."""
		invoice_id = _check_id(invoice_id, "in_", "invoice_id")
		voided = self._call(
			f"voiding invoice {invoice_id}",
			lambda key: self._stripe.v1.invoices.void_invoice(invoice_id, options={"idempotency_key": key}),
			idempotency_key=self._random_key(),
		)
		return _to_invoice(voided)

	def pay_invoice(self, invoice_id: str, payment_method: str | None = None) -> StripeInvoice:
		"""Charge an open invoice now, to ``payment_method`` or the patient's default card.

		A declined card raises ``StripeCardDeclined``; the invoice stays open.
		"""
		invoice_id = _check_id(invoice_id, "in_", "invoice_id")
		params = {}
		if payment_method is not None:
			params["payment_method"] = _check_id(payment_method, "pm_", "payment_method")
		paid = self._call(
			f"paying invoice {invoice_id}",
			# A fresh key per call: a retry after a decline must charge again, not replay the decline.
			lambda key: self._stripe.v1.invoices.pay(
				invoice_id, params=params, options={"idempotency_key": key}
			),
			idempotency_key=self._random_key(),
		)
		return _to_invoice(paid)

	# Internals

	def _retrieve(self, invoice_id: str) -> dict:
		return self._call(
			f"reading invoice {invoice_id}", lambda _key: self._stripe.v1.invoices.retrieve(invoice_id)
		)

	def _add_lines(self, customer_id, invoice_id, currency, lines, line_cents, idempotency_key):
		for index, (line, cents) in enumerate(zip(lines, line_cents, strict=True)):
			params = {
				"customer": customer_id,
				"invoice": invoice_id,
				"amount": cents,
				"currency": currency,
				"description": line.description,
				"metadata": {SERVICE_REF_KEY: line.service_ref},
			}
			self._call(
				f"adding line {index + 1} to invoice {invoice_id}",
				lambda key, params=params: self._stripe.v1.invoice_items.create(
					params=params, options={"idempotency_key": key}
				),
				idempotency_key=f"{idempotency_key}/item/{index}",
			)

	def _check_total(self, invoice_id: str, expected_cents: int) -> None:
		draft = self._retrieve(invoice_id)
		total = _field(draft, "total", "invoice")
		if total != expected_cents:
			raise StripeUnexpectedResponse(
				f"draft invoice {invoice_id} totals {from_cents(total)} but its lines add up to "
				f"{from_cents(expected_cents)}; it was left as a draft"
			)

	def _call(
		self, what: str, request: Callable[[str | None], Any], *, idempotency_key: str | None = None
	) -> dict:
		"""Run one library request, retrying rate limits, and translate its errors."""
		attempt = 0
		while True:
			try:
				return request(idempotency_key).to_dict()
			except stripe.RateLimitError as exc:
				if attempt >= self._rate_limit_retries:
					raise _translate(exc, what) from None
			except stripe.StripeError as exc:
				raise _translate(exc, what) from None
			attempt += 1
			time.sleep(self._rate_limit_backoff * 2 ** (attempt - 1))

	def _derived_key(self, kind: str, natural_key: str) -> str:
		digest = hashlib.sha256(f"{self._namespace}\x1f{kind}\x1f{natural_key}".encode()).hexdigest()
		return f"claims-billing-{kind}-{digest[:40]}"

	@staticmethod
	def _random_key() -> str:
		return f"claims-billing-{uuid.uuid4()}"


def _translate(exc: stripe.StripeError, what: str) -> StripeClientError:
	"""The typed error for a library exception; the message says what we were doing."""
	message = f"{what}: {exc.user_message or type(exc).__name__}"
	error_body = exc.json_body.get("error") if isinstance(exc.json_body, dict) else None
	error_body = error_body if isinstance(error_body, dict) else {}
	# Some library errors (rate limits, auth) leave .code unset although the body has one.
	code = exc.code or error_body.get("code")
	details = {"http_status": exc.http_status, "code": code, "request_id": exc.request_id}
	if isinstance(exc, stripe.CardError):
		return StripeCardDeclined(message, decline_code=error_body.get("decline_code"), **details)
	if isinstance(exc, stripe.RateLimitError):
		return StripeRateLimited(message, **details)
	if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
		return StripeAuthenticationError(message, **details)
	if isinstance(exc, stripe.IdempotencyError):
		return StripeIdempotencyConflict(message, **details)
	if isinstance(exc, stripe.InvalidRequestError):
		return StripeInvalidRequest(message, param=exc.param, **details)
	if isinstance(exc, stripe.APIConnectionError):
		return StripeUnavailable(message, **details)
	# 409: another request with the same idempotency key was still running.
	if isinstance(exc, stripe.APIError) and ((exc.http_status or 0) >= 500 or exc.http_status == 409):
		return StripeUnavailable(message, **details)
	return StripeUnexpectedResponse(message, **details)


def _to_invoice(data: dict) -> StripeInvoice:
	customer = _field(data, "customer", "invoice")
	if isinstance(customer, dict):
		customer = _field(customer, "id", "invoice.customer")
	due = data.get("due_date")
	return StripeInvoice(
		id=_field(data, "id", "invoice"),
		status=_field(data, "status", "invoice"),
		customer_id=customer,
		currency=_field(data, "currency", "invoice"),
		amount_due=_amount(data, "amount_due"),
		amount_paid=_amount(data, "amount_paid"),
		amount_remaining=_amount(data, "amount_remaining"),
		total=_amount(data, "total"),
		number=data.get("number"),
		hosted_invoice_url=data.get("hosted_invoice_url"),
		due_date=datetime.datetime.fromtimestamp(due, datetime.timezone.utc).date() if due else None,
		metadata=dict(data.get("metadata") or {}),
		livemode=bool(data.get("livemode")),
	)


def _amount(data: dict, key: str) -> Decimal:
	value = _field(data, key, "invoice")
	if isinstance(value, bool) or not isinstance(value, int):
		raise StripeUnexpectedResponse(
			f"invoice {data.get('id')}: {key} is {value!r}, not a whole number of cents"
		)
	return from_cents(value)


def _field(data: dict, key: str, what: str) -> Any:
	if not isinstance(data, dict) or data.get(key) is None:
		raise StripeUnexpectedResponse(f"Stripe's {what} has no {key}")
	return data[key]


def _require_text(value: object, path: str) -> str:
	if not isinstance(value, str) or not value.strip():
		raise StripeInputError(path, "is empty")
	return value


def _check_id(value: object, prefix: str, path: str) -> str:
	if not isinstance(value, str) or not _ID_PATTERN.fullmatch(value) or not value.startswith(prefix):
		raise StripeInputError(path, f"{value!r} is not a Stripe id starting {prefix}")
	return value


def _check_email(email: object) -> None:
	# Only the shape: the address itself is patient data and stays out of the message.
	if not isinstance(email, str) or not email.strip():
		raise StripeInputError("email", "is empty; Stripe emails the invoice to it")
	local, at, domain = email.strip().rpartition("@")
	if not at or not local or "." not in domain or any(char.isspace() for char in email.strip()):
		raise StripeInputError("email", "is not an email address")


def _check_lines(lines: Sequence[InvoiceLine]) -> list[int]:
	if not isinstance(lines, Sequence) or isinstance(lines, str) or not lines:
		raise StripeInputError("lines", "an invoice needs at least one line")
	if len(lines) > MAX_LINES_PER_INVOICE:
		raise StripeInputError(
			"lines", f"{len(lines)} lines; Stripe allows {MAX_LINES_PER_INVOICE} per invoice"
		)
	cents = []
	seen_refs: dict[str, int] = {}
	for index, line in enumerate(lines):
		path = f"lines[{index}]"
		if not isinstance(line, InvoiceLine):
			raise StripeInputError(path, f"expected an InvoiceLine, got {type(line).__name__}")
		_require_text(line.description, f"{path}.description")
		_require_text(line.service_ref, f"{path}.service_ref")
		if len(line.service_ref) > METADATA_VALUE_MAX_LENGTH:
			raise StripeInputError(
				f"{path}.service_ref", f"longer than {METADATA_VALUE_MAX_LENGTH} characters"
			)
		if line.service_ref in seen_refs:
			raise StripeInputError(
				f"{path}.service_ref",
				f"{line.service_ref} is already billed on lines[{seen_refs[line.service_ref]}]",
			)
		seen_refs[line.service_ref] = index
		cents.append(to_cents(line.amount, f"{path}.amount"))
	return cents


def _lines_digest(currency: str, lines: Sequence[InvoiceLine], line_cents: list[int]) -> str:
	described = [
		currency,
		*(
			f"{line.service_ref}={cents}:{line.description}"
			for line, cents in zip(lines, line_cents, strict=True)
		),
	]
	return hashlib.sha256("\x1f".join(described).encode()).hexdigest()[:32]


def _check_metadata(metadata: Mapping[str, str], path: str) -> dict[str, str]:
	if not isinstance(metadata, Mapping):
		raise StripeInputError(path, f"expected a mapping, got {type(metadata).__name__}")
	if len(metadata) > METADATA_MAX_KEYS:
		raise StripeInputError(path, f"{len(metadata)} keys; Stripe allows {METADATA_MAX_KEYS}")
	for key, value in metadata.items():
		if (
			not isinstance(key, str)
			or not key
			or len(key) > METADATA_KEY_MAX_LENGTH
			or "[" in key
			or "]" in key
		):
			raise StripeInputError(
				path, f"key {key!r} must be 1-{METADATA_KEY_MAX_LENGTH} characters without square brackets"
			)
		if not isinstance(value, str) or len(value) > METADATA_VALUE_MAX_LENGTH:
			raise StripeInputError(
				f"{path}[{key}]", f"value must be text of at most {METADATA_VALUE_MAX_LENGTH} characters"
			)
	return dict(metadata)
