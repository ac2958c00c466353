"""write_835: ERAs for our own claims, judged by pyx12 and read back by read_835, then adjudicated."""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims_billing.core import adjudication as adj
from claims_billing.core.adjudication import adjudicate, check_payment, plan_posting, reverse_and_correct
from claims_billing.x12.claim import Adjustment
from claims_billing.x12.read_835 import read_835
from claims_billing.x12.remittance import ProviderAdjustment
from claims_billing.x12.write_835 import (
	ClaimDecision,
	EraDetails,
	LineDecision,
	remittance_for,
	reversal_of,
	write_835,
)
from tests import factories as f
from tests.pyx12_judge import judge_many

D = Decimal
GUIDE = b"005010X221A1"
# pyx12 4.0.0 logs this for every 835 (whose ST has no ST03, as the TR3 requires) after judging it;
# it is about pyx12's own 999 reply, not about the file.
PYX12_999_ARTEFACT = "Failed to create 999 response"
PAID_ON = datetime.date(2026, 11, 2)
PLB_DATE = datetime.date(2026, 12, 31)

DETAILS = EraDetails(
	payer_address=f.make_address(line1="PO Box 4400", city="Hartford", state="CT", postal_code="061014400"),
	payer_contact_phone="8005550199",
	payer_contact_name="EDI Support",
	payee_address=f.make_address(line1="200 Commerce Way", postal_code="041015678"),
	payee_tax_id="910000000",
	receiver_id="LKB0001",
	payer_bank_routing_number="011000015",
	payer_bank_account="4400123",
	payee_bank_routing_number="021000021",
	payee_bank_account="99001234",
)


def era(claims, decisions=None, **kwargs):
	kwargs.setdefault("trace_number", "EFT20261102")
	kwargs.setdefault("payment_date", PAID_ON)
	kwargs.setdefault("method", "ACH")
	kwargs.setdefault("production_date", datetime.date(2026, 10, 30))
	return remittance_for(claims, decisions, **kwargs)


def claim(n=1, **overrides):
	return f.make_claim(claim_id=f"PCN-{n:04d}", **overrides)


FIRST = claim(1)
DEPENDENT = claim(2, patient=f.make_patient())
THERAPY = claim(
	3,
	lines=[
		f.make_line("97110", modifiers=["GP", "59"], charge=D("45.50"), line_control_number="T1"),
		f.make_line("97140", modifiers=["GP"], charge=D("42.25"), line_control_number="T2"),
		f.make_line(
			"G0283",
			modifiers=["GP"],
			charge=D("22.75"),
			service_date_end=f.SERVICE_DATE + datetime.timedelta(days=2),
		),
	],
)
PARTIAL = ClaimDecision(
	FIRST.claim_id,
	lines=[
		LineDecision(allowed=D("120.00"), deductible=D("20.00"), coinsurance=D("10.50"), copay=D("5.00")),
		LineDecision(allowed=D("100.00"), copay=D("15.00")),
	],
)


def scenarios() -> dict[str, object]:
	paid = era([FIRST, DEPENDENT])
	corrected = ClaimDecision(
		FIRST.claim_id,
		lines=[LineDecision(allowed=D("150.00"), coinsurance=D("30.00")), LineDecision(allowed=D("110.00"))],
		reverses=paid.claims[0],
		payer_claim_number="ICN-CORRECTED-1",
	)
	npi = FIRST.billing_provider.npi
	return {
		"paid in full, ACH": paid,
		"partial with CO-45 and PR 1/2/3": era([FIRST], [PARTIAL], method="CHK", trace_number="CHK000777"),
		"denied CO-50 and PR-204": era(
			[FIRST, DEPENDENT],
			[
				ClaimDecision(
					FIRST.claim_id,
					lines=[LineDecision(denial=("CO", "50"), remark_codes=["N130"])] * 2,
					remark_codes=["MA01"],
				),
				ClaimDecision(
					DEPENDENT.claim_id,
					lines=[LineDecision(), LineDecision(denial=("PR", "204"), remark_codes=["N425"])],
				),
			],
		),
		"reversal and correction": era([FIRST], [corrected], trace_number="EFT20261201"),
		"PLB interest and recoupment": era(
			[FIRST],
			[PARTIAL],
			provider_adjustments=[
				ProviderAdjustment(npi, PLB_DATE, "L6", "EFT20261102001", D("-3.17")),
				ProviderAdjustment(npi, PLB_DATE, "WO", "ICN-OLD-0042", D("45.00")),
			],
		),
		"crossover CLP02 19 to the next payer": era(
			[DEPENDENT],
			[
				ClaimDecision(
					DEPENDENT.claim_id,
					lines=[
						LineDecision(allowed=D(150), deductible=D(50)),
						LineDecision(allowed=D(120), copay=D(20)),
					],
					forward_to=f.make_payer(1),
				)
			],
		),
		"changed code, dropped modifiers, date range, claim-level CAS": era(
			[THERAPY],
			[
				ClaimDecision(
					THERAPY.claim_id,
					lines=[
						LineDecision(
							adjudicated_procedure_code="97530", allowed=D("40.00"), copay=D("10.00")
						),
						LineDecision(adjudicated_modifiers=[], echo_line_control_number=False),
						LineDecision(allowed=D("20.00"), coinsurance=D("4.00")),
					],
					claim_adjustments=[Adjustment("OA", "94", D("-1.25")), Adjustment("PI", "59", D("5.00"))],
					remark_codes=["MA01", "N130"],
					received_date=datetime.date(2026, 10, 21),
				)
			],
		),
		"nothing paid: notification only": era(
			[FIRST], [ClaimDecision(FIRST.claim_id, lines=[LineDecision(denial=("CO", "29"))] * 2)]
		),
		"reversal only: a debit": era(
			[FIRST],
			[ClaimDecision(FIRST.claim_id, reverses=paid.claims[0], reversal_only=True)],
			method="CHK",
		),
	}


