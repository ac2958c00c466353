"""Adjudication arithmetic on the public 835 samples (figures checked against the files by hand) and on
remittances built for our own claims."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from claims_billing.core import adjudication as adj
from claims_billing.core.adjudication import (
	adjudicate,
	check_payment,
	classify_provider_adjustment,
	plan_posting,
	reverse_and_correct,
)
from claims_billing.x12.claim import Adjustment
from claims_billing.x12.read_835 import read_835
from claims_billing.x12.remittance import ClaimPayment, ProviderAdjustment, ServicePayment
from claims_billing.x12.write_835 import ClaimDecision, LineDecision, remittance_for, reversal_of
from tests import factories as f
from tests.unit.samples import sample, sample_names

D = Decimal
DEIDENTIFIED = "835/deidentified-3st-56-claims-bom-indented.x12"
PLB_DATE = datetime.date(2026, 12, 31)


def remittances(name):
	return read_835(sample(name))


def only(name):
	(remittance,) = remittances(name)
	return remittance


def codes(problems):
	return [p.code for p in problems]


# --- the invariant on every claim of every sample -------------------------------------------------


@pytest.mark.parametrize("name", sample_names("835"))
def test_invariant_holds_on_every_claim_and_line_of_every_sample(name):
	checked = 0
	for remittance in remittances(name):
		for payment in remittance.claims:
			breakdown = adjudicate(payment)
			assert breakdown.unaccounted == 0
			assert breakdown.charge == (
				breakdown.paid
				+ breakdown.patient_responsibility
				+ breakdown.contractual
				+ breakdown.other_adjustment_total
				+ breakdown.open_balance
			)
			for line in breakdown.services:
				assert line.unaccounted == 0
			# The 835's own imbalance is flagged, never forced away.
			assert ("era-unbalanced" in codes(breakdown.problems)) == (breakdown.era_difference != 0)
			assert breakdown.open_balance == breakdown.era_difference
			checked += 1
	assert checked == sum(len(r.claims) for r in remittances(name))


@pytest.mark.parametrize("name", sorted(set(sample_names("835")) - {DEIDENTIFIED}))
def test_balanced_samples_have_nothing_open_and_post_balanced(name):
	remittance = only(name)
	for payment in remittance.claims:
		breakdown = adjudicate(payment)
		assert breakdown.balanced, breakdown.problems
		assert not [p for p in breakdown.problems if p.code in ("era-unbalanced", "line-unbalanced")]
	assert check_payment(remittance) == []
	plan = plan_posting(remittance, [c.claim_id for c in remittance.claims])
	assert plan.balanced
	assert plan.total_debit == plan.total_credit > 0
	assert plan.problems == []


def test_deidentified_sample_is_flagged_where_its_masked_amounts_do_not_add_up():
	found = []
	for remittance in remittances(DEIDENTIFIED):
		breakdowns = [adjudicate(c) for c in remittance.claims]
		flagged = [b for b in breakdowns if "era-unbalanced" in codes(b.problems)]
		found.append((len(breakdowns), len(flagged), sum((b.era_difference for b in flagged), D(0))))
	assert found == [(19, 17, D("-1775.87")), (23, 23, D("3586.73")), (14, 11, D("-302.27"))]
	first = adjudicate(remittances(DEIDENTIFIED)[0].claims[0])
	# CLP 999.99, nothing paid, CAS CO-24 999.99 + 99.99: 99.99 more adjusted than charged.
	assert (first.charge, first.paid, first.contractual, first.open_balance) == (
		D("999.99"),
		D("0"),
		D("1099.98"),
		D("-99.99"),
	)
	message = next(p.message for p in first.problems if p.code == "era-unbalanced")
	assert "charge 999.99 - paid 0 = 999.99, but its adjustments (CAS) total 1099.98" in message


def test_deidentified_payments_do_not_match_bpr02():
	problems = [check_payment(r) for r in remittances(DEIDENTIFIED)]
	assert [codes(p) for p in problems] == [["payment-unbalanced"]] * 3
	assert "should be 776.06 but BPR02 is 999.99" in problems[0][0].message
	plan = plan_posting(
		remittances(DEIDENTIFIED)[0], [c.claim_id for c in remittances(DEIDENTIFIED)[0].claims]
	)
	assert not plan.balanced
	assert plan.total_debit - plan.total_credit == D("999.99") - D("776.06")
	assert "plan-unbalanced" in codes(plan.problems)


# --- real figures from the samples ------------------------------------------------------------------


def test_denied_claim_with_three_lines():
	remittance = only("835/denied-claim-multiple-svc.x12")
	breakdown = adjudicate(remittance.claims[0])
	assert breakdown.status == adj.STATUS_DENIED
	assert (breakdown.charge, breakdown.paid, breakdown.patient_responsibility) == (D("915.39"), D(0), D(0))
	assert breakdown.contractual == D("500.04")
	assert [(a.group, a.reason, a.amount, a.service) for a in breakdown.other_adjustments] == [
		("OA", "A7", D("127.8"), 2),
		("OA", "A7", D("287.55"), 3),
	]
	assert breakdown.other_adjustments[0].description == "Presumptive Payment Adjustment"
	assert [(r.code, r.service) for r in breakdown.remarks] == [("N14", 1), ("N14", 2), ("N14", 3)]
	assert breakdown.remarks[0].description.startswith("Payment based on a contractual amount")
	# AMT*B6 absent: allowed = charge - CO, line by line.
	assert [line.allowed for line in breakdown.services] == [D(0), D("127.8"), D("287.55")]
	assert [line.status for line in breakdown.services] == [adj.STATUS_DENIED] * 3
	plan = plan_posting(remittance, ["OUR-1"])
	assert plan.cash_received == 0
	assert plan.totals == {
		adj.ACCOUNT_INSURANCE_RECEIVABLE: D("-915.39"),
		adj.ACCOUNT_CONTRACTUAL_WRITE_OFF: D("500.04"),
		"other_adjustment": D("415.35"),
	}
	assert plan.balanced


def test_reversal_and_correction_sample():
	remittance = only("835/emedny-inpatient-drg-retro-reversal.x12")
	reversal, correction = (adjudicate(c) for c in remittance.claims)
	assert reversal.status == adj.STATUS_REVERSED
	assert (reversal.charge, reversal.paid, reversal.contractual, reversal.allowed) == (
		D("-37617.33"),
		D("-627.97"),
		D("-36989.36"),
		D("-627.97"),
	)
	assert [r.code for r in reversal.remarks] == ["N689"]
	assert correction.status == adj.STATUS_PAID
	assert (correction.paid, correction.contractual) == (D("629.54"), D("36987.79"))
	assert [r.code for r in correction.remarks] == ["N419"]
	assert check_payment(remittance) == []

	# The earlier posting that this reversal undoes: the reversal with its signs turned back.
	original = dataclasses.replace(reversal_of(remittance.claims[0]), status_code="1")
	previous = adjudicate(original)
	assert (previous.paid, previous.contractual) == (D("627.97"), D("36989.36"))
	result = reverse_and_correct(previous, remittance.claims)
	assert result.matches_previous
	assert result.problems == []
	assert result.to_reverse.paid == D("-627.97")
	assert result.to_post.paid == D("629.54")
	assert result.net.paid == D("1.57")
	assert result.net.contractual == D("-1.57")
	assert result.net.charge == 0
	assert result.net.unaccounted == 0

	plan = plan_posting(remittance, ["OUR-9", "OUR-9"])
	assert plan.balanced
	assert plan.totals[adj.ACCOUNT_BANK] == D("1.57")
	assert plan.totals[adj.ACCOUNT_CONTRACTUAL_WRITE_OFF] == D("-1.57")
	assert plan.totals[adj.ACCOUNT_INSURANCE_RECEIVABLE] == 0
	assert plan.claim_statuses() == {"OUR-9": adj.STATUS_PAID}
	# The reversal debits the receivable: a negative credit becomes a debit.
	receivable = [e for e in plan.entries if e.account == adj.ACCOUNT_INSURANCE_RECEIVABLE]
	assert [(e.debit, e.credit) for e in receivable] == [(D("37617.33"), D(0)), (D(0), D("37617.33"))]


def test_reversal_that_does_not_undo_the_earlier_posting_is_flagged():
	remittance = only("835/emedny-inpatient-drg-retro-reversal.x12")
	original = dataclasses.replace(reversal_of(remittance.claims[0]), status_code="1")
	original.paid = D("600.00")
	original.adjustments = [Adjustment("CO", "45", D("37017.33"))]
	result = reverse_and_correct(adjudicate(original), remittance.claims)
	assert not result.matches_previous
	messages = [p.message for p in result.problems if p.code == "reversal-differs"]
	assert "the reversal takes back 627.97 of paid but 600.00 was posted" in messages
	assert "the reversal takes back 36989.36 of contractual but 37017.33 was posted" in messages


def test_reverse_and_correct_refuses_payments_it_cannot_pair():
	remittance = only("835/emedny-inpatient-drg-retro-reversal.x12")
	previous = adjudicate(dataclasses.replace(reversal_of(remittance.claims[0]), status_code="1"))
	with pytest.raises(ValueError, match="expected one reversal"):
		reverse_and_correct(previous, remittance.claims[1:])
	with pytest.raises(ValueError, match="at most one corrected"):
		reverse_and_correct(previous, [*remittance.claims, remittance.claims[1]])
	other = dataclasses.replace(remittance.claims[1], claim_id="SOMEONE-ELSE")
	with pytest.raises(ValueError, match="other claims were given: SOMEONE-ELSE"):
		reverse_and_correct(previous, [remittance.claims[0], other])
	only_reversal = reverse_and_correct(previous, remittance.claims[:1])
	assert only_reversal.to_post is None
	assert only_reversal.net.paid == D("-627.97")


def test_pharmacy_plb_overpayment_recovery_and_a_negative_adjustment():
	remittance = only("835/emedny-pharmacy-plb.x12")
	third = adjudicate(remittance.claims[2])
	# CAS*CO*91*-3.5**45*36.32: the payer gives 3.50 back inside the contractual total.
	assert [(a.reason, a.amount) for a in third.adjustments] == [("91", D("-3.5")), ("45", D("36.32"))]
	assert third.contractual == D("32.82")
	assert (third.paid, third.allowed, third.status) == (D("223.64"), D("223.64"), adj.STATUS_PAID)
	(plb,) = remittance.provider_adjustments
	posting = classify_provider_adjustment(plb)
	assert (posting.reason_code, posting.reference, posting.amount) == (
		"WO",
		"FCN#201001010000000",
		D("3.99"),
	)
	assert posting.category == adj.PLB_OVERPAYMENT_RECOVERY
	assert posting.payment_effect == D("-3.99")
	plan = plan_posting(remittance, ["A", "B", "C"])
	assert plan.totals == {
		adj.ACCOUNT_BANK: D("219.65"),
		adj.ACCOUNT_INSURANCE_RECEIVABLE: D("-269.92"),
		adj.ACCOUNT_CONTRACTUAL_WRITE_OFF: D("46.28"),
		adj.PLB_OVERPAYMENT_RECOVERY: D("3.99"),
	}
	assert plan.balanced and plan.total_debit == D("269.92")


def test_negative_plb_increases_the_payment():
	remittance = only("835/ig-dollars-and-data-together-plb-mia-moa.x12")
	(plb,) = remittance.provider_adjustments
	posting = classify_provider_adjustment(plb)
	assert (posting.reason_code, posting.amount, posting.category) == ("CV", D("-1.27"), adj.PLB_SETTLEMENT)
	plan = plan_posting(remittance, ["A", "B"])
	(entry,) = [e for e in plan.entries if e.account == adj.PLB_SETTLEMENT]
	assert (entry.debit, entry.credit) == (D(0), D("1.27"))
	assert plan.totals[adj.ACCOUNT_BANK] == D("150000")
	assert plan.balanced
	second = adjudicate(remittance.claims[1])
	assert [r.code for r in second.remarks] == ["MA02"]
	assert second.remarks[0].description.startswith("Alert: If you do not agree")


def test_claim_level_and_line_level_adjustments_are_both_counted_once():
	remittance = only("835/ig-dollars-and-data-separate.x12")
	first, second = (adjudicate(c) for c in remittance.claims)
	# Claim 1: CAS*CO*A2*50 on the claim, CAS*PR*1*300 on its line.
	assert (first.paid, first.deductible, first.contractual, first.allowed) == (D(450), D(300), D(50), D(750))
	(line,) = first.services
	assert (line.charge, line.paid, line.deductible, line.contractual) == (D(800), D(500), D(300), D(0))
	# Claim 2: CO-A2 55 on the claim, PR-1 600 and CO-45 50 on the line.
	assert (second.paid, second.deductible, second.contractual) == (D(495), D(600), D(105))
	assert second.services[0].contractual == D(50)
	plan = plan_posting(remittance, ["A", "B"])
	assert plan.totals[adj.ACCOUNT_PATIENT_RECEIVABLE] == D(900)
	assert plan.for_claim("A")[0].insurance_receivable_credit == D(800)


def test_coinsurance_deductible_and_allowed_amounts_from_amt_b6():
	remittance = only("835/uhc-legacy-gt-component-sep.x12")
	first, second = (adjudicate(c) for c in remittance.claims)
	assert (first.deductible, first.contractual, first.allowed) == (D("105.26"), D("147.1"), D("194.18"))
	assert (second.deductible, second.coinsurance, second.contractual) == (D("110"), D("5.13"), D("440.04"))
	# The AMT*B6 of the three lines add up to the claim's AMT*AU 376.2.
	assert second.allowed == D("376.2") == remittance.claims[1].coverage_amount
	assert [line.line_control_number for line in second.services] == [
		"123456789012",
		"123456789013",
		"123456789014",
	]


def test_copays_of_the_multiple_claims_check():
	remittance = only("835/ig-multiple-claims-single-check.x12")
	breakdowns = [adjudicate(c) for c in remittance.claims]
	fourth = breakdowns[3]
	assert (fourth.paid, fourth.copay, fourth.contractual, fourth.allowed) == (D(14), D(902), D(229), D(916))
	assert [b.copay for b in breakdowns] == [D(0), D(0), D(24), D(902), D("44.2"), D(0), D(0), D(0), D(0)]
	plan = plan_posting(remittance, [f"C{i}" for i in range(9)])
	assert plan.totals[adj.ACCOUNT_PATIENT_RECEIVABLE] == D("970.2")
	assert plan.totals[adj.ACCOUNT_BANK] == D("810.8")


def test_secondary_payment_prior_payer_adjustment_and_next_payer_routing():
	remittance = only("835/ig-secondary-payments.x12")
	first, second = (adjudicate(c) for c in remittance.claims)
	assert [(a.group, a.reason, a.amount) for a in first.other_adjustments] == [("OA", "23", D("9411.64"))]
	assert first.other_adjustments[0].description.startswith("The impact of prior payer(s) adjudication")
	assert (second.deductible, second.coinsurance, second.contractual, second.other_adjustment_total) == (
		D(150),
		D(70),
		D(85),
		D("136.50"),
	)
	# AMT*B6 wins over charge - CO: 150 (not 166.5, whose OA-23 is no reduction of the allowed) and 500.
	assert [line.allowed for line in second.services] == [D(150), D(500)]
	assert second.allowed == D(650)
	tertiary = adjudicate(only("835/ig-tertiary-payment.x12").claims[0])
	assert tertiary.allowed == D(1700)
	plan = plan_posting(remittance, ["A", "B"], next_payer_claims={"B"})
	assert plan.totals[adj.ACCOUNT_NEXT_PAYER_RECEIVABLE] == D(220)
	assert adj.ACCOUNT_PATIENT_RECEIVABLE not in plan.totals
	assert plan.for_claim("B")[0].patient_responsibility_to == adj.TO_NEXT_PAYER


# --- statuses and flags on our own claims ------------------------------------------------------------


def era(claims, decisions=None, **kwargs):
	kwargs.setdefault("trace_number", "T100")
	kwargs.setdefault("payment_date", datetime.date(2026, 11, 2))
	return remittance_for(claims, decisions, **kwargs)


def test_statuses():
	claim = f.make_claim()
	paid = era([claim]).claims[0]
	deductible = era(
		[claim],
		[
			ClaimDecision(
				claim.claim_id,
				lines=[
					LineDecision(allowed=D(100), deductible=D(100)),
					LineDecision(allowed=D(90), deductible=D(90)),
				],
			)
		],
	).claims[0]
	denied = era(
		[claim], [ClaimDecision(claim.claim_id, lines=[LineDecision(denial=("CO", "50"))] * 2)]
	).claims[0]
	forwarded = era([claim], [ClaimDecision(claim.claim_id, forward_to=f.make_payer(1))]).claims[0]
	assert adjudicate(paid).status == adj.STATUS_PAID
	assert adjudicate(deductible).status == adj.STATUS_PATIENT_RESPONSIBILITY
	assert adjudicate(denied).status == adj.STATUS_DENIED
	assert denied.status_code == "4"
	breakdown = adjudicate(forwarded)
	assert breakdown.status == adj.STATUS_FORWARDED
	assert (breakdown.forwarded, breakdown.forwarded_to_name, breakdown.forwarded_to_id) == (
		True,
		"Northwind Benefit Plan",
		"60055",
	)
	assert adjudicate(reversal_of(paid)).status == adj.STATUS_REVERSED
	recouped = dataclasses.replace(
		paid, paid=-paid.paid, adjustments=[Adjustment("OA", "94", paid.charge * 2)]
	)
	assert adjudicate(recouped).status == adj.STATUS_RECOUPED
	assert adjudicate(recouped).unaccounted == 0
	# Paid, but the payer adjudicated only 300 of the 320 billed.
	partial = adjudicate(paid, billed_charge=D(340))
	assert (partial.status, partial.open_balance) == (adj.STATUS_PARTIALLY_PAID, D(20))
	assert "charge-differs" in codes(partial.problems)


def test_forwarded_claim_sends_patient_responsibility_to_the_next_payer():
	claim = f.make_claim()
	decision = ClaimDecision(
		claim.claim_id,
		lines=[LineDecision(allowed=D(150), coinsurance=D(30)), LineDecision(allowed=D(120), copay=D(20))],
		forward_to=f.make_payer(2),
	)
	remittance = era([claim], [decision])
	plan = plan_posting(remittance, [claim.claim_id])
	assert plan.totals[adj.ACCOUNT_NEXT_PAYER_RECEIVABLE] == D(50)
	assert plan.totals[adj.ACCOUNT_BANK] == D(220)
	assert plan.totals[adj.ACCOUNT_CONTRACTUAL_WRITE_OFF] == D(50)
	assert plan.balanced


def test_patient_responsibility_that_disagrees_with_clp05_is_flagged():
	payment = only("835/uhc-legacy-gt-component-sep.x12").claims[0]
	payment.patient_responsibility = D("100")
	breakdown = adjudicate(payment)
	(problem,) = [p for p in breakdown.problems if p.code == "patient-responsibility-differs"]
	assert "CLP05) is 100 but the PR adjustments total 105.26" in problem.message
	assert breakdown.deductible == D("105.26")


def test_unbalanced_line_and_unknown_group_are_flagged_not_forced():
	service = ServicePayment("97110", D(100), D(60), adjustments=[Adjustment("CO", "45", D(30))])
	odd = ServicePayment("97140", D(50), D(0), adjustments=[Adjustment("XX", "45", D(50))])
	payment = ClaimPayment("PCN-9", "1", D(150), D(60), D(0), services=[service, odd])
	breakdown = adjudicate(payment)
	assert codes(breakdown.problems).count("line-unbalanced") == 1
	assert codes(breakdown.problems).count("unknown-adjustment-group") == 1
	assert breakdown.open_balance == D(10) == breakdown.era_difference
	assert breakdown.services[0].open_balance == D(10)
	assert breakdown.status == adj.STATUS_PARTIALLY_PAID
	assert breakdown.unaccounted == 0
	assert breakdown.problems[0].path == "claim PCN-9.services[0]"


def test_positive_reversal_is_flagged():
	payment = ClaimPayment("PCN-9", "22", D(100), D(100), D(0))
	assert "reversal-not-negated" in codes(adjudicate(payment).problems)


def test_split_claim_payments_share_the_billed_charge():
	claim = f.make_claim()
	remittance = era([claim])
	whole = remittance.claims[0]
	first = dataclasses.replace(whole, charge=D(180), paid=D(180), services=whole.services[:1])
	second = dataclasses.replace(whole, charge=D(100), paid=D(100), services=[])
	second.adjustments = []
	remittance.claims = [first, second]
	remittance.amount = D(280)
	plan = plan_posting(remittance, [claim.claim_id] * 2, billed_charges={claim.claim_id: D(320)})
	assert [p.breakdown.open_balance for p in plan.claims] == [D(0), D(40)]
	assert plan.claim_statuses() == {claim.claim_id: adj.STATUS_PARTIALLY_PAID}
	assert plan.balanced


def test_unmatched_claim_payment_goes_to_unapplied_payments():
	remittance = only("835/ig-dollars-and-data-separate.x12")
	plan = plan_posting(remittance, ["A", None])
	assert [(u.claim_id, u.paid) for u in plan.unapplied] == [("8765432112", D(495))]
	assert plan.totals[adj.ACCOUNT_UNAPPLIED_PAYMENTS] == D(-495)
	assert "unmatched-claim" in codes(plan.problems)
	assert plan.balanced
	with pytest.raises(ValueError, match="claim_ids: 1 given for 2 claim payments"):
		plan_posting(remittance, ["A"])


def test_debit_payment_is_negative_cash():
	claim = f.make_claim()
	earlier = era([claim]).claims[0]
	remittance = era([claim], [ClaimDecision(claim.claim_id, reverses=earlier, reversal_only=True)])
	assert (remittance.credit_debit, remittance.amount) == ("D", D(320))
	assert adj.signed_payment_amount(remittance) == D(-320)
	assert check_payment(remittance) == []
	plan = plan_posting(remittance, [claim.claim_id])
	assert plan.totals[adj.ACCOUNT_BANK] == D(-320)
	assert plan.totals[adj.ACCOUNT_INSURANCE_RECEIVABLE] == D(320)
	assert plan.balanced


def test_plb_interest_and_recoupment_on_our_remittance():
	claim = f.make_claim()
	npi = claim.billing_provider.npi
	remittance = era(
		[claim],
		provider_adjustments=[
			ProviderAdjustment(npi, PLB_DATE, "L6", "EFT0001001", D("-4.20")),
			ProviderAdjustment(npi, PLB_DATE, "WO", "OLDCLAIM77", D("25.00")),
		],
	)
	assert remittance.amount == D("299.20")
	plan = plan_posting(remittance, [claim.claim_id])
	assert plan.totals[adj.PLB_INTEREST] == D("-4.20")
	assert plan.totals[adj.PLB_OVERPAYMENT_RECOVERY] == D("25.00")
	assert [p.category for p in plan.provider_adjustments] == [adj.PLB_INTEREST, adj.PLB_OVERPAYMENT_RECOVERY]
	assert plan.balanced and plan.problems == []
	remittance.amount = D("320")
	assert codes(check_payment(remittance)) == ["payment-unbalanced"]


def test_unknown_plb_reason_is_posted_as_other_and_flagged():
	posting = classify_provider_adjustment(ProviderAdjustment("1", PLB_DATE, "ZZ", "", D(5)))
	assert posting.category == adj.PLB_OTHER
	claim = f.make_claim()
	remittance = era([claim], provider_adjustments=[ProviderAdjustment("1", PLB_DATE, "ZZ", "", D(5))])
	plan = plan_posting(remittance, [claim.claim_id])
	assert "unknown-plb-reason" in codes(plan.problems)
	assert plan.balanced


def test_plb_table_covers_exactly_the_reason_codes_of_the_835_guide():
	"""pyx12's 005010X221A1 map is an independent list of the valid PLB03-1 codes."""
	import pyx12

	map_file = __import__("pathlib").Path(pyx12.__file__).parent / "map" / "835.5010.X221.A1.xml"
	root = ElementTree.parse(map_file).getroot()
	(element,) = [e for e in root.iter("element") if e.get("xid") == "PLB03-01"]
	valid = {code.text for code in element.iter("code")}
	assert len(valid) == 41
	assert set(adj.PLB_REASONS) == valid
	assert set(adj.PLB_CATEGORY_DESCRIPTIONS) == {r.category for r in adj.PLB_REASONS.values()}
	assert adj.PLB_REASONS["L6"].category == adj.PLB_INTEREST
	assert adj.PLB_REASONS["FB"].category == adj.PLB_FORWARDING_BALANCE
	assert adj.PLB_REASONS["72"].category == adj.PLB_OVERPAYMENT_RECOVERY
	assert adj.PLB_REASONS["CS"].category == adj.PLB_OTHER


def test_negated_breakdown_undoes_the_figures():
	breakdown = adjudicate(only("835/uhc-legacy-gt-component-sep.x12").claims[1])
	undone = breakdown.negated()
	total = breakdown.figures() + undone.figures()
	assert all(getattr(total, field.name) == 0 for field in dataclasses.fields(total))
	assert undone.status == adj.STATUS_REVERSED
	assert undone.paid == D("-261.07")
	assert [line.paid for line in undone.services] == [D("-204.18"), D("-27.84"), D("-29.05")]
	assert undone.services[2].coinsurance == D("-5.13")
	assert breakdown.paid == D("261.07")  # the original is untouched
