"""Coordination of benefits from an 835: other_payer_from_remittance and secondary_claim."""

from __future__ import annotations

import copy
import datetime
import re
from decimal import Decimal

import pytest

from claims_billing.core.cob import carry_earlier_payers, other_payer_from_remittance, secondary_claim
from claims_billing.x12.claim import Adjustment, OtherPayer
from claims_billing.x12.remittance import ClaimPayment, Remittance, ServicePayment
from tests import factories as f

ERA_DATE = datetime.date(2026, 11, 2)
D = Decimal


def service(code, charge, paid, *adjustments, control="", date=f.SERVICE_DATE, modifiers=(), **extra):
	return ServicePayment(
		procedure_code=code,
		charge=D(charge),
		paid=D(paid),
		modifiers=list(modifiers),
		service_date=date,
		line_control_number=control,
		adjustments=[Adjustment(g, r, D(a)) for g, r, a in adjustments],
		**extra,
	)


def payment_for(claim, services=(), adjustments=(), paid=None, patient_responsibility="0", **extra):
	services = list(services)
	if paid is None:
		paid = sum((s.paid for s in services), D(0))
	return ClaimPayment(
		claim_id=claim.claim_id,
		status_code="1",
		charge=claim.total_charge,
		paid=D(paid),
		patient_responsibility=D(patient_responsibility),
		payer_claim_number="EVG-1",
		adjustments=[Adjustment(g, r, D(a)) for g, r, a in adjustments],
		services=services,
		**extra,
	)


def remittance(*payments, payment_date=ERA_DATE, production_date=None):
	return Remittance(
		control_number="0001",
		handling_code="I",
		amount=sum((p.paid for p in payments), D(0)),
		credit_debit="C",
		method="CHK",
		payment_date=payment_date,
		trace_number="CHK1",
		production_date=production_date,
		claims=list(payments),
	)


def line_level_payment(claim):
	"""ERA for factories.make_claim(): 90837 180 and 90834 140, both with REF*6R echoed."""
	return payment_for(
		claim,
		[
			service("90837", "180", "100", ("CO", "45", "50"), ("PR", "2", "30"), control="L1"),
			service(
				"90834",
				"140",
				"80",
				("CO", "45", "40"),
				("PR", "3", "20"),
				control="L2",
				date=f.SERVICE_DATE + datetime.timedelta(days=7),
			),
		],
		patient_responsibility="50",
	)


def build(claim, payment, era=None):
	return other_payer_from_remittance(
		claim, payment, era or remittance(payment), "P", claim.payer, claim.subscriber
	)


# --- other_payer_from_remittance ---------------------------------------------------------------


def test_line_level_era_gives_line_adjudications_and_line_liability():
	claim = f.make_claim()
	other = build(claim, line_level_payment(claim))
	assert (other.responsibility, other.relationship, other.paid) == ("P", "18", D("180"))
	assert other.payer is claim.payer and other.subscriber is claim.subscriber
	assert other.adjudication_date == ERA_DATE
	assert other.payer_claim_number == "EVG-1"
	assert other.adjustments == []
	assert other.remaining_patient_liability is None, "not at claim level when lines carry it (RFI 1391)"
	first, second = other.line_adjudications
	assert (first.line_number, first.paid, first.procedure_code, first.units) == (1, D("100"), "90837", D(1))
	assert [(a.group, a.reason, a.amount) for a in first.adjustments] == [
		("CO", "45", D("50")),
		("PR", "2", D("30")),
	]
	assert first.remaining_patient_liability == D("30")
	assert (second.line_number, second.paid, second.remaining_patient_liability) == (2, D("80"), D("20"))
	assert second.adjudication_date == ERA_DATE


def test_claim_level_era_puts_liability_on_the_claim():
	claim = f.make_claim()
	payment = payment_for(
		claim, adjustments=[("CO", "45", "90"), ("PR", "1", "50")], paid="180", patient_responsibility="50"
	)
	other = build(claim, payment)
	assert other.line_adjudications == []
	assert other.remaining_patient_liability == D("50")
	assert [(a.group, a.amount) for a in other.adjustments] == [("CO", D("90")), ("PR", D("50"))]


