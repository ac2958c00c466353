"""Per-service payments ledger arithmetic (claims_billing.core.patient_ledger)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from claims_billing.core.patient_ledger import (
	INSURANCE,
	PATIENT,
	Adjustment,
	Charge,
	Reduction,
	Voucher,
	allocate_in_order,
	build_ledger,
	split_in_proportion,
)

D = Decimal
CLAIM_INVOICE = "Sales Invoice/SINV-1"
PATIENT_INVOICE = "Sales Invoice/SINV-2"
ERA = "Journal Entry/JV-1"


def test_first_come_first_served_allocation_leaves_the_excess_over():
	parts, remainder = allocate_in_order(
		D("100.00"), [("a", D("60.00")), ("b", D("30.00")), ("c", D("25.00"))]
	)
	assert parts == [("a", D("60.00")), ("b", D("30.00")), ("c", D("10.00"))]
	assert remainder == 0
	parts, remainder = allocate_in_order(D("50.00"), [("a", D("0")), ("b", D("20.00"))])
	assert parts == [("b", D("20.00"))]
	assert remainder == D("30.00")


def test_an_invoice_holding_several_claims_is_settled_claim_by_claim():
	vouchers = [
		Voucher(
			CLAIM_INVOICE,
			charges=[
				Charge(INSURANCE, CLAIM_INVOICE, "OTHER-1", D("100.00")),
				Charge(INSURANCE, CLAIM_INVOICE, "SVC-3", D("200.00")),
			],
		),
		# A denial written off for our claim only: first come, first served among its services.
		Voucher(
			"Journal Entry/JV-DENIAL",
			reductions=[Reduction(INSURANCE, D("200.00"), open_item=CLAIM_INVOICE, among=("SVC-3",))],
			write_offs=[Adjustment(D("200.00"))],
		),
	]
	row = build_ledger(["SVC-3"], vouchers).services["SVC-3"]
	assert (row.write_off, row.insurance_paid, row.balance) == (D("200.00"), 0, 0)


def test_taking_a_payment_back_undoes_the_last_lines_first():
	parts, remainder = allocate_in_order(D("-70.00"), [("a", D("60.00")), ("b", D("30.00"))])
	assert parts == [("b", D("-30.00")), ("a", D("-40.00"))]
	assert remainder == 0


def test_proportional_split_adds_up_to_the_cent():
	parts = split_in_proportion(D("10.00"), [("a", D("1")), ("b", D("1")), ("c", D("1"))])
	assert sum(part for _key, part in parts) == D("10.00")
	assert sorted(part for _key, part in parts) == [D("3.33"), D("3.33"), D("3.34")]
	assert split_in_proportion(D("5.00"), []) == []


def private_pay_vouchers():
	"""Two private-pay services on one patient invoice; the patient pays the second through Stripe."""
	return [
		Voucher(
			PATIENT_INVOICE,
			charges=[
				Charge(PATIENT, PATIENT_INVOICE, "SVC-1", D("150.00")),
				Charge(PATIENT, PATIENT_INVOICE, "SVC-2", D("90.00")),
			],
		),
		Voucher(
			"Payment Entry/PE-1",
			reductions=[Reduction(PATIENT, D("90.00"), service="SVC-2", open_item=PATIENT_INVOICE)],
		),
	]


def test_private_pay_charge_and_an_explicit_payment():
	ledger = build_ledger(["SVC-1", "SVC-2"], private_pay_vouchers())
	first, second = ledger.services["SVC-1"], ledger.services["SVC-2"]
	assert (first.charge, first.patient_paid, first.balance) == (D("150.00"), 0, D("150.00"))
	assert (second.charge, second.patient_paid, second.balance) == (D("90.00"), D("90.00"), 0)
	# The explicit payment came off SVC-2's share of the invoice, so SVC-1 still owes all of its.
	assert ledger.open_items_of("SVC-1") == [(PATIENT_INVOICE, D("150.00"))]
	assert ledger.open_items_of("SVC-2") == []
	assert ledger.side_total(PATIENT) == D("150.00")
	assert ledger.problems == []


def test_a_payment_on_an_invoice_settles_its_lines_in_order():
	vouchers = [
		*private_pay_vouchers()[:1],
		Voucher(
			"Payment Entry/PE-9", reductions=[Reduction(PATIENT, D("200.00"), open_item=PATIENT_INVOICE)]
		),
	]
	ledger = build_ledger(["SVC-1", "SVC-2"], vouchers)
	assert ledger.services["SVC-1"].patient_paid == D("150.00")
	assert ledger.services["SVC-2"].patient_paid == D("50.00")
	assert ledger.services["SVC-2"].balance == D("40.00")


def era_vouchers(tagged: bool = True):
	"""Claim for 200.00; the payer pays 120.00, writes off 50.00 (CO-45) and moves 30.00 to the patient."""
	service = "SVC-3" if tagged else None
	return [
		Voucher(CLAIM_INVOICE, charges=[Charge(INSURANCE, CLAIM_INVOICE, "SVC-3", D("200.00"))]),
		Voucher(
			ERA,
			reductions=[Reduction(INSURANCE, D("200.00"), service=service, open_item=CLAIM_INVOICE)],
			write_offs=[Adjustment(D("50.00"), service)],
			transfers=[Adjustment(D("30.00"), service)],
		),
	]


def test_remittance_splits_insurance_paid_write_off_and_patient_share():
	for tagged in (True, False):
		ledger = build_ledger(["SVC-3"], era_vouchers(tagged))
		row = ledger.services["SVC-3"]
		assert row.charge == D("200.00")
		assert row.insurance_paid == D("120.00")
		assert row.write_off == D("50.00")
		assert (row.insurance_balance, row.patient_balance) == (0, D("30.00"))
		assert ledger.open_items_of("SVC-3") == [(ERA, D("30.00"))]
		assert ledger.problems == []


def test_patient_pays_the_share_the_remittance_moved_to_them():
	vouchers = [
		*era_vouchers(),
		Voucher("Payment Entry/PE-2", reductions=[Reduction(PATIENT, D("30.00"), open_item=ERA)]),
	]
	row = build_ledger(["SVC-3"], vouchers).services["SVC-3"]
	assert (row.insurance_paid, row.patient_paid, row.write_off, row.balance) == (
		D("120.00"),
		D("30.00"),
		D("50.00"),
		0,
	)


def test_a_claim_forwarded_to_the_next_payer_stays_on_the_insurance_side():
	vouchers = era_vouchers()
	vouchers[1].transfers = [Adjustment(D("30.00"), "SVC-3", to_side=INSURANCE)]
	vouchers.append(
		Voucher("Journal Entry/JV-2", reductions=[Reduction(INSURANCE, D("30.00"), open_item=ERA)])
	)
	ledger = build_ledger(["SVC-3"], vouchers[:2])
	row = ledger.services["SVC-3"]
	assert (row.insurance_paid, row.write_off, row.insurance_balance, row.patient_balance) == (
		D("120.00"),
		D("50.00"),
		D("30.00"),
		0,
	)
	# The secondary payer pays the forwarded balance against the first remittance's entry.
	row = build_ledger(["SVC-3"], vouchers).services["SVC-3"]
	assert (row.insurance_paid, row.balance) == (D("150.00"), 0)


def test_untagged_write_offs_are_not_spread_over_other_patients_services():
	vouchers = era_vouchers(tagged=False)
	vouchers[1].has_other_services = True
	ledger = build_ledger(["SVC-3"], vouchers)
	row = ledger.services["SVC-3"]
	# Nothing can be attributed, so the whole reduction counts as paid and the problem says why.
	assert row.insurance_paid == D("200.00") and row.write_off == 0
	assert [problem.code for problem in ledger.problems] == ["ledger-untagged", "ledger-untagged"]
	assert row.unaccounted == 0


def test_payments_nobody_applied_stay_on_the_side_not_on_a_service():
	vouchers = [
		*private_pay_vouchers()[:1],
		Voucher("Payment Entry/PE-3", reductions=[Reduction(PATIENT, D("25.00"))]),
		Voucher(
			"Payment Entry/PE-4",
			reductions=[Reduction(PATIENT, D("10.00"), open_item="Sales Invoice/ELSEWHERE")],
		),
	]
	ledger = build_ledger(["SVC-1", "SVC-2"], vouchers)
	assert ledger.unapplied[PATIENT] == D("35.00")
	assert ledger.side_total(PATIENT) == D("240.00") - D("35.00")
	assert sum(row.patient_paid for row in ledger.services.values()) == 0
	assert [problem.code for problem in ledger.problems] == ["ledger-unknown-item"]


def test_an_untagged_invoice_line_still_counts_on_the_receivable():
	vouchers = [
		Voucher(
			PATIENT_INVOICE,
			charges=[
				Charge(PATIENT, PATIENT_INVOICE, None, D("12.00")),
				Charge(PATIENT, PATIENT_INVOICE, "SVC-1", D("150.00")),
			],
		),
		Voucher("Payment Entry/PE-6", reductions=[Reduction(PATIENT, D("20.00"), open_item=PATIENT_INVOICE)]),
	]
	ledger = build_ledger(["SVC-1"], vouchers)
	# The untagged line came first, so the payment settled it before the service.
	assert ledger.unattributed[PATIENT] == 0
	assert ledger.services["SVC-1"].patient_paid == D("8.00")
	assert ledger.side_total(PATIENT) == D("142.00")


def test_a_copay_taken_before_the_remittance_leaves_a_credit_on_the_service():
	vouchers = [
		Voucher(CLAIM_INVOICE, charges=[Charge(INSURANCE, CLAIM_INVOICE, "SVC-3", D("200.00"))]),
		Voucher("Payment Entry/PE-5", reductions=[Reduction(PATIENT, D("25.00"), service="SVC-3")]),
	]
	row = build_ledger(["SVC-3"], vouchers).services["SVC-3"]
	assert (row.patient_paid, row.insurance_balance, row.patient_balance, row.balance) == (
		D("25.00"),
		D("200.00"),
		D("-25.00"),
		D("175.00"),
	)


def test_a_tagged_write_off_the_voucher_did_not_reduce_is_reported():
	vouchers = [
		*private_pay_vouchers()[:1],
		Voucher(
			"Journal Entry/JV-9",
			reductions=[Reduction(PATIENT, D("20.00"), service="SVC-1", open_item=PATIENT_INVOICE)],
			write_offs=[Adjustment(D("20.00"), "SVC-1"), Adjustment(D("5.00"), "SVC-2")],
		),
	]
	ledger = build_ledger(["SVC-1", "SVC-2"], vouchers)
	assert ledger.services["SVC-1"].write_off == D("20.00")
	assert ledger.services["SVC-1"].patient_paid == 0
	assert [problem.code for problem in ledger.problems] == ["ledger-unmatched-adjustment"]
	assert all(row.unaccounted == 0 for row in ledger.services.values())


money = st.decimals(min_value=D("-500"), max_value=D("500"), places=2)
services = st.sampled_from(["SVC-1", "SVC-2", "SVC-3", "OTHER"])
items = st.sampled_from(["Sales Invoice/A", "Sales Invoice/B", "Journal Entry/C", None])
sides = st.sampled_from([INSURANCE, PATIENT])


@st.composite
def vouchers(draw):
	result = []
	for index in range(draw(st.integers(1, 8))):
		result.append(
			Voucher(
				f"Voucher/{index}",
				charges=draw(
					st.lists(
						st.builds(
							Charge,
							sides,
							st.sampled_from(["Sales Invoice/A", "Sales Invoice/B"]),
							st.one_of(st.none(), services),
							money,
						),
						max_size=3,
					)
				),
				reductions=draw(
					st.lists(
						st.builds(Reduction, sides, money, st.one_of(st.none(), services), items), max_size=3
					)
				),
				write_offs=draw(
					st.lists(st.builds(Adjustment, money, st.one_of(st.none(), services)), max_size=2)
				),
				transfers=draw(
					st.lists(st.builds(Adjustment, money, st.one_of(st.none(), services), sides), max_size=2)
				),
				has_other_services=draw(st.booleans()),
			)
		)
	return result


@settings(max_examples=300, deadline=None)
@given(vouchers())
def test_every_service_adds_up_and_the_sides_match_the_receivables(generated):
	ledger = build_ledger(["SVC-1", "SVC-2", "SVC-3"], generated)
	for row in ledger.services.values():
		assert row.unaccounted == 0
	# What the receivables would show: every charge less every reduction, by side.
	for side in (INSURANCE, PATIENT):
		ours = {"SVC-1", "SVC-2", "SVC-3"}
		# Only vouchers that touch nothing but our services (or nothing attributable) can be summed naively.
		if any(
			charge.service not in ours
			for voucher in generated
			for charge in voucher.charges
			if charge.side == side
		):
			continue
		if any(voucher.transfers for voucher in generated):
			continue
		charged = sum((c.amount for v in generated for c in v.charges if c.side == side), D(0))
		# A reduction tagged with another service is that service's business, not ours.
		reduced = sum(
			(
				r.amount
				for v in generated
				for r in v.reductions
				if r.side == side and r.service in (None, *ours)
			),
			D(0),
		)
		assert ledger.side_total(side) == charged - reduced
