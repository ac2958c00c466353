"""The local Stripe test server refuses what Stripe refuses, so tests against it can fail.

These talk raw HTTP (``requests``) to send what the app's client never would.
"""

import json

import pytest
import requests
import stripe

from tests.stripe_server import FakeStripe, decode_form

SECRET = "whsec_server_test_secret_0000"


@pytest.fixture
def fake():
	with FakeStripe() as server:
		yield server


class Api:
	"""Raw form-encoded requests to the fake, authenticated with its key unless told otherwise."""

	def __init__(self, fake):
		self.fake = fake

	def post(self, path, body="", key=None, idempotency_key=None, headers=None):
		sent = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
		if key is not False:
			sent["Authorization"] = f"Bearer {key or self.fake.api_key}"
		if idempotency_key:
			sent["Idempotency-Key"] = idempotency_key
		return requests.post(self.fake.base_url + path, data=body.encode(), headers=sent, timeout=5)

	def get(self, path):
		return requests.get(
			self.fake.base_url + path, headers={"Authorization": f"Bearer {self.fake.api_key}"}, timeout=5
		)

	def ok(self, response):
		assert response.status_code == 200, response.text
		return response.json()

	def customer(self):
		return self.ok(self.post("/v1/customers", "email=pat%40example.com&metadata[patient_ref]=PAT-1"))[
			"id"
		]

	def draft(self, customer_id, amounts=(4500,)):
		invoice = self.ok(
			self.post(
				"/v1/invoices",
				f"customer={customer_id}&collection_method=send_invoice&days_until_due=30",
			)
		)
		for amount in amounts:
			self.ok(
				self.post(
					"/v1/invoiceitems", f"customer={customer_id}&invoice={invoice['id']}&amount={amount}"
				)
			)
		return invoice["id"]


@pytest.fixture
def api(fake):
	return Api(fake)


def error_of(response, status):
	assert response.status_code == status, response.text
	body = response.json()
	assert set(body) == {"error"}
	assert {"type", "code", "message", "param"} <= set(body["error"])
	return body["error"]


# Parameters


def test_an_unknown_parameter_is_refused(api):
	error = error_of(api.post("/v1/customers", "email=a%40b.co&nickname=Pat"), 400)
	assert error["code"] == "parameter_unknown"
	assert error["param"] == "nickname"
	assert error["message"] == "Received unknown parameter: nickname"


def test_an_unknown_key_inside_a_hash_is_refused(api):
	error = error_of(api.post("/v1/customers", "invoice_settings[colour]=blue"), 400)
	assert error["code"] == "parameter_unknown"
	assert error["param"] == "invoice_settings[colour]"


def test_a_parameter_stripe_knows_but_the_server_does_not_model_is_refused_loudly(api):
	error = error_of(api.post("/v1/customers", "tax_exempt=exempt"), 400)
	assert error["code"] == "test_server_unsupported"


def test_send_invoice_without_days_until_due_is_refused(api):
	customer_id = api.customer()
	error = error_of(api.post("/v1/invoices", f"customer={customer_id}&collection_method=send_invoice"), 400)
	assert error["code"] == "parameter_missing"
	assert error["param"] == "days_until_due"
	assert api.fake.invoices == []


def test_days_until_due_without_send_invoice_is_refused(api):
	customer_id = api.customer()
	for body in (
		f"customer={customer_id}&days_until_due=30",
		f"customer={customer_id}&collection_method=charge_automatically&days_until_due=30",
	):
		error = error_of(api.post("/v1/invoices", body), 400)
		assert error["param"] == "days_until_due"
	assert api.fake.invoices == []


def test_days_until_due_and_due_date_together_are_refused(api):
	customer_id = api.customer()
	body = f"customer={customer_id}&collection_method=send_invoice&days_until_due=30&due_date=4102444800"
	error = error_of(api.post("/v1/invoices", body), 400)
	assert "only specify one" in error["message"]


@pytest.mark.parametrize("amount", ["12.5", "1e3", "abc", ""])
def test_an_amount_that_is_not_an_integer_is_refused(api, amount):
	customer_id = api.customer()
	error = error_of(
		api.post("/v1/invoiceitems", f"customer={customer_id}&amount={amount}&currency=usd"), 400
	)
	assert error["param"] == "amount"
	assert error["code"] in ("parameter_invalid_integer", "parameter_invalid_empty")
	assert api.fake.invoice_items == []


def test_an_amount_above_stripes_limit_is_refused(api):
	customer_id = api.customer()
	error = error_of(
		api.post("/v1/invoiceitems", f"customer={customer_id}&amount=100000000&currency=usd"), 400
	)
	assert error["param"] == "amount"


