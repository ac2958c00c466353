"""An ERA posting books what ERPNext's own Payment Entry with a write-off deduction books.

The posting is one Journal Entry per Insurance Payment (accounting/remittance.py says why). This
test pays one claim through an ERA and an identical claim through a Payment Entry with a deduction
to the contractual account, the shape of ERPNext's test_payment_entry_write_off_difference, and
compares the ledger rows, the payment ledger and the invoices' outstanding amounts.
"""

from decimal import Decimal

import frappe
from era_records import check_books, era_for, gl_of, money, sent_claims
from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

from claims_billing.accounting.remittance import remittance_accounts
from claims_billing.remittance import era_import, posting
from claims_billing.x12.write_835 import ClaimDecision, LineDecision

D = Decimal
# 90837 180.00 allowed at 150.00 (CO-45 30.00), 90834 140.00 paid in full: 290.00 paid, 30.00 written off.
CONTRACTUAL_ONLY = [LineDecision(allowed=D("150.00")), LineDecision()]


def payment_ledger_of(voucher_no: str) -> dict[tuple[str, str, str], Decimal]:
	"""(account, party, invoice) -> amount of a voucher's live Payment Ledger Entries."""
	result: dict[tuple[str, str, str], Decimal] = {}
	for row in frappe.get_all(
		"Payment Ledger Entry",
		filters={"voucher_no": voucher_no, "delinked": 0},
		fields=["account", "party", "against_voucher_no", "amount"],
	):
		key = (row.account, row.party, row.against_voucher_no)
		result[key] = result.get(key, D(0)) + money(row.amount)
	return result


def test_era_posting_books_the_same_rows_as_a_payment_entry_with_a_write_off_deduction():
	accounts = remittance_accounts()
	by_era = sent_claims(1)
	by_payment_entry = sent_claims(1, payer=by_era.payer)
	era_invoice = frappe.db.get_value("Insurance Claim", by_era.names[0], "sales_invoice")
	pe_invoice = frappe.db.get_value("Insurance Claim", by_payment_entry.names[0], "sales_invoice")
	assert era_invoice != pe_invoice

	data, _remittance = era_for(by_era, [ClaimDecision(by_era.names[0], lines=CONTRACTUAL_ONLY)])
	result = era_import.import_era(data, file_name="ledger.835", auto_post=False)
	posting.submit_payment(result.payments[0])
	journal_entry = frappe.db.get_value("Insurance Payment", result.payments[0], "journal_entry")

	entry = get_payment_entry("Sales Invoice", pe_invoice)
	entry.update(
		{
			"paid_to": accounts.bank,
			"paid_amount": 290,
			"received_amount": 290,
			"reference_no": "EFT-LEDGER",
			"reference_date": entry.posting_date,
		}
	)
	entry.references[0].allocated_amount = 320
	entry.append(
		"deductions", {"account": accounts.contractual, "cost_center": accounts.cost_center, "amount": 30}
	)
	entry.insert()
	entry.submit()

	customer = frappe.db.get_value("Insurance Payer", by_era.payer.name, "customer")
	expected = {
		(accounts.bank, ""): D("290.00"),
		(accounts.contractual, ""): D("30.00"),
		(accounts.insurance_receivable, customer): D("-320.00"),
	}
	assert gl_of(entry.name) == expected
	assert gl_of(journal_entry) == expected
	receivable = accounts.insurance_receivable
	assert payment_ledger_of(entry.name) == {(receivable, customer, pe_invoice): D("-320.00")}
	assert payment_ledger_of(journal_entry) == {(receivable, customer, era_invoice): D("-320.00")}
	for invoice in (era_invoice, pe_invoice):
		assert frappe.db.get_value("Sales Invoice", invoice, ["outstanding_amount", "status"]) == (0, "Paid")
	assert money(frappe.db.get_value("Insurance Claim", by_era.names[0], "balance")) == D("0.00")
	check_books(by_era.names)
