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
- Journal Entry rows on a receivable reduce it (credit) or open a balance (debit); a debit on the
  patient's receivable in an entry that also credits a payer's is patient responsibility moved
  to the patient (the remittance posting); rows on expense accounts are write-offs. Rows tagged
  with a service count for that service; untagged ones are spread over what the entry reduced.

Contract with the other accounting modules (claims, remittances): tag every row that is for one
service with ``billable_service``; reference the claim's Sales Invoice from receivable rows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import frappe
from frappe.utils import flt

from claims_billing.claim_data import money
from claims_billing.core.patient_ledger import (
	INSURANCE,
	PATIENT,
	Adjustment,
	Charge,
	Ledger,
	Reduction,
	Voucher,
	build_ledger,
)
from claims_billing.setup.ledger_fields import BILLABLE_SERVICE_FIELD

SALES_INVOICE = "Sales Invoice"
JOURNAL_ENTRY = "Journal Entry"
PAYMENT_ENTRY = "Payment Entry"
FIGURES = ("charge", "insurance_paid", "patient_paid", "write_off", "balance")


def key(doctype: str, name: str) -> str:
	return f"{doctype}/{name}"


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
		return self.ledger.services[service].patient_balance


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
		entries = {}
		for name, entry_rows in by_entry.items():
			order = (entry_rows[0].posting_date, entry_rows[0].creation)
			entries[name] = (order, self.journal_voucher(name, entry_rows, invoices))
		return entries

	def journal_voucher(self, name: str, rows: list, invoices: set[str]) -> Voucher:
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
				voucher.reductions.append(Reduction(side, -net, row.service or None, reference))
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
