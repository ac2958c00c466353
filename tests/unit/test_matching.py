"""Matching ERA claim payments to our claims and service payments to our lines."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from claims_billing.core import matching as m
from claims_billing.core.matching import (
	OpenClaim,
	OpenLine,
	match_claim,
	match_claims,
	match_lines,
	open_claim,
)
from claims_billing.x12.claim import Adjustment
from claims_billing.x12.read_835 import read_835
from claims_billing.x12.remittance import ClaimPayment, PartyName, ServicePayment
from claims_billing.x12.write_835 import ClaimDecision, LineDecision, remittance_for
from tests import factories as f
from tests.unit.samples import sample

D = Decimal
DAY = datetime.date(2014, 3, 24)


def only(name):
	(remittance,) = read_835(sample(name))
	return remittance


def era_for(claims, decisions=None):
	return remittance_for(claims, decisions, trace_number="T1", payment_date=datetime.date(2026, 11, 2))


# --- claims ------------------------------------------------------------------------------------------


def dental_claim(claim_id, last, first, member_id, charge, codes, day=DAY):
	"""One of our claims as the dentist in the TR3's multiple-claims example would have sent it."""
	return OpenClaim(
		claim_id=claim_id,
		charge=D(charge),
		patient_last_name=last,
		patient_first_name=first,
		member_id=member_id,
		lines=[OpenLine(procedure_code=code, charge=D(amount), service_date=day) for code, amount in codes],
	)


SANDY = dental_claim(
	"7722337",
	"Doe",
	"Sandy",
	"SJD11112",
	"226",
	[("D0120", "46"), ("D0220", "25"), ("D0230", "22"), ("D0274", "60"), ("D1110", "73")],
)
SALLY = dental_claim("PCN-SALLY", "DOE", "SALLY", "SJD11111", "119", [("D0120", "46"), ("D1110", "73")])


def test_claim_id_matches_and_a_shared_claim_id_for_another_patient_is_only_suggested():
	"""Every CLP of the TR3 example carries CLP01 7722337; only the first is Sandy's."""
	remittance = only("835/ig-multiple-claims-single-check.x12")
	matches = match_claims(remittance.claims, [SANDY, SALLY])
	first = matches[0]
	assert (first.status, first.claim_id, first.how) == (m.MATCHED, "7722337", m.BY_CLAIM_ID)
	# The second payment is Sally's (another member id): CLP01 points at Sandy's claim, so staff confirm.
	second = matches[1]
	assert second.status == m.SUGGESTED
	assert second.claim_id is None
	assert [s.claim_id for s in second.suggestions] == ["PCN-SALLY", "7722337"]
	assert second.suggestions[0].reason == (
		"claim PCN-SALLY: same patient last name, first name, member id, date of service 2014-03-24, charge 119"
	)
	assert "names a different patient" in second.reason
	# Claim 3 is Sally Smith: no claim of ours for that surname or member id, only the shared CLP01.
	third = matches[2]
	assert third.status == m.SUGGESTED
	assert [s.claim_id for s in third.suggestions] == ["7722337"]
	assert all(match.claim_id != "7722337" for match in matches[1:])


def test_payer_claim_number_matches_when_clp01_does_not():
	remittance = only("835/ig-dollars-and-data-separate.x12")
	ours = OpenClaim(
		claim_id="OUR-77", charge=D(1200), payer_claim_numbers=["9407779923000"], patient_last_name="Settle"
	)
	matches = match_claims(remittance.claims, [ours])
	assert (matches[1].status, matches[1].claim_id, matches[1].how) == (
		m.MATCHED,
		"OUR-77",
		m.BY_PAYER_CLAIM_NUMBER,
	)
	assert matches[0].status == m.UNMATCHED
	assert matches[0].reason == (
		"no claim has claim id 5554555444 (CLP01) or payer claim number 94060555410000 (CLP07), and none is "
		"for the same patient with a service date in 2002-03-01 to 2002-03-04"
	)


def test_claim_id_matches_loosely_when_the_payer_changed_case_and_punctuation():
	payment = ClaimPayment("pcn 0001", "1", D(320), D(320), D(0))
	found = match_claim(payment, [open_claim(f.make_claim())])
	assert (found.status, found.claim_id, found.how) == (m.MATCHED, "PCN-0001", m.BY_CLAIM_ID_LOOSELY)