def test_claim_level_patient_share_next_to_lines_stays_on_the_claim():
	claim = f.make_claim()
	payment = payment_for(
		claim,
		[
			service("90837", "180", "120", ("CO", "45", "60"), control="L1"),
			service("90834", "140", "100", ("CO", "45", "40"), date=None),  # matched via statement date
		],
		adjustments=[("PR", "1", "10")],
		paid="210",
		patient_responsibility="10",
		statement_from=f.SERVICE_DATE + datetime.timedelta(days=7),
	)
	other = build(claim, payment)
	assert other.remaining_patient_liability == D("10")
	assert [a.remaining_patient_liability for a in other.line_adjudications] == [None, None]


def test_adjustments_are_copies():
	claim = f.make_claim()
	payment = line_level_payment(claim)
	other = build(claim, payment)
	other.line_adjudications[0].adjustments[0].amount = D("1")
	assert payment.services[0].adjustments[0].amount == D("50")


def test_matches_by_line_control_number_even_when_codes_repeat():
	same_day = f.make_claim(
		lines=[
			f.make_line("97110", line_control_number="A", charge=D("45.50")),
			f.make_line("97110", line_control_number="B", charge=D("45.50")),
		]
	)
	payment = payment_for(
		same_day,
		[
			service("97110", "45.50", "0", ("CO", "97", "45.50"), control="B"),
			service("97110", "45.50", "30", ("CO", "45", "15.50"), control="A"),
		],
	)
	other = build(same_day, payment)
	assert [(a.line_number, a.paid) for a in other.line_adjudications] == [(1, D("30")), (2, D("0"))]


def test_matches_by_code_modifiers_and_date_without_control_numbers():
	claim = f.make_claim(
		lines=[
			f.make_line("97110", modifiers=["GP"], charge=D("91"), units=D(2)),
			f.make_line("97140", modifiers=["GP", "59"], charge=D("42.25")),
			f.make_line("97110", modifiers=["GP"], charge=D("91"), units=D(2),
				service_date=f.SERVICE_DATE + datetime.timedelta(days=2)),
		]
	)  # fmt: skip
	later = f.SERVICE_DATE + datetime.timedelta(days=2)
	payment = payment_for(
		claim,
		[
			service("97110", "91", "50", ("CO", "45", "41"), modifiers=["GP"], date=later, units=D(2)),
			service("97140", "42.25", "20", ("CO", "45", "22.25"), modifiers=["59", "GP"]),
			service("97110", "91", "60", ("CO", "45", "31"), modifiers=["GP"], units=D(2)),
		],
	)
	other = build(claim, payment)
	assert [(a.line_number, a.paid, a.units) for a in other.line_adjudications] == [
		(1, D("60"), D(2)),
		(2, D("20"), D(1)),
		(3, D("50"), D(2)),
	]


def test_matches_the_submitted_code_when_the_payer_changed_it():
	claim = f.make_claim(lines=[f.make_line("99213", charge=D("125"))], diagnoses=["I10"])
	payment = payment_for(
		claim,
		[service("99212", "125", "70", ("CO", "45", "55"), submitted_procedure_code="99213")],
	)
	(adjudication,) = build(claim, payment).line_adjudications
	assert (adjudication.line_number, adjudication.procedure_code) == (1, "99212"), "SVD03 is what was paid"


def test_falls_back_to_production_date():
	claim = f.make_claim()
	payment = line_level_payment(claim)
	era = remittance(payment, payment_date=None, production_date=datetime.date(2026, 11, 3))
	assert build(claim, payment, era).adjudication_date == datetime.date(2026, 11, 3)


@pytest.mark.parametrize(
	("change", "message"),
	[
		(lambda p: setattr(p, "claim_id", "OTHER-9"), "is for claim OTHER-9"),
		(lambda p: setattr(p, "status_code", "22"), "reversal"),
		(lambda p: setattr(p, "paid", D("181")), "does not balance"),
		(lambda p: setattr(p, "charge", D("300")), "adjudicated a charge of 300"),
		(lambda p: p.services[1].adjustments.append(Adjustment("CO", "45", D("1"))), "does not balance"),
		(lambda p: setattr(p.services[1], "procedure_code", "90791"), "matches no line"),
		(lambda p: p.services.pop(), "no service for line(s) 2"),
	],
)
def test_refuses_payments_that_would_give_wrong_cob(change, message):
	claim = f.make_claim()
	payment = line_level_payment(claim)
	if message == "matches no line":
		payment.services[1].line_control_number = ""
	if message.startswith("no service"):
		payment.paid = D("100")
		payment.charge = D("320")
		payment.adjustments = [Adjustment("CO", "45", D("140"))]
	change(payment)
	with pytest.raises(ValueError, match=re.escape(message)):
		build(claim, payment)


