"""Applying 999 and 277CA files to the claims we sent, status plans, and response file keys."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from claims_billing.core import acknowledgements as acks
from claims_billing.core import claim_status as cs
from claims_billing.core import code_lists
from claims_billing.core.acknowledgements import SentGroup, SentTransactionSet
from claims_billing.core.batching import BatchSetup, build_batches
from claims_billing.x12.errors import X12Error
from claims_billing.x12.read_277ca import read_277ca
from claims_billing.x12.read_999 import read_999
from tests import factories as f
from tests.unit.samples import sample, samples_dir

WHEN = datetime.datetime(2026, 10, 22, 8, 0)
ISA = "ISA*00*          *00*          *ZZ*CLEARHOUSE01   *ZZ*LKB0001        *261022*0800*^*00501*000000555*0*P*:~"


def functional_ack(group: str, body: list[str], ak9: str, version: str = "005010X222A1") -> bytes:
	"""A 999 written for these tests: one ST answering our group ``group``."""
	segments = [
		"ST*999*0001*005010X231A1",
		f"AK1*HC*{group}*{version}",
		*body,
		f"AK9*{ak9}",
	]
	segments.append(f"SE*{len(segments) + 1}*0001")
	return (
		ISA + "GS*FA*CLEARHOUSE01*LKB0001*20261022*0800*555*X*005010X231A1~" + "~".join(segments) + "~"
		"GE*1*555~IEA*1*000000555~"
	).encode()


def three_set_group() -> SentGroup:
	"""A group we sent with three transaction sets (as another sender might batch)."""
	return SentGroup(
		group_control_number="2044",
		interchange_control_number="000002044",
		transaction_sets=(
			SentTransactionSet("0001", ("CB-000101", "CB-000102")),
			SentTransactionSet("0002", ("CB-000201",)),
			SentTransactionSet("0003", ("CB-000301", "CB-000302")),
		),
		file_name="LKB0001_000002044_20261020.837",
	)


def by_claim(result: acks.AcknowledgementResult) -> dict[str, acks.ClaimUpdate]:
	return {update.claim_id: update for update in result.updates}


# --- 999 on the public samples ------------------------------------------------------------------


def test_accepted_999_sample_accepts_every_claim_of_the_group_it_answers():
	# eMedNY's 999 answers group 28, set 0028 of an 837I (005010X223A2).
	sent = SentGroup("28", (SentTransactionSet("0028", ("CB-9001", "CB-9002")),), version="005010X223A2")
	result = acks.apply_999(read_999(sample("999/emedny-accepted-pipe-component-sep.x12")), [sent])
	assert result.unmatched == []
	assert [(u.claim_id, u.outcome, u.new_status) for u in result.updates] == [
		("CB-9001", "accepted", cs.ACCEPTED_BY_CLEARINGHOUSE),
		("CB-9002", "accepted", cs.ACCEPTED_BY_CLEARINGHOUSE),
	]
	update = result.updates[0]
	assert update.reference == "999 4001, group 28, set 0028"
	assert (
		update.message == "Accepted by the clearinghouse: the 999 accepted transaction set 0028 (accepted)."
	)
	assert update.codes == ["AK9:A", "IK5:A"] and not update.needs_attention


def test_a_999_for_another_version_or_group_is_unmatched_not_dropped():
	ours = SentGroup("28", (SentTransactionSet("0028", ("CB-9001",)),))  # we sent an 837P
	result = acks.apply_999(read_999(sample("999/emedny-accepted-pipe-component-sep.x12")), [ours])
	assert result.updates == []
	(unmatched,) = result.unmatched
	assert unmatched.kind == "999 group" and unmatched.reference == "999 4001, group 28"
	assert (
		"acknowledges a 005010X223A2 group (AK103), but group 28 we sent is 005010X222A1" in unmatched.reason
	)

	result = acks.apply_999(read_999(sample("999/accepted-bad-gs05-iea-mismatch.x12")), [ours])
	(unmatched,) = result.unmatched
	assert "No 837P file we sent has group control number 17456 (GS06)" in unmatched.reason


def test_999s_for_enrollment_files_do_not_touch_claims():
	# Four 999s for 834 enrollment groups 13360001; even a claim group with that number is not theirs.
	sent = SentGroup("13360001", (SentTransactionSet("0001", ("CB-1",)),), version="005010X220A1")
	result = acks.apply_999(read_999(sample("999/four-st-accepted-for-834.x12")), [sent])
	assert result.updates == []
	assert [u.reference for u in result.unmatched] == [f"999 000{n}, group 13360001" for n in range(1, 5)]
	assert all("type BE (AK101)" in u.reason for u in result.unmatched)


# --- 999 written for these tests -------------------------------------------------------------------


def test_a_999_naming_the_guide_without_its_addendum_still_matches():
	result = acks.apply_999(
		read_999(functional_ack("2044", [], "A*3*3*3", "005010X222")), [three_set_group()]
	)
	assert len(result.updates) == 5 and result.unmatched == []


def test_one_rejected_set_of_three_rejects_only_its_claims():
	data = functional_ack(
		"2044",
		[
			"AK2*837*0001*005010X222A1",
			"IK5*A",
			"AK2*837*0002*005010X222A1",
			"IK3*CLM*22*2300*8",
			"IK4*1*1028*4*A1",
			"IK4*5:1*1331*7*99",
			"IK5*R*5",
			"AK2*837*0003*005010X222A1",
			"IK5*E",
		],
		"P*3*3*2",
	)
	result = acks.apply_999(read_999(data), [three_set_group()])
	assert result.unmatched == []
	updates = by_claim(result)
	assert {claim_id: u.new_status for claim_id, u in updates.items()} == {
		"CB-000101": cs.ACCEPTED_BY_CLEARINGHOUSE,
		"CB-000102": cs.ACCEPTED_BY_CLEARINGHOUSE,
		"CB-000201": cs.REJECTED_BY_CLEARINGHOUSE,
		"CB-000301": cs.ACCEPTED_BY_CLEARINGHOUSE,
		"CB-000302": cs.ACCEPTED_BY_CLEARINGHOUSE,
	}
	rejected = updates["CB-000201"]
	assert rejected.needs_attention
	assert rejected.message.startswith(
		"Rejected by the clearinghouse: the 999 rejected transaction set 0002 (rejected)."
	)
	assert rejected.details == [
		"CLM01 (data element 1028) in the CLM segment at position 22 of the transaction set, loop 2300: "
		"data element is too short",
		"CLM05-1 (data element 1331) in the CLM segment at position 22 of the transaction set, loop 2300: "
		"data element holds a code value that is not valid",
	]
	assert rejected.codes == ["AK9:P", "IK5:R", "IK502:5", "IK403:4", "IK403:7"]
	# The 999 echoes the bad values (A1, 99); staff messages do not.
	assert not any(re.search(r"\b(A1|99)\b", text) for text in [rejected.message, *rejected.details])
	assert updates["CB-000301"].message == (
		"Accepted by the clearinghouse: the 999 accepted transaction set 0003 (accepted, but errors were noted)."
	)


def test_partial_group_listing_only_the_rejected_set_accepts_the_others():
	data = functional_ack("2044", ["AK2*837*0003*005010X222A1", "IK5*R*4"], "P*3*3*2")
	updates = by_claim(acks.apply_999(read_999(data), [three_set_group()]))
	assert updates["CB-000301"].new_status == cs.REJECTED_BY_CLEARINGHOUSE
	assert updates["CB-000301"].details == [
		"transaction set: SE segment count does not match the number of segments"
	]
	assert updates["CB-000101"].new_status == cs.ACCEPTED_BY_CLEARINGHOUSE
	assert "every rejected set is listed and set 0001 is not among them" in updates["CB-000101"].message


def test_partial_group_that_does_not_account_for_its_rejections_decides_nothing():
	# AK9 says two sets were rejected but lists only one: sets 0001 and 0002 cannot be told.
	data = functional_ack("2044", ["AK2*837*0003*005010X222A1", "IK5*R*5"], "P*3*3*1")
	updates = by_claim(acks.apply_999(read_999(data), [three_set_group()]))
	assert updates["CB-000301"].new_status == cs.REJECTED_BY_CLEARINGHOUSE
	for claim_id in ("CB-000101", "CB-000102", "CB-000201"):
		assert updates[claim_id].new_status is None and updates[claim_id].outcome == "no decision"
		assert updates[claim_id].needs_attention
		assert "does not say whether set" in updates[claim_id].message


def test_a_rejected_group_rejects_every_set_whatever_the_sets_say():
	data = functional_ack("2044", ["AK2*837*0001*005010X222A1", "IK5*A"], "R*3*3*0*4")
	updates = by_claim(acks.apply_999(read_999(data), [three_set_group()]))
	assert {u.new_status for u in updates.values()} == {cs.REJECTED_BY_CLEARINGHOUSE}
	assert len(updates) == 5
	update = updates["CB-000201"]
	assert update.details == ["functional group: control numbers in GS and GE do not match"]
	assert "the 999 rejected the whole functional group 2044 (rejected)" in update.message
	assert update.codes == ["AK9:R", "AK905:4"]


def test_an_accepted_group_without_set_responses_accepts_all_and_leading_zeros_do_not_matter():
	group = SentGroup("000002044", (SentTransactionSet("0001", ("CB-1",)),))
	result = acks.apply_999(read_999(functional_ack("2044", [], "A*1*1*1")), [group])
	assert [(u.claim_id, u.new_status) for u in result.updates] == [("CB-1", cs.ACCEPTED_BY_CLEARINGHOUSE)]
	assert "accepted functional group 000002044" in result.updates[0].message


def test_a_set_we_never_sent_and_an_ambiguous_group_are_unmatched():
	data = functional_ack("2044", ["AK2*837*0009*005010X222A1", "IK5*A"], "A*3*3*3")
	result = acks.apply_999(read_999(data), [three_set_group()])
	(unmatched,) = result.unmatched
	assert unmatched.kind == "999 transaction set"
	assert unmatched.reason == "Group 2044 we sent has no 837 set with control number 0009 (ST02)."
	assert len(result.updates) == 5  # the group's own sets still take AK9 A

	twin = SentGroup("2044", (SentTransactionSet("0001", ("CB-X",)),), file_name="old.837")
	result = acks.apply_999(read_999(data), [three_set_group(), twin])
	assert result.updates == []
	assert (
		"used by more than one file we sent (LKB0001_000002044_20261020.837, old.837)"
		in result.unmatched[0].reason
	)


def test_errors_inside_a_claim_are_pinned_on_it_and_the_others_can_be_resent():
	claims = f.make_claims(3, providers=1, subscribers=3)
	setup = BatchSetup(f.make_submitter(), f.make_receiver(), "LKB0001", "CLEARHOUSE01", usage_indicator="T")
	(batch,) = build_batches(claims, setup, 1042, f.CREATED).batches
	second, position = batch.claim_ids[1], batch.claim_positions[1]
	data = functional_ack(
		"1042",
		[
			"AK2*837*1042*005010X222A1",
			f"IK3*SV1*{position + 3}*2400*8",
			"IK4*1:2*234*7*XX",
			"IK5*R*5",
		],
		"R*1*1*0",
	)
	result = acks.apply_999(read_999(data), [batch.sent_group()])
	updates = by_claim(result)
	assert set(updates) == set(batch.claim_ids)
	culprit = updates[second]
	assert culprit.message.endswith("Errors in this claim are listed below.")
	assert culprit.details == [
		f"SV101-2 (data element 234) in the SV1 segment at position {position + 3} of the transaction set, "
		"loop 2400: data element holds a code value that is not valid"
	]
	for claim_id in (batch.claim_ids[0], batch.claim_ids[2]):
		assert updates[claim_id].new_status == cs.REJECTED_BY_CLEARINGHOUSE
		assert updates[claim_id].message.endswith(
			f"The errors are in claim(s) {second} of the same set; this claim can be resent unchanged."
		)
		assert updates[claim_id].details == []


def test_errors_outside_claim_loops_are_shared_by_every_claim_of_the_set():
	claims = f.make_claims(2, providers=1)
	setup = BatchSetup(f.make_submitter(), f.make_receiver(), "LKB0001", "CLEARHOUSE01")
	(batch,) = build_batches(claims, setup, 1043, f.CREATED).batches
	data = functional_ack("1043", ["AK2*837*1043", "IK3*NM1*9*2010AA*8", "IK4*9*67*4", "IK5*R*5"], "R*1*1*0")
	updates = acks.apply_999(read_999(data), [batch.sent_group()]).updates
	assert len(updates) == 2
	for update in updates:
		assert update.message.endswith("The errors are listed below; the 999 does not tie them to one claim.")
		assert update.details == [
			"NM109 (data element 67) in the NM1 segment at position 9 of the transaction set, loop 2010AA: "
			"data element is too short"
		]


# --- 277CA ------------------------------------------------------------------------------------------


def test_emedny_277ca_accepts_claim_5781_with_the_payer_claim_number():
	reports = read_277ca(sample("277ca/emedny-accepted-A1-A2.x12"))
	result = acks.apply_277ca(reports, {"5781", "CB-OTHER"})
	assert result.unmatched == []
	(update,) = result.updates
	assert (update.claim_id, update.outcome, update.new_status) == ("5781", "accepted", cs.ACCEPTED_BY_PAYER)
	assert update.payer_claim_number == "1107000000014420"
	assert update.charge == Decimal("125")
	assert update.status_date == datetime.date(2011, 3, 11)
	assert update.codes == ["A2:20"]
	assert update.message == (
		"Accepted by the payer (277CA 000014420 on 2011-03-11): A2 Acknowledgement/Acceptance into adjudication "
		"system. Payer claim number 1107000000014420."
	)
	assert update.details == [
		"A2:20: Acknowledgement/Acceptance into adjudication system-The claim/encounter has been accepted into "
		"the adjudication system.; Accepted for processing."
	]
	assert not update.needs_attention


def test_a_277ca_for_a_claim_we_do_not_know_is_unmatched_with_the_reason():
	result = acks.apply_277ca(read_277ca(sample("277ca/emedny-accepted-A1-A2.x12")), lambda claim_id: False)
	assert result.updates == []
	(unmatched,) = result.unmatched
	assert (unmatched.kind, unmatched.reference) == ("277CA claim", "277CA 000014420, claim 5781")
	assert unmatched.reason == (
		"No claim we sent has the patient control number 5781 (TRN02); its status A2 dated 2011-03-11 is not applied."
	)
	assert "TPATIENT" not in unmatched.reason and "LL99999X" not in unmatched.reason


def test_masked_categories_fall_back_to_the_reject_action_code():
	# The de-identified sample masks every category as X9 but keeps STC03 = U (reject).
	reports = read_277ca(sample("277ca/deidentified-multi-provider-bom-indented.x12"))
	result = acks.apply_277ca(reports, {"99999999-99999"})
	assert result.unmatched == []
	assert [(u.claim_id, u.new_status, u.charge) for u in result.updates] == [
		("99999999-99999", cs.REJECTED_BY_PAYER, Decimal("220")),
		("99999999-99999", cs.REJECTED_BY_PAYER, Decimal("340")),
		("99999999-99999", cs.REJECTED_BY_PAYER, Decimal("340")),
	]
	update = result.updates[0]
	assert "action code U (STC03); status category X9 is unknown" in update.message
	assert update.details[0] == (
		"X9:999:99 (entity 99): category X9 is not in the claim status category list; "
		"status code 999 is not in the list"
	)


def emedny_277ca_with(claim_stc: str, extra: str = "") -> bytes:
	"""The eMedNY 277CA with the claim's STC replaced (and segments added after it)."""
	text = sample("277ca/emedny-accepted-A1-A2.x12").decode()
	old = "STC*A2:20*20110311*WQ*125~"
	assert old in text
	return text.replace(old, claim_stc + "~" + extra).encode()


