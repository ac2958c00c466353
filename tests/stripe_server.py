"""A local Stripe-compatible HTTP server for tests (test support code, not shipped).

It implements only what ``claims_billing.stripe_client`` uses, over real HTTP on 127.0.0.1:

	POST /v1/customers                GET/POST /v1/customers/{id}
	POST /v1/invoiceitems
	POST /v1/invoices                 GET /v1/invoices/{id}
	POST /v1/invoices/{id}/finalize   POST /v1/invoices/{id}/send
	POST /v1/invoices/{id}/void       POST /v1/invoices/{id}/pay

and checks requests the way Stripe's API reference describes: form-encoded bodies with bracket
notation, Bearer auth with the server's ``sk_test_`` key, unknown parameters refused
(``parameter_unknown``), required parameters, integer amounts, lowercase currencies, the
``collection_method``/``days_until_due`` rules, the invoice status machine
(draft → open → paid | void), and idempotency keys (same key and parameters → the stored
response replayed with ``Idempotent-Replayed: true``; same key, other parameters →
``idempotency_error``). Errors have Stripe's shape ``{"error": {"type", "code", "message",
"param"}}``. A parameter Stripe knows but this server does not model is refused with code
``test_server_unsupported`` rather than silently ignored.

Test controls: ``fail_next`` (5xx before executing), ``rate_limit_next`` (429),
``drop_next_response`` (execute, then close the connection unanswered: the response is lost),
``decline_next_payment``; ``mark_paid``/``mark_overdue``/``mark_payment_failed`` change an
invoice and return the event Stripe would emit; ``deliver`` POSTs an event to a URL with a
``Stripe-Signature`` (valid, tampered, wrong secret, expired, malformed or missing).
``requests`` records every request received; ``sent_emails`` every invoice email "sent".

Deliberate simplifications: amounts are in cents of two-decimal currencies; no taxes,
discounts, customer balances or uncollectible status; ``/pay`` charges Stripe's test
payment methods (``pm_card_visa`` succeeds, ``pm_card_chargeDeclined`` and
``pm_card_visa_chargeDeclinedInsufficientFunds`` decline) or the customer's default one.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
import secrets
import string
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ID_ALPHABET = string.ascii_letters + string.digits
MAX_AMOUNT = 99_999_999
MAX_IDEMPOTENCY_KEY_LENGTH = 255
DEFAULT_API_VERSION = "2026-10-28.endive"
API_VERSION_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}(\.[a-z_]+)?")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
ERROR_DOCS = "https://docs.stripe.com/error-codes/"

SUCCEEDING_TEST_CARDS = frozenset({"pm_card_visa", "pm_card_mastercard", "pm_card_amex"})
DECLINING_TEST_CARDS = {
	"pm_card_chargeDeclined": "generic_decline",
	"pm_card_visa_chargeDeclinedInsufficientFunds": "insufficient_funds",
}
DECLINE_MESSAGES = {
	"generic_decline": "Your card was declined.",
	"insufficient_funds": "Your card has insufficient funds.",
}
SIGNATURE_MODES = ("valid", "tampered", "wrong_secret", "expired", "malformed", "missing")


def new_id(prefix: str, length: int = 24) -> str:
	return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def mask_key(key: str) -> str:
	"""How Stripe quotes a rejected key: its prefix, stars, and the last four characters."""
	prefix = re.match(r"[a-z]+_(?:test_|live_)?", key)
	head = prefix.group(0) if prefix else ""
	return head + "*" * max(len(key) - len(head) - 4, 0) + key[-4:]


class ApiError(Exception):
	"""An error response in Stripe's shape."""

	def __init__(
		self,
		status: int,
		message: str,
		*,
		type: str = "invalid_request_error",
		code: str | None = None,
		param: str | None = None,
		**extra: Any,
	):
		super().__init__(message)
		self.status = status
		self.body = {"type": type, "code": code, "message": message, "param": param, **extra}
		if code:
			self.body["doc_url"] = ERROR_DOCS + code.replace("_", "-")

	def response(self) -> tuple[int, dict]:
		return self.status, {"error": self.body}


def unknown_parameter(name: str) -> ApiError:
	return ApiError(400, f"Received unknown parameter: {name}", code="parameter_unknown", param=name)


def unsupported_parameter(name: str) -> ApiError:
	"""A parameter Stripe accepts but this server does not model: refused, so tests never pass by accident."""
	return ApiError(
		400,
		f"The local Stripe test server does not model the parameter {name}",
		code="test_server_unsupported",
		param=name,
	)


def missing_parameter(name: str, why: str = "") -> ApiError:
	message = f"Missing required param: {name}." + (f" {why}" if why else "")
	return ApiError(400, message, code="parameter_missing", param=name)


def no_such(kind: str, object_id: str, param: str) -> ApiError:
	return ApiError(
		400 if param != "id" else 404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param
	)


# Form decoding: "metadata[a]=1&expand[0]=lines" → {"metadata": {"a": "1"}, "expand": ["lines"]}

_KEY_PATTERN = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")


def decode_form(text: str) -> dict[str, Any]:
	params: dict[str, Any] = {}
	for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
		match = _KEY_PATTERN.fullmatch(key)
		if not match:
			raise ApiError(400, f"Invalid parameter name: {key}", param=key)
		parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
		node = params
		for depth, part in enumerate(parts[:-1]):
			child = node.setdefault(part, {})
			if not isinstance(child, dict):
				raise ApiError(
					400, f"Invalid hash: {'['.join(parts[: depth + 1])} is both a value and a hash", param=key
				)
			node = child
		last = parts[-1]
		if last == "":
			last = str(sum(1 for existing in node if existing.isdigit()))
		if last in node:
			raise ApiError(400, f"Received the parameter {key} twice", param=key)
		node[last] = value
	return _lists_from_numbered_hashes(params)