@pytest.mark.parametrize("currency", ["USD", "us", "usdx", "u5d"])
def test_a_currency_must_be_three_lowercase_letters(api, currency):
	customer_id = api.customer()
	error = error_of(
		api.post("/v1/invoiceitems", f"customer={customer_id}&amount=100&currency={currency}"), 400
	)
	assert error["param"] == "currency"


def test_an_unknown_collection_method_is_refused(api):
	customer_id = api.customer()
	error = error_of(api.post("/v1/invoices", f"customer={customer_id}&collection_method=by_post"), 400)
	assert error["param"] == "collection_method"


def test_required_and_referenced_objects_are_checked(api):
	missing = error_of(api.post("/v1/invoices", "collection_method=send_invoice&days_until_due=3"), 400)
	assert (missing["code"], missing["param"]) == ("parameter_missing", "customer")
	unknown = error_of(api.post("/v1/invoiceitems", "customer=cus_Nobody000&amount=100"), 400)
	assert (unknown["code"], unknown["param"]) == ("resource_missing", "customer")
	absent = error_of(api.get("/v1/invoices/in_Nothing0000"), 404)
	assert absent["code"] == "resource_missing"


def test_empty_strings_cannot_unset_on_create(api):
	error = error_of(api.post("/v1/customers", "name="), 400)
	assert error["code"] == "parameter_invalid_empty"


def test_an_invalid_email_is_refused(api):
	error = error_of(api.post("/v1/customers", "email=not-an-email"), 400)
	assert error["code"] == "email_invalid"


def test_a_json_body_is_refused(api):
	response = api.post(
		"/v1/customers", json.dumps({"name": "x"}), headers={"Content-Type": "application/json"}
	)
	assert error_of(response, 400)["message"].startswith("Invalid request")


def test_an_unknown_url_and_a_bad_api_version_are_refused(api):
	assert "Unrecognized request URL" in error_of(api.post("/v1/charges", "amount=1"), 404)["message"]
	response = api.post("/v1/customers", "", headers={"Stripe-Version": "yesterday"})
	assert "Invalid Stripe API version" in error_of(response, 400)["message"]


def test_bracket_notation_decodes_to_hashes_and_arrays():
	assert decode_form("metadata[a]=1&metadata[b]=&expand[0]=lines&expand[1]=customer") == {
		"metadata": {"a": "1", "b": ""},
		"expand": ["lines", "customer"],
	}
	assert decode_form("expand[]=lines&expand[]=customer") == {"expand": ["lines", "customer"]}


@pytest.mark.parametrize("body", ["metadata=x&metadata[a]=1", "a]b=1", "name=a&name=b"])
def test_contradictory_or_malformed_keys_are_refused(api, body):
	assert error_of(api.post("/v1/customers", body), 400)["message"]


# Authentication


def test_requests_without_the_test_key_are_unauthorised(api):
	assert "did not provide an API key" in error_of(api.post("/v1/customers", key=False), 401)["message"]
	wrong = "sk_test_" + "W" * 20 + "9876"
	error = error_of(api.post("/v1/customers", key=wrong), 401)
	assert wrong not in error["message"]
	assert error["message"].endswith("9876")
	live = "sk_live_" + api.fake.api_key.removeprefix("sk_test_")
	error_of(api.post("/v1/customers", key=live), 401)
	basic = {"Authorization": f"Basic {api.fake.api_key}"}
	error_of(api.post("/v1/customers", key=False, headers=basic), 401)
	assert api.fake.customers == []


def test_the_server_only_takes_test_keys():
	with pytest.raises(ValueError, match="test-mode"):
		FakeStripe(api_key="sk_live_abc")


# Invoice status machine


def test_an_invoice_moves_draft_open_paid(api):
	customer_id = api.customer()
	invoice_id = api.draft(customer_id, amounts=(4500, 3055))

	draft = api.ok(api.get(f"/v1/invoices/{invoice_id}"))
	assert (draft["status"], draft["number"], draft["total"]) == ("draft", None, 7555)
	opened = api.ok(api.post(f"/v1/invoices/{invoice_id}/finalize"))
	assert opened["status"] == "open" and opened["number"].endswith("-0001")
	assert [line["amount"] for line in opened["lines"]["data"]] == [4500, 3055]
	api.ok(api.post(f"/v1/invoices/{invoice_id}/send"))
	paid = api.ok(api.post(f"/v1/invoices/{invoice_id}/pay", "payment_method=pm_card_visa"))
	assert (paid["status"], paid["amount_paid"], paid["amount_remaining"]) == ("paid", 7555, 0)
	assert [event["type"] for event in api.fake.events] == [
		"invoice.created",
		"invoice.finalized",
		"invoice.sent",
		"invoice.paid",
	]
	assert api.fake.sent_emails == [(invoice_id, "pat@example.com")]


