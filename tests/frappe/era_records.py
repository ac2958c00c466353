"""Sent claims with booked receivables, 835s for them, and the books checks every ERA test runs.

``sent_claims`` puts claims on the site as the send job leaves them (submitted, Accepted by Payer,
their 837P data stored, their receivable booked by ``accounting.claims.book_sent_claims``). The
claim documents are written directly (no scrub): these tests are about what happens after sending.
``era_for`` writes the 835 a payer would send for them (``x12.write_835.remittance_for``).
``check_books`` asserts the invariant per claim and ERPNext's receivable per payer.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import sys
from dataclasses import dataclass, field
from decimal import Decimal

import frappe
from frappe.utils import flt, getdate
from records import make_patient, make_payer, make_policy, make_practitioner, unique

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import factories

from claims_billing.accounting import claims as claim_accounting
from claims_billing.accounting.remittance import receivable_by_customer
from claims_billing.x12.claim import Payer, to_dict
from claims_billing.x12.write_835 import EraDetails, remittance_for, write_835

CLAIM = "Insurance Claim"
SERVICE = "Billable Service"
COMPANY = "Test Clinic"
CENT = Decimal("0.01")
SERVICE_DATE = datetime.date(2026, 3, 2)


def money(value) -> Decimal:
	return Decimal(str(flt(value or 0, 2))).quantize(CENT)


@dataclass
class SentClaims:
	payer: object
	claims: list  # x12 Claim objects, claim_id = our claim name
	names: list[str] = field(default_factory=list)
	patients: list[str] = field(default_factory=list)


def payer_with_id():
	return make_payer(payer_id=str(frappe.utils.random_string(5)).upper())


def _service(patient: str, practitioner: str, code: str, charge: Decimal, date: datetime.date) -> str:
	doc = frappe.get_doc(
		{
			"doctype": SERVICE,
			"patient_doctype": "Patient",
			"patient": patient,
			"practitioner": practitioner,
			"date_of_service": date,
			"procedure_code": code,
			"units": 1,
			"rate": flt(charge),
			"charge": flt(charge),
			"billing_route": "Insurance",
			"status": "On Claim",
		}
	)
	doc.set_new_name()
	doc.db_insert()
	return doc.name


def sent_claims(
	count: int,
	lines: tuple[tuple[str, str], ...] = (("90837", "180.00"), ("90834", "140.00")),
	payer=None,
	patients: int | None = None,
	book: bool = True,
) -> SentClaims:
	"""``count`` claims of one payer, each with ``lines`` (code, charge), sent and booked."""
	payer = payer or payer_with_id()
	practitioner = make_practitioner()
	people = [make_patient() for _ in range(patients or count)]
	policies = [make_policy(p.name, payer.name) for p in people]
	x12_payer = Payer(name=payer.payer_name[:60], payer_id=payer.payer_id)
	result = SentClaims(payer=payer, claims=[])
	for number in range(count):
		person, policy = people[number % len(people)], policies[number % len(people)]
		claim_lines = []
		rows = []
		for index, (code, charge) in enumerate(lines):
			date = SERVICE_DATE + datetime.timedelta(days=index)
			service = _service(person.name, practitioner.name, code, Decimal(charge), date)
			claim_lines.append(
				factories.make_line(
					code,
					charge=Decimal(charge),
					service_date=date,
					line_control_number=service,
					diagnosis_pointers=[1],
				)
			)
			rows.append(
				{
					"billable_service": service,
					"date_of_service": date,
					"procedure_code": code,
					"modifiers": "",
					"units": 1,
					"charge": flt(charge),
					"practitioner": practitioner.name,
				}
			)
		total = sum((Decimal(charge) for _code, charge in lines), Decimal(0))
		doc = frappe.get_doc(
			{
				"doctype": CLAIM,
				"patient_doctype": "Patient",
				"patient": person.name,
				"patient_name": person.patient_name,
				"insurance_policy": policy.name,
				"payer": payer.name,
				"payer_name": payer.payer_name,
				"company": COMPANY,
				"currency": "USD",
				"status": "Accepted by Payer",
				"frequency": "Original",
				"docstatus": 1,
				"total_charge": flt(total),
				"balance": flt(total),
				"first_date_of_service": SERVICE_DATE,
				"services": rows,
			}
		)
		doc.set_new_name()
		doc.set_parent_in_children()
		doc.claim_number = doc.name
		claim = factories.make_claim(
			claim_id=doc.name,
			payer=x12_payer,
			subscriber=factories.make_subscriber(
				number,
				last_name=person.last_name[:35],
				first_name=person.first_name,
				member_id=policy.member_id,
			),
			diagnoses=["F41.1"],
			lines=claim_lines,
		)
		doc.x12_snapshot = json.dumps(to_dict(claim), separators=(",", ":"))
		doc.db_insert()
		for child in doc.get_all_children():
			child.docstatus = 1
			child.db_insert()
		frappe.db.set_value(
			SERVICE,
			{"name": ["in", [r["billable_service"] for r in rows]]},
			{"billed_by_doctype": CLAIM, "billed_by": doc.name},
			update_modified=False,
		)
		result.claims.append(claim)
		result.names.append(doc.name)
	result.patients = [p.name for p in people]
	if book:
		claim_accounting.book_sent_claims(result.names)
	return result


def era_for(
	sent: SentClaims, decisions=None, *, trace_number: str | None = None, **kwargs
) -> tuple[bytes, object]:
	"""The 835 bytes the payer sends for ``sent`` adjudicated as ``decisions``, and its Remittance."""
	remittance = remittance_for(
		sent.claims,
		decisions,
		trace_number=trace_number or unique("TRN").replace(" ", ""),
		payment_date=datetime.date(2026, 4, 1),
		**kwargs,
	)
	return write_era(remittance), remittance


def write_era(remittance) -> bytes:
	"""The 835 file of ``remittance`` (payer address and contact invented)."""
	details = EraDetails(
		payer_address=factories.make_address(
			line1="1 Payer Way", city="Hartford", state="CT", postal_code="06101"
		),
		payer_contact_phone="8005551234",
	)
	return write_835(remittance, factories.make_envelope(), details)


def claim_totals(name: str) -> dict[str, Decimal]:
	"""Paid, patient responsibility, write-offs, other adjustments of a claim over its posted payments."""
	rows = frappe.db.sql(
		"""
		select sum(row.paid), sum(row.deductible + row.coinsurance + row.copay + row.other_patient_responsibility),
			sum(row.write_off), sum(row.other_adjustments + row.payer_initiated)
		from `tabInsurance Payment Claim` row
		join `tabInsurance Payment` payment on payment.name = row.parent
		where payment.docstatus = 1 and row.insurance_claim = %s and not (
			row.paid = 0 and row.deductible + row.coinsurance + row.copay + row.other_patient_responsibility = 0
			and row.reversal = 0 and (row.adjudication_status = 'Denied' or row.status_code = '4'))
		""",
		name,
	)[0]
	paid, patient, write_off, other = (money(v) for v in rows)
	denials = frappe.db.sql(
		"select sum(written_off_amount) from `tabClaim Denial` where insurance_claim = %s and status = 'Written Off'",
		name,
	)[0][0]
	write_off += money(denials)
	return {"paid": paid, "patient": patient, "write_off": write_off, "other": other}


def check_books(names: list[str]) -> dict[str, Decimal]:
	"""The invariant for every claim, and ERPNext's insurance receivable per payer = open claims."""
	settings = frappe.get_cached_doc("Claims Billing Settings")
	claims = frappe.get_all(
		CLAIM,
		filters={"name": ["in", names]},
		fields=["name", "payer", "total_charge", "balance", "prior_payers_amount"],
	)
	open_by_payer: dict[str, Decimal] = {}
	for claim in claims:
		totals = claim_totals(claim.name)
		balance = money(claim.balance)
		# A next payer's claim owes what the earlier payers left: its charge less what they settled.
		assert money(claim.total_charge) - money(claim.prior_payers_amount) == (
			totals["paid"] + totals["patient"] + totals["write_off"] + totals["other"] + balance
		), (claim.name, claim.total_charge, totals, balance)
		open_by_payer[claim.payer] = open_by_payer.get(claim.payer, Decimal(0)) + balance
	customers = {payer: frappe.db.get_value("Insurance Payer", payer, "customer") for payer in open_by_payer}
	ledger = receivable_by_customer(list(customers.values()), settings.insurance_receivable_account)
	for payer, expected in open_by_payer.items():
		assert ledger[customers[payer]] == expected, (payer, ledger[customers[payer]], expected)
	return open_by_payer


def gl_of(voucher_no: str) -> dict[tuple[str, str], Decimal]:
	"""(account, party) -> signed debit-credit of a voucher's live GL rows."""
	result: dict[tuple[str, str], Decimal] = {}
	for row in frappe.get_all(
		"GL Entry",
		filters={"voucher_no": voucher_no, "is_cancelled": 0},
		fields=["account", "party", "debit", "credit"],
	):
		key = (row.account, row.party or "")
		result[key] = result.get(key, Decimal(0)) + money(row.debit) - money(row.credit)
	return {key: value for key, value in result.items() if value}


def getdate_str(value) -> str:
	return str(getdate(value))
