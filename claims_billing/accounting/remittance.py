"""Insurance payments in the books: one Journal Entry per Insurance Payment (ERA or paper EOB).

Why a Journal Entry and not a Payment Entry: one Payment Entry allocating 200 invoices with a
write-off deduction takes ERPNext about 23 s (8.6 claims/s), because it re-reads and re-validates
every reference. A Bank Entry crediting the claims' invoices books the same ledger rows (GL and
Payment Ledger, invoice outstanding amounts) at several hundred claims per second. Its rows:

* the bank (cash received, BPR02) - debit;
* the insurance receivable of each claim's invoice - credit paid + contractual + other + PR (rows
  of claims on the same invoice are one row: the receivable is booked per payer per 837P file);
* contractual write-off (CO), other adjustments (OA), payer-initiated reductions (PI) - debit;
* patient responsibility (PR) - debit the Patient Receivable account with the patient's Customer as
  party, one row per service tagged ``billable_service``: a patient receivable of its own (the
  patient side allocates payments to it), without booking income a second time as a patient Sales
  Invoice would, and inside the same document, so payer and patient always agree;
* PR of a claim that has a next payer - debit the insurance receivable of that payer's Customer;
  the next payer's claim is settled against this row (its ``receivable`` is this Journal Entry);
* provider-level adjustments (PLB) - their accounts (interest and incentives: income; recoupments,
  fees, withholding, forwarding balances: the PLB adjustment account);
* claim payments that matched none of our claims - credit the payer's Customer as an advance.

ERPNext queues Journal Entries of more than 100 rows for a background worker; a posting must be
one transaction with the rest of the Insurance Payment, so it is submitted in place
(``_submit``) whatever its size. Signed amounts throughout: a reversal's negative amounts become the
opposite side.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import flt, getdate

from claims_billing.core import adjudication
from claims_billing.problems import throw_problems
from claims_billing.setup.ledger_fields import BILLABLE_SERVICE_FIELD

JOURNAL_ENTRY = "Journal Entry"
SALES_INVOICE = "Sales Invoice"
CUSTOMER = "Customer"
ZERO = Decimal("0.00")
# PLB categories that are money the payer gives: income. The rest reduce what we receive.
PLB_INCOME_CATEGORIES = frozenset(
	{
		adjudication.PLB_INTEREST,
		adjudication.PLB_INCENTIVE,
		adjudication.PLB_CAPITATION,
		adjudication.PLB_SETTLEMENT,
	}
)


@dataclass
class RemittanceAccounts:
	company: str
	currency: str
	cost_center: str
	bank: str
	insurance_receivable: str
	patient_receivable: str
	contractual: str
	other_adjustment: str
	payer_initiated: str
	plb_income: str
	plb_adjustment: str
	denial_write_off: str


@dataclass
class ClaimLedger:
	"""Where one claim's money sits in ERPNext."""

	claim: str
	payer_customer: str
	receivable: tuple[str, str] | None  # (Sales Invoice or Journal Entry, name) holding the receivable
	patient_customer: str = ""
	first_service: str = ""
	patient_share_by_service: list[tuple[str, Decimal]] = field(default_factory=list)
	next_payer_customer: str = ""


def remittance_accounts() -> RemittanceAccounts:
	"""The accounts a posting uses; settings first, the company's defaults where they are empty."""
	settings = frappe.get_cached_doc("Claims Billing Settings")
	company = settings.company
	defaults = (
		frappe.get_cached_value(
			"Company",
			company,
			["default_bank_account", "write_off_account", "default_income_account", "cost_center"],
			as_dict=True,
		)
		if company
		else None
	) or frappe._dict()
	write_off = defaults.write_off_account
	values = {
		"bank": settings.get("remittance_bank_account") or defaults.default_bank_account,
		"insurance_receivable": settings.insurance_receivable_account,
		"patient_receivable": settings.patient_receivable_account,
		"contractual": settings.contractual_adjustment_account,
		"other_adjustment": settings.get("other_adjustment_account") or write_off,
		"payer_initiated": settings.get("payer_initiated_adjustment_account") or write_off,
		"plb_income": settings.get("plb_income_account") or defaults.default_income_account,
		"plb_adjustment": settings.get("plb_adjustment_account") or write_off,
		"denial_write_off": settings.get("denial_write_off_account") or write_off,
		"cost_center": settings.cost_center or defaults.cost_center,
	}
	labels = {
		"bank": _("the ERA deposit (bank) account"),
		"insurance_receivable": _("the Insurance Receivable account"),
		"patient_receivable": _("the Patient Receivable account"),
		"contractual": _("the Contractual Adjustment account"),
		"other_adjustment": _("the Other Adjustments (OA) account"),
		"payer_initiated": _("the Payer Initiated (PI) account"),
		"plb_income": _("the PLB income account"),
		"plb_adjustment": _("the PLB adjustment account"),
		"denial_write_off": _("the denial write-off account"),
		"cost_center": _("the cost center"),
	}
	problems = [] if company else [_("Claims Billing Settings: choose the company.")]
	problems += [
		_("Claims Billing Settings: choose {0}.").format(labels[name])
		for name, value in values.items()
		if not value
	]
	throw_problems(problems, _("Insurance payments can't be posted"))
	return RemittanceAccounts(
		company=company,
		currency=frappe.get_cached_value("Company", company, "default_currency"),
		**values,
	)


