"""Duplicate & Resubmit and Void: frequency, payer claim number, new claim ids, the corrected claim."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from claims_billing.core import claim_status as cs
from claims_billing.core.corrections import (
	CorrectionError,
	OriginalClaimState,
	corrected_claim,
	plan_resubmission,
	plan_void,
	resubmission_claim_id,
)
from claims_billing.x12.read_837p import read_837p
from claims_billing.x12.write_837p import write_837p
from tests import factories as f

# The payer claim number the eMedNY 277CA sample gives claim 5781.
PAYER_NUMBER = "1107000000014420"


def test_a_claim_the_payer_accepted_is_replaced_with_frequency_7():
	plan = plan_resubmission(OriginalClaimState("CB-000123", cs.PAID, PAYER_NUMBER))
	assert (plan.frequency, plan.original_claim_number) == ("7", PAYER_NUMBER)
	assert plan.explanation == (
		f"The payer accepted claim CB-000123 as {PAYER_NUMBER}: the new claim replaces it (frequency 7)."
	)
	# Closed after a denial: the payer still holds it.
	history = (cs.SUBMITTED, cs.ACCEPTED_BY_PAYER, cs.DENIED)
	plan = plan_resubmission(OriginalClaimState("CB-000124", cs.CLOSED, f" {PAYER_NUMBER} ", history=history))
	assert (plan.frequency, plan.original_claim_number) == ("7", PAYER_NUMBER)


@pytest.mark.parametrize(
	("status", "history"),
	[
		(cs.REJECTED_BY_CLEARINGHOUSE, (cs.SUBMITTED,)),
		(cs.REJECTED_BY_PAYER, (cs.SUBMITTED, cs.ACCEPTED_BY_CLEARINGHOUSE)),
		# A clearinghouse's A1 receipt, then the payer's rejection: the payer does not hold it.
		(cs.CLOSED, (cs.SUBMITTED, cs.ACCEPTED_BY_PAYER, cs.REJECTED_BY_PAYER)),
	],
)
def test_a_claim_the_payer_never_kept_goes_again_as_a_fresh_original(status, history):
	# A rejecting 277CA may still carry a payer number; it names nothing the payer holds.
	plan = plan_resubmission(OriginalClaimState("CB-000200", status, "REJ-77", history=history))
	assert (plan.frequency, plan.original_claim_number) == ("1", "")
	assert "never accepted claim CB-000200" in plan.explanation


def test_a_voided_claim_is_resubmitted_as_a_fresh_original():
	history = (cs.ACCEPTED_BY_PAYER, cs.PAID, cs.VOID)
	plan = plan_resubmission(OriginalClaimState("CB-000300", cs.REVERSED, PAYER_NUMBER, history=history))
	assert (plan.frequency, plan.original_claim_number) == ("1", "")
	assert "was voided" in plan.explanation


@pytest.mark.parametrize(
	("state", "words"),
	[
		(OriginalClaimState("CB-1", cs.DRAFT), "is Draft and has not been sent: edit it instead"),
		(OriginalClaimState("CB-1", cs.SUBMITTED), "the payer has not answered yet"),
		(OriginalClaimState("CB-1", cs.ACCEPTED_BY_PAYER), "its payer claim number is not recorded"),
		(OriginalClaimState("CB-1", "Lost"), "'Lost' is not a claim status"),
	],
)
def test_resubmissions_that_cannot_be_made_say_what_to_do(state, words):
	with pytest.raises(CorrectionError, match=words):
		plan_resubmission(state)


def test_void_names_the_payer_claim_number_with_frequency_8():
	plan = plan_void(OriginalClaimState("CB-000123", cs.ACCEPTED_BY_PAYER, PAYER_NUMBER))
	assert (plan.frequency, plan.original_claim_number) == ("8", PAYER_NUMBER)
	plan = plan_void(OriginalClaimState("CB-000123", cs.CLOSED, PAYER_NUMBER, payer_accepted=True))
	assert plan.frequency == "8"


@pytest.mark.parametrize(
	("state", "words"),
	[
		(
			OriginalClaimState("CB-9", cs.REJECTED_BY_PAYER, "REJ-77"),
			"The payer never accepted claim CB-9, so it cannot be voided electronically: a rejected claim is "
			"already not on file with the payer. Close it instead",
		),
		(OriginalClaimState("CB-9", cs.PAID), "has no payer claim number, which a void must name"),
		(OriginalClaimState("CB-9", cs.VOID, PAYER_NUMBER), "has already been voided"),
		(OriginalClaimState("CB-9", cs.QUEUED), "nothing to void at the payer. Cancel it here instead"),
		(OriginalClaimState("CB-9", cs.ACCEPTED_BY_CLEARINGHOUSE), "Wait for the payer's acknowledgement"),
	],
)
def test_voids_that_cannot_be_sent_are_refused_with_a_reason(state, words):
	with pytest.raises(CorrectionError) as caught:
		plan_void(state)
	assert words in str(caught.value)


def test_resubmission_ids_count_on_from_the_original():
	assert resubmission_claim_id("CB-000123", set()) == "CB-000123-R1"
	assert resubmission_claim_id("CB-000123", {"CB-000123-R1", "CB-000123-R2"}) == "CB-000123-R3"
	assert resubmission_claim_id("CB-000123-R1", set()) == "CB-000123-R2"
	assert (
		resubmission_claim_id("CB-000123-R9", lambda claim_id: claim_id == "CB-000123-R10") == "CB-000123-R11"
	)


def test_resubmission_ids_stay_within_20_characters_and_unique():
	original = "PRACTICE7-2026-00042"  # 20 characters already: the start gives way
	taken = {original}
	made = []
	for _ in range(12):
		new = resubmission_claim_id(original, taken)
		assert len(new) == 20 and new not in taken
		stem, _, number = new.rpartition("-R")
		assert original.endswith(stem) and int(number) == len(made) + 1
		taken.add(new)
		made.append(new)
	assert made[0] == "CTICE7-2026-00042-R1" and made[11] == "TICE7-2026-00042-R12"
	assert resubmission_claim_id(original + "-R12", set()) == "TICE7-2026-00042-R13"


def test_resubmission_ids_run_out_and_empty_ids_are_refused():
	with pytest.raises(CorrectionError, match="resubmitted 99 times already"):
		resubmission_claim_id("CB-1", lambda claim_id: True)
	with pytest.raises(CorrectionError, match="original claim id is empty"):
		resubmission_claim_id("  ", set())


def test_the_corrected_claim_is_a_separate_copy_that_writes_a_replacement():
	original = f.make_claim(claim_id="CB-000123", declared_charge=Decimal("320.00"))
	plan = plan_resubmission(OriginalClaimState("CB-000123", cs.DENIED, PAYER_NUMBER))
	copy = corrected_claim(original, plan, resubmission_claim_id("CB-000123", set()))
	assert (copy.claim_id, copy.frequency, copy.original_claim_number) == ("CB-000123-R1", "7", PAYER_NUMBER)
	assert copy.declared_charge is None
	copy.lines[0].charge = Decimal("1.00")
	copy.subscriber.group_number = "CHANGED"
	assert original.lines[0].charge == Decimal("180.00") and original.subscriber.group_number == "GRP4400"
	assert (original.frequency, original.original_claim_number) == ("1", "")

	data = write_837p([copy], f.make_submitter(), f.make_receiver(), f.make_envelope())
	text = data.decode()
	assert "CLM*CB-000123-R1*141*" in text and "*11:B:7*" in text
	assert f"REF*F8*{PAYER_NUMBER}~" in text
	(transaction,) = read_837p(data)
	(read_back,) = transaction.claims
	assert (read_back.frequency, read_back.original_claim_number) == ("7", PAYER_NUMBER)


def test_a_void_claim_writes_frequency_8():
	original = f.make_claim(claim_id="CB-000555")
	plan = plan_void(OriginalClaimState("CB-000555", cs.PAID, PAYER_NUMBER))
	void = corrected_claim(original, plan, "CB-000555-R1")
	(transaction,) = read_837p(write_837p([void], f.make_submitter(), f.make_receiver(), f.make_envelope()))
	assert (transaction.claims[0].frequency, transaction.claims[0].original_claim_number) == (
		"8",
		PAYER_NUMBER,
	)


def test_the_corrected_claim_needs_an_id_of_its_own():
	original = f.make_claim(claim_id="CB-000123")
	plan = plan_resubmission(OriginalClaimState("CB-000123", cs.REJECTED_BY_PAYER))
	with pytest.raises(CorrectionError, match="not the original's"):
		corrected_claim(original, plan, "CB-000123")
	with pytest.raises(CorrectionError, match="1 to 20 characters"):
		corrected_claim(original, plan, "CB-000123-RESUBMITTED-1")
	fresh = corrected_claim(original, plan, "CB-000123-R1")
	assert (fresh.frequency, fresh.original_claim_number) == ("1", "")
	assert fresh.lines[0].service_date == datetime.date(2026, 10, 5)
