"""The app's Stripe client end to end: the official library over real HTTP to the local test server."""

import datetime
import json
import logging
from decimal import Decimal

import pytest
import stripe
from hypothesis import given
from hypothesis import strategies as st

from claims_billing.stripe_client import (
	InvoiceLine,
	StripeAuthenticationError,
	StripeBillingClient,
	StripeCardDeclined,
	StripeIdempotencyConflict,
	StripeInputError,
	StripeInvalidRequest,
	StripeRateLimited,
	StripeSignatureError,
	StripeUnavailable,
	StripeUnexpectedResponse,
	StripeWebhookError,
	mask_secret,
	scrub_secrets,
	verify_webhook,
)
from claims_billing.stripe_client.money import from_cents, to_cents
from tests.stripe_server import FakeStripe, WebhookReceiver

WEBHOOK_SECRET = "whsec_test_0123456789abcdefABCDEF"
PATIENT = "PAT-00042"
EMAIL = "jane.roe@example.com"
THERAPY_LINES = [
	InvoiceLine("97110 therapeutic exercise 2024-06-03", Decimal("45.00"), "SVC-0001"),
	InvoiceLine("97140 manual therapy 2024-06-03", Decimal("30.55"), "SVC-0002"),
	InvoiceLine("97530 2024-06-05 (balance after insurance)", Decimal("0.10"), "SVC-0003"),
]


@pytest.fixture(autouse=True)
def quick_library_backoff(monkeypatch):
	# The library sleeps at least 0.5 s before a retry; the retries, not the waiting, are under test.
	monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)
	monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0.02)


@pytest.fixture
def fake():
	with FakeStripe() as server:
		yield server


def make_client(fake, **options):
	options.setdefault("max_network_retries", 2)
	options.setdefault("rate_limit_backoff", 0.01)
	return StripeBillingClient(fake.api_key, base_url=fake.base_url, **options)


@pytest.fixture
def client(fake):
	return make_client(fake)


@pytest.fixture
def customer_id(client):
	return client.ensure_customer(PATIENT, "Jane Roe", EMAIL)


def open_invoice(client, customer_id, key="statement-PS-0001", lines=THERAPY_LINES):
	return client.create_invoice(customer_id, lines, idempotency_key=key)


# Customers


def test_a_patient_gets_one_customer_however_often_it_is_ensured(fake, client):
	first = client.ensure_customer(PATIENT, "Jane Roe", EMAIL)
	second = client.ensure_customer(PATIENT, "Jane Roe", "jane.new@example.com")

	assert first == second
	assert first.startswith("cus_")
	assert len(fake.customers) == 1
	customer = fake.customers[0]
	assert customer["metadata"] == {"patient_ref": PATIENT}
	# The later call's email reached Stripe: corrections are not lost.
	assert customer["email"] == "jane.new@example.com"
	creates = fake.requests_to("POST", "/v1/customers")
	assert [request.replayed for request in creates] == [False, True]
	assert creates[0].idempotency_key == creates[1].idempotency_key
	# Nothing about the patient but our reference goes into the creating request.
	assert creates[0].params == {"metadata": {"patient_ref": PATIENT}}


def test_different_patients_and_different_sites_get_different_customers(fake):
	site_a = make_client(fake, idempotency_namespace="site-a.example")
	site_b = make_client(fake, idempotency_namespace="site-b.example")

	ids = {
		site_a.ensure_customer(PATIENT, "Jane Roe", EMAIL),
		site_a.ensure_customer("PAT-00043", "John Roe", "john@example.com"),
		site_b.ensure_customer(PATIENT, "Jane Other", "other@example.com"),
	}

	assert len(ids) == 3
	assert len(fake.customers) == 3


def test_a_stored_customer_id_is_reused_and_brought_up_to_date(fake, client, customer_id):
	returned = client.ensure_customer(PATIENT, "Jane Q. Roe", EMAIL, existing_customer_id=customer_id)

	assert returned == customer_id
	assert len(fake.requests_to("POST", "/v1/customers")) == 1
	assert fake.customers[0]["name"] == "Jane Q. Roe"


