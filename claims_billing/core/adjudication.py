"""Adjudication arithmetic: what one 835 claim payment means for the books.

``adjudicate(payment)`` turns one CLP loop into a ``ClaimBreakdown``: insurance paid (CLP04), patient
responsibility split into deductible (PR-1), coinsurance (PR-2), copay (PR-3) and other PR reasons,
the contractual write-off (every CO adjustment), other adjustments (OA, PI and the old CR group) with
their reason and remark codes described, the allowed amount, the open balance and the claim's new
status. Claim-level and line-level CAS are both summed: the TR3 puts each adjustment at one level
only, so adding both never counts one twice. The same breakdown exists per service line.

The invariant, checked on every breakdown and exposed as ``unaccounted`` (always zero)::

    charge = paid + patient responsibility + contractual + other adjustments + open balance

``open_balance`` is the part of the charge this payment leaves on the payer's receivable: the part the
payer did not adjudicate (our billed charge minus CLP03, when the billed charge is given) plus any
amount by which the 835 itself does not balance (CLP03 - CLP04 differs from the sum of its CAS).
The latter is never forced away; it is reported as a ``Problem`` with code ``era-unbalanced``.

Reversals (CLP02 22, every amount negated) and negative adjustments (a payer giving back) use the
same arithmetic with signed amounts. ``reverse_and_correct`` pairs a reversal and its corrected
claim payment with the earlier posting. ``classify_provider_adjustment`` sorts PLB adjustments into
posting categories, ``check_payment`` checks sum(CLP04) - sum(PLB) = BPR02, and ``plan_posting``
turns one whole remittance into a balanced ``PostingPlan``.

Accounting (signed amounts; a negative debit is a credit, as in a reversal)::

    Bank (cash received, BPR02)                        debit   cash
    Insurance receivable of the claim's payer          credit  paid + CO + OA/PI/CR + PR
    Contractual write-off (CO)                          debit   CO
    Other adjustment accounts (OA, PI, CR: one each)    debit   that group's adjustments
    Patient receivable (PR)                             debit   PR moved to the patient
      (next payer's receivable instead, when the claim was forwarded or has another payer)
    PLB: positive amount (reduces the payment)          debit   its category account
         e.g. WO overpayment recovery: debit the overpayment/refund liability (or the receivable)
    PLB: negative amount (increases the payment)        credit  its category account
         e.g. L6 interest: credit interest income
    Claim payment that matched none of our claims       credit  unapplied payments (suspense)

The claim's open balance is not posted: it stays on the insurance receivable. Debits equal credits
exactly when sum(CLP04) - sum(PLB) = BPR02.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from claims_billing.core.code_lists import describe_carc, describe_rarc
from claims_billing.x12.claim import Adjustment
from claims_billing.x12.errors import Problem
from claims_billing.x12.remittance import (
	CLAIM_STATUS_DENIED,
	ClaimPayment,
	ProviderAdjustment,
	Remittance,
	ServicePayment,
)

_ZERO = Decimal(0)

# Claim (and line) status after posting one claim payment.
STATUS_PAID = "Paid"  # paid > 0 and nothing left open
STATUS_PARTIALLY_PAID = "Partially Paid"  # paid > 0, part of the charge still open
STATUS_DENIED = "Denied"  # CLP02 4, or nothing paid and nothing for the patient to pay
STATUS_PATIENT_RESPONSIBILITY = "Patient Responsibility"  # nothing paid, all to the patient (deductible)
STATUS_REVERSED = "Reversed"  # CLP02 22: the payer took back an earlier payment
STATUS_FORWARDED = "Forwarded"  # CLP02 19/20/21 or NM1*TT: the payer sent the claim to the next payer
STATUS_RECOUPED = "Recouped"  # a negative payment that is not a reversal: the payer took money back

# Adjustment groups (CAS01).
GROUP_CONTRACTUAL = "CO"
GROUP_PATIENT = "PR"
GROUP_OTHER = "OA"
GROUP_PAYER_INITIATED = "PI"
GROUP_CORRECTION = "CR"  # 4010 only; old remittances still carry it
KNOWN_GROUPS = frozenset(
	{GROUP_CONTRACTUAL, GROUP_PATIENT, GROUP_OTHER, GROUP_PAYER_INITIATED, GROUP_CORRECTION}
)

# Patient responsibility reasons (CARC) with their own bucket.
CARC_DEDUCTIBLE = "1"
CARC_COINSURANCE = "2"
CARC_COPAY = "3"

# Account categories of a posting plan; settings map each to an ERPNext account.
ACCOUNT_BANK = "bank"
ACCOUNT_INSURANCE_RECEIVABLE = "insurance_receivable"
ACCOUNT_PATIENT_RECEIVABLE = "patient_receivable"
ACCOUNT_NEXT_PAYER_RECEIVABLE = "next_payer_receivable"
ACCOUNT_CONTRACTUAL_WRITE_OFF = "contractual_write_off"
ACCOUNT_UNAPPLIED_PAYMENTS = "unapplied_payments"
# Other adjustments, one account category per group.
OTHER_ADJUSTMENT_ACCOUNTS = {
	GROUP_OTHER: "other_adjustment",
	GROUP_PAYER_INITIATED: "payer_initiated_reduction",
	GROUP_CORRECTION: "correction_adjustment",
}
ACCOUNT_UNKNOWN_ADJUSTMENT = "unknown_adjustment"  # a CAS group outside the X12 list

# Where patient responsibility goes.
TO_PATIENT = "patient"
TO_NEXT_PAYER = "next payer"


# --- provider-level adjustments (PLB) ----------------------------------------------------------

# PLB posting categories, each mapped by settings to an account.
PLB_INTEREST = "interest_income"
PLB_OVERPAYMENT_RECOVERY = "overpayment_recovery"
PLB_FORWARDING_BALANCE = "forwarding_balance"
PLB_WITHHOLDING = "withholding"
PLB_FEE = "provider_fee"
PLB_INCENTIVE = "incentive_income"
PLB_CAPITATION = "capitation_income"
PLB_SETTLEMENT = "settlement"
PLB_OTHER = "provider_adjustment_other"

PLB_CATEGORY_DESCRIPTIONS = {
	PLB_INTEREST: "Interest the payer adds for paying late (income)",
	PLB_OVERPAYMENT_RECOVERY: "Money the payer keeps back for earlier overpayments or refunds",
	PLB_FORWARDING_BALANCE: "Balance the payer carries from one remittance to a later one",
	PLB_WITHHOLDING: "Amounts withheld for third parties: tax, levies, loan repayments",
	PLB_FEE: "Fees, penalties and discounts charged to the provider",
	PLB_INCENTIVE: "Bonuses, incentives and rebates paid to the provider",
	PLB_CAPITATION: "Capitation payments",
	PLB_SETTLEMENT: "Interim payments, settlements and pass-through amounts",
	PLB_OTHER: "Other provider adjustments: staff decide where they go",
}


@dataclass(frozen=True, slots=True)
class ProviderAdjustmentReason:
	"""One PLB03-1 reason code: its plain meaning and the posting category it belongs to."""

	code: str
	description: str
	category: str


def _reasons(*rows: tuple[str, str, str]) -> dict[str, ProviderAdjustmentReason]:
	return {
		code: ProviderAdjustmentReason(code, description, category) for code, description, category in rows
	}


# X12 provider adjustment reason codes (element 426) valid in 005010X221A1, described in plain words.
PLB_REASONS: Mapping[str, ProviderAdjustmentReason] = _reasons(
	("50", "Late charge the payer applies to the provider", PLB_FEE),
	("51", "Interest penalty charged to the provider", PLB_FEE),
	("72", "Authorized return: money the provider refunded, applied here", PLB_OVERPAYMENT_RECOVERY),
	("90", "Early payment allowance (discount for early payment)", PLB_FEE),
	("AH", "Origination fee", PLB_FEE),
	("AM", "Applied to the borrower's account", PLB_WITHHOLDING),
	("AP", "Acceleration of benefits (advance payment)", PLB_SETTLEMENT),
	("B2", "Rebate", PLB_INCENTIVE),
	("B3", "Recovery allowance", PLB_OTHER),
	("BD", "Bad debt adjustment", PLB_SETTLEMENT),
	("BN", "Bonus", PLB_INCENTIVE),
	("C5", "Temporary allowance", PLB_SETTLEMENT),
	("CR", "Capitation interest", PLB_INTEREST),
	("CS", "Adjustment (see the reference for the reason)", PLB_OTHER),
	("CT", "Capitation payment", PLB_CAPITATION),
	("CV", "Capital pass-through", PLB_SETTLEMENT),
	("CW", "Certified registered nurse anesthetist pass-through", PLB_SETTLEMENT),
	("DM", "Direct medical education pass-through", PLB_SETTLEMENT),
	("E3", "Withholding", PLB_WITHHOLDING),
	("FB", "Forwarding balance carried to or from another remittance", PLB_FORWARDING_BALANCE),
	("FC", "Fund allocation", PLB_SETTLEMENT),
	("GO", "Graduate medical education pass-through", PLB_SETTLEMENT),
	("HM", "Hemophilia clotting factor supplement", PLB_SETTLEMENT),
	("IP", "Incentive premium payment", PLB_INCENTIVE),
	("IR", "Internal Revenue Service withholding", PLB_WITHHOLDING),
	("IS", "Interim settlement", PLB_SETTLEMENT),
	("J1", "Nonreimbursable amount", PLB_OTHER),
	("L3", "Penalty", PLB_FEE),
	("L6", "Interest owed to the provider for late payment", PLB_INTEREST),
	("LE", "Levy (garnishment)", PLB_WITHHOLDING),
	("LS", "Lump sum", PLB_SETTLEMENT),
	("OA", "Organ acquisition pass-through", PLB_SETTLEMENT),
	("OB", "Offset for affiliated providers", PLB_OVERPAYMENT_RECOVERY),
	("PI", "Periodic interim payment", PLB_SETTLEMENT),
	("PL", "Final payment", PLB_SETTLEMENT),
	("RA", "Retroactivity adjustment", PLB_SETTLEMENT),
	("RE", "Return on equity", PLB_SETTLEMENT),
	("SL", "Student loan repayment", PLB_WITHHOLDING),
	("TL", "Third party liability recovery", PLB_OVERPAYMENT_RECOVERY),
	("WO", "Overpayment recovery", PLB_OVERPAYMENT_RECOVERY),
	("WU", "Unspecified recovery", PLB_OVERPAYMENT_RECOVERY),
)


@dataclass(frozen=True, slots=True)
class ProviderAdjustmentPosting:
	"""One PLB adjustment ready to post.

	``amount`` is as sent: positive reduces the payment (debit the category account), negative
	increases it (credit the category account). ``payment_effect`` is its effect on the cash: -amount.
	"""

	provider_id: str
	fiscal_period_date: datetime.date | None
	reason_code: str
	reference: str
	amount: Decimal
	description: str
	category: str

	@property
	def payment_effect(self) -> Decimal:
		return -self.amount


def classify_provider_adjustment(adjustment: ProviderAdjustment) -> ProviderAdjustmentPosting:
	"""The posting category of one PLB adjustment; unknown reason codes land in ``PLB_OTHER``."""
	code = adjustment.reason_code.strip().upper()
	reason = PLB_REASONS.get(code)
	if reason is None:
		description, category = f"Unknown provider adjustment reason {code!r}", PLB_OTHER
	else:
		description, category = reason.description, reason.category
	return ProviderAdjustmentPosting(
		provider_id=adjustment.provider_id,
		fiscal_period_date=adjustment.fiscal_period_date,
		reason_code=code,
		reference=adjustment.reference,
		amount=adjustment.amount,
		description=description,
		category=category,
	)


# --- breakdowns --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdjustmentDetail:
	"""One CAS triplet with its reason described; ``service`` is the 1-based SVC, None at claim level."""

	group: str
	reason: str
	amount: Decimal
	description: str
	service: int | None = None
	quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Remark:
	"""A remark code (RARC) from MIA/MOA (claim) or LQ*HE (``service``, 1-based) with its text."""

	code: str
	description: str
	service: int | None = None


@dataclass(frozen=True, slots=True)
class Figures:
	"""The amounts of a breakdown, which add and negate: the net of a reversal and its correction."""

	charge: Decimal = _ZERO
	paid: Decimal = _ZERO
	deductible: Decimal = _ZERO
	coinsurance: Decimal = _ZERO
	copay: Decimal = _ZERO
	other_patient_responsibility: Decimal = _ZERO
	contractual: Decimal = _ZERO
	other_adjustments: Decimal = _ZERO
	open_balance: Decimal = _ZERO
	allowed: Decimal = _ZERO

	def __add__(self, other: Figures) -> Figures:
		return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in dataclasses.fields(self)))

	def __neg__(self) -> Figures:
		return Figures(*(-getattr(self, f.name) for f in dataclasses.fields(self)))

	@property
	def patient_responsibility(self) -> Decimal:
		return self.deductible + self.coinsurance + self.copay + self.other_patient_responsibility

	@property
	def unaccounted(self) -> Decimal:
		"""charge - (paid + patient responsibility + contractual + other + open balance): always 0."""
		return self.charge - (
			self.paid
			+ self.patient_responsibility
			+ self.contractual
			+ self.other_adjustments
			+ self.open_balance
		)


@dataclass(kw_only=True)
class Breakdown:
	"""How one claim or service line splits, in Decimal; see the module docstring for the invariant."""

	charge: Decimal
	paid: Decimal
	deductible: Decimal = _ZERO
	coinsurance: Decimal = _ZERO
	copay: Decimal = _ZERO
	other_patient_responsibility: Decimal = _ZERO
	contractual: Decimal = _ZERO
	other_adjustments: list[AdjustmentDetail] = field(default_factory=list)  # OA, PI, CR (and unknown)
	allowed: Decimal = _ZERO
	open_balance: Decimal = _ZERO
	status: str = ""
	adjustments: list[AdjustmentDetail] = field(default_factory=list)  # every CAS, described
	remarks: list[Remark] = field(default_factory=list)
	problems: list[Problem] = field(default_factory=list)

	@property
	def patient_responsibility(self) -> Decimal:
		return self.deductible + self.coinsurance + self.copay + self.other_patient_responsibility

	@property
	def other_adjustment_total(self) -> Decimal:
		return sum((a.amount for a in self.other_adjustments), _ZERO)

	@property
	def adjudicated(self) -> Decimal:
		"""The part of the charge this payment settles: paid + PR + contractual + other adjustments."""
		return self.paid + self.patient_responsibility + self.contractual + self.other_adjustment_total

	@property
	def unaccounted(self) -> Decimal:
		return self.figures().unaccounted

	@property
	def balanced(self) -> bool:
		"""True when the invariant holds and nothing is left open."""
		return self.unaccounted == 0 and self.open_balance == 0

	def figures(self) -> Figures:
		return Figures(
			charge=self.charge,
			paid=self.paid,
			deductible=self.deductible,
			coinsurance=self.coinsurance,
			copay=self.copay,
			other_patient_responsibility=self.other_patient_responsibility,
			contractual=self.contractual,
			other_adjustments=self.other_adjustment_total,
			open_balance=self.open_balance,
			allowed=self.allowed,
		)

	def other_adjustments_by_group(self) -> dict[str, Decimal]:
		totals: dict[str, Decimal] = {}
		for adjustment in self.other_adjustments:
			totals[adjustment.group] = totals.get(adjustment.group, _ZERO) + adjustment.amount
		return totals


@dataclass(kw_only=True)
class ServiceBreakdown(Breakdown):
	"""One SVC line; ``service`` is its 1-based position in the claim payment."""

	service: int
	procedure_code: str
	modifiers: list[str] = field(default_factory=list)
	submitted_procedure_code: str = ""
	line_control_number: str = ""
	service_date: datetime.date | None = None


@dataclass(kw_only=True)
class ClaimBreakdown(Breakdown):
	"""One CLP claim payment. ``charge`` is our billed charge when given, else CLP03."""

	claim_id: str  # CLP01
	status_code: str  # CLP02
	payer_claim_number: str = ""  # CLP07
	adjudicated_charge: Decimal = _ZERO  # CLP03
	reported_patient_responsibility: Decimal = _ZERO  # CLP05
	era_difference: Decimal = _ZERO  # CLP03 - CLP04 - sum of CAS: 0 when the 835 balances
	forwarded: bool = False  # the payer sent the claim to the next payer: do not bill it again
	forwarded_to_name: str = ""
	forwarded_to_id: str = ""
	services: list[ServiceBreakdown] = field(default_factory=list)

	def negated(self) -> ClaimBreakdown:
		"""This posting undone, lines included: every amount negated (what to reverse when taken back)."""
		return _negated(self)


_NEGATED_AMOUNTS = (
	"charge",
	"paid",
	"deductible",
	"coinsurance",
	"copay",
	"other_patient_responsibility",
	"contractual",
	"allowed",
	"open_balance",
)


def _negated(breakdown: Breakdown):
	changes: dict = {name: -getattr(breakdown, name) for name in _NEGATED_AMOUNTS}
	changes.update(
		other_adjustments=[_negated_detail(a) for a in breakdown.other_adjustments],
		adjustments=[_negated_detail(a) for a in breakdown.adjustments],
		remarks=list(breakdown.remarks),
		problems=[],
		status=STATUS_REVERSED,
	)
	if isinstance(breakdown, ClaimBreakdown):
		changes.update(
			adjudicated_charge=-breakdown.adjudicated_charge,
			reported_patient_responsibility=-breakdown.reported_patient_responsibility,
			era_difference=-breakdown.era_difference,
			services=[_negated(line) for line in breakdown.services],
		)
	return dataclasses.replace(breakdown, **changes)


def _negated_detail(detail: AdjustmentDetail) -> AdjustmentDetail:
	return dataclasses.replace(detail, amount=-detail.amount)


def _detail(adjustment: Adjustment, service: int | None) -> AdjustmentDetail:
	group = adjustment.group.strip().upper()
	reason = adjustment.reason.strip().upper()
	return AdjustmentDetail(
		group=group,
		reason=reason,
		amount=adjustment.amount,
		description=describe_carc(reason) or f"Unknown adjustment reason {reason}",
		service=service,
		quantity=adjustment.quantity,
	)


def _remark(code: str, service: int | None) -> Remark:
	return Remark(code, describe_rarc(code) or f"Unknown remark code {code}", service)


def _fill(breakdown: Breakdown, details: list[AdjustmentDetail], path: str, report: bool = True) -> Decimal:
	"""Sort ``details`` into the breakdown's buckets; the total of all of them.

	``report``: add a problem for an unknown group (off when the line has reported it already).
	"""
	total = _ZERO
	for detail in details:
		total += detail.amount
		if detail.group == GROUP_PATIENT:
			if detail.reason == CARC_DEDUCTIBLE:
				breakdown.deductible += detail.amount
			elif detail.reason == CARC_COINSURANCE:
				breakdown.coinsurance += detail.amount
			elif detail.reason == CARC_COPAY:
				breakdown.copay += detail.amount
			else:
				breakdown.other_patient_responsibility += detail.amount
		elif detail.group == GROUP_CONTRACTUAL:
			breakdown.contractual += detail.amount
		else:
			breakdown.other_adjustments.append(detail)
			if report and detail.group not in KNOWN_GROUPS:
				breakdown.problems.append(
					Problem(
						path,
						f"adjustment group {detail.group!r} (reason {detail.reason}, {detail.amount}) is not "
						"CO, PR, OA, PI or CR; it is posted as an other adjustment",
						"unknown-adjustment-group",
					)
				)
	return total


def _status(paid: Decimal, patient: Decimal, open_balance: Decimal) -> str:
	if paid < 0:
		return STATUS_RECOUPED
	if paid > 0:
		return STATUS_PAID if open_balance == 0 else STATUS_PARTIALLY_PAID
	return STATUS_PATIENT_RESPONSIBILITY if patient != 0 else STATUS_DENIED


def _service_breakdown(
	payment: ClaimPayment, number: int, service: ServicePayment, path: str
) -> ServiceBreakdown:
	line = ServiceBreakdown(
		service=number,
		procedure_code=service.procedure_code,
		modifiers=list(service.modifiers),
		submitted_procedure_code=service.submitted_procedure_code,
		line_control_number=service.line_control_number,
		service_date=service.service_date or payment.statement_from,
		charge=service.charge,
		paid=service.paid,
		remarks=[_remark(code, number) for code in service.remark_codes],
	)
	line.adjustments = [_detail(a, number) for a in service.adjustments]
	adjusted = _fill(line, line.adjustments, path)
	line.open_balance = service.charge - service.paid - adjusted
	if line.open_balance:
		line.problems.append(
			Problem(
				path,
				f"service {number} ({service.procedure_code}) does not balance: charge {service.charge} - paid "
				f"{service.paid} = {service.charge - service.paid}, but its adjustments (CAS) total {adjusted}",
				"line-unbalanced",
			)
		)
	line.allowed = service.allowed if service.allowed is not None else service.charge - line.contractual
	line.status = (
		STATUS_REVERSED
		if payment.is_reversal
		else _status(line.paid, line.patient_responsibility, line.open_balance)
	)
	return line


def adjudicate(payment: ClaimPayment, billed_charge: Decimal | None = None, path: str = "") -> ClaimBreakdown:
	"""The posting breakdown of one claim payment (CLP loop).

	``billed_charge``: our claim's charge, when the payer may have adjudicated only part of it (the
	rest is the open balance); default CLP03. ``path`` names the claim payment in problems
	(default ``claim <CLP01>``). Never raises for arithmetic that does not add up: that is reported
	in ``problems`` and left in ``open_balance``.
	"""
	where = path or f"claim {payment.claim_id}"
	breakdown = ClaimBreakdown(
		claim_id=payment.claim_id,
		status_code=payment.status_code,
		payer_claim_number=payment.payer_claim_number,
		adjudicated_charge=payment.charge,
		reported_patient_responsibility=payment.patient_responsibility,
		charge=payment.charge if billed_charge is None else billed_charge,
		paid=payment.paid,
		forwarded=payment.is_forwarded,
		forwarded_to_name=payment.crossover_payer_name,
		forwarded_to_id=payment.crossover_payer_id,
		remarks=[_remark(code, None) for code in payment.remark_codes],
	)
	problems = breakdown.problems
	claim_level = [_detail(a, None) for a in payment.adjustments]
	claim_level_total = _fill(breakdown, claim_level, where)
	claim_level_contractual = breakdown.contractual
	breakdown.adjustments = list(claim_level)
	total = claim_level_total
	for k, service in enumerate(payment.services):
		line = _service_breakdown(payment, k + 1, service, f"{where}.services[{k}]")
		breakdown.services.append(line)
		breakdown.adjustments.extend(line.adjustments)
		breakdown.remarks.extend(line.remarks)
		problems.extend(line.problems)
		total += _fill(breakdown, line.adjustments, f"{where}.services[{k}]", report=False)

	breakdown.era_difference = payment.charge - payment.paid - total
	breakdown.open_balance = breakdown.charge - payment.paid - total
	if breakdown.era_difference:
		problems.append(
			Problem(
				where,
				f"claim {payment.claim_id}: the 835 does not balance: charge {payment.charge} - paid "
				f"{payment.paid} = {payment.charge - payment.paid}, but its adjustments (CAS) total {total}; "
				f"{breakdown.era_difference} is left open",
				"era-unbalanced",
			)
		)
	if billed_charge is not None and billed_charge != payment.charge:
		problems.append(
			Problem(
				where,
				f"claim {payment.claim_id}: the payer adjudicated a charge of {payment.charge} (CLP03) of the "
				f"{billed_charge} billed; {billed_charge - payment.charge} stays open",
				"charge-differs",
			)
		)
	if payment.patient_responsibility != breakdown.patient_responsibility:
		problems.append(
			Problem(
				where,
				f"claim {payment.claim_id}: patient responsibility (CLP05) is {payment.patient_responsibility} "
				f"but the PR adjustments total {breakdown.patient_responsibility}; the adjustments are posted",
				"patient-responsibility-differs",
			)
		)
	if payment.services:
		line_charges = sum((s.charge for s in payment.services), _ZERO)
		if line_charges != payment.charge:
			problems.append(
				Problem(
					where,
					f"claim {payment.claim_id}: the service lines charge {line_charges} in total, the claim "
					f"{payment.charge} (CLP03)",
					"line-charges-differ",
				)
			)
		breakdown.allowed = (
			sum((line.allowed for line in breakdown.services), _ZERO) - claim_level_contractual
		)
	else:
		breakdown.allowed = payment.charge - breakdown.contractual
	if payment.is_reversal and (payment.charge > 0 or payment.paid > 0):
		problems.append(
			Problem(
				where,
				f"claim {payment.claim_id}: a reversal (CLP02 22) negates the earlier amounts, but its charge "
				f"{payment.charge} or payment {payment.paid} is positive",
				"reversal-not-negated",
			)
		)
	breakdown.status = _claim_status(payment, breakdown)
	return breakdown


def _claim_status(payment: ClaimPayment, breakdown: ClaimBreakdown) -> str:
	if payment.is_reversal:
		return STATUS_REVERSED
	if payment.is_forwarded:
		return STATUS_FORWARDED
	if payment.status_code == CLAIM_STATUS_DENIED:
		return STATUS_DENIED
	return _status(payment.paid, breakdown.patient_responsibility, breakdown.open_balance)


# --- reversal and correction -------------------------------------------------------------------


@dataclass(kw_only=True)
class Correction:
	"""A payer's reversal of an earlier posting and its corrected claim payment.

	``to_reverse`` is the reversal as the payer sent it (negative amounts: post it like any claim
	payment to undo the earlier posting); ``to_post`` the corrected adjudication (None when the payer
	only took the claim back). ``net`` is the change to the books: to_reverse + to_post.
	``matches_previous`` is False when the reversal does not undo exactly what was posted before; then
	``problems`` say which amounts differ and staff must look before posting.
	"""

	claim_id: str
	previous: ClaimBreakdown
	to_reverse: ClaimBreakdown
	to_post: ClaimBreakdown | None
	net: Figures
	matches_previous: bool
	problems: list[Problem] = field(default_factory=list)


# Amounts a reversal must undo exactly (the charge compared is the payer's CLP03, not our billed one).
_REVERSAL_CHECKED = (
	"paid",
	"deductible",
	"coinsurance",
	"copay",
	"other_patient_responsibility",
	"contractual",
	"other_adjustments",
)


def reverse_and_correct(
	previous: ClaimBreakdown,
	payments: Sequence[ClaimPayment],
	billed_charge: Decimal | None = None,
	path: str = "",
) -> Correction:
	"""What to reverse and what to post for a claim posted before as ``previous``.

	``payments`` are the claim's new claim payments: one reversal (CLP02 22) and at most one
	corrected payment. Anything else raises ``ValueError`` naming what is wrong.
	"""
	where = path or f"claim {previous.claim_id}"
	reversals = [p for p in payments if p.is_reversal]
	corrections = [p for p in payments if not p.is_reversal]
	others = sorted({p.claim_id for p in payments if p.claim_id != previous.claim_id})
	if others:
		raise ValueError(f"{where}: claim payments for other claims were given: {', '.join(others)} (CLP01)")
	if len(reversals) != 1:
		raise ValueError(f"{where}: expected one reversal (CLP02 22), got {len(reversals)}")
	if len(corrections) > 1:
		raise ValueError(f"{where}: expected at most one corrected claim payment, got {len(corrections)}")
	to_reverse = adjudicate(reversals[0], path=f"{where} reversal")
	to_post = adjudicate(corrections[0], billed_charge, f"{where} correction") if corrections else None
	problems: list[Problem] = []
	undone = previous.figures() + to_reverse.figures()
	for name in _REVERSAL_CHECKED:
		left = getattr(undone, name)
		if left:
			problems.append(
				Problem(
					where,
					f"the reversal takes back {-getattr(to_reverse.figures(), name)} of {name.replace('_', ' ')} "
					f"but {getattr(previous.figures(), name)} was posted",
					"reversal-differs",
				)
			)
	if previous.adjudicated_charge + to_reverse.adjudicated_charge:
		problems.append(
			Problem(
				where,
				f"the reversal takes back a charge of {-to_reverse.adjudicated_charge} (CLP03) but the earlier "
				f"payment adjudicated {previous.adjudicated_charge}",
				"reversal-differs",
			)
		)
	if previous.payer_claim_number and to_reverse.payer_claim_number != previous.payer_claim_number:
		problems.append(
			Problem(
				where,
				f"the reversal names payer claim number {to_reverse.payer_claim_number!r} (CLP07), the earlier "
				f"payment {previous.payer_claim_number!r}",
				"reversal-other-payer-claim",
			)
		)
	net = to_reverse.figures() + (to_post.figures() if to_post is not None else Figures())
	problems.extend(to_reverse.problems)
	if to_post is not None:
		problems.extend(to_post.problems)
	return Correction(
		claim_id=previous.claim_id,
		previous=previous,
		to_reverse=to_reverse,
		to_post=to_post,
		net=net,
		matches_previous=not any(p.code == "reversal-differs" for p in problems),
		problems=problems,
	)


# --- the whole payment -------------------------------------------------------------------------


def signed_payment_amount(remittance: Remittance) -> Decimal:
	"""BPR02 with its BPR03 sign: a debit (D) is money the provider pays back."""
	return -remittance.amount if remittance.credit_debit.strip().upper() == "D" else remittance.amount


def check_payment(remittance: Remittance) -> list[Problem]:
	"""sum(CLP04) - sum(PLB) must equal BPR02; a problem naming the figures when it does not."""
	paid = sum((claim.paid for claim in remittance.claims), _ZERO)
	provider = sum((a.amount for a in remittance.provider_adjustments), _ZERO)
	payment = signed_payment_amount(remittance)
	if paid - provider == payment:
		return []
	return [
		Problem(
			f"remittance {remittance.trace_number}",
			f"claim payments (CLP04) total {paid}, provider adjustments (PLB) {provider}: the payment should be "
			f"{paid - provider} but BPR02 is {payment} (difference {payment - (paid - provider)})",
			"payment-unbalanced",
		)
	]


@dataclass(frozen=True, slots=True)
class PostingEntry:
	"""One accounting line: debit or credit (never both, never negative) on an account category."""

	account: str
	debit: Decimal
	credit: Decimal
	claim_id: str = ""  # our claim, for receivable and write-off lines
	reference: str = ""  # CLP07, PLB reference, trace number
	memo: str = ""

	@property
	def signed(self) -> Decimal:
		return self.debit - self.credit


@dataclass(kw_only=True)
class ClaimPosting:
	"""One matched claim payment of a plan: our claim id and how its money is posted."""

	claim_id: str
	payment_index: int  # position of the claim payment in the remittance
	breakdown: ClaimBreakdown
	patient_responsibility_to: str = TO_PATIENT  # TO_PATIENT or TO_NEXT_PAYER

	@property
	def insurance_receivable_credit(self) -> Decimal:
		"""Credit the claim's insurance receivable with this: paid + write-offs + other + PR."""
		return self.breakdown.adjudicated

	@property
	def contractual_write_off_debit(self) -> Decimal:
		return self.breakdown.contractual

	@property
	def other_adjustment_debits(self) -> dict[str, Decimal]:
		"""Other adjustments per account category (``OTHER_ADJUSTMENT_ACCOUNTS``)."""
		debits: dict[str, Decimal] = {}
		for group, amount in self.breakdown.other_adjustments_by_group().items():
			account = OTHER_ADJUSTMENT_ACCOUNTS.get(group, ACCOUNT_UNKNOWN_ADJUSTMENT)
			debits[account] = debits.get(account, _ZERO) + amount
		return debits

	@property
	def patient_responsibility_account(self) -> str:
		if self.patient_responsibility_to == TO_NEXT_PAYER:
			return ACCOUNT_NEXT_PAYER_RECEIVABLE
		return ACCOUNT_PATIENT_RECEIVABLE

	@property
	def patient_responsibility_debit(self) -> Decimal:
		"""Debit ``patient_responsibility_account`` (the patient's, or the next payer's) with this."""
		return self.breakdown.patient_responsibility