class _Rows:
	"""Signed amounts per journal row key, in first-seen order."""

	def __init__(self):
		self.amounts: dict[tuple, Decimal] = {}
		self.values: dict[tuple, dict] = {}

	def add(self, key: tuple, amount: Decimal, **values) -> None:
		if not amount:
			return
		if key not in self.amounts:
			self.amounts[key] = ZERO
			self.values[key] = values
		self.amounts[key] += amount

	def journal_rows(self, cost_center: str) -> list[dict]:
		rows = []
		for key, amount in self.amounts.items():
			if not amount:
				continue
			row = {"cost_center": cost_center, **self.values[key]}
			if amount > 0:
				row["debit_in_account_currency"] = flt(amount, 2)
			else:
				row["credit_in_account_currency"] = flt(-amount, 2)
			rows.append(row)
		return rows


def _party(account: str, customer: str) -> dict:
	return {"account": account, "party_type": CUSTOMER, "party": customer}


def _split_patient_share(ledger: ClaimLedger, amount: Decimal) -> list[tuple[str, Decimal]]:
	"""PR per service when the lines account for the whole amount, else all on the first service."""
	shares = ledger.patient_share_by_service
	total = sum((share for _service, share in shares), ZERO)
	if shares and total == abs(amount):
		sign = 1 if amount > 0 else -1
		return [(service, share * sign) for service, share in shares if share]
	return [(ledger.first_service, amount)]


def journal_rows(
	plan, books: RemittanceAccounts, payer_customer: str, claims: dict[str, ClaimLedger]
) -> list[dict]:
	"""The Journal Entry rows of a balanced ``PostingPlan`` (see the module docstring)."""
	rows = _Rows()
	problems = []
	for entry in plan.entries:
		amount = entry.signed
		category = entry.account
		ledger = claims.get(entry.claim_id) if entry.claim_id else None
		if category == adjudication.ACCOUNT_BANK:
			rows.add(("bank",), amount, account=books.bank)
		elif category == adjudication.ACCOUNT_INSURANCE_RECEIVABLE:
			if ledger is None or ledger.receivable is None:
				problems.append(
					_("Claim {0} has no receivable booked (it was never sent in a file).").format(
						entry.claim_id
					)
				)
				continue
			reference_type, reference_name = ledger.receivable
			rows.add(
				("receivable", ledger.payer_customer, reference_type, reference_name),
				amount,
				**_party(books.insurance_receivable, ledger.payer_customer),
				reference_type=reference_type,
				reference_name=reference_name,
			)
		elif category == adjudication.ACCOUNT_CONTRACTUAL_WRITE_OFF:
			rows.add(("account", books.contractual), amount, account=books.contractual)
		elif category == adjudication.OTHER_ADJUSTMENT_ACCOUNTS[adjudication.GROUP_PAYER_INITIATED]:
			rows.add(("account", books.payer_initiated), amount, account=books.payer_initiated)
		elif category in adjudication.OTHER_ADJUSTMENT_ACCOUNTS.values() or (
			category == adjudication.ACCOUNT_UNKNOWN_ADJUSTMENT
		):
			rows.add(("account", books.other_adjustment), amount, account=books.other_adjustment)
		elif category == adjudication.ACCOUNT_PATIENT_RECEIVABLE:
			if ledger is None or not ledger.patient_customer:
				problems.append(
					_("Claim {0}: the patient has no Customer to owe the balance.").format(entry.claim_id)
				)
				continue
			for service, share in _split_patient_share(ledger, amount):
				rows.add(
					("patient", ledger.patient_customer, service),
					share,
					**_party(books.patient_receivable, ledger.patient_customer),
					**{BILLABLE_SERVICE_FIELD: service or None},
				)
		elif category == adjudication.ACCOUNT_NEXT_PAYER_RECEIVABLE:
			customer = ledger.next_payer_customer if ledger else ""
			if not customer:
				# Forwarded by the payer to a payer we do not bill: the patient owes it until we know more.
				for service, share in _split_patient_share(ledger, amount):
					rows.add(
						("patient", ledger.patient_customer, service),
						share,
						**_party(books.patient_receivable, ledger.patient_customer),
						**{BILLABLE_SERVICE_FIELD: service or None},
					)
				continue
			rows.add(("next payer", customer), amount, **_party(books.insurance_receivable, customer))
		elif category == adjudication.ACCOUNT_UNAPPLIED_PAYMENTS:
			rows.add(
				("advance", payer_customer), amount, **_party(books.insurance_receivable, payer_customer)
			)
		elif category in PLB_INCOME_CATEGORIES:
			rows.add(("account", books.plb_income), amount, account=books.plb_income)
		else:
			rows.add(("account", books.plb_adjustment), amount, account=books.plb_adjustment)
	throw_problems(problems, _("The payment can't be posted"))
	return rows.journal_rows(books.cost_center)


