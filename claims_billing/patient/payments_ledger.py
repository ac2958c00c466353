"""The Payments ledger of one patient, derived from ERPNext's submitted money documents.

Per service: Service Charge, Insurance Paid, Patient Paid, Write-Off and Balance. The figures are
sums over Sales Invoices, Payment Entries and Journal Entries (the arithmetic is in
core.patient_ledger); nothing is stored. How documents are read:

- Sales Invoice lines tagged with a service (``billable_service``) are its charge; the invoice's
  customer decides the side: an insurance payer's customer is the insurance side, the patient's
  customer the patient side. Every line of the patient's own invoices counts on their receivable.
- Payment Entries: allocations to those invoices (and to Journal Entries that opened a patient
  balance) reduce them; deductions are write-offs. A payment of a patient invoice (Stripe) is
  split exactly as that invoice's lines were; any other payment settles an invoice's lines in
  order. An unallocated patient payment stays unapplied.
- A remittance's Journal Entry (a posted Insurance Payment, accounting.remittance) credits each
  claim invoice once and writes off per account across claims and patients, so it is split per
  service by the Insurance Payment's claim and line amounts (paid, CO/OA/PI written off, patient
  responsibility); the patient's share follows the entry's rows tagged with their service, or
  stays on the insurance side when the claim was forwarded to the next payer.
- Any other Journal Entry: rows on a receivable reduce it (credit) or open a balance (debit); a
  debit on the patient's receivable in an entry that also credits a payer's is patient
  responsibility moved to the patient; rows on expense accounts are write-offs. Tagged rows count
  for their service; untagged ones are spread over what the entry reduced (a denial's write-off
  only over its claim's services).

Contract with the other accounting modules (claims, remittances): tag every row that is for one
service with ``billable_service``; reference the claim's receivable from receivable rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import frappe
from frappe.utils import flt

from claims_billing.claims.claim_data import money
from claims_billing.core.patient_ledger import (
	INSURANCE,
	PATIENT,
	Adjustment,
	Charge,
	Ledger,
	Reduction,
	Voucher,
	build_ledger,
	split_in_proportion,
)
from claims_billing.setup.ledger_fields import BILLABLE_SERVICE_FIELD

SALES_INVOICE = "Sales Invoice"
JOURNAL_ENTRY = "Journal Entry"
PAYMENT_ENTRY = "Payment Entry"
INSURANCE_PAYMENT = "Insurance Payment"
FIGURES = ("charge", "insurance_paid", "patient_paid", "write_off", "balance")


def key(doctype: str, name: str) -> str:
	return f"{doctype}/{name}"


def claim_amounts(row) -> dict[str, Decimal]:
	"""What a remittance did to one claim: paid, written off (CO, OA, PI), moved to the patient."""
	return {
		"paid": money(row.paid),
		"write_off": money(row.write_off) + money(row.other_adjustments) + money(row.get("payer_initiated")),
		"patient": money(row.deductible)
		+ money(row.coinsurance)
		+ money(row.copay)
		+ money(row.other_patient_responsibility),
	}


LINE_AMOUNTS = {
	"paid": lambda line: money(line.paid),
	"write_off": lambda line: money(line.write_off) + money(line.other_adjustments),
	"patient": lambda line: money(line.patient_responsibility),
}


def split_claim_amount(kind: str, total: Decimal, lines: list, services: list[tuple[str, Decimal]]):
	"""(service, amount) parts of a claim total: by its lines when they add up, else by charge."""
	if not total:
		return []
	by_line: dict[str, Decimal] = defaultdict(Decimal)
	for line in lines:
		by_line[line.billable_service] += LINE_AMOUNTS[kind](line)
	if sum(by_line.values(), Decimal(0)) == total:
		return [(service, amount) for service, amount in by_line.items() if amount]
	return split_in_proportion(total, services)


@dataclass
class PatientLedger:
	patient_doctype: str
	patient: str
	customer: str | None
	services: list[dict]  # Billable Service rows, oldest first
	ledger: Ledger
	payments: list[dict] = field(default_factory=list)  # the patient's Payment Entries

	def rows(self) -> list[dict]:
		"""One row per service with its figures (Decimal), oldest service first."""
		result = []
		for service in self.services:
			figures = self.ledger.services[service.name]
			result.append(
				{
					**service,
					"service": service.name,
					"charge": figures.charge if figures.charge else money(service.charge),
					"booked": bool(figures.charge),
					"insurance_paid": figures.insurance_paid,
					"patient_paid": figures.patient_paid,
					"write_off": figures.write_off,
					"balance": figures.balance if figures.charge else money(service.charge),
					"patient_balance": figures.patient_balance,
					"insurance_balance": figures.insurance_balance,
				}
			)
		return result

	def totals(self) -> dict[str, Decimal]:
		rows = self.rows()
		return {figure: sum((row[figure] for row in rows), Decimal(0)) for figure in FIGURES}

	def patient_balance(self, service: str) -> Decimal:
		"""What the patient still owes on ``service`` (0 for a service not in the ledger, e.g. void)."""
		row = self.ledger.services.get(service)
		return row.patient_balance if row else Decimal(0)


def patient_ledger(patient_doctype: str, patient: str) -> PatientLedger:
	services = frappe.get_all(
		"Billable Service",
		filters={"patient_doctype": patient_doctype, "patient": patient, "voided": 0},
		fields=[
			"name",
			"date_of_service",
			"primary_service",
			"procedure_code",
			"modifier_1",
			"modifier_2",
			"modifier_3",
			"modifier_4",
			"units",
			"charge",
			"status",
			"billing_route",
			"payer",
			"payer_name",
			"practitioner",
			"insurance_policy",
		],
		order_by="date_of_service asc, creation asc",
	)
	customer = (
		patient
		if patient_doctype == "Customer"
		else frappe.db.get_value("Patient", patient, "customer")
		if frappe.db.exists("DocType", "Patient")
		else None
	)
	reader = _DocumentReader([service.name for service in services], customer)
	vouchers = reader.vouchers()
	ledger = build_ledger([service.name for service in services], vouchers)
	return PatientLedger(patient_doctype, patient, customer, services, ledger, reader.patient_payments)


class _DocumentReader:
	"""Reads the submitted documents touching the patient's services or customer into Vouchers."""

	def __init__(self, services: list[str], customer: str | None):
		self.services = set(services)
		self.customer = customer
		self.payer_customers = set(
			frappe.get_all("Insurance Payer", filters={"customer": ["is", "set"]}, pluck="customer")
		)
		self.patient_payments: list[dict] = []
		self._accounts: dict[str, tuple[str, str]] = {}

	def side_of_customer(self, customer: str | None) -> str | None:
		if customer and customer == self.customer:
			return PATIENT
		if customer in self.payer_customers:
			return INSURANCE
		return None

	def vouchers(self) -> list[Voucher]:
		if not self.services and not self.customer:
			return []
		dated: list[tuple[tuple, Voucher]] = []
		invoices = self.sales_invoices()
		dated += [(order, voucher) for order, voucher in invoices.values()]
		scope = {key(SALES_INVOICE, name) for name in invoices}
		entries = self.journal_entries(set(invoices))
		scope |= {key(JOURNAL_ENTRY, name) for name in entries}
		dated += list(entries.values())
		dated += self.payment_entries(set(invoices), set(entries), scope)
		dated.sort(key=lambda pair: pair[0])
		return [voucher for _order, voucher in dated]

	# Sales Invoices: charges

	def sales_invoices(self) -> dict[str, tuple[tuple, Voucher]]:
		conditions, values = [], {"services": tuple(self.services) or ("",), "customer": self.customer or ""}
		conditions.append(
			f"si.name in (select parent from `tabSales Invoice Item` where {BILLABLE_SERVICE_FIELD} in %(services)s)"
		)
		if self.customer:
			conditions.append("si.customer = %(customer)s")
		rows = frappe.db.sql(
			f"""
			select si.name, si.customer, si.posting_date, si.creation, si.is_return, si.return_against,
				item.{BILLABLE_SERVICE_FIELD} as service, item.base_net_amount as amount
			from `tabSales Invoice` si
			join `tabSales Invoice Item` item on item.parent = si.name and item.parenttype = 'Sales Invoice'
			where si.docstatus = 1 and ({" or ".join(conditions)})
			order by si.posting_date, si.creation, item.idx
			""",
			values,
			as_dict=True,
		)
		invoices: dict[str, tuple[tuple, Voucher]] = {}
		for row in rows:
			side = self.side_of_customer(row.customer)
			if side is None:
				continue
			name = key(SALES_INVOICE, row.name)
			order = (row.posting_date, row.creation)
			voucher = invoices.setdefault(row.name, (order, Voucher(name)))[1]
			# A credit note takes its lines back from the invoice it returns.
			open_item = (
				key(SALES_INVOICE, row.return_against) if row.is_return and row.return_against else name
			)
			voucher.charges.append(Charge(side, open_item, row.service or None, money(row.amount)))
		return invoices

	# Journal Entries

	def journal_entries(self, invoices: set[str]) -> dict[str, tuple[tuple, Voucher]]:
		values = {
			"services": tuple(self.services) or ("",),
			"invoices": tuple(invoices) or ("",),
			"customer": self.customer or "",
		}
		names = frappe.db.sql_list(
			f"""
			select distinct row.parent from `tabJournal Entry Account` row
			where row.docstatus = 1 and (
				row.{BILLABLE_SERVICE_FIELD} in %(services)s
				or (row.reference_type = 'Sales Invoice' and row.reference_name in %(invoices)s)
				or (row.party_type = 'Customer' and row.party = %(customer)s)
			)
			""",
			values,
		)
		if not names:
			return {}
		rows = frappe.db.sql(
			f"""
			select entry.name, entry.posting_date, entry.creation, row.account, row.party_type, row.party,
				row.debit, row.credit, row.reference_type, row.reference_name,
				row.{BILLABLE_SERVICE_FIELD} as service
			from `tabJournal Entry` entry
			join `tabJournal Entry Account` row on row.parent = entry.name and row.parenttype = 'Journal Entry'
			where entry.name in %(names)s and entry.docstatus = 1
			order by entry.name, row.idx
			""",
			{"names": tuple(names)},
			as_dict=True,
		)
		by_entry: dict[str, list] = {}
		for row in rows:
			by_entry.setdefault(row.name, []).append(row)
		remittances = self.posted_remittances(list(by_entry))
		denied_claims = self.denial_claims(list(by_entry))
		entries = {}
		for name, entry_rows in by_entry.items():
			order = (entry_rows[0].posting_date, entry_rows[0].creation)
			if name in remittances:
				voucher = self.remittance_voucher(name, remittances[name], entry_rows)
			else:
				voucher = self.journal_voucher(name, entry_rows, invoices, among=denied_claims.get(name))
			entries[name] = (order, voucher)
		return entries

	def denial_claims(self, entries: list[str]) -> dict[str, tuple[str, ...]]:
		"""Journal Entry -> the services of the claim whose denied balance it wrote off."""
		if not entries or not frappe.db.exists("DocType", "Claim Denial"):
			return {}
		denials = frappe.get_all(
			"Claim Denial",
			filters={"journal_entry": ["in", entries]},
			fields=["journal_entry", "insurance_claim"],
		)
		claims = self.claims_of([denial.insurance_claim for denial in denials if denial.insurance_claim])
		return {
			denial.journal_entry: tuple(
				service for service, _charge in claims[denial.insurance_claim].services
			)
			for denial in denials
			if denial.insurance_claim in claims
		}

	# Remittance postings (claims_billing.accounting.remittance)

	@staticmethod
	def posted_remittances(entries: list[str]) -> dict[str, str]:
		"""Journal Entry -> the posted Insurance Payment it books."""
		if not entries or not frappe.db.exists("DocType", INSURANCE_PAYMENT):
			return {}
		rows = frappe.get_all(
			INSURANCE_PAYMENT,
			filters={"docstatus": 1, "journal_entry": ["in", entries]},
			fields=["name", "journal_entry"],
		)
		return {row.journal_entry: row.name for row in rows}

	def remittance_voucher(self, name: str, payment: str, rows: list) -> Voucher:
		"""A remittance's Journal Entry, split per service by its Insurance Payment.

		The entry itself credits each claim invoice once and writes off per account, across
		claims and patients; the Insurance Payment says what each claim (and line) was paid,
		written off and left to the patient. Claim totals are split over the claim's services
		by its lines when they add up, else in proportion to the services' charges. Patient
		responsibility follows the entry's own rows, which name their service.
		"""
		doc = frappe.get_doc(INSURANCE_PAYMENT, payment)
		voucher = Voucher(key(JOURNAL_ENTRY, name))
		moved_to_patient: dict[str, Decimal] = defaultdict(Decimal)
		for row in rows:
			account_type, _root_type = self.account(row.account)
			if (
				account_type == "Receivable"
				and row.service in self.services
				and row.party not in self.payer_customers
			):
				moved_to_patient[row.service] += money(row.debit) - money(row.credit)
		forwarded_to_payer = any(
			self.account(row.account)[0] == "Receivable"
			and row.party in self.payer_customers
			and money(row.debit) > money(row.credit)
			for row in rows
		)
		claims = self.claims_of([row.insurance_claim for row in doc.claims if row.insurance_claim])
		amounts: dict[tuple[str, str | None], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
		for index, row in enumerate(doc.claims, start=1):
			claim = claims.get(row.insurance_claim)
			if claim is None or not any(service in self.services for service, _charge in claim.services):
				continue
			lines = [line for line in doc.services if line.claim_row == index and line.billable_service]
			for kind, total in claim_amounts(row).items():
				for service, amount in split_claim_amount(kind, total, lines, claim.services):
					if service in self.services:
						amounts[(service, claim.receivable)][kind] += amount
		# A claim whose patient share the entry booked on tagged rows: those rows are the whole share.
		booked_to_patient = {
			service
			for claim in claims.values()
			if any(service in moved_to_patient for service, _charge in claim.services)
			for service, _charge in claim.services
		}
		first_item: dict[str, str | None] = {}
		for (service, item), kinds in amounts.items():
			first_item.setdefault(service, item)
			voucher.reductions.append(Reduction(INSURANCE, kinds["paid"] + kinds["write_off"], service, item))
			voucher.write_offs.append(Adjustment(kinds["write_off"], service))
		split_patient = defaultdict(Decimal)
		for (service, _item), kinds in amounts.items():
			split_patient[service] += kinds["patient"]
		for service, item in first_item.items():
			if service in booked_to_patient:
				share, to_side = moved_to_patient.get(service, Decimal(0)), PATIENT
			else:
				share, to_side = split_patient[service], INSURANCE if forwarded_to_payer else PATIENT
			if share:
				voucher.reductions.append(Reduction(INSURANCE, share, service, item))
				voucher.transfers.append(Adjustment(share, service, to_side))
		return voucher

	def claims_of(self, names: list[str]) -> dict[str, frappe._dict]:
		if not names:
			return {}
		claims = {
			row.name: frappe._dict(
				services=[],
				receivable=key(JOURNAL_ENTRY, row.receivable_journal_entry)
				if row.get("receivable_journal_entry")
				else key(SALES_INVOICE, row.sales_invoice)
				if row.sales_invoice
				else None,
			)
			for row in frappe.get_all(
				"Insurance Claim",
				filters={"name": ["in", names]},
				fields=["name", "sales_invoice", "receivable_journal_entry"],
			)
		}
		for row in frappe.get_all(
			"Insurance Claim Service",
			filters={"parent": ["in", list(claims)], "parenttype": "Insurance Claim"},
			fields=["parent", "billable_service", "charge"],
			order_by="parent asc, idx asc",
		):
			if row.billable_service:
				claims[row.parent].services.append((row.billable_service, money(row.charge)))
		return claims

	def journal_voucher(
		self, name: str, rows: list, invoices: set[str], among: tuple[str, ...] | None = None
	) -> Voucher:
		voucher = Voucher(key(JOURNAL_ENTRY, name))
		receivable_rows = []
		for row in rows:
			account_type, root_type = self.account(row.account)
			if row.service and row.service not in self.services:
				voucher.has_other_services = True
				continue
			if account_type == "Receivable" and row.party_type == "Customer":
				side = self.side_of_customer(row.party)
				if side is None:
					voucher.has_other_services = True
					continue
				reference = None
				if row.reference_type in (SALES_INVOICE, JOURNAL_ENTRY) and row.reference_name:
					if row.reference_type == SALES_INVOICE and row.reference_name not in invoices:
						voucher.has_other_services = True
						continue
					reference = key(row.reference_type, row.reference_name)
				receivable_rows.append((side, reference, row))
			elif root_type == "Expense":
				amount = money(row.debit) - money(row.credit)
				if amount:
					voucher.write_offs.append(Adjustment(amount, row.service or None))
		credits_insurance = any(
			side == INSURANCE and money(row.credit) > money(row.debit) for side, _ref, row in receivable_rows
		)
		for side, reference, row in receivable_rows:
			net = money(row.debit) - money(row.credit)
			if net < 0:
				voucher.reductions.append(Reduction(side, -net, row.service or None, reference, among))
			elif net > 0 and side == PATIENT and credits_insurance:
				voucher.transfers.append(Adjustment(net, row.service or None))
			elif net > 0:
				voucher.charges.append(Charge(side, reference or voucher.name, row.service or None, net))
		return voucher

	def account(self, account: str) -> tuple[str, str]:
		if account not in self._accounts:
			self._accounts[account] = frappe.get_cached_value(
				"Account", account, ["account_type", "root_type"]
			)
		return self._accounts[account]

	# Payment Entries

	def payment_entries(self, invoices: set[str], entries: set[str], scope: set[str]) -> list:
		values = {
			"documents": tuple(invoices | entries) or ("",),
			"services": tuple(self.services) or ("",),
			"customer": self.customer or "",
		}
		names = frappe.db.sql_list(
			f"""
			select name from `tabPayment Entry`
			where docstatus = 1 and (
				(party_type = 'Customer' and party = %(customer)s)
				or name in (select parent from `tabPayment Entry Reference`
					where docstatus = 1 and reference_name in %(documents)s)
				or name in (select parent from `tabPayment Entry Deduction`
					where docstatus = 1 and {BILLABLE_SERVICE_FIELD} in %(services)s)
			)
			""",
			values,
		)
		if not names:
			return []
		split_by_invoice = self.patient_invoice_lines(names)
		result = []
		for name in names:
			payment = frappe.get_doc(PAYMENT_ENTRY, name)
			side = self.side_of_customer(payment.party)
			if side is None:
				continue
			sign = Decimal(1) if payment.payment_type == "Receive" else Decimal(-1)
			voucher = Voucher(key(PAYMENT_ENTRY, name))
			if name in split_by_invoice:
				voucher.reductions += [
					Reduction(side, sign * amount, service, open_item)
					for service, amount, open_item in split_by_invoice[name]
				]
			else:
				for reference in payment.references:
					document = key(reference.reference_doctype, reference.reference_name)
					if document not in scope:
						voucher.has_other_services = True
						continue
					voucher.reductions.append(
						Reduction(side, sign * money(reference.allocated_amount), None, document)
					)
				if side == PATIENT and flt(payment.unallocated_amount):
					voucher.reductions.append(Reduction(side, sign * money(payment.unallocated_amount)))
			for deduction in payment.deductions:
				service = deduction.get(BILLABLE_SERVICE_FIELD) or None
				if service and service not in self.services:
					voucher.has_other_services = True
					continue
				voucher.write_offs.append(Adjustment(money(deduction.amount), service))
			if side == PATIENT:
				self.patient_payments.append(
					{
						"name": name,
						"posting_date": payment.posting_date,
						"amount": sign * money(payment.paid_amount),
						"mode_of_payment": payment.mode_of_payment,
						"reference_no": payment.reference_no,
					}
				)
			result.append(((payment.posting_date, payment.creation), voucher))
		return result

	@staticmethod
	def patient_invoice_lines(payment_entries: list[str]) -> dict[str, list[tuple[str, Decimal, str | None]]]:
		"""Payment Entry -> (service, amount, open item) of the patient invoice it paid, line by line."""
		rows = frappe.db.sql(
			"""
			select invoice.payment_entry, line.billable_service, line.amount,
				line.receivable_doctype, line.receivable_name
			from `tabPatient Invoice` invoice
			join `tabPatient Invoice Line` line on line.parent = invoice.name
			where invoice.docstatus = 1 and invoice.payment_entry in %(payments)s
			order by line.idx
			""",
			{"payments": tuple(payment_entries)},
			as_dict=True,
		)
		split: dict[str, list] = {}
		for row in rows:
			open_item = (
				key(row.receivable_doctype, row.receivable_name)
				if row.receivable_doctype and row.receivable_name
				else None
			)
			split.setdefault(row.payment_entry, []).append(
				(row.billable_service, money(row.amount), open_item)
			)
		return split