def test_a_payer_rejection_names_the_codes_in_words():
	data = emedny_277ca_with(
		"STC*A3:21*20110312*U*125******A7:562:85*A8:153:82",
		"STC*A3:21*20110312*U*125********Resubmit with the correct NPI~",
	)
	(update,) = acks.apply_277ca(read_277ca(data), {"5781"}).updates
	assert update.new_status == cs.REJECTED_BY_PAYER and update.needs_attention
	assert update.codes == ["A3:21", "A7:562:85", "A8:153:82", "A3:21"]
	assert update.message == (
		"Rejected by the payer (277CA 000014420 on 2011-03-12): A3 Acknowledgement/Returned as unprocessable "
		"claim. Correct the claim and send it again."
	)
	assert update.details[1] == (
		"A7:562:85 (billing provider): Acknowledgement/Rejected for Invalid Information - The claim/encounter "
		"has invalid information as specified in the Status details and has been rejected.; "
		"Entity's National Provider Identifier (NPI)."
	)
	assert update.details[2].startswith(
		"A8:153:82 (rendering provider): Acknowledgement /Rejected for relational"
	)
	assert "Message: Resubmit with the correct NPI" in update.details


def test_a_rejection_anywhere_beats_an_acceptance():
	data = emedny_277ca_with("STC*A1:19:PR*20110311*WQ*125*******A7:21")
	(update,) = acks.apply_277ca(read_277ca(data), {"5781"}).updates
	assert update.new_status == cs.REJECTED_BY_PAYER