def test_suggestions_by_patient_date_and_charge_never_automatic_and_without_names():
	claim = f.make_claim(claim_id="PCN-0100")
	other_day = f.make_claim(
		claim_id="PCN-0101", lines=[f.make_line("90837", service_date=datetime.date(2026, 9, 1))]
	)
	other_patient = f.make_claim(claim_id="PCN-0102", subscriber=f.make_subscriber(3))
	payment = era_for([claim]).claims[0]
	payment.claim_id = "TRUNCATED-10"
	payment.payer_claim_number = "UNKNOWN"
	ours = [open_claim(c) for c in (claim, other_day, other_patient)]
	found = match_claim(payment, ours)
	assert found.status == m.SUGGESTED and found.claim_id is None
	assert [s.claim_id for s in found.suggestions] == ["PCN-0100"]
	(suggestion,) = found.suggestions
	assert suggestion.reason == (
		"claim PCN-0100: same patient last name, first name, member id, date of service 2026-10-05 to "
		"2026-10-12, charge 320.00"
	)
	text = found.reason + suggestion.reason
	for secret in ("Testwell", "Avery", "XQZ700000000"):
		assert secret not in text
	# A changed charge still suggests, with the difference said.
	payment.charge = D(300)
	(lower,) = match_claim(payment, ours).suggestions
	assert lower.reason.endswith("; different charge (300 paid against 320.00 billed)")
	assert lower.score < suggestion.score


def test_unmatched_says_why():
	payment = ClaimPayment("NOPE", "1", D(10), D(10), D(0), patient=PartyName("Nobody", "Here"))
	found = match_claim(payment, [open_claim(f.make_claim())], payment_index=4)
	assert (found.status, found.payment_index) == (m.UNMATCHED, 4)
	assert found.reason == (
		"no claim has claim id NOPE (CLP01), and none is for the same patient with a service date in no dates "
		"of service"
	)


def test_two_of_our_claims_with_one_id_are_only_suggested():
	claim = open_claim(f.make_claim())
	payment = era_for([f.make_claim()]).claims[0]
	found = match_claim(payment, [claim, dataclasses.replace(claim)])
	assert found.status == m.SUGGESTED
	assert "belongs to 2 of our claims" in found.reason


# --- lines -------------------------------------------------------------------------------------------


def test_lines_by_control_number_on_the_uhc_sample():
	payment = only("835/uhc-legacy-gt-component-sep.x12").claims[1]
	ours = OpenClaim(
		claim_id="001-18604-358",
		charge=D("816.24"),
		lines=[
			OpenLine(procedure_code="B4034", charge=D("27.84"), line_control_number="123456789013"),
			OpenLine(procedure_code="B4154", charge=D("328.5"), line_control_number="123456789014"),
			OpenLine(procedure_code="B4154", charge=D("459.9"), line_control_number="123456789012"),
		],
	)
	result = match_lines(payment, ours)
	assert [(s.line_indexes, s.level) for s in result.services] == [
		([2], m.LINE_BY_CONTROL_NUMBER),
		([0], m.LINE_BY_CONTROL_NUMBER),
		([1], m.LINE_BY_CONTROL_NUMBER),
	]
	assert result.complete


def test_lines_by_code_modifiers_and_date_on_the_professional_sample():
	"""Claim 3 of the eMedNY sample: four lines, no REF*6R, one dated 2013-09-17."""
	payment = only("835/emedny-professional-with-payment.x12").claims[2]
	day = datetime.date(2010, 1, 1)
	ours = OpenClaim(
		claim_id="X",
		charge=D("34.25"),
		lines=[
			OpenLine(procedure_code="S0580", charge=D(20), service_date=day),
			OpenLine(procedure_code="V2020", modifiers=["RB"], charge=D(6), service_date=day),
			OpenLine(procedure_code="V2700", modifiers=["RB"], charge=D("2.75"), service_date=day),
			OpenLine(procedure_code="V2103", modifiers=["RB"], charge=D("5.5"), service_date=day),
		],
	)
	result = match_lines(payment, ours)
	assert [s.line_indexes for s in result.services] == [[1], [], [2], [0]]
	# S0580 was sent without a modifier, so the payment (S0580, no modifier) is exact.
	assert result.services[3].level == m.LINE_EXACT
	# V2103 is dated 2013-09-17 on the ERA: no line of ours on that date.
	assert result.services[1].level == m.LINE_UNMATCHED
	assert result.services[1].reason == (
		"service 2 (V2103:RB, charge 5.5) matches no line: no line with procedure V2103 on 2013-09-17"
	)
	assert [u.line_index for u in result.unmatched_lines] == [3]
	assert result.unmatched_lines[0].reason == (
		"line 4 (V2103:RB, 2010-01-01, charge 5.5) has no service payment on this claim payment"
	)
	assert not result.complete


