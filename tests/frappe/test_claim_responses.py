"""Responses from the clearinghouse: 999 accept and reject, 277CA accept and reject with the payer's claim
number, unmatched responses to the exceptions list, a repeated file, a file that does not parse, the exact
status histories, and a Billing Manager's manual override.

Response files are fetched over SFTP from a real server, as the scheduled job does.
"""

import json

import frappe
import pytest
from claim_fixtures import (
	SAMPLES,
	add_service,
	drop_response,
	history,
	make_world,
	response_277ca,
	response_999,
	send_world_claims,
)

from claims_billing.claims import api as claims_api
from claims_billing.claims_billing.doctype.insurance_claim.insurance_claim import status_history
from claims_billing.jobs.clearinghouse import receive_responses

pytestmark = pytest.mark.usefixtures("clearinghouse")


@pytest.fixture
def sent(server):
	"""Two claims of one patient sent in one file."""
	world = make_world()
	first = add_service(world, "97110", days_ago=9)
	second = add_service(world, "97140", days_ago=8)
	names, record = send_world_claims(world, [[first.name], [second.name]])
	return frappe._dict(world=world, names=names, record=record)


def exceptions_of(file_name: str) -> list[dict]:
	return frappe.get_all(
		"Clearinghouse Exception",
		filters={"clearinghouse_file": file_name},
		fields=["kind", "reference", "reason", "status", "claim"],
		order_by="creation asc",
	)


def test_999_accepting_the_file_moves_both_claims_on(server, sent):
	drop_response(server, "ack-accept.999", response_999(sent.record.group_control_number, True, 7001))

	summary = receive_responses()

	(name,) = summary["received"]
	assert summary["applied"] == {name: "Applied"}
	response = frappe.get_doc("Clearinghouse File", name)
	assert (response.direction, response.transaction_type, response.answers_file) == (
		"Inbound",
		"999",
		sent.record.name,
	)
	assert response.summary == "Accepted by Clearinghouse: 2"
	for claim in sent.names:
		assert history(claim) == [
			("Draft", "Queued", "user"),
			("Queued", "Submitted", "job"),
			("Submitted", "Accepted by Clearinghouse", "file"),
		]
	assert [p.name for p in (server.root / "inbound" / "archive").iterdir()] == ["ack-accept.999"]


def test_999_rejection_names_the_error_and_the_claim(server, sent):
	group = json.loads(sent.record.sent_group)
	(transaction_set,) = group["transaction_sets"]
	position = transaction_set["claim_positions"][1] + 1  # the segment after the second claim's CLM
	data = response_999(
		sent.record.group_control_number, False, 7002, errors=[("DTP", position, "2300", "3", "8")]
	)
	drop_response(server, "ack-reject.999", data)

	receive_responses()

	first, second = (frappe.get_doc("Insurance Claim", name) for name in sent.names)
	for claim in (first, second):
		assert claim.status == "Rejected by Clearinghouse" and claim.needs_attention == 1
		rows = status_history(claim.name)
		assert (rows[-1].from_status, rows[-1].to_status, rows[-1].source_kind, rows[-1].source) == (
			"Submitted",
			"Rejected by Clearinghouse",
			"file",
			"ack-reject.999",
		)
	assert "DTP03" in second.last_response and "Errors in this claim are listed below" in second.last_response
	assert f"The errors are in claim(s) {second.name}" in first.last_response
	assert "IK5:R" in first.response_codes


def test_277ca_accepts_one_claim_and_rejects_the_other(server, sent):
	accepted, rejected = sent.names
	data = response_277ca(
		[(accepted, "A2:20", "EVG2026000123", "45.50"), (rejected, "A7:562:85", "", "42.25")], 8001
	)
	drop_response(server, "status.277", data)

	summary = receive_responses()

	(name,) = summary["received"]
	assert summary["applied"] == {name: "Applied"}
	good = frappe.get_doc("Insurance Claim", accepted)
	bad = frappe.get_doc("Insurance Claim", rejected)
	assert (good.status, good.payer_claim_number, good.needs_attention) == (
		"Accepted by Payer",
		"EVG2026000123",
		0,
	)
	assert (bad.status, bad.payer_claim_number or "", bad.needs_attention) == ("Rejected by Payer", "", 1)
	assert "A7:562:85 (billing provider)" in bad.last_response
	assert history(accepted)[-1] == ("Submitted", "Accepted by Payer", "file")
	assert history(rejected)[-1] == ("Submitted", "Rejected by Payer", "file")


def test_the_exact_history_of_a_claim_through_999_and_277ca(server, sent):
	claim = sent.names[0]
	drop_response(server, "a.999", response_999(sent.record.group_control_number, True, 7101))
	receive_responses()
	drop_response(
		server,
		"b.277",
		response_277ca([(claim, "A1:19", "", "45.50"), (sent.names[1], "A2:20", "PCN9", "42.25")], 8101),
	)
	receive_responses()
	drop_response(server, "c.277", response_277ca([(claim, "A3:21", "", "45.50")], 8102))
	receive_responses()

	rows = status_history(claim)
	assert [(r.from_status, r.to_status, r.source_kind, r.source, r.manual) for r in rows] == [
		("Draft", "Queued", "user", "Administrator", 0),
		("Queued", "Submitted", "job", f"send_queued_claims: {sent.record.file_name}", 0),
		("Submitted", "Accepted by Clearinghouse", "file", "a.999", 0),
		("Accepted by Clearinghouse", "Accepted by Payer", "file", "b.277", 0),
		("Accepted by Payer", "Rejected by Payer", "file", "c.277", 0),
	]
	assert rows[2].clearinghouse_file and rows[1].clearinghouse_file == sent.record.name
	assert rows[4].reason.startswith("Rejected by the payer (277CA")