@pytest.mark.parametrize(
	("stc", "attention"),
	[
		("STC*F2:88*20110311**125", False),
		("STC*R4:294*20110311**125", True),
		("STC*E1:0*20110311**125", True),
	],
)
def test_finalized_requests_and_system_answers_change_no_status(stc, attention):
	(update,) = acks.apply_277ca(read_277ca(emedny_277ca_with(stc)), {"5781"}).updates
	assert update.new_status is None and update.outcome == "no decision"
	assert update.needs_attention is attention
	category = stc[4:6]
	assert f"status category {category} neither accepts nor rejects the claim" in update.message


def test_line_statuses_are_listed_with_the_procedure_code():
	data = emedny_277ca_with(
		"STC*A2:20*20110311*WQ*125",
		"SVC*HC:97110:GP*125****1~STC*A7:454*20110311*U~REF*FJ*L1~DTP*472*D8*20110301~",
	)
	(update,) = acks.apply_277ca(read_277ca(data), {"5781"}).updates
	assert update.details[-1].startswith(
		"Service line 1 (97110:GP): A7:454: Acknowledgement/Rejected for Invalid"
	)


def test_a_rejected_provider_level_without_claims_is_unmatched():
	text = sample("277ca/emedny-accepted-A1-A2.x12").decode()
	start = text.index("HL*4*3*PT")
	end = text.index("SE*")
	provider_stc = "STC*A3:85:85*20110311*U*125~QTY*QC*1~AMT*YY*125~"
	head = text[:start].replace("TRN*1*1107000000000135FF~", "TRN*1*1107000000000135FF~" + provider_stc)
	result = acks.apply_277ca(read_277ca((head + text[end:]).encode()), {"5781"})
	assert result.updates == []
	(unmatched,) = result.unmatched
	assert unmatched.kind == "277CA level"
	assert unmatched.reference == "277CA 000014420, billing provider 1234567890"
	assert unmatched.reason.startswith(
		"The billing provider level rejects 1 claim(s) for 125 without listing which: A3:85:85"
	)


