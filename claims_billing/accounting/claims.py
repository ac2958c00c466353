"""Receivables of insurance claims, booked as submitted Sales Invoices to each payer's Customer.

Granularity: one Sales Invoice per payer per sent 837P file, one line per service. Each line names
its claim, its Billable Service and the patient (custom fields on Sales Invoice Item), so AR stays
reportable per payer (the invoice's customer, ERPNext's Accounts Receivable) and per claim (the
lines of the claim, ``receivable_by_claim``). The lines carry no Item: an item code would make
ERPNext look up prices, taxes and stock per line, which is what caps a Sales Invoice near 47
lines per second; without it a 1,000-line invoice books in a few seconds.

Corrections and voids adjust the receivable instead of booking it again:

* a corrected claim (frequency 7, or a fresh original replacing a rejected claim) moves the
  receivable: a credit note against the original claim's invoice takes the original's lines off,
  and the corrected claim's lines are booked with the file it is sent in. AR changes by the
  difference only, and at no time are both claims open;
* a void (frequency 8) books a credit note that reverses the voided claim's lines.

Every posting is one call here and one database transaction of the caller; GL rows come only
from ERPNext submitting these invoices.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import flt, nowdate, nowtime

from claims_billing.claims.claim_data import money
from claims_billing.problems import throw_problems

CLAIM = "Insurance Claim"
INVOICE = "Sales Invoice"
# Custom fields (setup/claim_fields.py).
FILE_FIELD = "insurance_claims_file"
BOOKING_FIELD = "insurance_claims_booking"
ITEM_CLAIM_FIELD = "insurance_claim"
ITEM_SERVICE_FIELD = "billable_service"
ITEM_PATIENT_DOCTYPE_FIELD = "claim_patient_doctype"
ITEM_PATIENT_FIELD = "claim_patient"
BOOKING_SENT = "Claims Sent"
BOOKING_CORRECTION = "Claim Correction"
BOOKING_VOID = "Claim Void"
UOM = "Nos"


@dataclass
class ServiceLine:
	claim: str
	service: str
	procedure: str
	modifiers: str
	date_of_service: object
	charge: Decimal


@dataclass
class ClaimBooking:
	name: str
	payer: str
	patient_doctype: str
	patient: str
	lines: list[ServiceLine] = field(default_factory=list)


@dataclass
class Accounts:
	company: str
	receivable: str
	income: str
	cost_center: str
	currency: str


def accounts() -> Accounts:
	settings = frappe.get_cached_doc("Claims Billing Settings")
	company = settings.company
	problems = []
	if not company:
		problems.append(_("Claims Billing Settings: choose the company."))
	income = settings.get("claims_income_account") or (
		company and frappe.get_cached_value("Company", company, "default_income_account")
	)
	cost_center = settings.cost_center or (
		company and frappe.get_cached_value("Company", company, "cost_center")
	)
	if not settings.insurance_receivable_account:
		problems.append(_("Claims Billing Settings: choose the Insurance Receivable account."))
	if not income:
		problems.append(_("Claims Billing Settings: choose the claims income account."))
	if not cost_center:
		problems.append(_("Claims Billing Settings: choose the cost center."))
	throw_problems(problems, _("Claims can't be booked"))
	return Accounts(
		company=company,
		receivable=settings.insurance_receivable_account,
		income=income,
		cost_center=cost_center,
		currency=frappe.get_cached_value("Company", company, "default_currency"),
	)


def payer_customer(payer: str) -> str:
	customer = frappe.db.get_value("Insurance Payer", payer, "customer")
	if not customer or not frappe.db.exists("Customer", customer):
		doc = frappe.get_doc("Insurance Payer", payer)
		doc.ensure_customer()
		customer = doc.customer
	return customer


def load_bookings(names: list[str]) -> list[ClaimBooking]:
	"""The claims and their service lines, in a few queries."""
	if not names:
		return []
	bookings = {
		row.name: ClaimBooking(row.name, row.payer, row.patient_doctype, row.patient)
		for row in frappe.get_all(
			CLAIM,
			filters={"name": ["in", names]},
			fields=["name", "payer", "patient_doctype", "patient"],
		)
	}
	for row in frappe.get_all(
		"Insurance Claim Service",
		filters={"parenttype": CLAIM, "parent": ["in", names]},
		fields=["parent", "billable_service", "procedure_code", "modifiers", "date_of_service", "charge"],
		order_by="parent asc, idx asc",
	):
		bookings[row.parent].lines.append(
			ServiceLine(
				row.parent,
				row.billable_service,
				row.procedure_code,
				row.modifiers or "",
				row.date_of_service,
				money(row.charge),
			)
		)
	return [bookings[name] for name in names if name in bookings]


def _item(line: ServiceLine, booking: ClaimBooking, books: Accounts, sign: int = 1) -> dict:
	code = " ".join(part for part in (line.procedure, line.modifiers) if part)
	return {
		"item_name": code,
		"description": _("Claim {0}, service {1}, date of service {2}").format(
			line.claim, line.service, line.date_of_service
		),
		"qty": sign,
		"rate": flt(line.charge),
		"uom": UOM,
		"stock_uom": UOM,
		"conversion_factor": 1,
		"income_account": books.income,
		"cost_center": books.cost_center,
		ITEM_CLAIM_FIELD: line.claim,
		ITEM_SERVICE_FIELD: line.service,
		ITEM_PATIENT_DOCTYPE_FIELD: booking.patient_doctype,
		ITEM_PATIENT_FIELD: booking.patient,
	}


def _invoice(customer: str, books: Accounts, items: list[dict], remarks: str, **values):
	invoice = frappe.get_doc(
		{
			"doctype": INVOICE,
			"company": books.company,
			"customer": customer,
			"posting_date": nowdate(),
			"posting_time": nowtime(),
			"set_posting_time": 1,
			"due_date": nowdate(),
			"debit_to": books.receivable,
			"currency": books.currency,
			"conversion_rate": 1,
			"cost_center": books.cost_center,
			"ignore_pricing_rule": 1,
			"disable_rounded_total": 1,
			"remarks": remarks,
			"items": items,
			**values,
		}
	)
	invoice.flags.ignore_permissions = True
	# Every link on these lines was just read from the database in this transaction.
	invoice.flags.ignore_links = True
	# Submitted as it is inserted: one save, and no Version diff of every line against every line
	# (which grows with the square of the lines when a saved draft is submitted).
	invoice.submit()
	return invoice


def book_sent_claims(names: list[str], clearinghouse_file: str | None = None) -> dict[str, str]:
	"""Book the claims of one sent file: one invoice per payer. Returns claim name -> invoice name.

	Claims already booked (``sales_invoice`` set) are skipped, so a retry books only the rest.
	"""
	booked = dict(
		frappe.get_all(
			CLAIM, filters={"name": ["in", names or [""]]}, fields=["name", "sales_invoice"], as_list=True
		)
	)
	todo = [name for name in names if name in booked and not booked[name]]
	if todo and frappe.get_meta(CLAIM).has_field("receivable_journal_entry"):
		# A next payer's claim already has its receivable: the earlier payer's posting moved it there.
		moved = set(
			frappe.get_all(
				CLAIM, filters={"name": ["in", todo], "receivable_journal_entry": ["is", "set"]}, pluck="name"
			)
		)
		todo = [name for name in todo if name not in moved]
	if not todo:
		return {}
	books = accounts()
	by_payer: dict[str, list[ClaimBooking]] = defaultdict(list)
	for booking in load_bookings(todo):
		by_payer[booking.payer].append(booking)
	result = {}
	for payer in sorted(by_payer):
		claims = by_payer[payer]
		items = [_item(line, booking, books) for booking in claims for line in booking.lines]
		where = _("file {0}").format(clearinghouse_file) if clearinghouse_file else _("a manual submission")
		invoice = _invoice(
			payer_customer(payer),
			books,
			items,
			_("Insurance claims sent in {0}: {1} claims.").format(where, len(claims)),
			**{FILE_FIELD: clearinghouse_file, BOOKING_FIELD: BOOKING_SENT},
		)
		for booking in claims:
			result[booking.name] = invoice.name
	_set_claim_values(result, "sales_invoice")
	return result


def _set_claim_values(values: dict[str, str], fieldname: str) -> None:
	groups: dict[str, list[str]] = defaultdict(list)
	for claim, value in values.items():
		groups[value].append(claim)
	for value, claims in groups.items():
		frappe.db.set_value(CLAIM, {"name": ["in", claims]}, fieldname, value, update_modified=False)


def open_lines(claim: str) -> tuple[str | None, list[dict]]:
	"""The invoice holding a claim's receivable and its lines there, net of earlier credit notes."""
	invoice = frappe.db.get_value(CLAIM, claim, "sales_invoice")
	if not invoice:
		return None, []
	rows = frappe.db.sql(
		f"""
		select item.{ITEM_SERVICE_FIELD} as service, item.item_name, item.description,
			sum(item.amount) as amount
		from `tabSales Invoice Item` item
		join `tabSales Invoice` invoice on invoice.name = item.parent
		where invoice.docstatus = 1 and item.{ITEM_CLAIM_FIELD} = %s
		group by item.{ITEM_SERVICE_FIELD}, item.item_name, item.description
		having sum(item.amount) > 0
		order by min(item.idx)
		""",
		claim,
		as_dict=True,
	)
	return invoice, rows


