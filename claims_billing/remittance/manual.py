"""Paper EOBs: staff pick the services a payer's check covers and enter what it paid.

Every line needs Insurance Paid and Client Owes (0 is a value, blank is not); the write-off is
the rest of the charge (charge - paid - client owes). The claim rows are computed from the lines,
and the payment posts exactly like an ERA (``posting``).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate

from claims_billing.core import adjudication
from claims_billing.remittance import payment_data
from claims_billing.remittance.payment_data import ZERO, currency, money

CLAIM = "Insurance Claim"
OPEN_STATUSES = (
	"Submitted",
	"Accepted by Clearinghouse",
	"Accepted by Payer",
	"Partially Paid",
	"Denied",
	"Reversed",
)


def _blank(value) -> bool:
	return value is None or (isinstance(value, str) and not value.strip())


def problems(doc) -> list[str]:
	found = []
	if not doc.payer:
		found.append(_("Choose the payer."))
	if not doc.services:
		found.append(_("Tick at least one service this payment covers."))
	for row in doc.services:
		where = _("Service row #{0}").format(row.idx)
		if not row.insurance_claim or not row.billable_service:
			found.append(_("{0}: choose the claim and the service.").format(where))
		if row.get("_paid_blank"):
			found.append(_("{0}: enter Insurance Paid (0 if the payer paid nothing).").format(where))
		if row.get("_owes_blank"):
			found.append(_("{0}: enter Client Owes (0 if the client owes nothing).").format(where))
		if money(row.write_off) < 0:
			found.append(
				_("{0}: paid {1} and client owes {2} are more than the charge {3}.").format(
					where, money(row.paid), money(row.patient_responsibility), money(row.charge)
				)
			)
	paid = sum((money(r.paid) for r in doc.services), ZERO)
	if doc.amount is not None and money(doc.amount) != paid:
		found.append(
			_("The payment amount {0} is not the {1} the lines say the payer paid.").format(
				money(doc.amount), paid
			)
		)
	return found


def fill_claim_rows(doc) -> None:
	"""The write-off calculator per line, then one claim row per claim from its lines."""
	by_claim: dict[str, list] = {}
	for row in doc.services:
		row._paid_blank = _blank(row.paid)
		row._owes_blank = _blank(row.patient_responsibility)
		row.write_off = currency(money(row.charge) - money(row.paid) - money(row.patient_responsibility))
		row.other_adjustments = 0
		by_claim.setdefault(row.insurance_claim, []).append(row)
	existing = {row.insurance_claim: row for row in doc.claims}
	doc.set("claims", [])
	for index, (claim, lines) in enumerate(by_claim.items(), start=1):
		charge = sum((money(r.charge) for r in lines), ZERO)
		paid = sum((money(r.paid) for r in lines), ZERO)
		owes = sum((money(r.patient_responsibility) for r in lines), ZERO)
		write_off = sum((money(r.write_off) for r in lines), ZERO)
		if paid == 0 and owes == 0:
			status = adjudication.STATUS_DENIED
		else:
			status = adjudication.STATUS_PAID if paid > 0 else adjudication.STATUS_PATIENT_RESPONSIBILITY
		before = existing.get(claim)
		values = {
			"insurance_claim": claim,
			"claim_id": claim,
			"match_status": payment_data.MANUAL,
			"match_reason": _("Entered from a paper EOB."),
			"status_code": "4" if status == adjudication.STATUS_DENIED else "1",
			"adjudication_status": status,
			"charge": currency(charge),
			"adjudicated_charge": currency(charge),
			"allowed": currency(charge - write_off),
			"paid": currency(paid),
			"other_patient_responsibility": currency(owes),
			"write_off": currency(0 if status == adjudication.STATUS_DENIED else write_off),
			"denied_amount": currency(write_off if status == adjudication.STATUS_DENIED else 0),
			"open_balance": currency(charge if status == adjudication.STATUS_DENIED else 0),
			"payer_claim_number": before.payer_claim_number if before else "",
			"adjustment_codes": (
				f"CO-45 {write_off}" if write_off and status != adjudication.STATUS_DENIED else ""
			)
			or (f"CO-50 {write_off}" if status == adjudication.STATUS_DENIED else ""),
		}
		doc.append("claims", values)
		for line in lines:
			line.claim_row = index


def open_services(payer: str, from_date=None, to_date=None) -> list[dict]:
	"""Services on this payer's sent, unpaid claims (optionally within dates of service)."""
	conditions = [
		"claim.docstatus = 1",
		"claim.payer = %(payer)s",
		"claim.status in %(statuses)s",
		"claim.balance > 0",
	]
	values = {"payer": payer, "statuses": OPEN_STATUSES}
	if from_date:
		conditions.append("line.date_of_service >= %(from_date)s")
		values["from_date"] = getdate(from_date)
	if to_date:
		conditions.append("line.date_of_service <= %(to_date)s")
		values["to_date"] = getdate(to_date)
	return frappe.db.sql(
		f"""
		select claim.name as claim, claim.patient_doctype, claim.patient, line.billable_service,
			line.procedure_code, line.modifiers, line.date_of_service, line.charge
		from `tabInsurance Claim Service` line
		join `tab{CLAIM}` claim on claim.name = line.parent and line.parenttype = '{CLAIM}'
		where {" and ".join(conditions)}
		order by line.date_of_service, claim.name, line.idx
		limit 500
		""",
		values,
		as_dict=True,
	)


def new_manual_payment(payer: str, payment_date, reference: str, lines: list[dict], method: str = "Check"):
	"""An Insurance Payment (draft) for a paper EOB; ``lines``: billable_service, paid, client_owes."""
	found = []
	services = {row.billable_service: row for row in open_services(payer)}
	rows = []
	for number, line in enumerate(lines, start=1):
		service = line.get("billable_service")
		info = services.get(service)
		if info is None:
			found.append(
				_("Line {0}: service {1} is not on an open claim of this payer.").format(
					number, service or "-"
				)
			)
			continue
		paid, owes = line.get("paid"), line.get("client_owes")
		if _blank(paid):
			found.append(_("Line {0}: enter Insurance Paid (0 if the payer paid nothing).").format(number))
		if _blank(owes):
			found.append(_("Line {0}: enter Client Owes (0 if the client owes nothing).").format(number))
		rows.append(
			{
				"insurance_claim": info.claim,
				"billable_service": service,
				"procedure_code": info.procedure_code,
				"modifiers": info.modifiers,
				"date_of_service": info.date_of_service,
				"charge": info.charge,
				"paid": None if _blank(paid) else money(paid),
				"patient_responsibility": None if _blank(owes) else money(owes),
			}
		)
	if found:
		from claims_billing.problems import throw_problems

		throw_problems(found, _("The EOB can't be entered"))
	doc = frappe.get_doc(
		{
			"doctype": "Insurance Payment",
			"source": "Manual",
			"payer": payer,
			"payment_date": getdate(payment_date),
			"payment_method": method,
			"trace_number": reference,
			"amount": currency(sum((money(r["paid"]) for r in rows), ZERO)),
			"services": rows,
		}
	)
	doc.insert()
	return doc
