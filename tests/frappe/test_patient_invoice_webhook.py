"""The signed Stripe webhook over real HTTP: the site served by gunicorn, events from the local Stripe server.

Records here are committed (the web server is another process) and removed at the end of the module.
"""

import json
import threading
from decimal import Decimal

import frappe
import pytest
from patient_side import (
	PRACTICE,
	WEBHOOK_SECRET,
	FakeStripe,
	committed_settings,
	gl_balance,
	make_clinician,
	make_patient_with_contact,
	money,
	private_service,
	settings_value,
	undo_money_documents,
)

from claims_billing.patient import api
from claims_billing.patient.invoicing import make_patient_invoice, send_patient_invoice
from claims_billing.patient.payments_ledger import patient_ledger
from claims_billing.patient.stripe_connection import stripe_client

ENDPOINT = "/api/method/claims_billing.patient.stripe_webhook.receive"


@pytest.fixture(scope="module")
def world(web_server):
	with pytest.MonkeyPatch.context() as patch, FakeStripe() as fake:
		import stripe

		patch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)
		patch.setattr(stripe.HTTPClient, "MAX_DELAY", 0.02)
		settings = {
			**PRACTICE,
			"stripe_secret_key": fake.api_key,
			"stripe_webhook_secret": WEBHOOK_SECRET,
			"stripe_api_base": fake.base_url,
			"patient_invoice_due_days": 14,
		}
		with committed_settings(**settings):
			clinician = make_clinician()
			patient = make_patient_with_contact(email="webhook.patient@example.com")
			frappe.db.commit()
			state = frappe._dict(
				stripe=fake,
				url=web_server + ENDPOINT,
				clinician=clinician,
				patient=patient,
				customer=frappe.db.get_value("Patient", patient.name, "customer"),
				invoices=[],
				delivered=set(),
			)
			try:
				yield state
			finally:
				remove_world(state)


def remove_world(state) -> None:
	frappe.db.rollback()
	frappe.set_user("Administrator")
	customer = frappe.db.get_value("Patient", state.patient.name, "customer") or state.customer
	invoices = frappe.get_all("Patient Invoice", filters={"patient": state.patient.name}, pluck="name")
	for name in invoices:
		frappe.db.delete("Patient Invoice Line", {"parent": name})
		frappe.db.delete("Patient Invoice", name)
		for table, field in (("Communication", "reference_name"), ("Comment", "reference_name")):
			frappe.db.delete(table, {field: name})
		frappe.db.delete("Version", {"docname": name})
		frappe.db.delete("DocShare", {"share_name": name})
		frappe.db.delete("Notification Log", {"document_name": name})
	for name in frappe.get_all("Superbill", filters={"patient": state.patient.name}, pluck="name"):
		frappe.db.delete("Superbill Service", {"parent": name})
		frappe.db.delete("Superbill", name)
		for file in frappe.get_all("File", filters={"attached_to_name": name}, pluck="name"):
			frappe.delete_doc("File", file, force=True, ignore_permissions=True)
	frappe.db.delete("Stripe Webhook Log", {"name": ["in", list(state.delivered) or [""]]})
	if customer:
		undo_money_documents([customer])
	for service in frappe.get_all("Billable Service", filters={"patient": state.patient.name}, pluck="name"):
		frappe.get_doc("Billable Service", service).release_from_billing()
		frappe.delete_doc("Billable Service", service, force=True, ignore_permissions=True)
		frappe.db.delete("Version", {"docname": service})
	for link in frappe.get_all(
		"Dynamic Link", filters={"link_name": state.patient.name}, fields=["parenttype", "parent"]
	):
		if link.parenttype in ("Address", "Contact"):
			frappe.delete_doc(link.parenttype, link.parent, force=True, ignore_permissions=True)
	frappe.delete_doc("Patient", state.patient.name, force=True, ignore_permissions=True)
	if customer and frappe.db.exists("Customer", customer):
		frappe.delete_doc("Customer", customer, force=True, ignore_permissions=True)
	frappe.delete_doc("Billing Practitioner", state.clinician.name, force=True, ignore_permissions=True)
	frappe.db.commit()


def sent_invoice(world, *charges):
	"""A committed, sent patient invoice for new private-pay services of the world's patient."""
	services = [
		private_service(world.patient, world.clinician, code, rate, days_ago=days)
		for code, rate, days in charges or (("90837", 180, 6),)
	]
	invoice = send_patient_invoice(make_patient_invoice([service.name for service in services]).name)
	frappe.db.commit()
	world.invoices.append(invoice.name)
	return invoice