def test_a_stored_customer_id_of_another_patient_is_refused(fake, client, customer_id):
	with pytest.raises(StripeUnexpectedResponse, match="different patient"):
		client.ensure_customer(
			"PAT-99999", "Someone Else", "else@example.com", existing_customer_id=customer_id
		)
	assert fake.customers[0]["name"] == "Jane Roe"


def test_a_stored_customer_id_unknown_to_stripe_is_an_invalid_request(client):
	with pytest.raises(StripeInvalidRequest) as caught:
		client.ensure_customer(PATIENT, "Jane Roe", EMAIL, existing_customer_id="cus_DoesNotExist1")
	assert caught.value.http_status == 404
	assert caught.value.code == "resource_missing"


def test_a_bad_email_is_refused_without_repeating_it(fake, client):
	with pytest.raises(StripeInputError) as caught:
		client.ensure_customer(PATIENT, "Jane Roe", "jane.roe at example")
	assert caught.value.path == "email"
	assert "jane.roe" not in str(caught.value)
	assert fake.requests == []


def test_an_email_stripe_rejects_is_not_repeated_in_the_error(fake, client):
	# Passes our shape check, fails Stripe's; Stripe's message quotes the address.
	with pytest.raises(StripeInvalidRequest) as caught:
		client.ensure_customer(PATIENT, "Jane Roe", "jane@@example.com")
	assert caught.value.code == "email_invalid"
	assert "example.com" not in str(caught.value)
	assert "<email address>" in str(caught.value)


# Invoices


def test_an_invoice_has_one_item_per_service_in_exact_cents_and_is_sent(fake, client, customer_id):
	invoice = open_invoice(client, customer_id)

	assert invoice.status == "open"
	assert invoice.customer_id == customer_id
	assert invoice.total == invoice.amount_due == Decimal("75.65")
	assert invoice.amount_paid == Decimal("0.00")
	assert invoice.number and invoice.number.endswith("-0001")
	assert invoice.hosted_invoice_url.startswith("https://invoice.stripe.com/i/")
	today = datetime.datetime.now(datetime.timezone.utc).date()
	assert invoice.due_date in (today + datetime.timedelta(days=30), today + datetime.timedelta(days=31))

	items = fake.invoice_items
	assert [item["amount"] for item in items] == [4500, 3055, 10]
	assert {item["invoice"] for item in items} == {invoice.id}
	assert [item["metadata"] for item in items] == [
		{"service_ref": line.service_ref} for line in THERAPY_LINES
	]
	assert [item["description"] for item in items] == [line.description for line in THERAPY_LINES]

	stored = fake.invoice(invoice.id)
	assert stored["collection_method"] == "send_invoice"
	assert stored["days_until_due"] == 30
	assert stored["total"] == 7565
	assert fake.sent_emails == [(invoice.id, EMAIL)]
	created = fake.requests_to("POST", "/v1/invoices")[0]
	assert created.params["pending_invoice_items_behavior"] == "exclude"
	assert created.params["auto_advance"] == "false"
	# Every creating request carries an idempotency key.
	assert all(request.idempotency_key for request in fake.requests if request.method == "POST")


def test_other_pending_items_of_the_patient_stay_off_the_invoice(fake, client, customer_id):
	# An item someone added in the Stripe dashboard, not attached to any invoice.
	raw = stripe.StripeClient(fake.api_key, base_addresses={"api": fake.base_url})
	raw.v1.invoice_items.create(params={"customer": customer_id, "amount": 999, "currency": "usd"})

	invoice = open_invoice(client, customer_id)

	assert invoice.total == Decimal("75.65")
	pending = [item for item in fake.invoice_items if item["amount"] == 999]
	assert pending[0]["invoice"] is None