SCENARIOS = scenarios()


@pytest.fixture(scope="module")
def written():
	"""Each scenario written once, plus all of them as one interchange, and pyx12's verdict on each."""
	files = {
		name: write_835(remittance, f.make_envelope(), DETAILS) for name, remittance in SCENARIOS.items()
	}
	remittances = [
		dataclasses.replace(r, control_number=f"{n + 1:04d}") for n, r in enumerate(SCENARIOS.values())
	]
	files["all in one interchange"] = write_835(remittances, f.make_envelope(line_break=True), DETAILS)
	verdicts = dict(zip(files, judge_many(list(files.values()), version=GUIDE), strict=True))
	return files, verdicts, remittances


def errors_beyond_artefact(verdict):
	_, errors = verdict
	return [e for e in errors if e != PYX12_999_ARTEFACT]


@pytest.mark.parametrize("name", [*SCENARIOS, "all in one interchange"])
def test_pyx12_finds_no_error(written, name):
	_, verdicts, _ = written
	assert errors_beyond_artefact(verdicts[name]) == []
	assert verdicts[name][1].count(PYX12_999_ARTEFACT) == 1


def test_pyx12_does_find_errors_in_a_broken_era(written):
	"""The judge is not blind: without the required PER*BL and with a bad CLP06 it fails."""
	files, _, _ = written
	data = re.sub(rb"PER\*BL[^~]*~", b"", files["paid in full, ACH"]).replace(b"*12*", b"*CI*", 1)
	assert b"PER*BL" not in data
	(verdict,) = judge_many([data], version=GUIDE)
	assert not verdict[0]
	assert len(errors_beyond_artefact(verdict)) >= 2


@pytest.mark.parametrize("name", SCENARIOS)
def test_round_trip_through_read_835(written, name):
	files, _, _ = written
	assert read_835(files[name]) == [SCENARIOS[name]]


def test_several_remittances_round_trip(written):
	files, _, remittances = written
	assert read_835(files["all in one interchange"]) == remittances


@pytest.mark.parametrize("name", SCENARIOS)
def test_what_was_written_adjudicates_balanced(written, name):
	files, _, _ = written
	(remittance,) = read_835(files[name])
	assert check_payment(remittance) == []
	for payment in remittance.claims:
		breakdown = adjudicate(payment)
		assert breakdown.balanced
		assert breakdown.problems == []
	plan = plan_posting(remittance, [c.claim_id for c in remittance.claims])
	assert plan.balanced and plan.problems == []


def read_one(written, name):
	files, _, _ = written
	(remittance,) = read_835(files[name])
	return remittance


def test_paid_in_full(written):
	remittance = read_one(written, "paid in full, ACH")
	assert (remittance.handling_code, remittance.amount, remittance.method) == ("I", D(640), "ACH")
	assert (remittance.payee_id_qualifier, remittance.payee_id) == ("XX", FIRST.billing_provider.npi)
	first, second = (adjudicate(c) for c in remittance.claims)
	assert (first.status, first.paid, first.allowed) == (adj.STATUS_PAID, D(320), D(320))
	assert [line.line_control_number for line in first.services] == ["L1", "L2"]
	# The dependent's ERA names the patient and the insured separately.
	payment = remittance.claims[1]
	assert (payment.patient.first_name, payment.patient.id) == ("Juniper", "")
	assert (payment.insured.first_name, payment.insured.id_qualifier) == ("Avery", "MI")
	assert second.status == adj.STATUS_PAID