def _lists_from_numbered_hashes(value: Any) -> Any:
	if not isinstance(value, dict):
		return value
	converted = {key: _lists_from_numbered_hashes(child) for key, child in value.items()}
	if converted and all(key.isdigit() for key in converted):
		indexes = sorted(int(key) for key in converted)
		if indexes == list(range(len(indexes))):
			return [converted[str(index)] for index in indexes]
	return converted


# Parameter checks. Each takes the decoded value and its parameter name, returns the parsed value.

Check = Callable[[Any, str], Any]


def text(max_length: int = 5000) -> Check:
	def check(value, name):
		if not isinstance(value, str):
			raise ApiError(400, f"Invalid string: {name} must be a string, not a hash or array", param=name)
		if len(value) > max_length:
			raise ApiError(400, f"Invalid string: {name} is longer than {max_length} characters", param=name)
		return value

	return check


def integer(minimum: int | None = None, maximum: int | None = None) -> Check:
	def check(value, name):
		if not isinstance(value, str) or not re.fullmatch(r"-?\d+", value):
			raise ApiError(400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=name)
		number = int(value)
		if minimum is not None and number < minimum:
			raise ApiError(400, f"Invalid {name}: must be at least {minimum}", param=name)
		if maximum is not None and number > maximum:
			raise ApiError(400, f"Invalid {name}: must be at most {maximum}", param=name)
		return number

	return check


def boolean(value, name):
	if value not in ("true", "false"):
		raise ApiError(400, f"Invalid boolean: {value}", param=name)
	return value == "true"


def one_of(*allowed: str) -> Check:
	def check(value, name):
		if value not in allowed:
			raise ApiError(400, f"Invalid {name}: must be one of {', '.join(allowed)}", param=name)
		return value

	return check


def currency(value, name):
	if not isinstance(value, str) or not re.fullmatch(r"[a-z]{3}", value):
		raise ApiError(400, f"Invalid currency: {value}. Currencies are three lowercase letters.", param=name)
	return value


def email(value, name):
	text()(value, name)
	if value and not EMAIL_PATTERN.fullmatch(value):
		raise ApiError(400, f"Invalid email address: {value}", code="email_invalid", param=name)
	return value


def metadata(value, name):
	# An empty string clears all metadata (on update); None tells the action to do so.
	if value == "":
		return None
	if not isinstance(value, dict):
		raise ApiError(400, f"Invalid hash: {name} must be a hash of keys and values", param=name)
	if len(value) > 50:
		raise ApiError(400, "Invalid metadata: metadata can have at most 50 keys", param=name)
	for key, item in value.items():
		if len(key) > 40:
			raise ApiError(400, f"Metadata keys can be at most 40 characters: {key}", param=f"{name}[{key}]")
		if not isinstance(item, str) or len(item) > 500:
			raise ApiError(
				400, "Metadata values must be strings of at most 500 characters", param=f"{name}[{key}]"
			)
	return dict(value)


def expand(value, name):
	if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
		raise ApiError(400, f"Invalid array: {name} must be an array of strings", param=name)
	return value


def hash_of(stripe_keys: str, **fields: Check) -> Check:
	"""A hash whose keys Stripe knows (``stripe_keys``) and of which this server models ``fields``."""
	known = frozenset(stripe_keys.split())

	def check(value, name):
		if not isinstance(value, dict):
			raise ApiError(400, f"Invalid hash: {name}", param=name)
		parsed = {}
		for key, item in value.items():
			if key not in known:
				raise unknown_parameter(f"{name}[{key}]")
			if key not in fields:
				raise unsupported_parameter(f"{name}[{key}]")
			parsed[key] = fields[key](item, f"{name}[{key}]")
		return parsed

	return check


@dataclass(frozen=True)
class Endpoint:
	method: str
	pattern: re.Pattern
	action: str
	# Every parameter Stripe's API reference lists for the endpoint (so unknown ones can be told apart).
	stripe_params: frozenset[str]
	# The ones this server models, with their checks.
	checks: dict[str, Check]
	required: tuple[str, ...] = ()
	# Update endpoints treat "" as "unset"; create endpoints refuse it like Stripe does.
	empty_unsets: bool = False


def _names(text_block: str) -> frozenset[str]:
	return frozenset(text_block.split())


CUSTOMER_FIELDS = {
	"name": text(256),
	"email": email,
	"description": text(),
	"phone": text(20),
	"metadata": metadata,
	"expand": expand,
	"payment_method": text(),
	"invoice_settings": hash_of(
		"custom_fields default_payment_method footer rendering_options", default_payment_method=text()
	),
}