@pytest.mark.parametrize(
	"amount, problem",
	[
		(Decimal("10.005"), "fraction of a cent"),
		(10.5, "must be a Decimal"),
		(Decimal("0.00"), "more than zero"),
		(Decimal("-5.00"), "more than zero"),
		(Decimal("NaN"), "not a number"),
		(Decimal("1000000.00"), "limit"),
	],
)
def test_unfit_amounts_are_refused_before_any_request(fake, client, amount, problem):
	lines = [THERAPY_LINES[0], InvoiceLine("97140", amount, "SVC-0009")]
	with pytest.raises(StripeInputError, match=problem) as caught:
		client.create_invoice("cus_Anything1", lines, idempotency_key="k")
	assert caught.value.path == "lines[1].amount"
	assert fake.requests == []


@pytest.mark.parametrize(
	"change, path",
	[
		({"lines": []}, "lines"),
		({"lines": [THERAPY_LINES[0], THERAPY_LINES[0]]}, "lines[1].service_ref"),
		({"currency": "jpy"}, "currency"),
		({"currency": "US"}, "currency"),
		({"customer_id": "in_NotACustomer"}, "customer_id"),
		({"days_until_due": -1}, "days_until_due"),
		({"metadata": {"x" * 41: "v"}}, "metadata"),
		({"idempotency_key": ""}, "idempotency_key"),
	],
)
def test_unfit_invoice_data_is_refused_with_the_field_named(fake, client, change, path):
	arguments = {"customer_id": "cus_Anything1", "lines": THERAPY_LINES, "idempotency_key": "k", **change}
	customer = arguments.pop("customer_id")
	lines = arguments.pop("lines")
	with pytest.raises(StripeInputError) as caught:
		client.create_invoice(customer, lines, **arguments)
	assert caught.value.path == path
	assert fake.requests == []


def test_voiding_an_open_invoice_and_then_again(fake, client, customer_id):
	invoice = open_invoice(client, customer_id)

	voided = client.void_invoice(invoice.id)

	assert voided.status == "void"
	assert fake.invoice(invoice.id)["status"] == "void"
	assert client.retrieve_invoice(invoice.id).status == "void"
	with pytest.raises(StripeInvalidRequest, match="only void open invoices"):
		client.void_invoice(invoice.id)


def test_retrieving_an_invoice_gives_the_stored_figures(fake, client, customer_id):
	invoice = open_invoice(client, customer_id)

	again = client.retrieve_invoice(invoice.id)

	assert again == invoice
	with pytest.raises(StripeInvalidRequest) as caught:
		client.retrieve_invoice("in_Missing0000")
	assert caught.value.code == "resource_missing"


def test_same_key_with_different_lines_is_an_idempotency_conflict(fake, client, customer_id):
	open_invoice(client, customer_id)

	with pytest.raises(StripeIdempotencyConflict):
		open_invoice(client, customer_id, lines=THERAPY_LINES[:1])
	assert len(fake.invoices) == 1


# Retries and failures


def test_a_transient_500_then_success_creates_exactly_one_invoice(fake, client, customer_id):
	fake.fail_next(1, path="/v1/invoices")

	invoice = open_invoice(client, customer_id)

	assert len(fake.invoices) == 1
	attempts = fake.requests_to("POST", "/v1/invoices")
	assert [request.status for request in attempts] == [500, 200]
	assert attempts[0].idempotency_key == attempts[1].idempotency_key
	assert invoice.status == "open"


def test_a_lost_response_is_replayed_on_retry_not_executed_twice(fake, client):
	# Stripe created the customer but the answer never arrived; the library retries with the same key.
	fake.drop_next_response(1, path="/v1/customers")

	customer_id = client.ensure_customer(PATIENT, "Jane Roe", EMAIL)

	assert [customer["id"] for customer in fake.customers] == [customer_id]
	attempts = fake.requests_to("POST", "/v1/customers")
	assert [request.replayed for request in attempts] == [False, True]


def test_a_lost_invoice_item_response_does_not_bill_the_service_twice(fake, client, customer_id):
	fake.drop_next_response(1, path="/v1/invoiceitems")

	invoice = open_invoice(client, customer_id)

	assert len(fake.invoice_items) == len(THERAPY_LINES)
	assert invoice.total == Decimal("75.65")


