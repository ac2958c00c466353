"""Patient balances in ERPNext: charges booked to the patient, their payments, and write-offs.

- ``book_patient_charges``: a Sales Invoice to the patient's Customer on the Patient Receivable
  account, one line per service (private-pay services billed by a superbill or a patient invoice).
- ``record_patient_payment``: a Payment Entry from the patient's Customer into the Stripe deposit
  account, allocated to the receivable documents it pays (capped at what they still owe; the
  rest stays on the customer as an advance).
- ``write_off_patient_balance``: a Journal Entry moving part of a service's patient balance to
  the company's write-off account.

Every row that concerns one service carries it in ``billable_service`` (setup.ledger_fields),
which is how the payments ledger attributes money to services. Each function submits its
document inside the caller's transaction: the caller commits or rolls back the whole posting.
"""

from dataclasses import dataclass
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import flt, getdate

from claims_billing.claims.claim_data import money
from claims_billing.settings import billing_settings
from claims_billing.setup.ledger_fields import BILLABLE_SERVICE_FIELD

SALES_INVOICE = "Sales Invoice"
JOURNAL_ENTRY = "Journal Entry"
PAYMENT_ENTRY = "Payment Entry"


@dataclass(frozen=True)
class ServiceCharge:
	"""One service to put on the patient's receivable."""

	service: str
	amount: Decimal
	label: str  # what the invoice line says: date and codes only, never a diagnosis


@dataclass(frozen=True)
class Allocation:
	"""Part of a payment applied to one receivable document (Sales Invoice or Journal Entry)."""

	reference_doctype: str
	reference_name: str
	amount: Decimal


def book_patient_charges(customer: str, charges: list[ServiceCharge], posting_date, remarks: str) -> str:
	"""Submit a Sales Invoice for ``charges``; return its name."""
	if not charges:
		frappe.throw(_("There are no charges to book."))
	settings = accounting_settings()
	company = settings.company
	invoice = frappe.get_doc(
		{
			"doctype": SALES_INVOICE,
			"company": company,
			"customer": customer,
			"debit_to": settings.patient_receivable_account,
			"posting_date": getdate(posting_date),
			"set_posting_time": 1,
			"due_date": getdate(posting_date),
			"currency": frappe.get_cached_value("Company", company, "default_currency"),
			"conversion_rate": 1,
			# Patients owe the exact cents billed; rounding would leave pennies open.
			"disable_rounded_total": 1,
			"remarks": remarks,
			"items": [
				{
					"item_name": charge.label[:140],
					"description": charge.label,
					"qty": 1,
					"rate": flt(charge.amount, 2),
					"uom": default_uom(),
					"conversion_factor": 1,
					"income_account": income_account(settings),
					"cost_center": settings.cost_center,
					BILLABLE_SERVICE_FIELD: charge.service,
				}
				for charge in charges
			],
		}
	)
	invoice.flags.ignore_permissions = True
	invoice.insert()
	invoice.submit()
	expected = sum((charge.amount for charge in charges), Decimal(0))
	if money(invoice.grand_total) != expected:
		frappe.throw(
			_("Sales Invoice {0} totals {1}, not the {2} charged; check taxes and discounts.").format(
				invoice.name, invoice.grand_total, expected
			)
		)
	return invoice.name


def cancel_patient_charges(sales_invoice: str) -> None:
	"""Cancel a patient Sales Invoice nobody has paid anything on yet."""
	invoice = frappe.get_doc(SALES_INVOICE, sales_invoice)
	if invoice.docstatus != 1:
		return
	if flt(invoice.outstanding_amount, 2) != flt(invoice.grand_total, 2):
		frappe.throw(
			_("Sales Invoice {0} already has payments or credits; reverse them before cancelling.").format(
				sales_invoice
			)
		)
	invoice.flags.ignore_permissions = True
	invoice.cancel()


def record_patient_payment(
	customer: str,
	amount: Decimal,
	allocations: list[Allocation],
	*,
	posting_date,
	reference_no: str,
	remarks: str,
) -> str:
	"""Submit a Payment Entry of ``amount`` from the patient's Customer; return its name."""
	if amount <= 0:
		frappe.throw(_("A patient payment must be more than zero (got {0}).").format(amount))
	settings = accounting_settings()
	company = settings.company
	currency = frappe.get_cached_value("Company", company, "default_currency")
	references = []
	left = amount
	for allocation in merge_allocations(allocations):
		outstanding = outstanding_amount(allocation, customer)
		applied = min(allocation.amount, outstanding, left)
		if applied <= 0:
			continue
		references.append(
			{
				"reference_doctype": allocation.reference_doctype,
				"reference_name": allocation.reference_name,
				"allocated_amount": flt(applied, 2),
			}
		)
		left -= applied
	payment = frappe.get_doc(
		{
			"doctype": PAYMENT_ENTRY,
			"payment_type": "Receive",
			"company": company,
			"posting_date": getdate(posting_date),
			"party_type": "Customer",
			"party": customer,
			"paid_from": settings.patient_receivable_account,
			"paid_from_account_currency": currency,
			"paid_to": deposit_account(settings),
			"paid_to_account_currency": currency,
			"paid_amount": flt(amount, 2),
			"received_amount": flt(amount, 2),
			"source_exchange_rate": 1,
			"target_exchange_rate": 1,
			"reference_no": reference_no,
			"reference_date": getdate(posting_date),
			"remarks": remarks,
			"cost_center": settings.cost_center,
			"references": references,
		}
	)
	payment.flags.ignore_permissions = True
	payment.insert()
	payment.submit()
	return payment.name


