"""Per-service payments ledger: what each service was charged, who paid what, what was written off.

Pure arithmetic over the money documents the Frappe layer reads (Sales Invoices, Payment Entries,
Journal Entries), described as ``Voucher`` records in posting order. Nothing here keeps a second
ledger: every figure is a sum over those vouchers, and the balances are the open amounts of the
receivables they created.

Two receivables hold a service's open balance: the insurance side (a payer's customer) and the
patient side (the patient's customer). A voucher may

- ``charges``: open an item on one side (a Sales Invoice line, or a Journal Entry debit);
- ``reductions``: reduce one side, by service (tagged row), by open item (spread over the item's
  services first come, first served, as an invoice's lines are settled in order) or neither
  (an unapplied payment, kept per side, not per service);
- ``write_offs`` and ``transfers`` (patient responsibility moved from the payer to the patient):
  per service when tagged, else spread over what the voucher reduced in proportion.

Whatever a reduction does not explain as a write-off or transfer is cash: insurance paid on the
insurance side, patient paid on the patient side. So for every service, always::

	charge = insurance paid + patient paid + write-off + insurance balance + patient balance
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from claims_billing.x12.errors import Problem

INSURANCE = "insurance"
PATIENT = "patient"
SIDES = (INSURANCE, PATIENT)
CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Charge:
	"""An amount put on a receivable for one service; ``open_item`` names the document holding it."""

	side: str
	open_item: str
	service: str | None
	amount: Decimal


@dataclass(frozen=True)
class Reduction:
	"""An amount taken off a receivable: by service, by open item, or unapplied (both None).

	``among`` limits an open item's first-come-first-served split to some of its services (a
	claim's, on an invoice that holds several claims).
	"""

	side: str
	amount: Decimal
	service: str | None = None
	open_item: str | None = None
	among: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Adjustment:
	"""A write-off or a transfer inside a voucher; ``service`` None when untagged.

	Transfers take a balance off the insurance side to ``to_side``: the patient (patient
	responsibility) or the insurance side again (a claim forwarded to the next payer).
	"""

	amount: Decimal
	service: str | None = None
	to_side: str = PATIENT


@dataclass
class Voucher:
	"""One submitted money document, reduced to what it does to the receivables."""

	name: str  # e.g. "Payment Entry ACC-PAY-2026-00012"
	charges: list[Charge] = field(default_factory=list)
	reductions: list[Reduction] = field(default_factory=list)
	write_offs: list[Adjustment] = field(default_factory=list)
	transfers: list[Adjustment] = field(default_factory=list)
	# True when the voucher also moves money of services outside this ledger: untagged write-offs
	# and transfers then cannot be spread over ours without taking other patients' share.
	has_other_services: bool = False


@dataclass
class ServiceLedger:
	service: str
	charge: Decimal = ZERO
	insurance_paid: Decimal = ZERO
	patient_paid: Decimal = ZERO
	write_off: Decimal = ZERO
	insurance_balance: Decimal = ZERO
	patient_balance: Decimal = ZERO

	@property
	def balance(self) -> Decimal:
		return self.insurance_balance + self.patient_balance

	@property
	def unaccounted(self) -> Decimal:
		"""Always zero: the invariant in the module docstring."""
		return self.charge - self.insurance_paid - self.patient_paid - self.write_off - self.balance


@dataclass
class Ledger:
	services: dict[str, ServiceLedger]
	# Payments (or refunds, negative) on a side not applied to any service.
	unapplied: dict[str, Decimal]
	# Still open on a side from charges that name no service (e.g. an untagged invoice line).
	unattributed: dict[str, Decimal]
	# Per side, per open item: what each service still owes on it (for choosing what to invoice).
	open_items: dict[str, dict[str, dict[str | None, Decimal]]]
	problems: list[Problem]

	def side_total(self, side: str) -> Decimal:
		"""The side's receivable balance: open service balances and untagged charges less unapplied payments."""
		balances = sum((getattr(row, f"{side}_balance") for row in self.services.values()), ZERO)
		return balances + self.unattributed[side] - self.unapplied[side]

	def open_items_of(self, service: str, side: str = PATIENT) -> list[tuple[str, Decimal]]:
		"""(open item, amount) still owed for ``service`` on ``side``, oldest first."""
		return [
			(item, owed[service])
			for item, owed in self.open_items[side].items()
			if owed.get(service, ZERO) > 0
		]