def therapy_claim():
	return f.make_claim(
		lines=[
			f.make_line("97110", modifiers=["GP", "59"], charge=D("45.50")),
			f.make_line("97140", modifiers=["GP"], charge=D("42.25")),
			f.make_line("97110", modifiers=["GP"], charge=D("45.50")),
			f.make_line("G0283", modifiers=["GP"], charge=D("22.75")),
		]
	)


def test_reordered_and_dropped_modifiers_match_one_level_weaker():
	claim = therapy_claim()
	decisions = [
		LineDecision(adjudicated_modifiers=["59", "GP"]),
		LineDecision(adjudicated_modifiers=[]),
		LineDecision(),
		LineDecision(adjudicated_modifiers=["GP", "KX"]),
	]
	payment = era_for([claim], [ClaimDecision(claim.claim_id, lines=decisions)]).claims[0]
	result = match_lines(payment, open_claim(claim))
	assert [(s.line_indexes, s.level) for s in result.services] == [
		([0], m.LINE_MODIFIERS_REORDERED),
		([1], m.LINE_MODIFIERS_DROPPED),
		([2], m.LINE_EXACT),
		([3], m.LINE_MODIFIERS_DIFFER),
	]
	assert result.complete


def test_exact_modifiers_win_over_an_earlier_weaker_candidate():
	"""Two 97110 lines: the payment with modifier GP alone is line 3's, even though line 1 comes first."""
	claim = therapy_claim()
	payment = era_for([claim]).claims[0]
	payment.services = [payment.services[2], payment.services[0]]
	result = match_lines(payment, open_claim(claim))
	assert [s.line_indexes for s in result.services] == [[2], [0]]
	assert [u.line_index for u in result.unmatched_lines] == [1, 3]


def test_bundled_lines_one_service_for_several_lines():
	claim = therapy_claim()
	payment = era_for([claim]).claims[0]
	# The payer pays 97110-GP-59 and 97140-GP as one 97530 (SVC06 = our 97110) charging 87.75.
	bundled = ServicePayment(
		"97530",
		D("87.75"),
		D("70.00"),
		modifiers=["GP"],
		submitted_procedure_code="97110",
		submitted_modifiers=["GP", "59"],
		service_date=f.SERVICE_DATE,
		adjustments=[Adjustment("CO", "45", D("17.75"))],
	)
	payment.services = [bundled, payment.services[2], payment.services[3]]
	result = match_lines(payment, open_claim(claim))
	assert [(s.line_indexes, s.level) for s in result.services] == [
		([0, 1], m.LINE_BUNDLED),
		([2], m.LINE_EXACT),
		([3], m.LINE_EXACT),
	]
	assert (
		result.services[0].reason
		== "service 1 (97110:GP:59, charge 87.75) pays lines 1, 2 (charges 45.50 + 42.25)"
	)
	assert result.services_of(1) == [0]
	assert result.complete


def test_tr3_bundling_reports_each_line_with_svc06():
	"""TR3 bundling: every original line appears with the bundled code and SVC06 = our code."""
	claim = therapy_claim()
	decisions = [
		LineDecision(
			adjudicated_procedure_code="97530", other_adjustments=[Adjustment("OA", "94", D("-42.25"))]
		),
		LineDecision(adjudicated_procedure_code="97530", denial=("CO", "97")),
		LineDecision(),
		LineDecision(),
	]
	payment = era_for([claim], [ClaimDecision(claim.claim_id, lines=decisions)]).claims[0]
	for service in payment.services:
		service.line_control_number = ""
	result = match_lines(payment, open_claim(claim))
	assert [(s.line_indexes, s.level) for s in result.services] == [
		([0], m.LINE_EXACT),
		([1], m.LINE_EXACT),
		([2], m.LINE_EXACT),
		([3], m.LINE_EXACT),
	]