def test_every_category_in_the_code_list_has_a_deliberate_outcome():
	categories = code_lists.load("claim_status_category")
	groups = (acks.ACCEPTED_CATEGORIES, acks.REJECTED_CATEGORIES, acks.INFORMATIONAL_CATEGORIES)
	for code, row in categories.items():
		assert sum(code in group for group in groups) == 1, code
		text = row["description"].lower()
		if code in acks.REJECTED_CATEGORIES:
			assert any(word in text for word in ("reject", "unprocessable", "not found", "correction")), code
		else:
			assert "rejected" not in text, code
	assert (acks.ACCEPTED_CATEGORIES | acks.REJECTED_CATEGORIES) <= set(categories)


def test_a_response_file_is_read_and_each_acknowledgement_applied():
	data = sample("277ca/emedny-accepted-A1-A2.x12") + b"\n" + functional_ack("2044", [], "A*3*3*3")
	result = acks.apply_response_file(data, [three_set_group()], {"5781"})
	assert [(u.claim_id, u.new_status) for u in result.updates] == [
		("5781", cs.ACCEPTED_BY_PAYER),
		("CB-000101", cs.ACCEPTED_BY_CLEARINGHOUSE),
		("CB-000102", cs.ACCEPTED_BY_CLEARINGHOUSE),
		("CB-000201", cs.ACCEPTED_BY_CLEARINGHOUSE),
		("CB-000301", cs.ACCEPTED_BY_CLEARINGHOUSE),
		("CB-000302", cs.ACCEPTED_BY_CLEARINGHOUSE),
	]
	assert result.unmatched == []


