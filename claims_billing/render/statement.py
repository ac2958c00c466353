"""Patient statements: the open balance per service, payments received, aging and how to pay.

Procedures are printed as CPT/HCPCS codes only (CPT descriptions are licensed by the AMA).
Balances, totals and aging are always computed from the lines, never taken from the caller.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from claims_billing.render import pdf
from claims_billing.render.parties import PatientDetails, Practice, check_patient, check_practice
from claims_billing.render.validation import ProblemCollector

DOCUMENT = "statement"
TEMPLATE = "statement.html"

# (label, oldest age in days that still belongs to the bucket); the last bucket is open-ended.
AGING_BUCKETS = (
	("Current", 30),
	("31-60 days", 60),
	("61-90 days", 90),
	("Over 90 days", None),
)

_PAYMENT_LINK = re.compile(r"https://[^\s\"'<>]+")


@dataclass
class StatementLine:
	"""One service with a balance still open for the patient."""

	date_of_service: datetime.date
	procedure_code: str  # CPT or HCPCS code only
	charge: Decimal
	insurance_paid: Decimal = Decimal(0)
	adjustments: Decimal = Decimal(0)  # contractual write-offs and other reductions
	patient_paid: Decimal = Decimal(0)
	modifiers: list[str] = field(default_factory=list)
	# When the patient's share became due (e.g. the remittance date); aging counts from here.
	aging_from: datetime.date | None = None

	@property
	def balance(self) -> Decimal:
		return self.charge - self.insurance_paid - self.adjustments - self.patient_paid

	@property
	def aging_start(self) -> datetime.date:
		return self.aging_from or self.date_of_service


@dataclass
class PaymentReceived:
	"""A payment the patient made; already counted in the lines' ``patient_paid``."""

	date: datetime.date
	amount: Decimal
	method: str  # "Card ending 4242", "Check"
	reference: str = ""  # check number, receipt number


@dataclass(frozen=True)
class AgingBucket:
	label: str
	amount: Decimal


@dataclass
class StatementData:
	practice: Practice
	patient: PatientDetails  # the person the statement is addressed to
	statement_date: datetime.date
	due_date: datetime.date
	lines: list[StatementLine]
	payments: list[PaymentReceived] = field(default_factory=list)
	how_to_pay: str = ""  # plain text: phone, mailing address, accepted cards
	payment_link: str = ""  # https only, e.g. a Stripe hosted invoice page

	@property
	def total_charges(self) -> Decimal:
		return sum((line.charge for line in self.lines), Decimal(0))

	@property
	def total_insurance_paid(self) -> Decimal:
		return sum((line.insurance_paid for line in self.lines), Decimal(0))

	@property
	def total_adjustments(self) -> Decimal:
		return sum((line.adjustments for line in self.lines), Decimal(0))

	@property
	def total_patient_paid(self) -> Decimal:
		return sum((line.patient_paid for line in self.lines), Decimal(0))

	@property
	def total_due(self) -> Decimal:
		return sum((line.balance for line in self.lines), Decimal(0))

	@property
	def total_payments_received(self) -> Decimal:
		return sum((payment.amount for payment in self.payments), Decimal(0))

	@property
	def aging(self) -> list[AgingBucket]:
		"""Open balance by age on the statement date; the buckets add up to ``total_due``."""
		amounts = [Decimal(0)] * len(AGING_BUCKETS)
		for line in self.lines:
			age = (self.statement_date - line.aging_start).days
			for position, (_label, oldest) in enumerate(AGING_BUCKETS):
				if oldest is None or age <= oldest:
					amounts[position] += line.balance
					break
		return [
			AgingBucket(label, amount)
			for (label, _oldest), amount in zip(AGING_BUCKETS, amounts, strict=True)
		]


def check_statement(data: StatementData) -> ProblemCollector:
	"""Every problem in ``data``; rendering refuses data with any."""
	collector = ProblemCollector()
	if not isinstance(data, StatementData):
		collector.add(DOCUMENT, f"expected StatementData, got {type(data).__name__}")
		return collector
	check_practice(collector, data.practice, "practice")
	check_patient(collector, data.patient, "patient", date_of_birth_required=False)
	statement_date_ok = collector.date(data.statement_date, "statement_date")
	if (
		collector.date(data.due_date, "due_date")
		and statement_date_ok
		and data.due_date < data.statement_date
	):
		collector.add("due_date", "is before the statement date")
	collector.text(data.how_to_pay, "how_to_pay", required=False)
	if collector.text(data.payment_link, "payment_link", required=False) and data.payment_link:
		if not _PAYMENT_LINK.fullmatch(data.payment_link):
			collector.add("payment_link", "must be a single https:// address")
	_check_lines(collector, data.lines, data.statement_date if statement_date_ok else None)
	_check_payments(collector, data.payments)
	return collector


def render_statement_html(data: StatementData) -> str:
	check_statement(data).raise_if_any(DOCUMENT)
	return pdf.render_html(TEMPLATE, statement=data)


def render_statement_pdf(data: StatementData) -> bytes:
	return pdf.html_to_pdf(render_statement_html(data))


def _check_lines(collector: ProblemCollector, lines: object, statement_date: datetime.date | None) -> None:
	if not isinstance(lines, list) or not lines:
		collector.add("lines", "list at least one open item")
		return
	for index, line in enumerate(lines):
		path = f"lines[{index}]"
		if not isinstance(line, StatementLine):
			collector.add(path, f"expected a StatementLine, got {type(line).__name__}")
			continue
		if collector.date(line.date_of_service, f"{path}.date_of_service") and statement_date:
			if line.date_of_service > statement_date:
				collector.add(f"{path}.date_of_service", "is after the statement date")
		if collector.date(line.aging_from, f"{path}.aging_from", required=False) and statement_date:
			if line.aging_from and line.aging_from > statement_date:
				collector.add(f"{path}.aging_from", "is after the statement date")
		collector.procedure_code(line.procedure_code, f"{path}.procedure_code")
		collector.modifiers(line.modifiers, f"{path}.modifiers")
		for name in ("charge", "insurance_paid", "adjustments", "patient_paid"):
			collector.money(getattr(line, name), f"{path}.{name}")


def _check_payments(collector: ProblemCollector, payments: object) -> None:
	if not isinstance(payments, list):
		collector.add("payments", f"expected a list, got {type(payments).__name__}")
		return
	for index, payment in enumerate(payments):
		path = f"payments[{index}]"
		if not isinstance(payment, PaymentReceived):
			collector.add(path, f"expected a PaymentReceived, got {type(payment).__name__}")
			continue
		collector.date(payment.date, f"{path}.date")
		if collector.money(payment.amount, f"{path}.amount") and payment.amount == 0:
			collector.add(f"{path}.amount", "a payment of zero is not a payment")
		collector.text(payment.method, f"{path}.method")
		collector.text(payment.reference, f"{path}.reference", required=False)
