"""Paper EOBs: services picked for a payer, Insurance Paid and Client Owes per line, posted like an ERA."""

from decimal import Decimal

import frappe
import pytest
from era_records import check_books, gl_of, money, sent_claims

from claims_billing.core import claim_status
from claims_billing.problems import BillingValidationError
from claims_billing.remittance import manual, posting

D = Decimal


def services_of(claim: str) -> list[str]:
	return frappe.get_all(
		"Insurance Claim Service", filters={"parent": claim}, pluck="billable_service", order_by="idx asc"
	)


def test_open_services_lists_the_payers_unpaid_claim_lines_in_the_date_range():
	sent = sent_claims(2)
	listed = manual.open_services(sent.payer.name, "2026-03-02", "2026-03-02")
	assert sorted(row.billable_service for row in listed) == sorted(services_of(n)[0] for n in sent.names)
	assert {money(row.charge) for row in listed} == {D("180.00")}


def test_blank_amounts_are_refused_zero_is_accepted():
	sent = sent_claims(1)
	first, second = services_of(sent.names[0])
	with pytest.raises(BillingValidationError) as refused:
		manual.new_manual_payment(
			sent.payer.name,
			"2026-04-02",
			"CHK-1",
			[
				{"billable_service": first, "paid": "", "client_owes": 0},
				{"billable_service": second, "paid": 0},
			],
		)
	message = str(refused.value)
	assert "Line 1: enter Insurance Paid" in message
	assert "Line 2: enter Client Owes" in message
	assert not frappe.db.exists("Insurance Payment", {"payer": sent.payer.name})


def test_manual_eob_posts_like_an_era_with_the_write_off_calculated():
	sent = sent_claims(2)
	paid_claim, partly_claim = sent.names
	a1, a2 = services_of(paid_claim)
	b1, _b2 = services_of(partly_claim)
	doc = manual.new_manual_payment(
		sent.payer.name,
		"2026-04-02",
		"CHK-7788",
		[
			{"billable_service": a1, "paid": "120.00", "client_owes": "30.00"},
			{"billable_service": a2, "paid": 100, "client_owes": 0},
			{"billable_service": b1, "paid": "150.00", "client_owes": "0"},
		],
	)
	# The calculator: write-off = charge - paid - client owes.
	assert [money(row.write_off) for row in doc.services] == [D("30.00"), D("40.00"), D("30.00")]
	assert money(doc.amount) == D("370.00")
	assert [(row.insurance_claim, money(row.charge)) for row in doc.claims] == [
		(paid_claim, D("320.00")),
		(partly_claim, D("180.00")),
	]
	posting.submit_payment(doc.name)
	doc.reload()
	assert doc.status == "Posted"
	assert frappe.db.get_value("Insurance Claim", paid_claim, ["status", "balance"]) == (claim_status.PAID, 0)
	assert frappe.db.get_value("Insurance Claim", partly_claim, "status") == claim_status.PARTIALLY_PAID
	assert money(frappe.db.get_value("Insurance Claim", partly_claim, "balance")) == D("140.00")
	books = frappe.get_cached_doc("Claims Billing Settings")
	gl = gl_of(doc.journal_entry)
	bank = frappe.get_cached_value("Company", books.company, "default_bank_account")
	customer = frappe.db.get_value("Insurance Payer", sent.payer.name, "customer")
	assert gl[(bank, "")] == D("370.00")
	assert gl[(books.contractual_adjustment_account, "")] == D("100.00")
	assert gl[(books.insurance_receivable_account, customer)] == D("-500.00")
	patient_customer = frappe.db.get_value("Patient", sent.patients[0], "customer")
	assert gl[(books.patient_receivable_account, patient_customer)] == D("30.00")
	pr_row = frappe.get_all(
		"Journal Entry Account",
		filters={"parent": doc.journal_entry, "party": patient_customer},
		fields=["billable_service"],
	)
	assert [row.billable_service for row in pr_row] == [a1]
	check_books(sent.names)
	doc.cancel()
	assert frappe.db.get_value("Insurance Claim", paid_claim, ["status", "balance"]) == (
		"Accepted by Payer",
		320,
	)
	check_books(sent.names)


def test_a_zero_pay_line_set_is_a_denial_for_the_worklist():
	sent = sent_claims(1)
	first, second = services_of(sent.names[0])
	doc = manual.new_manual_payment(
		sent.payer.name,
		"2026-04-03",
		"EOB-0",
		[
			{"billable_service": first, "paid": 0, "client_owes": 0},
			{"billable_service": second, "paid": 0, "client_owes": 0},
		],
	)
	posting.submit_payment(doc.name)
	assert frappe.db.get_value("Insurance Claim", sent.names[0], "status") == claim_status.DENIED
	assert money(frappe.db.get_value("Insurance Claim", sent.names[0], "balance")) == D("320.00")
	assert frappe.db.get_value("Claim Denial", {"insurance_claim": sent.names[0]}, "denial_kind") == "Denied"
	check_books(sent.names)
