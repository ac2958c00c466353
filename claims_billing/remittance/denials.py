"""The denials worklist: denied and partly denied claims, the reason in words, a next action.

A posting opens one Claim Denial per zero-pay denial (the whole charge stays open on the claim)
and per partly denied claim (some lines paid nothing). ``suggest_next_action`` proposes a step
from the adjustment codes; staff assign the row and set a due date, then act from the list:
resubmit (a corrected claim, ``claims.api.duplicate_and_resubmit``), appeal (recorded, the claim
waits for the payer's new answer) or write off (a Journal Entry for what is still open).
"""

from __future__ import annotations

import re
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import add_days, getdate, today

from claims_billing.remittance import payment_data
from claims_billing.remittance.payment_data import ZERO, money

DENIAL = "Claim Denial"
OPEN = "Open"
DUE_IN_DAYS = 14
ACTION_RESUBMIT = "Correct and Resubmit"
ACTION_BILL_PATIENT = "Bill Patient"
ACTION_APPEAL = "Appeal"
ACTION_WRITE_OFF = "Write Off"
# CARCs that say the claim itself was wrong or incomplete: fix it and send it again.
RESUBMIT_REASONS = frozenset(
	{"4", "5", "6", "7", "8", "9", "10", "11", "15", "16", "125", "146", "181", "182", "206"}
)
# CARCs with nothing left to gain: too late, a duplicate, or settled elsewhere.
WRITE_OFF_REASONS = frozenset({"18", "29", "119", "B13"})
_CODE = re.compile(r"\b(CO|OA|PI|PR|CR)-([A-Z0-9]+)\b")


def suggest_next_action(adjustment_codes: str) -> str:
	"""The next step for a denial from its 'GROUP-CARC amount' codes."""
	codes = _CODE.findall(adjustment_codes or "")
	if any(group == "PR" for group, _reason in codes):
		return ACTION_BILL_PATIENT
	reasons = {reason for _group, reason in codes}
	if reasons & WRITE_OFF_REASONS:
		return ACTION_WRITE_OFF
	if reasons & RESUBMIT_REASONS:
		return ACTION_RESUBMIT
	return ACTION_APPEAL


def _denied_lines(doc, row) -> Decimal:
	"""What the lines the payer paid nothing on were adjusted by (partly denied claims)."""
	total = ZERO
	for line in doc.services:
		if line.claim_row != row.idx or money(line.paid) or money(line.patient_responsibility):
			continue
		total += money(line.write_off) + money(line.other_adjustments)
	return total


def open_denials(doc, claims: dict) -> list[str]:
	created = []
	for row in doc.claims:
		if not row.insurance_claim or row.reversal:
			continue
		if payment_data.row_is_zero_pay_denial(row):
			kind, amount = "Denied", money(row.charge)
		elif money(row.paid) > 0 and (denied := _denied_lines(doc, row)) > 0:
			kind, amount = "Partially Denied", denied
		else:
			continue
		info = claims.get(row.insurance_claim)
		denial = frappe.get_doc(
			{
				"doctype": DENIAL,
				"insurance_claim": row.insurance_claim,
				"payer": info.payer if info else doc.payer,
				"insurance_payment": doc.name,
				"denial_kind": kind,
				"status": OPEN,
				"denied_amount": payment_data.currency(amount),
				"date_denied": getdate(doc.payment_date),
				"reason_codes": " ".join(
					dict.fromkeys(f"{g}-{r}" for g, r in _CODE.findall(row.adjustment_codes or ""))
				)[:140],
				"reason": row.reason or row.adjustment_codes,
				"next_action": suggest_next_action(row.adjustment_codes),
				"due_date": add_days(getdate(today()), DUE_IN_DAYS),
			}
		)
		denial.flags.ignore_permissions = True
		denial.insert()
		created.append(denial.name)
	return created


def remove_denials(doc) -> None:
	"""Cancelling the payment takes back its denials, unless staff already acted on one."""
	for denial in frappe.get_all(DENIAL, filters={"insurance_payment": doc.name}, fields=["name", "status"]):
		if denial.status != OPEN:
			frappe.throw(
				_("Denial {0} of this payment was already worked ({1}); undo that first.").format(
					denial.name, _(denial.status)
				)
			)
		frappe.delete_doc(DENIAL, denial.name, ignore_permissions=True, force=True)


def _open_denial(name: str):
	denial = frappe.get_doc(DENIAL, name)
	denial.check_permission("write")
	if denial.status != OPEN:
		frappe.throw(_("Denial {0} is already {1}.").format(name, _(denial.status)))
	return denial


def resubmit(name: str) -> str:
	from claims_billing.claims.api import duplicate_and_resubmit

	denial = _open_denial(name)
	corrected = duplicate_and_resubmit(denial.insurance_claim)
	denial.db_set(
		{
			"status": "Resubmitted",
			"corrected_claim": corrected,
			"resolution": _("Corrected claim {0} created.").format(corrected),
		}
	)
	return corrected


def appeal(name: str, note: str = "") -> None:
	denial = _open_denial(name)
	denial.db_set(
		{
			"status": "Appealed",
			"resolution": (note or _("Appeal sent to the payer.")).strip(),
			"due_date": add_days(getdate(today()), 30),
		}
	)


def write_off(name: str, reason: str = "") -> str | None:
	"""Write off what is still open on the claim (a Journal Entry), and close the claim's denial."""
	from claims_billing.accounting import remittance as books
	from claims_billing.accounting.claims import payer_customer
	from claims_billing.remittance.posting import _claims_info, _receivable, set_balances

	denial = _open_denial(name)
	info = _claims_info([denial.insurance_claim])[denial.insurance_claim]
	balance = money(info.balance)
	entry = None
	if balance > 0:
		ledger = books.ClaimLedger(
			claim=info.name, payer_customer=payer_customer(info.payer), receivable=_receivable(info)
		)
		entry = books.write_off_claim_balance(
			ledger,
			balance,
			_("Denial {0} of claim {1} written off. {2}").format(denial.name, info.name, reason or ""),
		)
		set_balances({info.name: ZERO})
	denial.db_set(
		{
			"status": "Written Off",
			"journal_entry": entry,
			"written_off_amount": payment_data.currency(balance if entry else ZERO),
			"resolution": (reason or _("Written off.")).strip(),
		}
	)
	return entry