def test_stripe_down_after_retries_is_unavailable_and_creates_nothing(fake):
	client = make_client(fake, max_network_retries=1)
	fake.fail_next(5, status=503)

	with pytest.raises(StripeUnavailable) as caught:
		client.ensure_customer(PATIENT, "Jane Roe", EMAIL)

	assert caught.value.http_status == 503
	assert len(fake.requests) == 2
	assert fake.customers == []


def test_stripe_unreachable_is_unavailable():
	client = StripeBillingClient(
		"sk_test_unreachable000000000", base_url="http://127.0.0.1:9", max_network_retries=0
	)
	with pytest.raises(StripeUnavailable):
		client.retrieve_invoice("in_Anything0000")


def test_a_rate_limit_is_retried_with_the_same_key(fake, client):
	fake.rate_limit_next(1)

	client.ensure_customer(PATIENT, "Jane Roe", EMAIL)

	assert len(fake.customers) == 1
	attempts = fake.requests_to("POST", "/v1/customers")
	assert [request.status for request in attempts] == [429, 200]
	assert attempts[0].idempotency_key == attempts[1].idempotency_key


def test_a_persistent_rate_limit_raises_rate_limited(fake):
	client = make_client(fake, rate_limit_retries=2)
	fake.rate_limit_next(10)

	with pytest.raises(StripeRateLimited) as caught:
		client.ensure_customer(PATIENT, "Jane Roe", EMAIL)

	assert caught.value.http_status == 429
	assert caught.value.code == "rate_limit"
	assert len(fake.requests) == 3
	assert fake.customers == []


def test_a_half_done_invoice_is_resumed_with_the_same_key(fake, customer_id):
	client = make_client(fake, max_network_retries=1)
	fake.fail_next(2, path=r"/v1/invoices/\w+/finalize")

	with pytest.raises(StripeUnavailable):
		open_invoice(client, customer_id)
	(draft,) = fake.invoices
	assert draft["status"] == "draft"
	assert draft["total"] == 7565

	invoice = open_invoice(client, customer_id)

	assert invoice.id == draft["id"]
	assert invoice.status == "open"
	assert len(fake.invoices) == 1
	assert len(fake.invoice_items) == len(THERAPY_LINES)
	assert len(fake.sent_emails) == 1


def test_repeating_a_finished_call_sends_no_second_email(fake, client, customer_id):
	first = open_invoice(client, customer_id)
	second = open_invoice(client, customer_id)

	assert second.id == first.id
	assert len(fake.invoices) == 1
	assert len(fake.sent_emails) == 1


# Payments


def test_a_declined_card_is_a_typed_error_and_the_invoice_stays_open(fake, client, customer_id):
	invoice = open_invoice(client, customer_id)
	fake.decline_next_payment("insufficient_funds")

	with pytest.raises(StripeCardDeclined) as caught:
		client.pay_invoice(invoice.id, payment_method="pm_card_visa")

	assert caught.value.decline_code == "insufficient_funds"
	assert caught.value.code == "card_declined"
	assert caught.value.http_status == 402
	assert fake.invoice(invoice.id)["status"] == "open"
	assert fake.invoice(invoice.id)["attempt_count"] == 1
	assert fake.events[-1]["type"] == "invoice.payment_failed"

	# A second attempt charges again rather than replaying the decline.
	paid = client.pay_invoice(invoice.id, payment_method="pm_card_visa")
	assert paid.status == "paid"
	assert paid.amount_paid == Decimal("75.65")
	assert paid.amount_remaining == Decimal("0.00")


def test_stripes_declining_test_card_is_declined(client, customer_id):
	invoice = open_invoice(client, customer_id)
	with pytest.raises(StripeCardDeclined) as caught:
		client.pay_invoice(invoice.id, payment_method="pm_card_chargeDeclined")
	assert caught.value.decline_code == "generic_decline"


# Secrets