ENDPOINTS = (
	Endpoint(
		"POST",
		re.compile(r"/v1/customers"),
		"create_customer",
		_names(
			"address balance business_name cash_balance description email expand individual_name invoice_prefix "
			"invoice_settings metadata name next_invoice_sequence payment_method phone preferred_locales shipping "
			"source tax tax_exempt tax_id_data test_clock validate"
		),
		CUSTOMER_FIELDS,
	),
	Endpoint(
		"GET", re.compile(r"/v1/customers/([^/]+)"), "retrieve_customer", _names("expand"), {"expand": expand}
	),
	Endpoint(
		"POST",
		re.compile(r"/v1/customers/([^/]+)"),
		"update_customer",
		_names(
			"address balance business_name cash_balance default_source description email expand individual_name "
			"invoice_prefix invoice_settings metadata name next_invoice_sequence phone preferred_locales shipping "
			"source tax tax_exempt validate"
		),
		{key: check for key, check in CUSTOMER_FIELDS.items() if key != "payment_method"},
		empty_unsets=True,
	),
	Endpoint(
		"POST",
		re.compile(r"/v1/invoiceitems"),
		"create_invoice_item",
		_names(
			"amount currency customer customer_account description discountable discounts expand invoice metadata "
			"period price_data pricing quantity quantity_decimal subscription tax_behavior tax_code tax_rates "
			"unit_amount_decimal"
		),
		{
			"amount": integer(-MAX_AMOUNT, MAX_AMOUNT),
			"currency": currency,
			"customer": text(),
			"description": text(),
			"invoice": text(),
			"metadata": metadata,
			"expand": expand,
		},
		required=("customer", "amount"),
	),
	Endpoint(
		"POST",
		re.compile(r"/v1/invoices"),
		"create_invoice",
		_names(
			"account_tax_ids application_fee_amount auto_advance automatic_tax automatically_finalizes_at "
			"collection_method currency custom_fields customer customer_account days_until_due "
			"default_payment_method default_source default_tax_rates description discounts due_date effective_at "
			"expand footer from_invoice issuer metadata number on_behalf_of payment_settings "
			"pending_invoice_items_behavior rendering shipping_cost shipping_details statement_descriptor "
			"subscription transfer_data"
		),
		{
			"auto_advance": boolean,
			"collection_method": one_of("charge_automatically", "send_invoice"),
			"currency": currency,
			"customer": text(),
			"days_until_due": integer(0, 3650),
			"due_date": integer(0),
			"description": text(1500),
			"metadata": metadata,
			"pending_invoice_items_behavior": one_of("exclude", "include"),
			"expand": expand,
		},
		required=("customer",),
	),
	Endpoint(
		"GET", re.compile(r"/v1/invoices/([^/]+)"), "retrieve_invoice", _names("expand"), {"expand": expand}
	),
	Endpoint(
		"POST",
		re.compile(r"/v1/invoices/([^/]+)/finalize"),
		"finalize_invoice",
		_names("auto_advance expand"),
		{"auto_advance": boolean, "expand": expand},
	),
	Endpoint(
		"POST", re.compile(r"/v1/invoices/([^/]+)/send"), "send_invoice", _names("expand"), {"expand": expand}
	),
	Endpoint(
		"POST", re.compile(r"/v1/invoices/([^/]+)/void"), "void_invoice", _names("expand"), {"expand": expand}
	),
	Endpoint(
		"POST",
		re.compile(r"/v1/invoices/([^/]+)/pay"),
		"pay_invoice",
		_names("expand forgive mandate off_session paid_out_of_band payment_method source"),
		{"paid_out_of_band": boolean, "payment_method": text(), "expand": expand},
	),
)


def check_params(endpoint: Endpoint, raw: dict[str, Any]) -> dict[str, Any]:
	parsed: dict[str, Any] = {}
	for name, value in raw.items():
		if name not in endpoint.stripe_params:
			raise unknown_parameter(name)
		if name not in endpoint.checks:
			raise unsupported_parameter(name)
		if value == "" and name != "metadata":
			if not endpoint.empty_unsets:
				raise ApiError(
					400,
					f"You passed an empty string for '{name}'. We assume empty values are an attempt to unset a "
					f"parameter; however '{name}' cannot be unset.",
					code="parameter_invalid_empty",
					param=name,
				)
			parsed[name] = None
			continue
		parsed[name] = endpoint.checks[name](value, name)
	for name in endpoint.required:
		if name not in parsed:
			raise missing_parameter(name)
	return parsed


# Recorded traffic and webhook deliveries


@dataclass
class RecordedRequest:
	method: str
	path: str
	params: dict[str, Any]
	headers: dict[str, str]
	status: int = 0
	replayed: bool = False
	request_id: str = ""
	# Answered by an injected failure rather than by the API.
	injected: bool = False

	@property
	def idempotency_key(self) -> str | None:
		return self.headers.get("idempotency-key")


@dataclass
class Delivery:
	status: int
	body: bytes
	payload: bytes
	signature_header: str | None


@dataclass
class _Stored:
	"""One idempotent result: what was asked and what was answered."""

	method: str
	path: str
	params: dict[str, Any]
	status: int
	body: dict
	request_id: str


@dataclass(frozen=True)
class _Fault:
	"""One injected fault; with a path pattern it only hits requests to matching paths."""

	status: int
	pattern: re.Pattern | None = None

	def applies_to(self, path: str) -> bool:
		return self.pattern is None or self.pattern.fullmatch(path) is not None


def _take(pending: list[_Fault], path: str) -> _Fault | None:
	"""Remove and return the first pending fault that applies to ``path``."""
	for index, fault in enumerate(pending):
		if fault.applies_to(path):
			return pending.pop(index)
	return None


@dataclass
class _Injected:
	failures: list[_Fault] = field(default_factory=list)
	drops: list[_Fault] = field(default_factory=list)
	declines: list[str] = field(default_factory=list)