def reverse_claim(claim: str, because_of: str, kind: str) -> str | None:
	"""A credit note taking ``claim``'s open lines off its invoice. Returns its name (None: nothing open).

	``because_of`` is the corrected or voiding claim; ``kind`` BOOKING_CORRECTION or BOOKING_VOID.
	A next payer's claim has no invoice: its receivable is a row of the earlier payer's Journal Entry,
	which its correction (booked against the same row) takes over, so only the balance moves.
	"""
	invoice, rows = open_lines(claim)
	if not rows:
		if kind == BOOKING_CORRECTION and frappe.db.get_value(CLAIM, claim, "receivable_journal_entry"):
			frappe.db.set_value(CLAIM, claim, "balance", 0, update_modified=False)
		return None
	books = accounts()
	original = frappe.db.get_value(CLAIM, claim, ["payer", "patient_doctype", "patient"], as_dict=True)
	customer = frappe.db.get_value(INVOICE, invoice, "customer")
	items = [
		{
			"item_name": row.item_name,
			"description": row.description,
			"qty": -1,
			"rate": flt(row.amount),
			"uom": UOM,
			"stock_uom": UOM,
			"conversion_factor": 1,
			"income_account": books.income,
			"cost_center": books.cost_center,
			ITEM_CLAIM_FIELD: claim,
			ITEM_SERVICE_FIELD: row.service,
			ITEM_PATIENT_DOCTYPE_FIELD: original.patient_doctype,
			ITEM_PATIENT_FIELD: original.patient,
		}
		for row in rows
	]
	if kind == BOOKING_VOID:
		remarks = _("Claim {0} voided by claim {1}.").format(claim, because_of)
	else:
		remarks = _("Claim {0} replaced by corrected claim {1}; its receivable moves there.").format(
			claim, because_of
		)
	note = _invoice(
		customer,
		books,
		items,
		remarks,
		is_return=1,
		return_against=invoice,
		update_outstanding_for_self=0,
		**{BOOKING_FIELD: kind},
	)
	frappe.db.set_value(CLAIM, claim, "balance", 0, update_modified=False)
	return note.name


def receivable_by_claim(claims: list[str]) -> dict[str, Decimal]:
	"""Each claim's booked receivable (its invoice lines net of credit notes), to the cent."""
	if not claims:
		return {}
	rows = frappe.db.sql(
		f"""
		select item.{ITEM_CLAIM_FIELD}, sum(item.amount)
		from `tabSales Invoice Item` item
		join `tabSales Invoice` invoice on invoice.name = item.parent
		where invoice.docstatus = 1 and item.{ITEM_CLAIM_FIELD} in %s
		group by item.{ITEM_CLAIM_FIELD}
		""",
		(claims,),
	)
	result = {claim: Decimal("0.00") for claim in claims}
	result.update({claim: money(amount) for claim, amount in rows})
	return result