def test_responses_for_unknown_claims_and_files_go_to_the_exceptions_list(server, sent):
	sample_999 = (SAMPLES / "999" / "emedny-accepted-pipe-component-sep.x12").read_bytes()
	sample_277 = (SAMPLES / "277ca" / "emedny-accepted-A1-A2.x12").read_bytes()
	drop_response(server, "emedny.999", sample_999)
	drop_response(server, "emedny.277", sample_277)

	summary = receive_responses()

	assert len(summary["received"]) == 2
	for name in summary["received"]:
		record = frappe.get_doc("Clearinghouse File", name)
		assert record.status == "Applied with Exceptions"
		found = exceptions_of(name)
		assert found, record.file_name
		if record.file_name == "emedny.277":
			assert [(row.kind, row.status) for row in found] == [("277CA claim", "Open")]
			assert "patient control number 5781" in found[0].reason
		else:
			assert [row.kind for row in found] == ["999 group"]
			assert "group control number 28" in found[0].reason
	for claim in sent.names:
		assert frappe.db.get_value("Insurance Claim", claim, "status") == "Submitted"


def test_a_repeated_response_file_is_stored_and_applied_once(server, sent):
	data = response_999(sent.record.group_control_number, True, 7201)
	drop_response(server, "first.999", data)
	first = receive_responses()
	drop_response(server, "again.999", data)
	resent = data.replace(b"*0930*", b"*0931*")  # same control numbers, other bytes
	drop_response(server, "again-changed.999", resent)

	second = receive_responses()

	(original,) = first["received"]
	assert second["received"] == [] and second["duplicates"] == [original, original]
	assert (
		frappe.db.count("Clearinghouse File", {"file_name": ["in", ["again.999", "again-changed.999"]]}) == 0
	)
	notes = frappe.get_all(
		"Comment",
		filters={"reference_doctype": "Clearinghouse File", "reference_name": original},
		pluck="content",
	)
	assert any("again.999" in note and "identical content" in note for note in notes)
	assert any("again-changed.999" in note and "same sender and control numbers" in note for note in notes)
	for claim in sent.names:
		assert [row[1] for row in history(claim)].count("Accepted by Clearinghouse") == 1


def test_a_file_that_does_not_parse_is_kept_with_its_error_and_nothing_applied(server, sent):
	good = response_277ca([(sent.names[0], "A2:20", "PCN1", "45.50")], 8301)
	broken = good[: good.index(b"SE*")]  # cut off before SE/GE/IEA
	drop_response(server, "broken.277", broken)

	summary = receive_responses()

	(name,) = summary["received"]
	record = frappe.get_doc("Clearinghouse File", name)
	assert record.status == "Parse Failed" and record.error
	from claims_billing.claims_billing.doctype.clearinghouse_file.clearinghouse_file import stored_content

	assert stored_content(name) == broken
	assert frappe.db.get_value("Insurance Claim", sent.names[0], "status") == "Submitted"
	assert not frappe.db.get_value("Insurance Claim", sent.names[0], "payer_claim_number")


def test_billing_manager_sets_a_status_by_hand_with_a_reason(sent):
	claim = sent.names[0]
	with pytest.raises(frappe.ValidationError, match="give the reason"):
		claims_api.set_claim_status(claim, "Accepted by Payer", "")
	claims_api.set_claim_status(claim, "Accepted by Payer", "Payer rep confirmed receipt by phone, ref 5521")

	rows = status_history(claim)
	assert (rows[-1].from_status, rows[-1].to_status, rows[-1].source_kind, rows[-1].manual) == (
		"Submitted",
		"Accepted by Payer",
		"user",
		1,
	)
	assert rows[-1].reason == "Payer rep confirmed receipt by phone, ref 5521"
	with pytest.raises(frappe.ValidationError, match="cannot go from Accepted by Payer to Queued"):
		claims_api.set_claim_status(claim, "Queued", "try")


def test_billing_staff_cannot_override_a_status(sent):
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": f"staff-{frappe.generate_hash(length=6)}@example.com",
			"first_name": "Staff",
			"send_welcome_email": 0,
			"roles": [{"role": "Billing Staff"}],
		}
	).insert(ignore_permissions=True)
	frappe.set_user(user.name)
	with pytest.raises(frappe.PermissionError):
		claims_api.set_claim_status(sent.names[0], "Accepted by Payer", "phone call")


def test_a_queued_claim_sent_on_paper_is_booked_when_marked_submitted():
	world = make_world(contract=False)
	service = add_service(world, "97110", days_ago=2)
	(claim,) = claims_api.initiate_claims([service.name], flow="One-click")["claims"]

	claims_api.set_claim_status(claim["name"], "Submitted", "Mailed a CMS-1500 on paper")

	doc = frappe.get_doc("Insurance Claim", claim["name"])
	assert doc.status == "Submitted" and doc.sales_invoice and not doc.clearinghouse_file
	assert frappe.db.get_value("Sales Invoice", doc.sales_invoice, ["docstatus", "grand_total"]) == (1, 45.5)
	assert history(doc.name)[-1] == ("Queued", "Submitted", "user")
	assert status_history(doc.name)[-1].manual == 1