def test_partial_payment_figures(written):
	remittance = read_one(written, "partial with CO-45 and PR 1/2/3")
	(payment,) = remittance.claims
	breakdown = adjudicate(payment)
	assert (breakdown.deductible, breakdown.coinsurance, breakdown.copay) == (D(20), D("10.50"), D(20))
	assert breakdown.contractual == D(100)  # 180 - 120 and 140 - 100
	assert (breakdown.paid, breakdown.allowed, breakdown.status) == (D("169.50"), D(220), adj.STATUS_PAID)
	assert payment.patient_responsibility == D("50.50")
	assert [line.paid for line in breakdown.services] == [D("84.50"), D(85)]
	assert (remittance.method, remittance.amount) == ("CHK", D("169.50"))


def test_denials(written):
	remittance = read_one(written, "denied CO-50 and PR-204")
	denied, not_covered = (adjudicate(c) for c in remittance.claims)
	assert remittance.claims[0].status_code == "4"
	assert (denied.status, denied.contractual, denied.paid) == (adj.STATUS_DENIED, D(320), D(0))
	assert [(r.code, r.service) for r in denied.remarks] == [("MA01", None), ("N130", 1), ("N130", 2)]
	assert denied.adjustments[0].description.startswith(
		"These are non-covered services because this is not deemed"
	)
	assert remittance.claims[1].status_code == "1"
	assert (not_covered.status, not_covered.paid, not_covered.other_patient_responsibility) == (
		adj.STATUS_PAID,
		D(180),
		D(140),
	)
	assert not_covered.services[1].status == adj.STATUS_PATIENT_RESPONSIBILITY


def test_reversal_and_correction(written):
	earlier = read_one(written, "paid in full, ACH").claims[0]
	remittance = read_one(written, "reversal and correction")
	reversal, correction = remittance.claims
	assert (reversal.status_code, reversal.charge, reversal.paid) == ("22", D(-320), D(-320))
	assert reversal.payer_claim_number == earlier.payer_claim_number == "EFT20261102001"
	assert correction.payer_claim_number == "ICN-CORRECTED-1"
	result = reverse_and_correct(adjudicate(earlier), remittance.claims)
	assert result.matches_previous and result.problems == []
	assert (result.net.paid, result.net.contractual, result.net.coinsurance) == (D(-90), D(60), D(30))
	assert result.net.charge == 0
	assert (remittance.amount, remittance.credit_debit) == (D(90), "D")
	plan = plan_posting(remittance, [FIRST.claim_id] * 2)
	assert plan.totals[adj.ACCOUNT_BANK] == D(-90)
	assert plan.claim_statuses() == {FIRST.claim_id: adj.STATUS_PAID}


def test_plb_interest_and_recoupment(written):
	remittance = read_one(written, "PLB interest and recoupment")
	assert [(a.reason_code, a.reference, a.amount) for a in remittance.provider_adjustments] == [
		("L6", "EFT20261102001", D("-3.17")),
		("WO", "ICN-OLD-0042", D(45)),
	]
	assert remittance.amount == D("169.50") + D("3.17") - D(45)
	plan = plan_posting(remittance, [FIRST.claim_id])
	assert plan.totals[adj.PLB_INTEREST] == D("-3.17")
	assert plan.totals[adj.PLB_OVERPAYMENT_RECOVERY] == D(45)
	assert plan.totals[adj.ACCOUNT_BANK] == D("127.67")


def test_crossover(written):
	remittance = read_one(written, "crossover CLP02 19 to the next payer")
	(payment,) = remittance.claims
	assert (payment.status_code, payment.crossover_payer_name, payment.crossover_payer_id) == (
		"19",
		"Northwind Benefit Plan",
		"60055",
	)
	breakdown = adjudicate(payment)
	assert breakdown.status == adj.STATUS_FORWARDED and breakdown.forwarded
	plan = plan_posting(remittance, [DEPENDENT.claim_id])
	assert plan.totals[adj.ACCOUNT_NEXT_PAYER_RECEIVABLE] == D(70)
	assert plan.for_claim(DEPENDENT.claim_id)[0].patient_responsibility_to == adj.TO_NEXT_PAYER


