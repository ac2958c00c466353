"""Insurance Payment documents as the core's data, and the core's breakdowns as document rows.

The one place that maps them, both ways:

* ``claim_row`` / ``service_rows``: an adjudicated claim payment (``core.adjudication``) as the
  rows of an Insurance Payment (amounts, codes, reasons in words);
* ``remittance_for_posting``: the document's rows as a ``Remittance`` for ``plan_posting``. The
  rows are the truth at posting time (staff may have matched or corrected them), so the claim
  payments are rebuilt from the row amounts: one CAS per bucket (PR-1/2/3, PR other, CO, OA, PI).

A zero-pay denial moves no money: its row keeps the codes and reasons, and its amounts stay open
on the claim (``open_balance`` = charge) for the denials worklist to decide.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from frappe.utils import flt, getdate

from claims_billing.core import adjudication
from claims_billing.core.adjudication import AdjustmentDetail, ClaimBreakdown
from claims_billing.x12.claim import Adjustment
from claims_billing.x12.remittance import (
	CLAIM_STATUS_DENIED,
	CLAIM_STATUS_PRIMARY,
	CLAIM_STATUS_REVERSAL,
	ClaimPayment,
	ProviderAdjustment,
	Remittance,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MATCHED = "Matched"
SUGGESTED = "Suggested"
UNMATCHED = "Unmatched"
MANUAL = "Manual"
# Row amounts (Currency fields of Insurance Payment Claim).
CLAIM_AMOUNTS = (
	"charge",
	"adjudicated_charge",
	"allowed",
	"paid",
	"deductible",
	"coinsurance",
	"copay",
	"other_patient_responsibility",
	"patient_responsibility",
	"write_off",
	"other_adjustments",
	"payer_initiated",
	"open_balance",
)
# Synthetic CAS reasons of rebuilt claim payments; only their groups and amounts matter to posting.
_OTHER_PR_REASON = "142"  # any PR reason but 1, 2 and 3
_BUCKET_REASON = "45"
PRIOR_PAYER_REASON = "23"  # CARC 23: the impact of prior payer(s) adjudication


def money(value) -> Decimal:
	return Decimal(str(flt(value or 0, 2))).quantize(CENT)


def currency(value: Decimal) -> float:
	return flt(value, 2)


def describe_adjustments(adjustments: list[AdjustmentDetail]) -> str:
	"""'CO-45 30.00; PR-2 10.00': group, CARC and amount of each CAS."""
	return "; ".join(f"{a.group}-{a.reason} {a.amount}" for a in adjustments)


def reasons_in_words(breakdown) -> str:
	"""Each adjustment reason and remark once, with its text (CARC/RARC descriptions)."""
	lines = []
	for adjustment in breakdown.adjustments:
		line = f"{adjustment.group}-{adjustment.reason}: {adjustment.description}"
		if line not in lines:
			lines.append(line)
	for remark in breakdown.remarks:
		line = f"{remark.code}: {remark.description}"
		if line not in lines:
			lines.append(line)
	return "\n".join(lines)


def is_zero_pay_denial(breakdown: ClaimBreakdown) -> bool:
	return (
		breakdown.status == adjudication.STATUS_DENIED
		and breakdown.paid == 0
		and breakdown.patient_responsibility == 0
	)


def claim_row(
	breakdown: ClaimBreakdown,
	*,
	insurance_claim: str | None,
	match_status: str,
	match_reason: str = "",
	payment_index: int = 0,
) -> dict:
	"""The Insurance Payment Claim row of one adjudicated claim payment."""
	other = breakdown.other_adjustments_by_group()
	payer_initiated = other.pop(adjudication.GROUP_PAYER_INITIATED, ZERO)
	row = {
		"insurance_claim": insurance_claim,
		"claim_id": breakdown.claim_id[:140],
		"payer_claim_number": breakdown.payer_claim_number[:140],
		"status_code": breakdown.status_code,
		"match_status": match_status,
		"match_reason": match_reason,
		"reversal": 1 if breakdown.status == adjudication.STATUS_REVERSED else 0,
		"forwarded": 1 if breakdown.forwarded else 0,
		"forwarded_to": (breakdown.forwarded_to_name or breakdown.forwarded_to_id)[:140],
		"adjustment_codes": describe_adjustments(breakdown.adjustments),
		"remark_codes": " ".join(dict.fromkeys(r.code for r in breakdown.remarks))[:140],
		"reason": reasons_in_words(breakdown),
		"payment_index": payment_index,
		"adjudication_status": breakdown.status,
	}
	amounts = {
		"charge": breakdown.charge,
		"adjudicated_charge": breakdown.adjudicated_charge,
		"allowed": breakdown.allowed,
		"paid": breakdown.paid,
		"deductible": breakdown.deductible,
		"coinsurance": breakdown.coinsurance,
		"copay": breakdown.copay,
		"other_patient_responsibility": breakdown.other_patient_responsibility,
		"patient_responsibility": breakdown.patient_responsibility,
		"write_off": breakdown.contractual,
		"other_adjustments": sum(other.values(), ZERO),
		"payer_initiated": payer_initiated,
		"open_balance": breakdown.open_balance,
	}
	if is_zero_pay_denial(breakdown):
		# Nothing moves: the denied charge stays open until staff resubmit, appeal or write it off.
		row["denied_amount"] = currency(breakdown.adjudicated - breakdown.paid)
		for name in ("write_off", "other_adjustments", "payer_initiated"):
			amounts[name] = ZERO
		amounts["open_balance"] = breakdown.charge
	row.update({name: currency(value) for name, value in amounts.items()})
	return row


def service_rows(
	breakdown: ClaimBreakdown, *, claim_row_index: int, insurance_claim: str | None, services: dict
) -> list[dict]:
	"""One row per SVC; ``services`` maps the SVC's 1-based number to (billable service, how matched)."""
	rows = []
	for line in breakdown.services:
		service, level = services.get(line.service, (None, ""))
		other = line.other_adjustment_total
		rows.append(
			{
				"insurance_claim": insurance_claim,
				"billable_service": service,
				"claim_row": claim_row_index,
				"procedure_code": line.procedure_code[:140],
				"modifiers": " ".join(line.modifiers)[:140],
				"date_of_service": line.service_date,
				"match_level": level[:140],
				"charge": currency(line.charge),
				"allowed": currency(line.allowed),
				"paid": currency(line.paid),
				"patient_responsibility": currency(line.patient_responsibility),
				"write_off": currency(line.contractual),
				"other_adjustments": currency(other),
				"adjustment_codes": describe_adjustments(line.adjustments),
				"remark_codes": " ".join(r.code for r in line.remarks)[:140],
			}
		)
	return rows