def test_a_remittance_given_as_a_response_is_reported_not_applied():
	result = acks.apply_response_file(sample("835/denied-claim-multiple-svc.x12"), [], set())
	assert result.updates == []
	(unmatched,) = result.unmatched
	assert unmatched.kind == "other transaction set"
	assert unmatched.reason.endswith("is not a 999 or 277CA acknowledgement; it is not applied here.")
	assert unmatched.reason.startswith(f"Transaction set {unmatched.reference} (ST at segment 3)")


# --- status plans ---------------------------------------------------------------------------------


def test_plan_applies_allowed_changes_and_explains_the_rest():
	reports = read_277ca(sample("277ca/deidentified-multi-provider-bom-indented.x12"))
	masked = acks.apply_277ca(reports, {"99999999-99999"}).updates
	accepted = acks.apply_277ca(read_277ca(sample("277ca/emedny-accepted-A1-A2.x12")), {"5781"}).updates
	paid_late = acks.ClaimUpdate("CB-PAID", "accepted", cs.ACCEPTED_BY_PAYER, "Accepted by the payer.")
	missing = acks.ClaimUpdate("CB-GONE", "accepted", cs.ACCEPTED_BY_PAYER, "Accepted by the payer.")
	current = {"99999999-99999": cs.ACCEPTED_BY_CLEARINGHOUSE, "5781": cs.SUBMITTED, "CB-PAID": cs.PAID}
	plan = acks.plan_status_changes([*masked, *accepted, paid_late, missing], current, "277ca_0001.x12", WHEN)
	assert [(p.claim_id, p.change.from_status, p.change.to_status) for p in plan.changes] == [
		("99999999-99999", cs.ACCEPTED_BY_CLEARINGHOUSE, cs.REJECTED_BY_PAYER),
		("5781", cs.SUBMITTED, cs.ACCEPTED_BY_PAYER),
	]
	change = plan.changes[1].change
	assert (change.source_kind, change.source_reference, change.when) == ("file", "277ca_0001.x12", WHEN)
	assert change.reason == accepted[0].message and not change.manual
	assert [(s.claim_id, s.reason) for s in plan.skipped] == [
		("99999999-99999", "The claim is already Rejected by Payer."),
		("99999999-99999", "The claim is already Rejected by Payer."),
		(
			"CB-PAID",
			"A file cannot move a claim from Paid to Accepted by Payer; only a Billing Manager can, "
			"as a manual override with a reason.",
		),
		("CB-GONE", "Claim CB-GONE was not found."),
	]