def write_off_patient_balance(
	customer: str, service: str, amount: Decimal, open_item: tuple[str, str] | None, reason: str
) -> str:
	"""Submit a Journal Entry writing ``amount`` of ``service``'s patient balance off; return its name."""
	if amount <= 0:
		frappe.throw(_("A write-off must be more than zero (got {0}).").format(amount))
	settings = accounting_settings()
	company = settings.company
	write_off_account = frappe.get_cached_value("Company", company, "write_off_account")
	if not write_off_account:
		frappe.throw(_("Company {0} has no default Write Off Account.").format(company))
	receivable_row = {
		"account": settings.patient_receivable_account,
		"party_type": "Customer",
		"party": customer,
		"credit_in_account_currency": flt(amount, 2),
		"cost_center": settings.cost_center,
		BILLABLE_SERVICE_FIELD: service,
	}
	if open_item:
		receivable_row["reference_type"], receivable_row["reference_name"] = open_item
	entry = frappe.get_doc(
		{
			"doctype": JOURNAL_ENTRY,
			"voucher_type": "Write Off Entry",
			"company": company,
			"posting_date": getdate(),
			"user_remark": reason,
			"accounts": [
				{
					"account": write_off_account,
					"debit_in_account_currency": flt(amount, 2),
					"cost_center": settings.cost_center,
					BILLABLE_SERVICE_FIELD: service,
				},
				receivable_row,
			],
		}
	)
	entry.flags.ignore_permissions = True
	entry.insert()
	entry.submit()
	return entry.name


# --- helpers ------------------------------------------------------------------------------


def accounting_settings():
	settings = billing_settings()
	missing = [
		label
		for field, label in (
			("company", _("Company")),
			("patient_receivable_account", _("Patient Receivable Account")),
			("cost_center", _("Cost Center")),
		)
		if not settings.get(field)
	]
	if missing:
		frappe.throw(_("Set {0} in Claims Billing Settings first.").format(", ".join(missing)))
	return settings


def income_account(settings) -> str:
	account = settings.get("claims_income_account") or frappe.get_cached_value(
		"Company", settings.company, "default_income_account"
	)
	if not account:
		frappe.throw(_("Company {0} has no default income account.").format(settings.company))
	return account


def deposit_account(settings) -> str:
	account = settings.get("stripe_deposit_account") or frappe.get_cached_value(
		"Company", settings.company, "default_bank_account"
	)
	if not account:
		frappe.throw(
			_("Set the Stripe Deposit Account in Claims Billing Settings (or a default bank account).")
		)
	return account


def default_uom() -> str:
	return frappe.db.get_single_value("Stock Settings", "stock_uom") or "Nos"


def merge_allocations(allocations: list[Allocation]) -> list[Allocation]:
	"""One allocation per document (ERPNext refuses a document twice in one payment)."""
	merged: dict[tuple[str, str], Decimal] = {}
	for allocation in allocations:
		key = (allocation.reference_doctype, allocation.reference_name)
		merged[key] = merged.get(key, Decimal(0)) + allocation.amount
	return [Allocation(doctype, name, amount) for (doctype, name), amount in merged.items()]


def outstanding_amount(allocation: Allocation, customer: str) -> Decimal:
	"""What the document still owes now (other payments may have arrived since invoicing)."""
	if allocation.reference_doctype == SALES_INVOICE:
		value = frappe.db.get_value(
			SALES_INVOICE, {"name": allocation.reference_name, "docstatus": 1}, "outstanding_amount"
		)
		return money(value)
	if allocation.reference_doctype == JOURNAL_ENTRY:
		from erpnext.accounts.doctype.payment_entry.payment_entry import get_outstanding_on_journal_entry

		outstanding, _total = get_outstanding_on_journal_entry(
			allocation.reference_name, "Customer", customer
		)
		return money(outstanding)
	return Decimal(0)