# --- document -> core --------------------------------------------------------------------------


@dataclass
class PostingInput:
	"""What ``plan_posting`` needs, and which document row each claim payment came from."""

	remittance: Remittance
	claim_ids: list[str | None]
	billed_charges: dict[str, Decimal]
	row_of_payment: list  # the Insurance Payment Claim row of each claim payment


def row_is_zero_pay_denial(row) -> bool:
	return (
		not row.reversal
		and money(row.paid) == 0
		and row_patient_responsibility(row) == 0
		and (row.adjudication_status == adjudication.STATUS_DENIED or row.status_code == CLAIM_STATUS_DENIED)
	)


def row_patient_responsibility(row) -> Decimal:
	return (
		money(row.deductible)
		+ money(row.coinsurance)
		+ money(row.copay)
		+ money(row.other_patient_responsibility)
	)


def claim_payment_from_row(row) -> ClaimPayment:
	"""A claim payment carrying exactly the row's amounts, one CAS per bucket."""
	adjustments = [
		Adjustment(group, reason, amount)
		for group, reason, amount in (
			("PR", adjudication.CARC_DEDUCTIBLE, money(row.deductible)),
			("PR", adjudication.CARC_COINSURANCE, money(row.coinsurance)),
			("PR", adjudication.CARC_COPAY, money(row.copay)),
			("PR", _OTHER_PR_REASON, money(row.other_patient_responsibility)),
			("CO", _BUCKET_REASON, money(row.write_off)),
			("OA", _BUCKET_REASON, money(row.other_adjustments)),
			("PI", _BUCKET_REASON, money(row.payer_initiated)),
		)
		if amount
	]
	adjusted = sum((a.amount for a in adjustments), ZERO)
	charge = money(row.adjudicated_charge) if row.adjudicated_charge else money(row.paid) + adjusted
	status = CLAIM_STATUS_REVERSAL if row.reversal else (row.status_code or CLAIM_STATUS_PRIMARY)
	return ClaimPayment(
		claim_id=row.claim_id or row.insurance_claim or "",
		status_code=status,
		charge=charge,
		paid=money(row.paid),
		patient_responsibility=row_patient_responsibility(row),
		payer_claim_number=row.payer_claim_number or "",
		adjustments=adjustments,
		crossover_payer_name=(row.forwarded_to or "forwarded") if row.forwarded else "",
	)


def provider_adjustment_from_row(row) -> ProviderAdjustment:
	return ProviderAdjustment(
		provider_id=row.provider_id or "",
		fiscal_period_date=getdate(row.fiscal_period_date) if row.fiscal_period_date else None,
		reason_code=(row.reason_code or "").strip().upper(),
		reference=row.reference or "",
		amount=money(row.amount),
	)


def remittance_for_posting(doc) -> PostingInput:
	"""The document as one remittance; zero-pay denials are left out (they move no money)."""
	payments, claim_ids, rows = [], [], []
	billed: dict[str, Decimal] = {}
	for row in doc.claims:
		if row_is_zero_pay_denial(row):
			continue
		payments.append(claim_payment_from_row(row))
		claim_ids.append(row.insurance_claim or None)
		rows.append(row)
		if row.insurance_claim and not row.reversal:
			billed[row.insurance_claim] = billed.get(row.insurance_claim, ZERO) + money(row.charge)
	amount = money(doc.amount)
	remittance = Remittance(
		control_number=doc.name or "",
		handling_code="I",
		amount=abs(amount),
		credit_debit="D" if amount < 0 else "C",
		method=doc.payment_method or "",
		payment_date=getdate(doc.payment_date) if doc.payment_date else None,
		trace_number=doc.trace_number or doc.name or "",
		payer_id=doc.era_payer_id or doc.payer or "",
		claims=payments,
		provider_adjustments=[provider_adjustment_from_row(r) for r in doc.provider_adjustments],
	)
	return PostingInput(remittance, claim_ids, billed, rows)


def plb_row(adjustment: ProviderAdjustment) -> dict:
	posting = adjudication.classify_provider_adjustment(adjustment)
	return {
		"provider_id": posting.provider_id[:140],
		"fiscal_period_date": posting.fiscal_period_date,
		"reason_code": posting.reason_code,
		"reference": posting.reference[:140],
		"amount": currency(posting.amount),
		"category": posting.category,
		"description": posting.description[:140],
	}


def payment_date_of(remittance: Remittance) -> datetime.date | None:
	return remittance.payment_date or remittance.production_date
