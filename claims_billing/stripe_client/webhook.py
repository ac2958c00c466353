"""Checking that an incoming webhook really comes from Stripe (the ``Stripe-Signature`` header).

Stripe signs ``f"{t}.{raw body}"`` with HMAC-SHA256 under the endpoint's signing secret and
sends ``t=<unix time>,v1=<hex digest>[,v1=...]``; several ``v1`` values appear while a
secret is being rolled. The timestamp bounds replays of a captured request.
"""

import hashlib
import hmac
import json
import time

from claims_billing.stripe_client.errors import StripeSignatureError, StripeWebhookError

SIGNATURE_SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def verify_webhook(
	payload: bytes,
	signature_header: str | None,
	secret: str,
	tolerance: int = DEFAULT_TOLERANCE_SECONDS,
	*,
	now: float | None = None,
) -> dict:
	"""The event in ``payload`` once its signature checks out; ``StripeSignatureError`` otherwise.

	``payload`` must be the raw request body exactly as received: re-serialised JSON
	does not match the signature.
	"""
	if not secret:
		raise StripeSignatureError("no webhook signing secret is configured")
	if not signature_header:
		raise StripeSignatureError("the request has no Stripe-Signature header")
	if isinstance(payload, str):
		payload = payload.encode("utf-8")
	if not isinstance(payload, bytes | bytearray):
		raise TypeError(f"payload must be the raw request body (bytes), got {type(payload).__name__}")
	timestamp, signatures = _parse_signature_header(signature_header)

	signed = str(timestamp).encode("ascii") + b"." + bytes(payload)
	expected = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest().encode("ascii")
	# Bytes, because compare_digest refuses non-ASCII str and a header can hold anything.
	candidates = [candidate.encode("utf-8", "replace") for candidate in signatures]
	if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
		raise StripeSignatureError("the Stripe-Signature does not match the payload and signing secret")

	current = time.time() if now is None else now
	age = current - timestamp
	if age > tolerance:
		raise StripeSignatureError(f"the signature is {int(age)} s old, more than the {tolerance} s allowed")
	if -age > tolerance:
		raise StripeSignatureError(f"the signature is dated {int(-age)} s in the future")

	try:
		event = json.loads(payload)
	except (UnicodeDecodeError, json.JSONDecodeError) as exc:
		raise StripeWebhookError(f"the webhook body is not JSON: {exc}") from None
	if not isinstance(event, dict) or event.get("object") != "event":
		raise StripeWebhookError("the webhook body is not a Stripe event object")
	for key in ("id", "type"):
		if not isinstance(event.get(key), str) or not event[key]:
			raise StripeWebhookError(f"the webhook event has no {key}")
	data = event.get("data")
	if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
		raise StripeWebhookError(f"webhook event {event['id']} has no data.object")
	return event


def _parse_signature_header(header: str) -> tuple[int, list[str]]:
	timestamp = None
	signatures = []
	for item in header.split(","):
		key, separator, value = item.strip().partition("=")
		if not separator:
			continue
		if key == "t":
			if not value.isascii() or not value.isdigit():
				raise StripeSignatureError("the Stripe-Signature timestamp is not a number")
			timestamp = int(value)
		elif key == SIGNATURE_SCHEME:
			signatures.append(value)
	if timestamp is None:
		raise StripeSignatureError("the Stripe-Signature header has no timestamp (t=)")
	if not signatures:
		raise StripeSignatureError(f"the Stripe-Signature header has no {SIGNATURE_SCHEME} signature")
	return timestamp, signatures