@pytest.mark.parametrize(
	"before, action, code",
	[
		("open", "finalize", "invoice_not_editable"),
		("draft", "send", None),
		("draft", "void", None),
		("draft", "pay", None),
		("paid", "void", None),
		("paid", "pay", None),
		("void", "pay", None),
		("void", "send", None),
	],
)
def test_illegal_status_transitions_are_refused(api, before, action, code):
	customer_id = api.customer()
	invoice_id = api.draft(customer_id)
	if before != "draft":
		api.ok(api.post(f"/v1/invoices/{invoice_id}/finalize"))
	if before == "paid":
		api.ok(api.post(f"/v1/invoices/{invoice_id}/pay", "paid_out_of_band=true"))
	if before == "void":
		api.ok(api.post(f"/v1/invoices/{invoice_id}/void"))

	error = error_of(api.post(f"/v1/invoices/{invoice_id}/{action}"), 400)

	assert error["code"] == code
	assert api.fake.invoice(invoice_id)["status"] == before


def test_items_can_only_be_added_to_a_draft_of_the_same_customer(api):
	customer_id = api.customer()
	other_id = api.customer()
	invoice_id = api.draft(customer_id)
	wrong_customer = api.post("/v1/invoiceitems", f"customer={other_id}&invoice={invoice_id}&amount=100")
	assert error_of(wrong_customer, 400)["param"] == "invoice"
	wrong_currency = api.post(
		"/v1/invoiceitems", f"customer={customer_id}&invoice={invoice_id}&amount=1&currency=eur"
	)
	assert error_of(wrong_currency, 400)["param"] == "currency"
	api.ok(api.post(f"/v1/invoices/{invoice_id}/finalize"))
	late = api.post("/v1/invoiceitems", f"customer={customer_id}&invoice={invoice_id}&amount=100")
	assert error_of(late, 400)["code"] == "invoice_not_editable"
	assert api.fake.invoice(invoice_id)["total"] == 4500


def test_pending_items_join_an_invoice_only_when_asked(api):
	customer_id = api.customer()
	api.ok(api.post("/v1/invoiceitems", f"customer={customer_id}&amount=700&currency=usd"))
	excluded = api.ok(
		api.post("/v1/invoices", f"customer={customer_id}&collection_method=send_invoice&days_until_due=1")
	)
	assert excluded["total"] == 0
	body = f"customer={customer_id}&collection_method=send_invoice&days_until_due=1&pending_invoice_items_behavior=include"
	included = api.ok(api.post("/v1/invoices", body))
	assert included["total"] == 700


def test_an_invoice_with_nothing_to_collect_is_paid_when_finalized(api):
	invoice_id = api.draft(api.customer(), amounts=())
	assert api.ok(api.post(f"/v1/invoices/{invoice_id}/finalize"))["status"] == "paid"


def test_paying_needs_a_payment_method_and_declines_are_402(api):
	invoice_id = api.draft(api.customer())
	api.ok(api.post(f"/v1/invoices/{invoice_id}/finalize"))
	assert (
		"no attached payment source" in error_of(api.post(f"/v1/invoices/{invoice_id}/pay"), 400)["message"]
	)
	declined = error_of(
		api.post(f"/v1/invoices/{invoice_id}/pay", "payment_method=pm_card_chargeDeclined"), 402
	)
	assert (declined["type"], declined["code"], declined["decline_code"]) == (
		"card_error",
		"card_declined",
		"generic_decline",
	)
	unknown = error_of(api.post(f"/v1/invoices/{invoice_id}/pay", "payment_method=pm_made_up"), 400)
	assert unknown["code"] == "resource_missing"
	assert api.fake.invoice(invoice_id)["status"] == "open"


# Idempotency


def test_the_same_key_and_parameters_replay_the_first_response(api):
	first = api.post("/v1/customers", "email=a%40b.co", idempotency_key="key-1")
	second = api.post("/v1/customers", "email=a%40b.co", idempotency_key="key-1")

	assert first.json() == second.json()
	assert second.headers["Idempotent-Replayed"] == "true"
	assert second.headers["Original-Request"] == first.headers["Request-Id"]
	assert "Idempotent-Replayed" not in first.headers
	assert len(api.fake.customers) == 1


