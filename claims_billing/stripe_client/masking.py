"""Keeping Stripe secrets (and patients' email addresses) out of messages, logs and reprs.

A secret is shown at most as its kind and last four characters (``sk_test_…4242``), which
is enough for staff to tell which key is configured without being able to use it. Stripe
echoes a rejected email address in its message; that is patient data, so it is redacted.
"""

import re

# Secret and restricted API keys, webhook signing secrets, and the publishable keys that sit
# next to them in settings (harmless, but masking them costs nothing).
_SECRET_PATTERN = re.compile(r"\b((?:sk|rk|pk)_(?:test|live)_|whsec_)([A-Za-z0-9]+)")
_KNOWN_PREFIX = re.compile(r"^((?:sk|rk|pk)_(?:test|live)_|whsec_)")
# Anything around an "@" up to whitespace or quoting, so malformed addresses are caught too.
_EMAIL_PATTERN = re.compile(r"[^\s'\"<>(),;]*@[^\s'\"<>(),;]+")
# Below this length the last four characters would give away too much of the secret.
_SHORTEST_WITH_TAIL = 16


def mask_secret(secret: str | None) -> str:
	"""``sk_test_51Hx…Ab12`` → ``sk_test_…Ab12``; anything short or odd → its prefix and ``…``."""
	if not secret:
		return "(none)"
	match = _KNOWN_PREFIX.match(secret)
	prefix = match.group(1) if match else ""
	tail = secret[-4:] if len(secret) >= _SHORTEST_WITH_TAIL else ""
	return f"{prefix}…{tail}"


def scrub_secrets(text: str) -> str:
	"""Replace every Stripe key or webhook secret in ``text`` by its masked form."""
	return _SECRET_PATTERN.sub(lambda match: mask_secret(match.group(0)), text)


def redact_emails(text: str) -> str:
	return _EMAIL_PATTERN.sub("<email address>", text)
