"""Patient invoices through Stripe, against the local Stripe-compatible server over real HTTP.

These run in the test's transaction (rolled back); the webhook over HTTP is test_patient_invoice_webhook.
"""

from decimal import Decimal

import frappe
import pytest
from patient_side import (
	configure_practice,
	gl_balance,
	make_clinician,
	make_patient_with_contact,
	money,
	private_service,
	serve_fake_stripe,
	settings_value,
	use_stripe,
)
from records import make_payer, make_policy

from claims_billing.patient.invoicing import (
	make_patient_invoice,
	resend_patient_invoice,
	send_patient_invoice,
	void_patient_invoice,
)
from claims_billing.patient.records import patient_customer
from claims_billing.patient.stripe_connection import stripe_client
from claims_billing.problems import BillingValidationError
from claims_billing.stripe_client import StripeCardDeclined, StripeUnavailable


@pytest.fixture
def fake_stripe(monkeypatch):
	yield from serve_fake_stripe(monkeypatch)


@pytest.fixture
def clinic(fake_stripe):
	configure_practice()
	use_stripe(fake_stripe, due_days=21)
	clinician = make_clinician()
	patient = make_patient_with_contact(email="avery.testwell@example.com")
	return frappe._dict(clinician=clinician, patient=patient, stripe=fake_stripe)


def two_private_services(clinic):
	return [
		private_service(clinic.patient, clinic.clinician, "90837", 180, days_ago=8),
		private_service(clinic.patient, clinic.clinician, "90834", 140.55, days_ago=1, modifier_1="95"),
	]


def test_sending_books_the_charges_and_creates_a_finalized_sent_stripe_invoice(clinic):
	services = two_private_services(clinic)
	invoice = send_patient_invoice(make_patient_invoice([service.name for service in services]).name)

	assert (invoice.docstatus, invoice.status) == (1, "Sent")
	assert money(invoice.grand_total) == Decimal("320.55")
	# The charges went onto the patient's receivable first, one line per service.
	customer = patient_customer("Patient", clinic.patient.name)
	assert invoice.customer == customer
	assert gl_balance(settings_value("patient_receivable_account"), customer) == Decimal("320.55")
	for service in services:
		assert frappe.db.get_value("Billable Service", service.name, "status") == "Invoiced"
	assert {line.receivable_name for line in invoice.lines} == {invoice.sales_invoice}

	# Stripe: one customer, one invoice with one item per service, send_invoice, due in 21 days, emailed.
	[customer_at_stripe] = clinic.stripe.customers
	assert customer_at_stripe["email"] == "avery.testwell@example.com"
	assert customer_at_stripe["metadata"] == {"patient_ref": f"Patient/{clinic.patient.name}"}
	stripe_invoice = clinic.stripe.invoice(invoice.stripe_invoice_id)
	assert stripe_invoice["status"] == "open"
	assert stripe_invoice["collection_method"] == "send_invoice"
	assert stripe_invoice["days_until_due"] == 21
	assert stripe_invoice["total"] == 32055
	assert [
		(line["amount"], line["metadata"]["service_ref"]) for line in stripe_invoice["lines"]["data"]
	] == [
		(18000, services[0].name),
		(14055, services[1].name),
	]
	assert stripe_invoice["metadata"]["patient_invoice"] == invoice.name
	assert clinic.stripe.sent_emails == [(invoice.stripe_invoice_id, "avery.testwell@example.com")]
	assert invoice.hosted_invoice_url == stripe_invoice["hosted_invoice_url"]
	assert invoice.stripe_invoice_number == stripe_invoice["number"]
	# Every creating call carried an idempotency key.
	posts = [request for request in clinic.stripe.requests if request.method == "POST"]
	assert posts and all(request.idempotency_key for request in posts)

	# The patient is told in Frappe too: a Communication on the invoice and the patient's timeline.
	communication = frappe.get_doc(
		"Communication", {"reference_doctype": "Patient Invoice", "reference_name": invoice.name}
	)
	assert communication.recipients == "avery.testwell@example.com"
	assert invoice.hosted_invoice_url in communication.content
	assert ("Patient", clinic.patient.name) in [
		(link.link_doctype, link.link_name) for link in communication.timeline_links
	]
	assert not frappe.db.exists("Email Queue", {"reference_name": invoice.name})  # Stripe emails it, not us


def test_one_stripe_customer_per_patient(clinic):
	first, second = two_private_services(clinic)
	send_patient_invoice(make_patient_invoice([first.name]).name)
	send_patient_invoice(make_patient_invoice([second.name]).name)
	assert len(clinic.stripe.customers) == 1
	assert len(clinic.stripe.invoices) == 2


def test_a_send_that_keeps_failing_leaves_a_draft_that_resumes_without_duplicates(clinic):
	services = two_private_services(clinic)
	draft = make_patient_invoice([service.name for service in services])
	# Stripe answers 500 to the draft invoice creation three times: the library's two retries and ours.
	clinic.stripe.fail_next(3, status=500, path=r"/v1/invoices")
	frappe.db.savepoint("before_send")
	with pytest.raises(StripeUnavailable):
		send_patient_invoice(draft.name)
	frappe.db.rollback(save_point="before_send")
	assert frappe.db.get_value("Patient Invoice", draft.name, "docstatus") == 0
	assert clinic.stripe.invoices == []

	invoice = send_patient_invoice(draft.name)
	assert invoice.status == "Sent"
	assert len(clinic.stripe.invoices) == 1 and len(clinic.stripe.customers) == 1
	assert len(clinic.stripe.sent_emails) == 1