def test_refuses_a_line_whose_charge_differs_from_the_era():
	claim = f.make_claim()
	claim.lines[0].charge = D("170")
	claim.lines[1].charge = D("150")
	with pytest.raises(ValueError, match="line 1 charges 170"):
		build(claim, line_level_payment(claim))


def test_refuses_an_era_without_any_date():
	claim = f.make_claim()
	payment = line_level_payment(claim)
	with pytest.raises(ValueError, match="adjudication date"):
		build(claim, payment, remittance(payment, payment_date=None))


# --- secondary_claim ---------------------------------------------------------------------------


def secondary_parties():
	return f.make_payer(1, payer_id="NWB77"), f.make_subscriber(0, member_id="NWB5550001")


def test_secondary_claim_is_addressed_to_the_next_payer():
	primary = f.make_claim(prior_authorization="AUTH1", frequency="7", original_claim_number="X1")
	payer, subscriber = secondary_parties()
	payment = line_level_payment(primary)
	secondary = secondary_claim(primary, payment, remittance(payment), payer, subscriber, "PCN-0001S")
	assert (secondary.claim_id, secondary.payer_responsibility) == ("PCN-0001S", "S")
	assert secondary.payer is payer and secondary.subscriber is subscriber
	assert secondary.patient is None, "same person as the primary subscriber"
	assert (secondary.frequency, secondary.original_claim_number, secondary.prior_authorization) == (
		"1",
		"",
		"",
	)
	(other,) = secondary.other_payers
	assert (other.responsibility, other.payer.payer_id, other.subscriber.member_id) == (
		"P",
		"60054",
		"XQZ700000000",
	)
	assert other.paid == D("180")
	assert secondary.total_charge == primary.total_charge
	assert secondary.lines is not primary.lines and secondary.lines[0] is not primary.lines[0]
	assert primary.claim_id == "PCN-0001" and primary.other_payers == [], "the primary claim is untouched"


def test_secondary_drops_the_new_payer_from_the_other_payers_and_keeps_the_rest():
	payer, subscriber = secondary_parties()
	tertiary_payer = f.make_payer(3, payer_id="BMP01")
	primary = f.make_claim(
		other_payers=[
			OtherPayer("S", payer, subscriber),
			OtherPayer("T", tertiary_payer, f.make_subscriber(0, member_id="BMP9")),
		]
	)
	payment = line_level_payment(primary)
	secondary = secondary_claim(primary, payment, remittance(payment), payer, subscriber, "S1")
	assert [(o.responsibility, o.payer.payer_id) for o in secondary.other_payers] == [
		("P", "60054"),
		("T", "BMP01"),
	]


def test_tertiary_carries_both_earlier_payers():
	primary = f.make_claim()
	payer, subscriber = secondary_parties()
	payment = line_level_payment(primary)
	secondary = secondary_claim(primary, payment, remittance(payment), payer, subscriber, "PCN-0001S")
	second_payment = payment_for(
		secondary,
		[
			service("90837", "180", "25", ("OA", "23", "150"), ("PR", "2", "5"), control="L1"),
			service("90834", "140", "15", ("OA", "23", "120"), ("PR", "3", "5"), control="L2",
				date=f.SERVICE_DATE + datetime.timedelta(days=7)),
		],
		patient_responsibility="10",
	)  # fmt: skip
	second_era = remittance(second_payment, payment_date=datetime.date(2026, 11, 16))
	tertiary_payer = f.make_payer(3, payer_id="BMP01")
	tertiary = secondary_claim(
		secondary,
		second_payment,
		second_era,
		tertiary_payer,
		f.make_subscriber(0, member_id="B1"),
		"PCN-0001T",
	)
	assert tertiary.payer_responsibility == "T"
	assert [(o.responsibility, o.payer.payer_id, o.paid) for o in tertiary.other_payers] == [
		("S", "NWB77", D("40")),
		("P", "60054", D("180")),
	]
	assert [o.adjudication_date for o in tertiary.other_payers] == [datetime.date(2026, 11, 16), ERA_DATE]
	assert [len(o.line_adjudications) for o in tertiary.other_payers] == [2, 2]