def payment_entries(world) -> list[str]:
	frappe.db.rollback()  # a fresh snapshot: the web server committed in another connection
	return frappe.get_all(
		"Payment Entry", filters={"party": world.customer, "docstatus": 1}, pluck="name", order_by="creation"
	)


def deliver(world, event, signature="valid"):
	world.delivered.add(event["id"])
	return world.stripe.deliver(event, world.url, WEBHOOK_SECRET, signature=signature, timeout=60)


def log_of(event) -> dict | None:
	frappe.db.rollback()
	return frappe.db.get_value(
		"Stripe Webhook Log",
		event["id"],
		["status", "event_type", "patient_invoice", "error", "summary"],
		as_dict=True,
	)


def test_invoice_paid_posts_exactly_one_payment_entry_against_the_patients_receivable(world):
	invoice = sent_invoice(world, ("90837", 180, 6), ("90834", 140.55, 3))
	event = world.stripe.mark_paid(invoice.stripe_invoice_id)
	delivery = deliver(world, event)
	assert delivery.status == 200, delivery.body
	assert json.loads(delivery.body)["message"]["status"] == "Processed"

	frappe.db.rollback()
	invoice.reload()
	assert (invoice.status, bool(invoice.payment_entry)) == ("Paid", True)
	assert payment_entries(world) == [invoice.payment_entry]
	payment = frappe.get_doc("Payment Entry", invoice.payment_entry)
	assert (payment.party_type, payment.party) == ("Customer", world.customer)
	assert payment.paid_from == settings_value("patient_receivable_account")
	assert money(payment.paid_amount) == Decimal("320.55")
	assert [
		(row.reference_doctype, row.reference_name, money(row.allocated_amount)) for row in payment.references
	] == [("Sales Invoice", invoice.sales_invoice, Decimal("320.55"))]
	assert payment.reference_no == invoice.stripe_invoice_number
	assert frappe.db.get_value("Sales Invoice", invoice.sales_invoice, "outstanding_amount") == 0
	assert gl_balance(settings_value("patient_receivable_account"), world.customer) == 0

	log = log_of(event)
	assert (log.status, log.event_type, log.patient_invoice) == ("Processed", "invoice.paid", invoice.name)
	# The log keeps no patient name or email.
	assert "webhook.patient@example.com" not in log.summary and world.patient.last_name not in log.summary

	ledger = patient_ledger("Patient", world.patient.name)
	paid = {line.billable_service: money(line.amount) for line in invoice.lines}
	for service, amount in paid.items():
		row = ledger.ledger.services[service]
		assert (row.charge, row.patient_paid, row.balance) == (amount, amount, 0)
	world.paid_event = event


def test_a_replayed_event_changes_nothing(world):
	before = payment_entries(world)
	delivery = deliver(world, world.paid_event)
	assert delivery.status == 200
	assert json.loads(delivery.body)["message"]["replay"] is True
	assert payment_entries(world) == before
	assert frappe.db.count("Stripe Webhook Log", {"name": world.paid_event["id"]}) == 1


@pytest.mark.parametrize("signature", ["tampered", "wrong_secret", "expired", "malformed", "missing"])
def test_a_bad_signature_is_refused_with_400_and_changes_nothing(world, signature):
	invoice = sent_invoice(world, ("90832", 95, 2))
	event = world.stripe.mark_paid(invoice.stripe_invoice_id)
	before = payment_entries(world)
	delivery = deliver(world, event, signature=signature)
	assert delivery.status == 400, delivery.body
	assert "Stripe-Signature" in json.loads(delivery.body)["message"]["error"] or signature == "expired"
	assert log_of(event) is None
	assert payment_entries(world) == before
	assert frappe.db.get_value("Patient Invoice", invoice.name, "status") == "Sent"


def test_overdue_failed_payment_and_voided_move_the_invoice(world):
	invoice = sent_invoice(world, ("90791", 220, 4))
	assert deliver(world, world.stripe.mark_overdue(invoice.stripe_invoice_id)).status == 200
	assert frappe.db.get_value("Patient Invoice", invoice.name, "status") == "Overdue"

	assert deliver(world, world.stripe.mark_payment_failed(invoice.stripe_invoice_id)).status == 200
	frappe.db.rollback()
	assert frappe.db.get_value("Patient Invoice", invoice.name, ["status", "payment_attempts_failed"]) == (
		"Overdue",
		1,
	)

	# Voided at Stripe (e.g. in its dashboard): the event voids and cancels it here too.
	stripe_client().void_invoice(invoice.stripe_invoice_id)
	voided = world.stripe.events[-1]
	assert voided["type"] == "invoice.voided"
	assert deliver(world, voided).status == 200
	frappe.db.rollback()
	assert frappe.db.get_value("Patient Invoice", invoice.name, ["status", "docstatus"]) == ("Void", 2)
	assert log_of(voided).status == "Processed"

	# An overdue notice arriving after the void does not move it back.
	late = dict(voided, id=voided["id"] + "late", type="invoice.overdue")
	assert deliver(world, late).status == 200
	assert frappe.db.get_value("Patient Invoice", invoice.name, "status") == "Void"