def test_changed_code_dropped_modifiers_and_claim_level_adjustments(written):
	remittance = read_one(written, "changed code, dropped modifiers, date range, claim-level CAS")
	(payment,) = remittance.claims
	first, second, third = payment.services
	assert (first.procedure_code, first.submitted_procedure_code, first.submitted_modifiers) == (
		"97530",
		"97110",
		["GP", "59"],
	)
	assert (second.modifiers, second.line_control_number) == ([], "")
	assert (third.service_date, third.service_date_end) == (f.SERVICE_DATE, datetime.date(2026, 10, 7))
	assert payment.received_date == datetime.date(2026, 10, 21)
	breakdown = adjudicate(payment)
	# Lines pay 30 + 42.25 + 16; the claim-level OA-94 gives 1.25 back, PI-59 takes 5.
	assert breakdown.paid == D("84.50")
	assert breakdown.other_adjustments_by_group() == {"OA": D("-1.25"), "PI": D(5)}
	assert (breakdown.copay, breakdown.coinsurance, breakdown.contractual) == (D(10), D(4), D("8.25"))
	assert [r.code for r in breakdown.remarks] == ["MA01", "N130"]


def test_zero_payment_is_a_notification(written):
	remittance = read_one(written, "nothing paid: notification only")
	assert (remittance.handling_code, remittance.amount, remittance.method) == ("H", D(0), "NON")
	assert adjudicate(remittance.claims[0]).status == adj.STATUS_DENIED


def test_output_is_deterministic_and_line_breaks_are_optional():
	remittance = SCENARIOS["paid in full, ACH"]
	data = write_835(remittance, f.make_envelope(), DETAILS)
	assert data == write_835(remittance, f.make_envelope(), DETAILS)
	broken = write_835(remittance, f.make_envelope(line_break=True), DETAILS)
	assert broken.replace(b"~\n", b"~") == data
	assert data.startswith(b"ISA*00*") and b"GS*HP*" in data and b"ST*835*0001~" in data


# --- refusals ---------------------------------------------------------------------------------------


def test_refuses_a_separator_inside_a_value_naming_the_field_not_the_value():
	remittance = era([FIRST])
	remittance.claims[0].services[0].procedure_code = "90*37"
	with pytest.raises(ValueError) as caught:
		write_835(remittance, f.make_envelope(), DETAILS)
	assert str(caught.value) == (
		"remittance.claims[0].services[0].procedure_code: contains '*', the element separator of this file"
	)
	remittance = era([FIRST])
	remittance.claims[0].patient.last_name = "Tëstwell"
	with pytest.raises(
		ValueError, match=re.escape("claims[0].patient.last_name: contains the character 'ë'")
	) as caught:
		write_835(remittance, f.make_envelope(), DETAILS)
	assert "Tëstwell" not in str(caught.value)


@pytest.mark.parametrize(
	("change", "message"),
	[
		(lambda r: setattr(r.claims[0], "patient", None), "claims[0].patient: required (NM1*QC"),
		(
			lambda r: r.claims[0].adjustments.append(Adjustment("CR", "45", D(1))),
			"claims[0].adjustments[0].group: 'CR' is not one of CO, OA, PI, PR",
		),
		(lambda r: setattr(r, "originator_id", "12345"), "originator_id: must be 10 characters"),
		(lambda r: setattr(r, "payment_date", None), "payment_date: required (BPR16"),
		(lambda r: setattr(r, "amount", D(-1)), "amount: cannot be negative"),
		(lambda r: setattr(r.claims[0], "paid", D("1.005")), "claims[0].paid: amounts are whole cents"),
		(
			lambda r: setattr(r.claims[0], "filing_indicator", "CI"),
			"'CI' is not a CLP06 claim filing indicator",
		),
		(lambda r: setattr(r.claims[0], "remark_codes", ["N1"] * 6), "remark_codes: at most 5"),
		(lambda r: setattr(r.claims[0], "corrected_payer_name", "X"), "corrected_payer_name: not written"),
		(lambda r: setattr(r, "control_number", "12"), "control_number: must be 4 to 9 characters"),
		(lambda r: setattr(r.claims[0], "payer_claim_number", ""), "payer_claim_number: required"),
	],
)
def test_refuses_what_the_guide_does_not_allow(change, message):
	remittance = era([FIRST])
	change(remittance)
	with pytest.raises(ValueError, match=re.escape(message)):
		write_835(remittance, f.make_envelope(), DETAILS)