def test_a_bad_api_key_is_an_authentication_error_that_never_shows_the_key(fake, caplog, capsys):
	wrong_key = "sk_test_51WrongKeyAbCdEfGhIjKlMnOpQrStUv9876"
	client = StripeBillingClient(wrong_key, base_url=fake.base_url)
	caplog.set_level(logging.DEBUG)

	with pytest.raises(StripeAuthenticationError) as caught:
		client.ensure_customer(PATIENT, "Jane Roe", EMAIL)

	error = caught.value
	assert error.http_status == 401
	shown = [str(error), repr(error), *map(str, error.args), repr(client), caplog.text, *capsys.readouterr()]
	assert all(wrong_key not in text for text in shown)
	assert all(fake.api_key not in text for text in shown)
	assert "9876" in str(error)
	assert repr(client) == f"StripeBillingClient(key=sk_test_…9876, base_url={fake.base_url})"
	assert error.__cause__ is None and error.__suppress_context__


def test_secrets_are_masked_to_their_last_four_characters():
	assert mask_secret("sk_test_51HxYZabcdefghijklmnAb12") == "sk_test_…Ab12"
	assert mask_secret("sk_live_51HxYZabcdefghijklmnAb12") == "sk_live_…Ab12"
	assert mask_secret("whsec_0123456789abcdefWXYZ") == "whsec_…WXYZ"
	# Too short to show a tail without giving most of it away.
	assert mask_secret("sk_test_abc") == "sk_test_…"
	assert mask_secret("") == "(none)"
	text = "key sk_test_51HxYZabcdefghijklmnAb12 and secret whsec_0123456789abcdefWXYZ, rk_live_Zz9988776655443322"
	assert scrub_secrets(text) == "key sk_test_…Ab12 and secret whsec_…WXYZ, rk_live_…3322"


def test_error_messages_are_scrubbed_of_secrets_and_email_addresses():
	error = StripeInvalidRequest("Stripe said: sk_live_51HxYZabcdefghijklmnAb12 is bad", param="x")
	assert "sk_live_51HxYZ" not in str(error)
	assert "sk_live_…Ab12" in str(error)
	error = StripeInvalidRequest("Invalid email address: 'jane.roe+pt@example.com'", param="email")
	assert str(error) == "Invalid email address: '<email address>'"


# Webhooks


def receiver_verifying_with(secret, verified, failures):
	def handle(body, headers):
		try:
			verified.append(verify_webhook(body, headers.get("stripe-signature"), secret))
		except StripeSignatureError as error:
			failures.append(error)
			return 400
		return 200

	return WebhookReceiver(handle)


@pytest.mark.parametrize(
	"change, event_type",
	[
		("mark_paid", "invoice.paid"),
		("mark_overdue", "invoice.overdue"),
		("mark_payment_failed", "invoice.payment_failed"),
	],
)
def test_signed_invoice_events_are_verified_and_carry_the_invoice(
	fake, client, customer_id, change, event_type
):
	invoice = open_invoice(client, customer_id)
	event = getattr(fake, change)(invoice.id)
	verified, failures = [], []

	with receiver_verifying_with(WEBHOOK_SECRET, verified, failures) as receiver:
		delivery = fake.deliver(event, receiver.url, WEBHOOK_SECRET)

	assert delivery.status == 200, failures
	(received,) = verified
	assert received["id"] == event["id"] and received["id"].startswith("evt_")
	assert received["type"] == event_type
	assert received["data"]["object"]["id"] == invoice.id
	assert received["data"]["object"]["total"] == 7565


def test_the_voided_event_is_verified(fake, client, customer_id):
	invoice = open_invoice(client, customer_id)
	client.void_invoice(invoice.id)
	(event,) = [event for event in fake.events if event["type"] == "invoice.voided"]
	verified, failures = [], []

	with receiver_verifying_with(WEBHOOK_SECRET, verified, failures) as receiver:
		delivery = fake.deliver(event, receiver.url, WEBHOOK_SECRET)

	assert delivery.status == 200, failures
	assert verified[0]["data"]["object"]["status"] == "void"