def build_ledger(services: Iterable[str], vouchers: Sequence[Voucher]) -> Ledger:
	"""The ledger of ``services`` from ``vouchers`` (already in posting order)."""
	rows = {service: ServiceLedger(service) for service in services}
	builder = _Builder(rows)
	for voucher in vouchers:
		builder.apply(voucher)
	for row in rows.values():
		if row.unaccounted:
			# Cannot happen by construction; a guard against future edits of the arithmetic.
			raise AssertionError(f"ledger of {row.service} does not add up by {row.unaccounted}")
	return Ledger(rows, builder.unapplied, builder.unattributed, builder.open_items, builder.problems)


def allocate_in_order(amount: Decimal, capacities: Sequence[tuple[str | None, Decimal]]):
	"""Split ``amount`` over ``capacities`` first come, first served.

	Returns (key, part) pairs and the remainder no capacity could take. For a negative amount
	(a payment taken back) pass what each key has paid so far: it is undone from the last
	key first, so the first lines stay settled longest.
	"""
	ordered = list(capacities) if amount >= 0 else list(reversed(capacities))
	remaining = abs(amount)
	sign = 1 if amount >= 0 else -1
	parts: list[tuple[str | None, Decimal]] = []
	for key, capacity in ordered:
		if remaining <= 0:
			break
		part = min(remaining, max(capacity, ZERO))
		if part:
			parts.append((key, sign * part))
			remaining -= part
	return parts, sign * remaining