def test_events_for_other_invoices_are_logged_as_ignored(world):
	client = stripe_client()
	customer = client.ensure_customer("someone-else", "Other Person", "other@example.com")
	from claims_billing.stripe_client import InvoiceLine

	foreign = client.create_invoice(
		customer,
		[InvoiceLine("elsewhere", Decimal("10.00"), "X-1")],
		idempotency_key=frappe.generate_hash(length=12),
	)
	event = world.stripe.mark_paid(foreign.id)
	before = payment_entries(world)
	assert deliver(world, event).status == 200
	assert log_of(event).status == "Ignored"
	assert payment_entries(world) == before


def test_a_paid_amount_that_does_not_match_is_refused_for_good(world):
	invoice = sent_invoice(world, ("90834", 140, 1))
	event = world.stripe.mark_paid(invoice.stripe_invoice_id)
	event["data"]["object"]["amount_paid"] = 10000  # correctly signed, but not what was invoiced
	before = payment_entries(world)
	delivery = deliver(world, event)
	assert delivery.status == 200  # retrying would not help: staff look at the log
	log = log_of(event)
	assert log.status == "Failed" and "was paid 100.00" in log.error and "140.00" in log.error
	assert payment_entries(world) == before
	assert frappe.db.get_value("Patient Invoice", invoice.name, "status") == "Sent"


def test_two_deliveries_of_one_event_at_once_post_once(world):
	invoice = sent_invoice(world, ("90837", 180, 2))
	event = world.stripe.mark_paid(invoice.stripe_invoice_id)
	before = payment_entries(world)
	results = []

	def send():
		delivery = deliver(world, event)
		results.append((delivery.status, json.loads(delivery.body)["message"]))

	threads = [threading.Thread(target=send) for _ in range(3)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join()
	assert [status for status, _body in results] == [200, 200, 200], results
	assert sorted(body.get("status", "replay") for _status, body in results) == [
		"Processed",
		"replay",
		"replay",
	]
	after = payment_entries(world)
	assert len(after) == len(before) + 1
	assert frappe.db.get_value("Patient Invoice", invoice.name, "payment_entry") == after[-1]


def test_the_send_button_keeps_a_draft_that_resumes_when_stripe_is_back(world):
	service = private_service(world.patient, world.clinician, "90832", 95, days_ago=1)
	frappe.db.commit()
	# Nothing listens on port 9: every attempt (and the library's retries) fails to connect.
	with committed_settings(stripe_api_base="http://127.0.0.1:9"):
		with pytest.raises(frappe.ValidationError, match="try again"):
			api.send_invoice(services=[service.name])
	draft = frappe.get_last_doc("Patient Invoice", filters={"patient": world.patient.name})
	assert draft.docstatus == 0 and draft.last_stripe_error
	assert frappe.db.get_value("Billable Service", service.name, "status") == "Unbilled"
	api.send_draft_invoice(draft.name)
	frappe.db.commit()  # what the end of the request does
	assert frappe.db.get_value("Patient Invoice", draft.name, "status") == "Sent"
	assert frappe.db.get_value("Billable Service", service.name, "status") == "Invoiced"


def test_sending_a_superbills_balance_bills_only_what_is_still_owed(world):
	paid = private_service(world.patient, world.clinician, "90837", 180, days_ago=9)
	owed = private_service(world.patient, world.clinician, "90834", 140, days_ago=8)
	superbill = api.create_superbills([paid.name, owed.name], issue=1)[0]
	first = send_patient_invoice(make_patient_invoice([paid.name]).name)
	frappe.db.commit()
	assert deliver(world, world.stripe.mark_paid(first.stripe_invoice_id)).status == 200
	frappe.db.rollback()

	name = api.send_invoice(superbill=superbill)
	frappe.db.commit()
	invoice = frappe.get_doc("Patient Invoice", name)
	assert (invoice.status, invoice.superbill) == ("Sent", superbill)
	assert [(line.billable_service, money(line.amount)) for line in invoice.lines] == [
		(owed.name, Decimal("140.00"))
	]