def post_remittance(
	plan,
	*,
	payment: str,
	payer_customer: str,
	claims: dict[str, ClaimLedger],
	posting_date,
	reference_no: str,
	books: RemittanceAccounts | None = None,
) -> str | None:
	"""Submit the Journal Entry of one Insurance Payment; None when nothing moves (zero-pay denials)."""
	books = books or remittance_accounts()
	rows = journal_rows(plan, books, payer_customer, claims)
	if not rows:
		return None
	has_bank = any(row["account"] == books.bank for row in rows)
	entry = frappe.get_doc(
		{
			"doctype": JOURNAL_ENTRY,
			"voucher_type": "Bank Entry" if has_bank else "Journal Entry",
			"company": books.company,
			"posting_date": getdate(posting_date),
			"cheque_no": (reference_no or payment)[:140],
			"cheque_date": getdate(posting_date),
			"user_remark": _("Insurance Payment {0}").format(payment),
			"multi_currency": 0,
			"accounts": rows,
		}
	)
	entry.flags.ignore_permissions = True
	# Every party, invoice and account here was read from the database in this transaction.
	entry.flags.ignore_links = True
	entry.insert()
	# In place, never queued: the posting is one transaction (see the module docstring).
	entry._submit()
	return entry.name


def cancel_remittance(journal_entry: str | None) -> None:
	"""Reverse a posting: ERPNext cancels the Journal Entry's GL and payment ledger rows."""
	if not journal_entry:
		return
	entry = frappe.get_doc(JOURNAL_ENTRY, journal_entry)
	if entry.docstatus != 1:
		return
	entry.flags.ignore_permissions = True
	entry._cancel()


def write_off_claim_balance(
	ledger: ClaimLedger, amount: Decimal, reason: str, books: RemittanceAccounts | None = None
) -> str:
	"""A Journal Entry writing ``amount`` of a claim's insurance receivable off (denials worklist)."""
	if amount <= 0:
		frappe.throw(_("Nothing to write off: the claim's balance is {0}.").format(amount))
	if ledger.receivable is None:
		frappe.throw(_("Claim {0} has no receivable booked.").format(ledger.claim))
	books = books or remittance_accounts()
	reference_type, reference_name = ledger.receivable
	entry = frappe.get_doc(
		{
			"doctype": JOURNAL_ENTRY,
			"voucher_type": "Write Off Entry",
			"company": books.company,
			"posting_date": getdate(),
			"user_remark": reason,
			"accounts": [
				{
					"account": books.denial_write_off,
					"debit_in_account_currency": flt(amount, 2),
					"cost_center": books.cost_center,
				},
				{
					**_party(books.insurance_receivable, ledger.payer_customer),
					"credit_in_account_currency": flt(amount, 2),
					"reference_type": reference_type,
					"reference_name": reference_name,
					"cost_center": books.cost_center,
				},
			],
		}
	)
	entry.flags.ignore_permissions = True
	entry.insert()
	entry.submit()
	return entry.name


def receivable_by_customer(customers: list[str], account: str) -> dict[str, Decimal]:
	"""Open receivable per Customer on ``account`` from ERPNext's Payment Ledger (what AR reports)."""
	if not customers:
		return {}
	rows = frappe.db.sql(
		"""
		select party, sum(amount) from `tabPayment Ledger Entry`
		where delinked = 0 and party_type = 'Customer' and party in %s and account = %s
		group by party
		""",
		(customers, account),
	)
	result = defaultdict(lambda: ZERO)
	for party, amount in rows:
		result[party] = Decimal(str(flt(amount, 2)))
	return {customer: result[customer] for customer in customers}