def test_split_line_several_services_for_one_line():
	claim = therapy_claim()
	payment = era_for([claim]).claims[0]
	first = payment.services[0]
	first.line_control_number = ""
	# TR3 unbundling: the first new service carries the line's charge, the others charge zero.
	extra = ServicePayment(
		"97112",
		D(0),
		D(0),
		modifiers=["GP"],
		submitted_procedure_code="97110",
		submitted_modifiers=["GP", "59"],
		service_date=f.SERVICE_DATE,
	)
	first.submitted_procedure_code, first.submitted_modifiers = "97110", ["GP", "59"]
	first.procedure_code = "97530"
	payment.services.insert(1, extra)
	result = match_lines(payment, open_claim(claim))
	assert [(s.line_indexes, s.level) for s in result.services[:2]] == [
		([0], m.LINE_SPLIT),
		([0], m.LINE_SPLIT),
	]
	assert result.services[0].reason == "line 1 is split into services 1, 2, charging 45.50"
	assert result.services_of(0) == [0, 1]
	assert result.complete


def test_split_line_sharing_the_charge_and_by_control_number():
	claim = therapy_claim()
	payment = era_for([claim]).claims[0]
	first = payment.services[0]
	half = dataclasses.replace(first, charge=D("20.50"), paid=D("20.50"), adjustments=[])
	first.charge, first.paid = D("25.00"), D("25.00")
	payment.services.insert(1, half)
	# Without control numbers: code, date, then the split.
	for service in payment.services:
		service.line_control_number = ""
	result = match_lines(payment, open_claim(claim))
	assert [s.level for s in result.services[:2]] == [m.LINE_SPLIT, m.LINE_SPLIT]
	assert result.services[0].reason == "line 1 is split into services 1, 2, charging 45.50"
	# With control numbers on both parts.
	claim.lines[0].line_control_number = "L-A"
	payment.services[0].line_control_number = payment.services[1].line_control_number = "L-A"
	payment.services[1].charge = D(10)
	result = match_lines(payment, open_claim(claim))
	assert [s.level for s in result.services[:2]] == [m.LINE_BY_CONTROL_NUMBER] * 2
	assert (
		result.services[1].reason
		== "line 1 is split into services 1, 2, charging 35.00, not the line's 45.50"
	)


def test_service_for_a_code_we_never_billed_is_unmatched_with_the_reason():
	claim = therapy_claim()
	payment = era_for([claim]).claims[0]
	payment.services[3] = dataclasses.replace(
		payment.services[3], procedure_code="99213", line_control_number=""
	)
	result = match_lines(payment, open_claim(claim))
	assert result.services[3].level == m.LINE_UNMATCHED
	assert result.services[3].reason == (
		"service 4 (99213:GP, charge 22.75) matches no line: the claim has no line with procedure 99213"
	)
	assert [u.line_index for u in result.unmatched_lines] == [3]


@pytest.mark.parametrize("echo", [True, False])
def test_lines_of_our_own_written_and_read_era(echo):
	"""Through write_835 and read_835: control numbers when echoed, else code and date."""
	from claims_billing.x12.write_835 import EraDetails, write_835

	claim = therapy_claim()
	for n, line in enumerate(claim.lines):
		line.line_control_number = f"LC{n}"
	decisions = [LineDecision(echo_line_control_number=echo) for _ in claim.lines]
	remittance = era_for([claim], [ClaimDecision(claim.claim_id, lines=decisions)])
	data = write_835(
		remittance, f.make_envelope(), EraDetails(f.make_address(), payer_contact_phone="8005550100")
	)
	(payment,) = read_835(data)[0].claims
	result = match_lines(payment, open_claim(claim))
	level = m.LINE_BY_CONTROL_NUMBER if echo else m.LINE_EXACT
	assert [(s.line_indexes, s.level) for s in result.services] == [([n], level) for n in range(4)]
	assert match_claim(payment, [open_claim(claim)]).claim_id == claim.claim_id