def test_no_payer_after_tertiary():
	claim = f.make_claim(payer_responsibility="T")
	payment = line_level_payment(claim)
	payer, subscriber = secondary_parties()
	with pytest.raises(ValueError, match="has no next payer"):
		secondary_claim(claim, payment, remittance(payment), payer, subscriber, "X")


def test_dependent_stays_a_dependent_under_the_other_parent():
	child = f.make_patient()
	primary = f.make_claim(patient=child)
	payment = line_level_payment(primary)
	other_parent = f.make_subscriber(3, member_id="NWB42")
	secondary = secondary_claim(primary, payment, remittance(payment), f.make_payer(1), other_parent, "S1")
	assert secondary.patient == child and secondary.patient is not child
	assert secondary.other_payers[0].relationship == "19", (
		"2320 SBR02: the child's relationship to the primary insured"
	)


def test_dependent_who_is_the_secondary_subscriber_becomes_the_subscriber():
	spouse = f.make_patient(first_name="Robin", relationship="01", date_of_birth=datetime.date(1972, 5, 5))
	primary = f.make_claim(patient=spouse)
	payment = line_level_payment(primary)
	own_policy = f.make_subscriber(
		9, last_name="Testwell", first_name="Robin", date_of_birth=spouse.date_of_birth
	)
	secondary = secondary_claim(primary, payment, remittance(payment), f.make_payer(1), own_policy, "S1")
	assert secondary.patient is None
	assert secondary.other_payers[0].relationship == "01"


def test_subscriber_patient_under_someone_elses_policy_must_be_named():
	primary = f.make_claim()
	payment = line_level_payment(primary)
	spouse_policy = f.make_subscriber(4)
	with pytest.raises(ValueError, match="pass patient="):
		secondary_claim(primary, payment, remittance(payment), f.make_payer(1), spouse_policy, "S1")
	patient = f.make_patient(first_name="Avery", relationship="01")
	secondary = secondary_claim(
		primary, payment, remittance(payment), f.make_payer(1), spouse_policy, "S1", patient=patient
	)
	assert secondary.patient is patient


def test_inputs_are_not_changed():
	primary = f.make_claim()
	payment = line_level_payment(primary)
	before = (copy.deepcopy(primary), copy.deepcopy(payment))
	payer, subscriber = secondary_parties()
	secondary_claim(primary, payment, remittance(payment), payer, subscriber, "S1")
	assert (primary, payment) == before


# --- carry_earlier_payers ----------------------------------------------------------------------


def stored_secondary():
	primary = f.make_claim()
	payer, subscriber = secondary_parties()
	payment = line_level_payment(primary)
	return secondary_claim(primary, payment, remittance(payment), payer, subscriber, "PCN-0001S")


def test_a_rebuilt_next_payer_claim_gets_the_stored_cob_data():
	stored = stored_secondary()
	payer, subscriber = secondary_parties()
	rebuilt = f.make_claim(claim_id="PCN-0001S", payer=payer, subscriber=subscriber)
	assert rebuilt.other_payers == [] and rebuilt.payer_responsibility == "P"
	assert carry_earlier_payers(rebuilt, stored) == []
	assert rebuilt.payer_responsibility == "S"
	assert rebuilt.other_payers == stored.other_payers
	assert rebuilt.other_payers[0] is not stored.other_payers[0], "a copy, not shared"
	assert [a.line_number for a in rebuilt.other_payers[0].line_adjudications] == [1, 2]


def test_cob_data_that_no_longer_fits_the_lines_is_reported():
	stored = stored_secondary()
	one_line = f.make_claim(claim_id="PCN-0001S")
	del one_line.lines[1]
	problems = carry_earlier_payers(one_line, stored)
	assert problems == [
		f"{stored.other_payers[0].payer.name} adjudicated service line 2, which this claim no longer has"
	]
	recoded = f.make_claim(claim_id="PCN-0001S")
	recoded.lines[0].procedure_code = "90832"
	[problem] = carry_earlier_payers(recoded, stored)
	assert "adjudicated 90837 on service line 1" in problem and "now 90832" in problem


def test_a_stored_claim_without_cob_data_is_reported():
	rebuilt = f.make_claim(claim_id="PCN-0001S")
	assert carry_earlier_payers(rebuilt, f.make_claim()) == [
		"claim PCN-0001S: no earlier payer's adjudication to send to the next payer"
	]