# --- response file keys ---------------------------------------------------------------------------


def sources_sha256(relative: str) -> str:
	"""The sha256 SOURCES.md lists for a sample file."""
	text = (samples_dir() / "SOURCES.md").read_text()
	found = re.search(rf"^([0-9a-f]{{64}})  {re.escape(relative)}$", text, re.MULTILINE)
	assert found, relative
	return found.group(1)


def test_response_file_key_holds_the_hash_and_every_control_number():
	relative = "999/four-st-accepted-for-834.x12"
	key = acks.response_file_key(sample(relative))
	assert key.sha256 == sources_sha256(relative)
	assert key.sender_ids == ("00AA",)
	assert key.interchange_control_numbers == ("308082146",)
	assert key.group_control_numbers == ("344666205", "102")
	assert key.transaction_set_control_numbers == ("0001", "0002", "0003", "0004")
	assert key.control_key == "00AA|308082146|344666205,102|0001,0002,0003,0004"
	assert len(key.control_digest) == 64
	assert str(key) == f"{key.sha256}|{key.control_key}"


def test_duplicates_are_told_by_content_or_by_control_numbers():
	data = sample("999/emedny-accepted-pipe-component-sep.x12")
	first = acks.response_file_key(data)
	assert acks.duplicate_reason(first, []) is None
	assert acks.duplicate_reason(acks.response_file_key(data), [first]) == (
		"This file was processed before (identical content)."
	)
	# The same interchange delivered again with line breaks: other bytes, same control numbers.
	copy = acks.response_file_key(data.replace(b"~", b"~\r\n"))
	assert copy.sha256 != first.sha256
	assert acks.duplicate_reason(copy, [first]) == (
		"A file with the same sender and control numbers (ISA13 052127406) was processed before."
	)
	other = acks.response_file_key(data.replace(b"052127406", b"052127407"))
	assert acks.duplicate_reason(other, [first]) is None


def test_a_broken_response_file_has_no_key():
	with pytest.raises(X12Error, match="SE trailer is missing"):
		acks.response_file_key(sample("277ca/minimal-bom-indented.x12"))


def test_a_response_file_cut_before_its_trailers_applies_nothing():
	"""The public minimal 277CA ends after HL*2: it reads, but is incomplete, so nothing is applied."""
	data = (samples_dir() / "277ca" / "minimal-bom-indented.x12").read_bytes()
	with pytest.raises(X12Error, match="nothing from it is applied") as raised:
		acks.apply_response_file(data, [], set())
	assert "SE" in str(raised.value)