class FakeStripe:
	"""The server. Use as a context manager, or ``start()`` / ``stop()``."""

	def __init__(self, api_key: str | None = None):
		self.api_key = api_key or new_id("sk_test_", 32)
		if not self.api_key.startswith("sk_test_"):
			raise ValueError("the test server only takes test-mode secret keys (sk_test_...)")
		self.requests: list[RecordedRequest] = []
		self.events: list[dict] = []
		self.sent_emails: list[tuple[str, str]] = []
		self._customers: dict[str, dict] = {}
		self._invoices: dict[str, dict] = {}
		self._items: dict[str, dict] = {}
		self._idempotent: dict[tuple[str, str], _Stored] = {}
		self._injected = _Injected()
		self._lock = threading.RLock()
		self._http: ThreadingHTTPServer | None = None
		self._thread: threading.Thread | None = None

	# Lifecycle

	def start(self) -> FakeStripe:
		self._http = ThreadingHTTPServer(("127.0.0.1", 0), _StripeHandler)
		self._http.daemon_threads = True
		self._http.fake = self  # type: ignore[attr-defined]
		self._thread = threading.Thread(
			target=self._http.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-stripe", daemon=True
		)
		self._thread.start()
		return self

	def stop(self) -> None:
		if self._http:
			self._http.shutdown()
			self._http.server_close()
			self._thread.join(timeout=5)
			self._http = None

	def __enter__(self) -> FakeStripe:
		return self.start()

	def __exit__(self, *exc_info) -> None:
		self.stop()

	@property
	def base_url(self) -> str:
		host, port = self._http.server_address[:2]
		return f"http://{host}:{port}"

	# Failure injection

	def fail_next(self, count: int = 1, status: int = 500, path: str | None = None) -> None:
		"""The next ``count`` requests (to paths matching the regex ``path``) answer ``status`` unexecuted.

		Like a failure in front of Stripe's API: nothing runs, so nothing is stored for the
		idempotency key either.
		"""
		fault = _Fault(status, re.compile(path) if path else None)
		with self._lock:
			self._injected.failures.extend([fault] * count)

	def rate_limit_next(self, count: int = 1, path: str | None = None) -> None:
		self.fail_next(count, status=429, path=path)

	def drop_next_response(self, count: int = 1, path: str | None = None) -> None:
		"""The next ``count`` requests (to matching paths) execute, then the connection closes unanswered."""
		fault = _Fault(0, re.compile(path) if path else None)
		with self._lock:
			self._injected.drops.extend([fault] * count)

	def decline_next_payment(self, decline_code: str = "insufficient_funds") -> None:
		with self._lock:
			self._injected.declines.append(decline_code)

	# Inspection

	@property
	def customers(self) -> list[dict]:
		with self._lock:
			return [copy.deepcopy(customer) for customer in self._customers.values()]

	@property
	def invoices(self) -> list[dict]:
		with self._lock:
			return [self._render_invoice(invoice) for invoice in self._invoices.values()]

	@property
	def invoice_items(self) -> list[dict]:
		with self._lock:
			return [copy.deepcopy(item) for item in self._items.values()]

	def invoice(self, invoice_id: str) -> dict:
		with self._lock:
			return self._render_invoice(self._invoices[invoice_id])

	def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
		return [request for request in self.requests if request.method == method and request.path == path]

	# Test controls that stand in for things happening at Stripe

	def mark_paid(self, invoice_id: str) -> dict:
		"""The patient paid on the hosted invoice page: the invoice is paid, ``invoice.paid`` emitted."""
		with self._lock:
			invoice = self._open_invoice_for_control(invoice_id)
			self._settle(invoice)
			return self._emit("invoice.paid", invoice, {"status": "open"})

	def mark_overdue(self, invoice_id: str) -> dict:
		"""The due date passed unpaid: ``invoice.overdue`` (the invoice stays open)."""
		with self._lock:
			invoice = self._open_invoice_for_control(invoice_id)
			previous = {"due_date": invoice["due_date"]}
			invoice["due_date"] = int(time.time()) - 86400
			return self._emit("invoice.overdue", invoice, previous)

	def mark_payment_failed(self, invoice_id: str) -> dict:
		"""An attempt to charge failed: ``invoice.payment_failed`` (the invoice stays open)."""
		with self._lock:
			invoice = self._open_invoice_for_control(invoice_id)
			previous = {"attempt_count": invoice["attempt_count"]}
			invoice["attempt_count"] += 1
			invoice["attempted"] = True
			return self._emit("invoice.payment_failed", invoice, previous)

	def _open_invoice_for_control(self, invoice_id: str) -> dict:
		invoice = self._invoices.get(invoice_id)
		if invoice is None:
			raise KeyError(f"no invoice {invoice_id} on the test server")
		if invoice["status"] != "open":
			raise ValueError(f"invoice {invoice_id} is {invoice['status']}, not open")
		return invoice

	# Webhooks

	@staticmethod
	def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
		"""A ``Stripe-Signature`` header value, as Stripe computes it (plus a test-mode ``v0``)."""
		timestamp = int(time.time()) if timestamp is None else timestamp
		signed = f"{timestamp}.".encode() + payload
		v1 = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
		v0 = hashlib.sha256(signed).hexdigest()
		return f"t={timestamp},v1={v1},v0={v0}"

	def deliver(
		self, event: dict, url: str, secret: str, signature: str = "valid", timeout: float = 5.0
	) -> Delivery:
		"""POST ``event`` to ``url`` like Stripe's webhook sender; ``signature`` picks a way to get it wrong."""
		if signature not in SIGNATURE_MODES:
			raise ValueError(f"signature must be one of {SIGNATURE_MODES}")
		payload = json.dumps(event, indent=2).encode()
		header: str | None = self.sign(payload, secret)
		if signature == "tampered":
			altered = copy.deepcopy(event)
			altered["data"]["object"]["amount_paid"] = (
				altered["data"]["object"].get("amount_paid", 0) + 100_000
			)
			payload = json.dumps(altered, indent=2).encode()
		elif signature == "wrong_secret":
			header = self.sign(payload, secret + "x")
		elif signature == "expired":
			header = self.sign(payload, secret, timestamp=int(time.time()) - 3600)
		elif signature == "malformed":
			header = "v1=" + hashlib.sha256(payload).hexdigest()
		elif signature == "missing":
			header = None
		request = urllib.request.Request(url, data=payload, method="POST")
		request.add_header("Content-Type", "application/json; charset=utf-8")
		request.add_header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
		if header is not None:
			request.add_header("Stripe-Signature", header)
		try:
			with urllib.request.urlopen(request, timeout=timeout) as response:
				return Delivery(response.status, response.read(), payload, header)
		except urllib.error.HTTPError as error:
			return Delivery(error.code, error.read(), payload, header)

	def _emit(
		self, event_type: str, invoice: dict, previous: dict | None = None, request: dict | None = None
	) -> dict:
		event = {
			"id": new_id("evt_"),
			"object": "event",
			"api_version": DEFAULT_API_VERSION,
			"created": int(time.time()),
			"data": {"object": self._render_invoice(invoice), "previous_attributes": previous or {}},
			"livemode": False,
			"pending_webhooks": 1,
			"request": request or {"id": None, "idempotency_key": None},
			"type": event_type,
		}
		self.events.append(event)
		return copy.deepcopy(event)

	# Request handling (called from the HTTP handler threads)

	def handle(
		self, method: str, raw_path: str, headers: dict[str, str], body: bytes
	) -> tuple[int, dict, dict] | None:
		"""(status, JSON body, extra headers), or None to drop the connection unanswered."""
		split = urllib.parse.urlsplit(raw_path)
		request_id = new_id("req_", 14)
		record = RecordedRequest(method, split.path, {}, headers, request_id=request_id)
		with self._lock:
			self.requests.append(record)
			try:
				record.params = self._decode(method, split.query, headers, body)
				status, response, original = self._process(method, split.path, record, request_id)
			except ApiError as error:
				status, response = error.response()
				original = None
			record.status, record.replayed = status, original is not None
			extra = {
				"Request-Id": request_id,
				"Stripe-Version": headers.get("stripe-version", DEFAULT_API_VERSION),
			}
			if record.idempotency_key and method == "POST":
				extra["Idempotency-Key"] = record.idempotency_key
			if original is not None:
				extra["Idempotent-Replayed"] = "true"
				extra["Original-Request"] = original
			if not record.injected and _take(self._injected.drops, split.path) is not None:
				return None
			return status, response, extra

	def _decode(self, method: str, query: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
		if method == "POST":
			content_type = headers.get("content-type", "").split(";")[0].strip()
			if body and content_type != "application/x-www-form-urlencoded":
				raise ApiError(400, f"Invalid request: unsupported Content-Type {content_type or '(none)'}")
			try:
				text_body = body.decode("utf-8")
			except UnicodeDecodeError:
				raise ApiError(400, "Invalid request: the body is not UTF-8") from None
			return decode_form(text_body)
		return decode_form(query)

	def _process(
		self, method: str, path: str, record: RecordedRequest, request_id: str
	) -> tuple[int, dict, str | None]:
		"""(status, body, id of the original request when this one is a replay)."""
		failure = _take(self._injected.failures, path)
		if failure is not None:
			record.injected = True
			status = failure.status
			if status == 429:
				raise ApiError(
					429,
					"Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
					code="rate_limit",
				)
			raise ApiError(status, "An unknown error occurred on Stripe's servers.", type="api_error")
		self._authenticate(record.headers)
		version = record.headers.get("stripe-version")
		if version is not None and not API_VERSION_PATTERN.fullmatch(version):
			raise ApiError(400, f"Invalid Stripe API version: {version}")
		endpoint, path_ids = self._route(method, path)

		key = record.idempotency_key if method == "POST" else None
		if key is not None:
			if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
				raise ApiError(
					400, f"Idempotency keys must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters long"
				)
			stored = self._idempotent.get((self.api_key, key))
			if stored is not None:
				if (stored.method, stored.path, stored.params) != (method, path, record.params):
					raise ApiError(
						400,
						"Keys for idempotent requests can only be used with the same parameters they were first "
						f"used with. Try using a key other than '{key}' if you meant to execute a different request.",
						type="idempotency_error",
					)
				return stored.status, copy.deepcopy(stored.body), stored.request_id

		# Validation failures are not stored: the endpoint never started executing.
		params = check_params(endpoint, record.params)
		context = {"id": request_id, "idempotency_key": key}
		try:
			status, body = 200, getattr(self, "_" + endpoint.action)(params, *path_ids, request=context)
		except ApiError as error:
			status, body = error.response()
		if key is not None:
			self._idempotent[(self.api_key, key)] = _Stored(
				method, path, record.params, status, body, request_id
			)
		return status, copy.deepcopy(body), None

	def _authenticate(self, headers: dict[str, str]) -> None:
		authorization = headers.get("authorization", "")
		scheme, _, key = authorization.partition(" ")
		if not authorization or scheme != "Bearer" or not key.strip():
			raise ApiError(
				401,
				"You did not provide an API key. You need to provide your API key in the Authorization header, "
				"using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
			)
		key = key.strip()
		if not hmac.compare_digest(key.encode(), self.api_key.encode()):
			raise ApiError(401, f"Invalid API Key provided: {mask_key(key)}", code="api_key_invalid")

	@staticmethod
	def _route(method: str, path: str) -> tuple[Endpoint, tuple[str, ...]]:
		for endpoint in ENDPOINTS:
			match = endpoint.pattern.fullmatch(path)
			if match and endpoint.method == method:
				return endpoint, tuple(urllib.parse.unquote(part) for part in match.groups())
		raise ApiError(
			404,
			f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at "
			"https://support.stripe.com/.",
		)

	# Customers

	def _create_customer(self, params: dict, request: dict) -> dict:
		customer = {
			"id": new_id("cus_", 14),
			"object": "customer",
			"address": None,
			"balance": 0,
			"created": int(time.time()),
			"currency": None,
			"default_source": None,
			"delinquent": False,
			"description": params.get("description"),
			"discount": None,
			"email": params.get("email"),
			"invoice_prefix": "".join(
				secrets.choice(string.ascii_uppercase + string.digits) for _ in range(8)
			),
			"invoice_settings": {
				"custom_fields": None,
				"default_payment_method": None,
				"footer": None,
				"rendering_options": None,
			},
			"livemode": False,
			"metadata": params.get("metadata") or {},
			"name": params.get("name"),
			"next_invoice_sequence": 1,
			"phone": params.get("phone"),
			"preferred_locales": [],
			"shipping": None,
			"tax_exempt": "none",
			"test_clock": None,
		}
		attached = params.get("payment_method")
		if attached is not None:
			self._check_test_card(attached, "payment_method")
		default = params.get("invoice_settings", {}).get("default_payment_method")
		if default is not None:
			self._check_test_card(default, "invoice_settings[default_payment_method]")
			customer["invoice_settings"]["default_payment_method"] = default
		self._customers[customer["id"]] = customer
		return copy.deepcopy(customer)

	def _retrieve_customer(self, params: dict, customer_id: str, request: dict) -> dict:
		return copy.deepcopy(self._customer(customer_id, "id"))

	def _update_customer(self, params: dict, customer_id: str, request: dict) -> dict:
		customer = self._customer(customer_id, "id")
		for name in ("name", "email", "description", "phone"):
			if name in params:
				customer[name] = params[name]
		if "metadata" in params and params["metadata"] is None:
			customer["metadata"] = {}
		for key, value in (params.get("metadata") or {}).items():
			# An empty value removes the key, as at Stripe.
			if value == "":
				customer["metadata"].pop(key, None)
			else:
				customer["metadata"][key] = value
		default = (params.get("invoice_settings") or {}).get("default_payment_method")
		if default is not None:
			self._check_test_card(default, "invoice_settings[default_payment_method]")
			customer["invoice_settings"]["default_payment_method"] = default
		return copy.deepcopy(customer)

	def _customer(self, customer_id: str, param: str) -> dict:
		customer = self._customers.get(customer_id)
		if customer is None:
			raise no_such("customer", customer_id, param)
		return customer

	@staticmethod
	def _check_test_card(payment_method: str, param: str) -> None:
		if payment_method not in SUCCEEDING_TEST_CARDS and payment_method not in DECLINING_TEST_CARDS:
			raise no_such("PaymentMethod", payment_method, param)

	# Invoice items

	def _create_invoice_item(self, params: dict, request: dict) -> dict:
		customer = self._customer(params["customer"], "customer")
		invoice_id = params.get("invoice")
		invoice = None
		if invoice_id is not None:
			invoice = self._invoices.get(invoice_id)
			if invoice is None:
				raise no_such("invoice", invoice_id, "invoice")
			if invoice["status"] != "draft":
				raise ApiError(
					400,
					f"You can only add invoice items to draft invoices; invoice {invoice_id} is {invoice['status']}.",
					code="invoice_not_editable",
					param="invoice",
				)
			if invoice["customer"] != customer["id"]:
				raise ApiError(
					400,
					f"The invoice item's customer ({customer['id']}) must match the invoice's customer "
					f"({invoice['customer']}).",
					param="invoice",
				)
			if len(self._lines_of(invoice_id)) >= 250:
				raise ApiError(400, "An invoice can have at most 250 invoice items.", param="invoice")
		item_currency = params.get("currency") or (invoice["currency"] if invoice else "usd")
		if invoice is not None and item_currency != invoice["currency"]:
			raise ApiError(
				400,
				f"The currency of the invoice item ({item_currency}) must match the currency of the invoice "
				f"({invoice['currency']}).",
				param="currency",
			)
		now = int(time.time())
		item = {
			"id": new_id("ii_"),
			"object": "invoiceitem",
			"amount": params["amount"],
			"currency": item_currency,
			"customer": customer["id"],
			"date": now,
			"description": params.get("description"),
			"discountable": True,
			"discounts": [],
			"invoice": invoice_id,
			"livemode": False,
			"metadata": params.get("metadata") or {},
			"period": {"start": now, "end": now},
			"proration": False,
			"quantity": 1,
			"tax_rates": [],
			"test_clock": None,
		}
		self._items[item["id"]] = item
		return copy.deepcopy(item)

	# Invoices

	def _create_invoice(self, params: dict, request: dict) -> dict:
		customer = self._customer(params["customer"], "customer")
		method = params.get("collection_method", "charge_automatically")
		days = params.get("days_until_due")
		due_date = params.get("due_date")
		if method == "send_invoice":
			if days is not None and due_date is not None:
				raise ApiError(400, "You may only specify one of these parameters: days_until_due, due_date.")
			if days is None and due_date is None:
				raise missing_parameter(
					"days_until_due",
					"Invoices with collection_method=send_invoice need days_until_due or due_date.",
				)
		else:
			for name in ("days_until_due", "due_date"):
				if params.get(name) is not None:
					raise ApiError(
						400,
						f"{name} can only be set when collection_method is send_invoice.",
						param=name,
					)
		now = int(time.time())
		if due_date is not None and due_date <= now:
			raise ApiError(400, "due_date must be in the future.", param="due_date")
		invoice_currency = params.get("currency") or customer["currency"] or "usd"
		invoice = {
			"id": new_id("in_"),
			"object": "invoice",
			"account_country": "US",
			"amount_due": 0,
			"amount_paid": 0,
			"amount_remaining": 0,
			"attempt_count": 0,
			"attempted": False,
			"auto_advance": params.get("auto_advance", False),
			"billing_reason": "manual",
			"collection_method": method,
			"created": now,
			"currency": invoice_currency,
			"customer": customer["id"],
			"customer_email": customer["email"],
			"customer_name": customer["name"],
			"days_until_due": days,
			"description": params.get("description"),
			"due_date": due_date
			if due_date is not None
			else (now + days * 86400 if days is not None else None),
			"ending_balance": None,
			"hosted_invoice_url": None,
			"invoice_pdf": None,
			"livemode": False,
			"metadata": params.get("metadata") or {},
			"number": None,
			"starting_balance": 0,
			"status": "draft",
			"status_transitions": {
				"finalized_at": None,
				"marked_uncollectible_at": None,
				"paid_at": None,
				"voided_at": None,
			},
			"subtotal": 0,
			"total": 0,
			"webhooks_delivered_at": None,
		}
		self._invoices[invoice["id"]] = invoice
		if params.get("pending_invoice_items_behavior", "exclude") == "include":
			for item in self._items.values():
				if (
					item["customer"] == customer["id"]
					and item["invoice"] is None
					and item["currency"] == invoice_currency
				):
					item["invoice"] = invoice["id"]
		self._emit("invoice.created", invoice, request=request)
		return self._render_invoice(invoice)

	def _retrieve_invoice(self, params: dict, invoice_id: str, request: dict) -> dict:
		return self._render_invoice(self._invoice(invoice_id))

	def _finalize_invoice(self, params: dict, invoice_id: str, request: dict) -> dict:
		invoice = self._invoice(invoice_id)
		if invoice["status"] != "draft":
			raise ApiError(
				400,
				"This invoice is already finalized, you can't re-finalize a non-draft invoice.",
				code="invoice_not_editable",
			)
		customer = self._customers[invoice["customer"]]
		now = int(time.time())
		invoice["status"] = "open"
		invoice["number"] = f"{customer['invoice_prefix']}-{customer['next_invoice_sequence']:04d}"
		customer["next_invoice_sequence"] += 1
		token = new_id("test_", 40)
		invoice["hosted_invoice_url"] = f"https://invoice.stripe.com/i/acct_test/{token}"
		invoice["invoice_pdf"] = f"https://pay.stripe.com/invoice/acct_test/{token}/pdf"
		invoice["status_transitions"]["finalized_at"] = now
		if "auto_advance" in params:
			invoice["auto_advance"] = params["auto_advance"]
		self._emit("invoice.finalized", invoice, {"status": "draft"}, request)
		# Stripe marks an invoice with nothing to collect paid as soon as it is finalized.
		if self._total(invoice_id) == 0:
			self._settle(invoice)
			self._emit("invoice.paid", invoice, {"status": "open"}, request)
		return self._render_invoice(invoice)

	def _send_invoice(self, params: dict, invoice_id: str, request: dict) -> dict:
		invoice = self._invoice(invoice_id)
		if invoice["status"] != "open":
			raise ApiError(
				400, f"Invoice {invoice_id} is {invoice['status']}; only open invoices can be sent."
			)
		if invoice["collection_method"] != "send_invoice":
			raise ApiError(400, "Only invoices with collection_method=send_invoice can be sent.")
		email_address = self._customers[invoice["customer"]]["email"]
		if not email_address:
			raise ApiError(400, "The customer has no email address, so the invoice cannot be sent.")
		self.sent_emails.append((invoice_id, email_address))
		self._emit("invoice.sent", invoice, request=request)
		return self._render_invoice(invoice)

	def _void_invoice(self, params: dict, invoice_id: str, request: dict) -> dict:
		invoice = self._invoice(invoice_id)
		if invoice["status"] != "open":
			raise ApiError(
				400, f"You can only void open invoices; invoice {invoice_id} is {invoice['status']}."
			)
		invoice["status"] = "void"
		invoice["status_transitions"]["voided_at"] = int(time.time())
		self._emit("invoice.voided", invoice, {"status": "open"}, request)
		return self._render_invoice(invoice)

	def _pay_invoice(self, params: dict, invoice_id: str, request: dict) -> dict:
		invoice = self._invoice(invoice_id)
		if invoice["status"] != "open":
			raise ApiError(
				400, f"Invoice {invoice_id} is {invoice['status']}; only open invoices can be paid."
			)
		if not params.get("paid_out_of_band"):
			customer = self._customers[invoice["customer"]]
			card = params.get("payment_method") or customer["invoice_settings"]["default_payment_method"]
			if card is None:
				raise ApiError(
					400,
					"This customer has no attached payment source or default payment method.",
					param="customer",
				)
			self._check_test_card(card, "payment_method")
			decline_code = DECLINING_TEST_CARDS.get(card)
			if decline_code is None and self._injected.declines:
				decline_code = self._injected.declines.pop(0)
			if decline_code is not None:
				invoice["attempt_count"] += 1
				invoice["attempted"] = True
				self._emit(
					"invoice.payment_failed",
					invoice,
					{"attempt_count": invoice["attempt_count"] - 1},
					request,
				)
				raise ApiError(
					402,
					DECLINE_MESSAGES.get(decline_code, "Your card was declined."),
					type="card_error",
					code="card_declined",
					decline_code=decline_code,
					charge=new_id("ch_"),
				)
			invoice["attempt_count"] += 1
			invoice["attempted"] = True
		self._settle(invoice)
		self._emit("invoice.paid", invoice, {"status": "open"}, request)
		return self._render_invoice(invoice)

	def _invoice(self, invoice_id: str) -> dict:
		invoice = self._invoices.get(invoice_id)
		if invoice is None:
			raise no_such("invoice", invoice_id, "id")
		return invoice

	def _settle(self, invoice: dict) -> None:
		invoice["status"] = "paid"
		invoice["amount_paid"] = self._total(invoice["id"])
		invoice["status_transitions"]["paid_at"] = int(time.time())

	def _lines_of(self, invoice_id: str) -> list[dict]:
		return [item for item in self._items.values() if item["invoice"] == invoice_id]

	def _total(self, invoice_id: str) -> int:
		return sum(item["amount"] for item in self._lines_of(invoice_id))

	def _render_invoice(self, invoice: dict) -> dict:
		"""The invoice as the API returns it, with amounts and lines computed from its items."""
		rendered = copy.deepcopy(invoice)
		lines = self._lines_of(invoice["id"])
		total = sum(item["amount"] for item in lines)
		rendered["subtotal"] = rendered["total"] = total
		rendered["amount_due"] = max(total, 0)
		settled = invoice["status"] in ("paid", "void")
		rendered["amount_remaining"] = 0 if settled else max(total, 0) - invoice["amount_paid"]
		rendered["lines"] = {
			"object": "list",
			"data": [
				{
					"id": "il_" + item["id"][3:],
					"object": "line_item",
					"amount": item["amount"],
					"currency": item["currency"],
					"description": item["description"],
					"invoice": invoice["id"],
					"livemode": False,
					"metadata": copy.deepcopy(item["metadata"]),
					"parent": {
						"type": "invoice_item_details",
						"invoice_item_details": {"invoice_item": item["id"]},
					},
					"period": copy.deepcopy(item["period"]),
					"quantity": item["quantity"],
				}
				for item in lines
			],
			"has_more": False,
			"total_count": len(lines),
			"url": f"/v1/invoices/{invoice['id']}/lines",
		}
		return rendered


class _StripeHandler(BaseHTTPRequestHandler):
	# HTTP/1.0: one request per connection, so a dropped response never poisons a pooled connection.
	protocol_version = "HTTP/1.0"
	server_version = "fake-stripe"

	def do_GET(self):
		self._serve()

	def do_POST(self):
		self._serve()

	def do_DELETE(self):
		self._serve()

	def _serve(self):
		length = int(self.headers.get("Content-Length") or 0)
		body = self.rfile.read(length) if length else b""
		headers = {name.lower(): value for name, value in self.headers.items()}
		result = self.server.fake.handle(self.command, self.path, headers, body)
		if result is None:
			self.close_connection = True
			return
		status, payload, extra = result
		data = json.dumps(payload, indent=2).encode()
		self.send_response(status)
		self.send_header("Content-Type", "application/json")
		self.send_header("Content-Length", str(len(data)))
		for name, value in extra.items():
			self.send_header(name, value)
		self.end_headers()
		self.wfile.write(data)

	def log_message(self, format, *args):
		pass


@dataclass
class ReceivedWebhook:
	body: bytes
	headers: dict[str, str]
	status: int


class WebhookReceiver:
	"""A tiny HTTP endpoint standing in for the app's webhook URL.

	``handler(body, headers)`` returns the HTTP status to answer; every call is recorded.
	"""

	def __init__(self, handler: Callable[[bytes, dict[str, str]], int] | None = None):
		self.handler = handler or (lambda body, headers: 200)
		self.received: list[ReceivedWebhook] = []
		self._http: ThreadingHTTPServer | None = None

	def __enter__(self) -> WebhookReceiver:
		receiver = self

		class Handler(BaseHTTPRequestHandler):
			def do_POST(self):
				body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
				headers = {name.lower(): value for name, value in self.headers.items()}
				status = receiver.handler(body, headers)
				receiver.received.append(ReceivedWebhook(body, headers, status))
				self.send_response(status)
				self.send_header("Content-Length", "0")
				self.end_headers()

			def log_message(self, format, *args):
				pass

		self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self._http.daemon_threads = True
		threading.Thread(
			target=self._http.serve_forever,
			kwargs={"poll_interval": 0.01},
			name="webhook-receiver",
			daemon=True,
		).start()
		return self

	def __exit__(self, *exc_info) -> None:
		self._http.shutdown()
		self._http.server_close()

	@property
	def url(self) -> str:
		host, port = self._http.server_address[:2]
		return f"http://{host}:{port}/api/method/claims_billing.patient.stripe_webhook"