def test_the_same_key_with_other_parameters_is_an_idempotency_error(api):
	api.ok(api.post("/v1/customers", "email=a%40b.co", idempotency_key="key-1"))

	error = error_of(api.post("/v1/customers", "email=c%40d.co", idempotency_key="key-1"), 400)
	assert error["type"] == "idempotency_error"
	other_path = api.post(
		f"/v1/customers/{api.fake.customers[0]['id']}", "email=a%40b.co", idempotency_key="key-1"
	)
	assert error_of(other_path, 400)["type"] == "idempotency_error"
	assert len(api.fake.customers) == 1
	assert api.fake.customers[0]["email"] == "a@b.co"


def test_refused_and_injected_failures_are_not_remembered_for_the_key(api):
	error_of(api.post("/v1/customers", "email=a%40b.co&nickname=x", idempotency_key="key-2"), 400)
	api.ok(api.post("/v1/customers", "email=a%40b.co", idempotency_key="key-2"))
	api.fake.fail_next(1)
	error_of(api.post("/v1/customers", "email=z%40b.co", idempotency_key="key-3"), 500)
	api.ok(api.post("/v1/customers", "email=z%40b.co", idempotency_key="key-3"))
	assert len(api.fake.customers) == 2


def test_an_executed_error_is_replayed_for_the_same_key(api):
	invoice_id = api.draft(api.customer())
	api.ok(api.post(f"/v1/invoices/{invoice_id}/finalize"))
	first = api.post(
		f"/v1/invoices/{invoice_id}/pay", "payment_method=pm_card_chargeDeclined", idempotency_key="pay-1"
	)
	again = api.post(
		f"/v1/invoices/{invoice_id}/pay", "payment_method=pm_card_chargeDeclined", idempotency_key="pay-1"
	)
	assert first.status_code == again.status_code == 402
	assert again.headers["Idempotent-Replayed"] == "true"
	assert api.fake.invoice(invoice_id)["attempt_count"] == 1


# Failure injection


def test_injected_rate_limits_have_stripes_shape(api):
	api.fake.rate_limit_next(1)
	error = error_of(api.post("/v1/customers"), 429)
	assert error["code"] == "rate_limit"
	api.ok(api.post("/v1/customers"))


def test_injected_failures_can_target_one_path(api):
	api.fake.fail_next(1, status=502, path=r"/v1/invoices/\w+/finalize")
	invoice_id = api.draft(api.customer())
	assert error_of(api.post(f"/v1/invoices/{invoice_id}/finalize"), 502)["type"] == "api_error"
	api.ok(api.post(f"/v1/invoices/{invoice_id}/finalize"))


def test_a_dropped_response_still_executed(api):
	api.fake.drop_next_response(1)
	with pytest.raises(requests.ConnectionError):
		api.post("/v1/customers", "email=a%40b.co", idempotency_key="key-4")
	assert len(api.fake.customers) == 1
	replay = api.post("/v1/customers", "email=a%40b.co", idempotency_key="key-4")
	assert replay.headers["Idempotent-Replayed"] == "true"
	assert len(api.fake.customers) == 1


# Webhooks


def test_signatures_verify_with_the_official_library(fake):
	payload = b'{"id": "evt_1", "object": "event"}'
	header = fake.sign(payload, SECRET)

	assert stripe.WebhookSignature.verify_header(payload.decode(), header, SECRET, tolerance=300)
	with pytest.raises(stripe.SignatureVerificationError):
		stripe.WebhookSignature.verify_header(
			payload.decode().replace("1", "2"), header, SECRET, tolerance=300
		)


def test_test_controls_emit_the_events_stripe_would(api):
	invoice_id = api.draft(api.customer())
	with pytest.raises(ValueError, match="draft"):
		api.fake.mark_paid(invoice_id)
	api.ok(api.post(f"/v1/invoices/{invoice_id}/finalize"))

	overdue = api.fake.mark_overdue(invoice_id)
	failed = api.fake.mark_payment_failed(invoice_id)
	paid = api.fake.mark_paid(invoice_id)

	assert [overdue["type"], failed["type"], paid["type"]] == [
		"invoice.overdue",
		"invoice.payment_failed",
		"invoice.paid",
	]
	assert all(
		event["id"].startswith("evt_") and event["livemode"] is False for event in (overdue, failed, paid)
	)
	assert failed["data"]["object"]["attempt_count"] == 1
	assert paid["data"]["object"]["status"] == "paid"
	assert paid["data"]["object"]["amount_paid"] == 4500
	assert api.ok(api.get(f"/v1/invoices/{invoice_id}"))["status"] == "paid"