def split_in_proportion(amount: Decimal, weights: Sequence[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
	"""Split ``amount`` over keys in proportion to ``weights``, in cents, adding up exactly.

	The rounding difference goes to the key with the largest weight.
	"""
	total = sum((weight for _key, weight in weights), ZERO)
	if not weights or not total:
		return []
	parts = [
		(key, (amount * weight / total).quantize(CENT, rounding=ROUND_HALF_UP)) for key, weight in weights
	]
	difference = amount - sum((part for _key, part in parts), ZERO)
	if difference:
		largest = max(range(len(weights)), key=lambda index: abs(weights[index][1]))
		key, part = parts[largest]
		parts[largest] = (key, part + difference)
	return [(key, part) for key, part in parts if part]


class _Builder:
	def __init__(self, rows: dict[str, ServiceLedger]):
		self.rows = rows
		self.unapplied = {side: ZERO for side in SIDES}
		self.unattributed = {side: ZERO for side in SIDES}
		# side -> open item -> service (None: a line of no service of ours) -> still owed
		self.open_items: dict[str, dict[str, dict[str | None, Decimal]]] = {side: {} for side in SIDES}
		# The same shape: what each item charged each service in the first place.
		self.charged: dict[str, dict[str, dict[str | None, Decimal]]] = {side: {} for side in SIDES}
		self.problems: list[Problem] = []

	def apply(self, voucher: Voucher) -> None:
		for charge in voucher.charges:
			self._charge(charge)
		reduced: dict[str, dict[str, Decimal]] = {side: defaultdict(Decimal) for side in SIDES}
		for reduction in voucher.reductions:
			for service, part in self._reduce(voucher, reduction):
				reduced[reduction.side][service] += part
		write_offs = self._attribute(voucher, "write-off", voucher.write_offs, reduced)
		transfers_to = {
			to_side: self._attribute(
				voucher, "transfer", [a for a in voucher.transfers if a.to_side == to_side], reduced
			)
			for to_side in SIDES
		}
		transfers: dict[str, dict[str, Decimal]] = {side: defaultdict(Decimal) for side in SIDES}
		for by_side in transfers_to.values():
			for side, amounts in by_side.items():
				for service, amount in amounts.items():
					transfers[side][service] += amount
		for side in SIDES:
			touched = set(reduced[side]) | set(write_offs[side]) | set(transfers[side])
			for service in sorted(touched):
				row = self.rows[service]
				amount = reduced[side].get(service, ZERO)
				written_off = write_offs[side].get(service, ZERO)
				setattr(row, f"{side}_balance", getattr(row, f"{side}_balance") - amount)
				cash = amount - written_off - transfers[side].get(service, ZERO)
				if side == INSURANCE:
					row.insurance_paid += cash
				else:
					row.patient_paid += cash
				row.write_off += written_off
		for to_side, by_side in transfers_to.items():
			for service, amount in by_side[INSURANCE].items():
				row = self.rows[service]
				setattr(row, f"{to_side}_balance", getattr(row, f"{to_side}_balance") + amount)
				self._open(to_side, voucher.name, service, amount)

	# charges and reductions

	def _charge(self, charge: Charge) -> None:
		self._open(charge.side, charge.open_item, charge.service, charge.amount)
		if charge.service is None:
			self.unattributed[charge.side] += charge.amount
		elif charge.service in self.rows:
			row = self.rows[charge.service]
			row.charge += charge.amount
			setattr(row, f"{charge.side}_balance", getattr(row, f"{charge.side}_balance") + charge.amount)

	def _open(self, side: str, open_item: str, service: str | None, amount: Decimal) -> None:
		owed = self.open_items[side].setdefault(open_item, {})
		owed[service] = owed.get(service, ZERO) + amount
		charged = self.charged[side].setdefault(open_item, {})
		charged[service] = charged.get(service, ZERO) + amount

	def _reduce(self, voucher: Voucher, reduction: Reduction) -> list[tuple[str, Decimal]]:
		"""Our services' parts of one reduction; other parts only update the open items."""
		side = reduction.side
		owed = self.open_items[side].get(reduction.open_item) if reduction.open_item else None
		if reduction.service is not None:
			if owed is not None and reduction.service in owed:
				owed[reduction.service] -= reduction.amount
			return [(reduction.service, reduction.amount)] if reduction.service in self.rows else []
		if owed is None:
			if reduction.open_item:
				self.problems.append(
					Problem(
						voucher.name,
						f"reduces {reduction.open_item}, which opened nothing on the {side} side; "
						"counted as unapplied",
						"ledger-unknown-item",
					)
				)
			self.unapplied[side] += reduction.amount
			return []
		if reduction.amount >= 0:
			capacities = list(owed.items())
		else:
			charged = self.charged[side][reduction.open_item]
			capacities = [(service, charged.get(service, ZERO) - left) for service, left in owed.items()]
		if reduction.among is not None:
			capacities = [(service, amount) for service, amount in capacities if service in reduction.among]
		parts, remainder = allocate_in_order(reduction.amount, capacities)
		if remainder:
			# More than the item still owed: the excess is a credit on the side, not a service's.
			self.unapplied[side] += remainder
		ours = []
		for service, part in parts:
			owed[service] -= part
			if service in self.rows:
				ours.append((service, part))
			elif service is None:
				self.unattributed[side] -= part
		return ours

	# write-offs and transfers

	def _attribute(
		self,
		voucher: Voucher,
		kind: str,
		adjustments: list[Adjustment],
		reduced: dict[str, dict[str, Decimal]],
	) -> dict[str, dict[str, Decimal]]:
		"""Per side and service, the part of the voucher's reductions that was this kind."""
		result: dict[str, dict[str, Decimal]] = {side: defaultdict(Decimal) for side in SIDES}
		untagged = ZERO
		for adjustment in adjustments:
			if adjustment.service is None:
				untagged += adjustment.amount
			elif adjustment.service in self.rows:
				side = self._side_of(adjustment.service, reduced, kind)
				if adjustment.service not in reduced[side]:
					self.problems.append(
						Problem(
							voucher.name,
							f"{kind} of {adjustment.amount} for {adjustment.service}, which this voucher does "
							f"not take off the {side} receivable",
							"ledger-unmatched-adjustment",
						)
					)
				result[side][adjustment.service] += adjustment.amount
		if not untagged:
			return result
		# Transfers move patient responsibility off the payer's side only.
		sides = (INSURANCE,) if kind == "transfer" else SIDES
		weights = [
			(f"{side}\x1f{service}", amount) for side in sides for service, amount in reduced[side].items()
		]
		if voucher.has_other_services or not weights:
			self.problems.append(
				Problem(
					voucher.name,
					f"{untagged} of {kind} names no billable service and cannot be attributed; "
					"tag the rows with their billable service",
					"ledger-untagged",
				)
			)
			return result
		for key, part in split_in_proportion(untagged, weights):
			side, service = key.split("\x1f", 1)
			result[side][service] += part
		return result

	@staticmethod
	def _side_of(service: str, reduced: dict[str, dict[str, Decimal]], kind: str) -> str:
		if kind == "transfer":
			return INSURANCE
		# A write-off lowers the side this voucher reduced for the service (the payer's by default).
		if service in reduced[PATIENT] and service not in reduced[INSURANCE]:
			return PATIENT
		return INSURANCE