@dataclass(kw_only=True)
class UnappliedPayment:
	"""A claim payment that matched none of our claims: its money waits in unapplied payments."""

	payment_index: int
	claim_id: str  # CLP01 as sent
	payer_claim_number: str
	paid: Decimal


@dataclass(kw_only=True)
class PostingPlan:
	"""How to post one remittance: per-claim breakdowns, accounting entries and their totals.

	``totals`` holds each account category's signed total (debit positive). ``balanced`` is True when
	the entries' debits equal their credits; the Frappe layer posts a plan only then.
	"""

	trace_number: str
	payer_id: str
	payment_date: datetime.date | None
	cash_received: Decimal
	claims: list[ClaimPosting] = field(default_factory=list)
	unapplied: list[UnappliedPayment] = field(default_factory=list)
	provider_adjustments: list[ProviderAdjustmentPosting] = field(default_factory=list)
	entries: list[PostingEntry] = field(default_factory=list)
	totals: dict[str, Decimal] = field(default_factory=dict)
	problems: list[Problem] = field(default_factory=list)

	@property
	def total_debit(self) -> Decimal:
		return sum((e.debit for e in self.entries), _ZERO)

	@property
	def total_credit(self) -> Decimal:
		return sum((e.credit for e in self.entries), _ZERO)

	@property
	def balanced(self) -> bool:
		return self.total_debit == self.total_credit

	def for_claim(self, claim_id: str) -> list[ClaimPosting]:
		return [posting for posting in self.claims if posting.claim_id == claim_id]

	def claim_statuses(self) -> dict[str, str]:
		"""Each claim's status after the whole remittance: its last claim payment decides."""
		return {posting.claim_id: posting.breakdown.status for posting in self.claims}


