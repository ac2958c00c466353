"""The Stripe webhook: the app's one guest endpoint.

POST /api/method/claims_billing.patient.stripe_webhook.receive

1. The ``Stripe-Signature`` is checked against the endpoint's signing secret (Claims Billing
   Settings); a bad or missing signature is answered 400 and changes nothing.
2. The event id names a Stripe Webhook Log. An event already processed or ignored is a replay:
   answered 200, nothing changes. The log row is inserted before the event is applied, so two
   deliveries racing each other serialise on its primary key and only one applies it.
3. ``invoice.paid`` posts the Payment Entry, ``invoice.overdue`` / ``invoice.voided`` move the
   patient invoice, ``invoice.payment_failed`` is noted on it. Other events are logged as ignored.

Answers: 200 when the event is applied, ignored or refused for good (an amount that does not
match: staff look at the log, Stripe need not retry); 500 when applying it failed unexpectedly,
so Stripe delivers it again later.
"""

import json

import frappe
from frappe.utils import now_datetime

from claims_billing.core.patient_invoice_status import HANDLED_EVENTS
from claims_billing.patient.invoicing import WebhookEventRefused, apply_stripe_event, invoice_for_stripe_event
from claims_billing.patient.stripe_connection import webhook_secret
from claims_billing.stripe_client import StripeWebhookError, verify_webhook

LOG = "Stripe Webhook Log"
PROCESSED = "Processed"
IGNORED = "Ignored"
FAILED = "Failed"
# Invoice fields kept in the log: no customer name, email, address or phone.
SUMMARY_FIELDS = (
	"id",
	"number",
	"status",
	"amount_due",
	"amount_paid",
	"amount_remaining",
	"total",
	"currency",
	"customer",
	"due_date",
	"attempt_count",
	"metadata",
	"status_transitions",
)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def receive():
	payload = frappe.request.get_data()
	try:
		event = verify_webhook(payload, frappe.get_request_header("Stripe-Signature"), webhook_secret())
	except StripeWebhookError as error:
		return answer(400, {"error": error.message})
	# Verified: the event is Stripe's, and what it changes is done as the system.
	frappe.set_user("Administrator")
	event_id = event["id"]
	status = frappe.db.get_value(LOG, event_id, "status")
	if status in (PROCESSED, IGNORED):
		return answer(200, {"received": True, "replay": True})
	log = frappe.get_doc(LOG, event_id) if status else None
	if log is None:
		log = new_log(event)
		try:
			log.insert(ignore_permissions=True)
		except frappe.DuplicateEntryError:
			# Another delivery of the same event got there first and has applied it.
			frappe.db.rollback()
			return answer(200, {"received": True, "replay": True})
	else:
		frappe.db.sql(f"select name from `tab{LOG}` where name = %s for update", event_id)
	try:
		status, note, invoice = process(event)
	except WebhookEventRefused as refused:
		frappe.db.rollback()
		save_result(event, FAILED, note="", error=str(refused))
		return answer(200, {"received": True, "error": str(refused)})
	except Exception as error:
		frappe.db.rollback()
		save_result(
			event,
			FAILED,
			note="",
			error=f"{type(error).__name__}: {frappe.utils.strip_html(str(error))}"[:2000],
		)
		frappe.log_error(
			title=f"Stripe webhook {event_id} ({event['type']}) failed",
			reference_doctype=LOG,
			reference_name=event_id,
		)
		frappe.db.commit()
		return answer(500, {"received": False})
	log = frappe.get_doc(LOG, event_id)
	log.update({"status": status, "note": note, "error": "", "patient_invoice": invoice})
	log.save(ignore_permissions=True)
	frappe.db.commit()
	return answer(200, {"received": True, "status": status})


def process(event: dict) -> tuple[str, str, str | None]:
	"""(log status, note, patient invoice) after applying ``event``."""
	stripe_invoice = event["data"]["object"]
	if event["type"] not in HANDLED_EVENTS or stripe_invoice.get("object") != "invoice":
		return IGNORED, f"{event['type']} is not an event the app handles.", None
	name = invoice_for_stripe_event(stripe_invoice)
	if not name:
		return (
			IGNORED,
			f"Stripe invoice {stripe_invoice.get('id')} is not one of this site's patient invoices.",
			None,
		)
	outcome = apply_stripe_event(name, event["type"], stripe_invoice)
	return PROCESSED, outcome.note, name


def new_log(event: dict):
	stripe_invoice = event["data"]["object"]
	return frappe.get_doc(
		{
			"doctype": LOG,
			"event_id": event["id"],
			"event_type": event["type"],
			"status": FAILED,
			"note": "Being applied.",
			"livemode": 1 if event.get("livemode") else 0,
			"received_at": now_datetime(),
			"stripe_invoice_id": stripe_invoice.get("id")
			if stripe_invoice.get("object") == "invoice"
			else None,
			"summary": json.dumps(summary(event), indent=1, sort_keys=True),
		}
	)


def summary(event: dict) -> dict:
	stripe_invoice = event["data"]["object"]
	return {
		"id": event["id"],
		"type": event["type"],
		"created": event.get("created"),
		"api_version": event.get("api_version"),
		"object": {field: stripe_invoice.get(field) for field in SUMMARY_FIELDS if field in stripe_invoice},
	}


def save_result(event: dict, status: str, note: str, error: str) -> None:
	"""Record the outcome in a transaction of its own (the event's changes were rolled back)."""
	if frappe.db.exists(LOG, event["id"]):
		frappe.db.set_value(LOG, event["id"], {"status": status, "note": note, "error": error})
	else:
		log = new_log(event)
		log.update({"status": status, "note": note, "error": error})
		log.insert(ignore_permissions=True)
	frappe.db.commit()


def answer(status_code: int, body: dict) -> dict:
	frappe.local.response["http_status_code"] = status_code
	return body
