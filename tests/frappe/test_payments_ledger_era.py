"""The payments ledger over the real claim and remittance postings (accounting.claims, accounting.remittance).

Claims are booked by the claims issue (one Sales Invoice per payer per file, shared by patients),
the 835 is imported and posted by the ERA issue (one Journal Entry per payment, across claims),
and the patient's share is then invoiced and paid through Stripe.
"""

from decimal import Decimal

import frappe
import pytest
from era_records import era_for, sent_claims
from patient_side import configure_practice, gl_balance, serve_fake_stripe, settings_value, use_stripe

from claims_billing.patient.invoicing import apply_stripe_event, make_patient_invoice, send_patient_invoice
from claims_billing.patient.payments_ledger import patient_ledger
from claims_billing.remittance import era_import, posting
from claims_billing.x12.write_835 import ClaimDecision, LineDecision

D = Decimal


@pytest.fixture
def fake_stripe(monkeypatch):
	yield from serve_fake_stripe(monkeypatch)


def services_of(claim: str) -> list[str]:
	return frappe.get_all(
		"Insurance Claim Service", filters={"parent": claim}, pluck="billable_service", order_by="idx asc"
	)


def figures(ledger, service) -> tuple:
	row = ledger.ledger.services[service]
	return (row.charge, row.insurance_paid, row.patient_paid, row.write_off, row.balance)


def post(data: bytes) -> str:
	result = era_import.import_era(data, file_name="ledger.835", auto_post=False)
	[name] = result.payments
	posting.submit_payment(name)
	assert frappe.db.get_value("Insurance Payment", name, "status") == "Posted"
	return name


def test_the_ledger_follows_claims_remittance_and_the_patients_stripe_payment(fake_stripe):
	configure_practice()
	use_stripe(fake_stripe)
	sent = sent_claims(2, patients=2)
	ours, theirs = sent.names
	patient, other_patient = sent.patients
	frappe.db.set_value("Patient", patient, "email", "era.patient@example.com")
	decisions = [
		ClaimDecision(
			ours,
			lines=[
				LineDecision(allowed=D("150.00"), deductible=D("20.00"), coinsurance=D("10.00")),
				LineDecision(allowed=D("100.00"), copay=D("15.00")),
			],
		),
		ClaimDecision(theirs),
	]
	data, _remittance = era_for(sent, decisions)
	payment = post(data)
	first, second = services_of(ours)

	ledger = patient_ledger("Patient", patient)
	# 180 charged: allowed 150 (30 written off), 20 deductible + 10 coinsurance to the patient, 120 paid.
	assert figures(ledger, first) == (D("180.00"), D("120.00"), 0, D("30.00"), D("30.00"))
	# 140 charged: allowed 100 (40 written off), 15 copay to the patient, 85 paid.
	assert figures(ledger, second) == (D("140.00"), D("85.00"), 0, D("40.00"), D("15.00"))
	assert ledger.ledger.problems == []
	customer = frappe.db.get_value("Patient", patient, "customer")
	patient_receivable = settings_value("patient_receivable_account")
	assert gl_balance(patient_receivable, customer) == ledger.ledger.side_total("patient") == D("45.00")
	# The other patient's claim, on the same invoice and the same remittance, stays theirs.
	other = patient_ledger("Patient", other_patient)
	assert [figures(other, service)[:2] for service in services_of(theirs)] == [
		(D("180.00"), D("180.00")),
		(D("140.00"), D("140.00")),
	]
	payer_customer = frappe.db.get_value("Insurance Payer", sent.payer.name, "customer")
	insurance_open = ledger.ledger.side_total("insurance") + other.ledger.side_total("insurance")
	assert gl_balance(settings_value("insurance_receivable_account"), payer_customer) == insurance_open == 0

	# The patient's share: one Stripe invoice against the remittance's entry, paid.
	invoice = send_patient_invoice(make_patient_invoice([first, second]).name)
	entry = frappe.db.get_value("Insurance Payment", payment, "journal_entry")
	assert {(line.receivable_doctype, line.receivable_name) for line in invoice.lines} == {
		("Journal Entry", entry)
	}
	event = fake_stripe.mark_paid(invoice.stripe_invoice_id)
	apply_stripe_event(invoice.name, event["type"], event["data"]["object"])

	ledger = patient_ledger("Patient", patient)
	assert figures(ledger, first) == (D("180.00"), D("120.00"), D("30.00"), D("30.00"), 0)
	assert figures(ledger, second) == (D("140.00"), D("85.00"), D("15.00"), D("40.00"), 0)
	assert gl_balance(patient_receivable, customer) == ledger.ledger.side_total("patient") == 0