@pytest.mark.parametrize(
	"mode, reason",
	[
		("tampered", "does not match"),
		("wrong_secret", "does not match"),
		("expired", "old"),
		("missing", "no Stripe-Signature header"),
		("malformed", "no timestamp"),
	],
)
def test_bad_signatures_are_refused(fake, client, customer_id, mode, reason):
	invoice = open_invoice(client, customer_id)
	event = fake.mark_paid(invoice.id)
	verified, failures = [], []

	with receiver_verifying_with(WEBHOOK_SECRET, verified, failures) as receiver:
		delivery = fake.deliver(event, receiver.url, WEBHOOK_SECRET, signature=mode)

	assert delivery.status == 400
	assert verified == []
	(failure,) = failures
	assert reason in str(failure)
	assert WEBHOOK_SECRET not in str(failure)


def signed(event, secret=WEBHOOK_SECRET, timestamp=1_700_000_000):
	payload = json.dumps(event).encode()
	return payload, FakeStripe.sign(payload, secret, timestamp)


EVENT = {"id": "evt_1", "object": "event", "type": "invoice.paid", "data": {"object": {"id": "in_1"}}}


def test_the_tolerance_window_is_applied_both_ways():
	payload, header = signed(EVENT)
	assert verify_webhook(payload, header, WEBHOOK_SECRET, now=1_700_000_300)["id"] == "evt_1"
	with pytest.raises(StripeSignatureError, match="301 s old"):
		verify_webhook(payload, header, WEBHOOK_SECRET, now=1_700_000_301)
	with pytest.raises(StripeSignatureError, match="future"):
		verify_webhook(payload, header, WEBHOOK_SECRET, now=1_699_999_000)


def test_any_of_several_signatures_may_match_while_a_secret_is_rolled():
	payload, header = signed(EVENT)
	_, old_header = signed(EVENT, secret="whsec_old_secret_000000000")
	old_v1 = old_header.split(",")[1]
	assert verify_webhook(payload, f"{header},{old_v1}", WEBHOOK_SECRET, now=1_700_000_000)["id"] == "evt_1"
	assert verify_webhook(payload, f"{header},{old_v1}", "whsec_old_secret_000000000", now=1_700_000_000)


def test_odd_signature_headers_are_refused_not_crashed_on():
	payload, _ = signed(EVENT)
	for header in ("t=abc,v1=00", "t=1700000000", "t=1700000000,v1=é", "garbage", "t=\u0661\u0667,v1=00"):
		with pytest.raises(StripeSignatureError):
			verify_webhook(payload, header, WEBHOOK_SECRET, now=1_700_000_000)
	with pytest.raises(StripeSignatureError, match="no webhook signing secret"):
		verify_webhook(payload, "t=1,v1=00", "")


def test_a_signed_body_that_is_not_an_event_is_refused():
	for body in (b"not json", b"[1, 2]", json.dumps({"object": "event", "id": "evt_1"}).encode()):
		header = FakeStripe.sign(body, WEBHOOK_SECRET, 1_700_000_000)
		with pytest.raises(StripeWebhookError):
			verify_webhook(body, header, WEBHOOK_SECRET, now=1_700_000_000)


def test_our_verification_agrees_with_the_official_library():
	payload = json.dumps(EVENT).encode()
	header = stripe.WebhookSignature.generate_signature_header(payload.decode(), WEBHOOK_SECRET)
	assert verify_webhook(payload, header, WEBHOOK_SECRET)["type"] == "invoice.paid"
	with pytest.raises(StripeSignatureError):
		verify_webhook(payload.replace(b"in_1", b"in_2"), header, WEBHOOK_SECRET)


# Money


@given(st.integers(min_value=1, max_value=99_999_999))
def test_cents_survive_the_round_trip_exactly(cents):
	assert to_cents(from_cents(cents), "amount") == cents


def test_cents_conversion_of_typical_amounts():
	assert to_cents(Decimal("75.65"), "a") == 7565
	assert to_cents(Decimal("0.1"), "a") == 10
	assert to_cents(Decimal("12"), "a") == 1200
	assert to_cents(Decimal("45.000"), "a") == 4500
	assert from_cents(7565) == Decimal("75.65")