def test_electronic_payment_needs_bank_accounts_and_the_payer_needs_a_contact():
	remittance = era([FIRST])
	with pytest.raises(ValueError, match=re.escape("details.payer_bank_routing_number: required")):
		write_835(
			remittance, f.make_envelope(), EraDetails(f.make_address(), payer_contact_phone="8005550100")
		)
	with pytest.raises(ValueError, match=re.escape("PER*BL) needs a phone, email or website")):
		write_835(remittance, f.make_envelope(), dataclasses.replace(DETAILS, payer_contact_phone=""))


def test_remittance_for_refuses_mixed_payers_and_unknown_claims():
	with pytest.raises(ValueError, match=re.escape("another payer than claim PCN-0001")):
		era([FIRST, claim(5, payer=f.make_payer(2))])
	with pytest.raises(
		ValueError, match=re.escape("decisions[0].claim_id: PCN-0009 is not one of the claims given")
	):
		era([FIRST], [ClaimDecision("PCN-0009")])
	with pytest.raises(ValueError, match=re.escape("1 line decisions for 2 lines")):
		era([FIRST], [ClaimDecision(FIRST.claim_id, lines=[LineDecision()])])
	with pytest.raises(ValueError, match=re.escape("allowed 200 is more than the charge 180.00")):
		era([FIRST], [ClaimDecision(FIRST.claim_id, lines=[LineDecision(allowed=D(200)), LineDecision()])])


def test_reversal_of_negates_every_amount():
	payment = SCENARIOS["partial with CO-45 and PR 1/2/3"].claims[0]
	reversal = reversal_of(payment)
	assert reversal.status_code == "22"
	assert (reversal.charge, reversal.paid, reversal.patient_responsibility) == (
		D(-320),
		D("-169.50"),
		D("-50.50"),
	)
	assert [a.amount for a in reversal.services[0].adjustments] == [D(-60), D(-20), D("-10.50"), D(-5)]
	assert reversal.services[0].allowed == D(-120)
	assert payment.paid == D("169.50")  # the original is untouched
	assert adjudicate(reversal).figures() == -adjudicate(payment).figures()


# --- any decision: written, read back, adjudicated ----------------------------------------------------

_cents = st.integers(min_value=0, max_value=100_00).map(lambda n: D(n) / 100)


@st.composite
def line_decisions(draw, charge: Decimal):
	if draw(st.booleans()) and draw(st.booleans()):
		group = draw(st.sampled_from(["CO", "PR", "OA", "PI"]))
		return LineDecision(denial=(group, draw(st.sampled_from(["50", "204", "29", "97"]))))
	allowed = min(charge, draw(_cents) * 3)
	parts = [min(draw(_cents), allowed) for _ in range(3)]
	if sum(parts) > allowed:
		parts = [D(0), D(0), allowed]
	return LineDecision(allowed=allowed, deductible=parts[0], coinsurance=parts[1], copay=parts[2])


@st.composite
def adjudicated_claims(draw):
	codes = draw(st.lists(st.sampled_from(sorted(f.PROCEDURE_CHARGES)), min_size=1, max_size=6))
	lines = [f.make_line(code, line_control_number=f"L{n}") for n, code in enumerate(codes)]
	our_claim = f.make_claim(lines=lines)
	decisions = [draw(line_decisions(line.charge)) for line in lines]
	interest = draw(_cents)
	return our_claim, ClaimDecision(our_claim.claim_id, lines=decisions), interest


@settings(max_examples=60, deadline=None)
@given(adjudicated_claims())
def test_any_decision_round_trips_and_balances(case):
	our_claim, decision, interest = case
	npi = our_claim.billing_provider.npi
	plb = [ProviderAdjustment(npi, PLB_DATE, "L6", "INT", -interest)] if interest else []
	remittance = era([our_claim], [decision], method="CHK", provider_adjustments=plb)
	data = write_835(remittance, f.make_envelope(), DETAILS)
	assert read_835(data) == [remittance]
	(payment,) = remittance.claims
	breakdown = adjudicate(payment)
	assert breakdown.balanced and breakdown.problems == []
	expected_paid = sum(
		(D(0) if d.denial else d.allowed - d.deductible - d.coinsurance - d.copay for d in decision.lines),
		D(0),
	)
	assert breakdown.paid == expected_paid
	assert breakdown.deductible == sum((d.deductible for d in decision.lines if not d.denial), D(0))
	plan = plan_posting(remittance, [our_claim.claim_id])
	assert plan.balanced and plan.problems == []
	assert plan.totals.get(adj.ACCOUNT_BANK, D(0)) == expected_paid + interest