def test_5xx_and_rate_limits_are_retried_within_one_send(clinic):
	services = two_private_services(clinic)
	clinic.stripe.fail_next(1, status=503, path=r"/v1/invoiceitems")
	clinic.stripe.rate_limit_next(1, path=r"/v1/invoices/[^/]+/finalize")
	invoice = send_patient_invoice(make_patient_invoice([service.name for service in services]).name)
	assert invoice.status == "Sent"
	statuses = [request.status for request in clinic.stripe.requests]
	assert 503 in statuses and 429 in statuses
	# Two items despite the retried item creation: the retry replayed the same idempotency key.
	assert len(clinic.stripe.invoice_items) == 2
	assert clinic.stripe.invoice(invoice.stripe_invoice_id)["total"] == 32055


def test_a_lost_response_is_replayed_not_repeated(clinic):
	services = two_private_services(clinic)
	clinic.stripe.drop_next_response(1, path=r"/v1/invoices/[^/]+/send")
	invoice = send_patient_invoice(make_patient_invoice([service.name for service in services]).name)
	assert invoice.status == "Sent"
	assert len(clinic.stripe.sent_emails) == 1
	assert any(request.replayed for request in clinic.stripe.requests)


def test_a_declined_card_leaves_the_invoice_open(clinic):
	[service, _other] = two_private_services(clinic)
	invoice = send_patient_invoice(make_patient_invoice([service.name]).name)
	with pytest.raises(StripeCardDeclined) as declined:
		stripe_client().pay_invoice(invoice.stripe_invoice_id, "pm_card_chargeDeclined")
	assert declined.value.decline_code == "generic_decline"
	assert clinic.stripe.invoice(invoice.stripe_invoice_id)["status"] == "open"
	assert clinic.stripe.events[-1]["type"] == "invoice.payment_failed"


def test_void_then_resend(clinic):
	services = two_private_services(clinic)
	invoice = send_patient_invoice(make_patient_invoice([service.name for service in services]).name)
	voided = void_patient_invoice(invoice.name)
	assert (voided.docstatus, voided.status) == (2, "Void")
	assert clinic.stripe.invoice(invoice.stripe_invoice_id)["status"] == "void"
	# Voiding withdraws the request to pay, not the charge.
	customer = patient_customer("Patient", clinic.patient.name)
	assert gl_balance(settings_value("patient_receivable_account"), customer) == Decimal("320.55")

	replacement = send_patient_invoice(resend_patient_invoice(invoice.name).name)
	assert replacement.amended_from == invoice.name
	assert replacement.status == "Sent" and money(replacement.grand_total) == Decimal("320.55")
	assert replacement.stripe_invoice_id != invoice.stripe_invoice_id
	assert replacement.stripe_customer_id == invoice.stripe_customer_id
	assert [line.receivable_name for line in replacement.lines] == [invoice.sales_invoice] * 2
	# Nothing was booked twice.
	assert gl_balance(settings_value("patient_receivable_account"), customer) == Decimal("320.55")


def test_resend_of_an_open_invoice_voids_it_first(clinic):
	[service, _other] = two_private_services(clinic)
	invoice = send_patient_invoice(make_patient_invoice([service.name]).name)
	replacement = resend_patient_invoice(invoice.name)
	assert frappe.db.get_value("Patient Invoice", invoice.name, "status") == "Void"
	assert clinic.stripe.invoice(invoice.stripe_invoice_id)["status"] == "void"
	assert replacement.docstatus == 0 and replacement.lines[0].billable_service == service.name


def test_what_cannot_be_invoiced_is_listed_at_once(clinic):
	payer = make_payer()
	make_policy(clinic.patient.name, payer.name)
	insured = private_service(clinic.patient, clinic.clinician, billing_route="Insurance")
	[service, _other] = two_private_services(clinic)
	send_patient_invoice(make_patient_invoice([service.name]).name)
	with pytest.raises(BillingValidationError) as refused:
		make_patient_invoice([service.name, insured.name, "SVC-NOPE"])
	message = str(refused.value)
	assert "Service SVC-NOPE does not exist" in message
	assert f"Service {service.name} is already on patient invoice" in message
	assert f"Service {insured.name} is unbilled and billed to insurance" in message


def test_a_copay_is_invoiced_once_before_the_remittance(clinic):
	payer = make_payer()
	make_policy(clinic.patient.name, payer.name, copay=25)
	insured = private_service(clinic.patient, clinic.clinician, billing_route="Insurance")
	frappe.get_doc("Billable Service", insured.name).mark_billed("Insurance Claim", "CLAIM-TEST")
	invoice = make_patient_invoice([insured.name])
	assert [(line.kind, money(line.amount), line.receivable_name) for line in invoice.lines] == [
		("Copay", Decimal("25.00"), None)
	]
	send_patient_invoice(invoice.name)
	with pytest.raises(BillingValidationError, match="already on patient invoice"):
		make_patient_invoice([insured.name])


def test_a_patient_without_email_is_told_what_to_fix(clinic):
	patient = make_patient_with_contact(email=None)
	service = private_service(patient, clinic.clinician)
	draft = make_patient_invoice([service.name])
	with pytest.raises(BillingValidationError, match="no email address"):
		send_patient_invoice(draft.name)
	assert clinic.stripe.requests == []


def test_submitting_directly_or_cancelling_directly_is_refused(clinic):
	[service, _other] = two_private_services(clinic)
	draft = make_patient_invoice([service.name])
	with pytest.raises(frappe.ValidationError, match="Use Send Invoice"):
		draft.submit()
	invoice = send_patient_invoice(draft.name)
	with pytest.raises(frappe.ValidationError, match="Use Void"):
		frappe.get_doc("Patient Invoice", invoice.name).cancel()