def _entry(account: str, signed: Decimal, **fields) -> PostingEntry | None:
	if signed == 0:
		return None
	if signed > 0:
		return PostingEntry(account, signed, _ZERO, **fields)
	return PostingEntry(account, _ZERO, -signed, **fields)


def _billed_per_payment(
	remittance: Remittance, claim_ids: Sequence[str | None], billed_charges: Mapping[str, Decimal]
) -> dict[int, Decimal]:
	"""The billed charge each claim payment answers for.

	Reversals answer for none. When the payer split one claim into several claim payments, the last
	one carries what the others did not adjudicate, so the open balances add up to billed - CLP03s.
	"""
	indexes: dict[str, list[int]] = {}
	for index, (payment, claim_id) in enumerate(zip(remittance.claims, claim_ids, strict=True)):
		if claim_id is not None and claim_id in billed_charges and not payment.is_reversal:
			indexes.setdefault(claim_id, []).append(index)
	billed = {}
	for claim_id, found in indexes.items():
		*earlier, last = found
		for index in earlier:
			billed[index] = remittance.claims[index].charge
		billed[last] = billed_charges[claim_id] - sum((remittance.claims[i].charge for i in earlier), _ZERO)
	return billed


def plan_posting(
	remittance: Remittance,
	claim_ids: Sequence[str | None],
	billed_charges: Mapping[str, Decimal] | None = None,
	next_payer_claims: Collection[str] = (),
) -> PostingPlan:
	"""The posting plan of ``remittance``.

	``claim_ids[i]`` is our claim id for ``remittance.claims[i]`` (from matching), None when it matched
	none of ours. ``billed_charges`` gives our charge per claim id (see ``adjudicate``).
	``next_payer_claims``: claim ids with another payer after this one; their patient responsibility
	goes to the next payer's receivable, as does that of claims the payer forwarded itself.
	"""
	if len(claim_ids) != len(remittance.claims):
		raise ValueError(
			f"claim_ids: {len(claim_ids)} given for {len(remittance.claims)} claim payments; give one per "
			"claim payment (None when unmatched)"
		)
	billed_charges = billed_charges or {}
	plan = PostingPlan(
		trace_number=remittance.trace_number,
		payer_id=remittance.payer_id,
		payment_date=remittance.payment_date,
		cash_received=signed_payment_amount(remittance),
	)
	signed_entries: list[tuple[str, Decimal, dict]] = [
		(ACCOUNT_BANK, plan.cash_received, {"reference": remittance.trace_number, "memo": "payment received"})
	]
	billed_for = _billed_per_payment(remittance, claim_ids, billed_charges)
	for index, (payment, claim_id) in enumerate(zip(remittance.claims, claim_ids, strict=True)):
		path = f"claims[{index}]"
		if claim_id is None:
			plan.unapplied.append(
				UnappliedPayment(
					payment_index=index,
					claim_id=payment.claim_id,
					payer_claim_number=payment.payer_claim_number,
					paid=payment.paid,
				)
			)
			signed_entries.append(
				(
					ACCOUNT_UNAPPLIED_PAYMENTS,
					-payment.paid,
					{
						"reference": payment.payer_claim_number,
						"memo": f"unmatched claim payment {payment.claim_id}",
					},
				)
			)
			plan.problems.append(
				Problem(
					path,
					f"claim payment {payment.claim_id} (CLP01) matched none of our claims; {payment.paid} goes to "
					"unapplied payments",
					"unmatched-claim",
				)
			)
			continue
		breakdown = adjudicate(payment, billed_for.get(index), path)
		plan.problems.extend(breakdown.problems)
		to_next = breakdown.forwarded or claim_id in next_payer_claims
		posting = ClaimPosting(
			claim_id=claim_id,
			payment_index=index,
			breakdown=breakdown,
			patient_responsibility_to=TO_NEXT_PAYER if to_next else TO_PATIENT,
		)
		plan.claims.append(posting)
		common = {"claim_id": claim_id, "reference": payment.payer_claim_number}
		signed_entries.append(
			(
				ACCOUNT_INSURANCE_RECEIVABLE,
				-posting.insurance_receivable_credit,
				{**common, "memo": f"adjudicated ({breakdown.status})"},
			)
		)
		signed_entries.append(
			(
				ACCOUNT_CONTRACTUAL_WRITE_OFF,
				posting.contractual_write_off_debit,
				{**common, "memo": "contractual (CO)"},
			)
		)
		for account, amount in posting.other_adjustment_debits.items():
			signed_entries.append((account, amount, {**common, "memo": "other adjustments (OA, PI, CR)"}))
		signed_entries.append(
			(
				posting.patient_responsibility_account,
				posting.patient_responsibility_debit,
				{**common, "memo": "patient responsibility (PR)"},
			)
		)
	for adjustment in remittance.provider_adjustments:
		posting = classify_provider_adjustment(adjustment)
		plan.provider_adjustments.append(posting)
		if adjustment.reason_code.strip().upper() not in PLB_REASONS:
			plan.problems.append(
				Problem(
					f"remittance {remittance.trace_number}",
					f"provider adjustment reason {posting.reason_code!r} ({posting.amount}) is not an X12 PLB "
					"reason code; it is posted as another provider adjustment",
					"unknown-plb-reason",
				)
			)
		signed_entries.append(
			(
				posting.category,
				posting.amount,
				{"reference": posting.reference, "memo": f"PLB {posting.reason_code}: {posting.description}"},
			)
		)
	for account, signed, fields in signed_entries:
		entry = _entry(account, signed, **fields)
		if entry is not None:
			plan.entries.append(entry)
			plan.totals[account] = plan.totals.get(account, _ZERO) + signed
	plan.problems.extend(check_payment(remittance))
	if not plan.balanced:
		plan.problems.append(
			Problem(
				f"remittance {remittance.trace_number}",
				f"the posting does not balance: debits {plan.total_debit}, credits {plan.total_credit}",
				"plan-unbalanced",
			)
		)
	return plan
