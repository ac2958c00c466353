"""Duplicate & Resubmit and Void: the frequency and payer claim number the payer gets, the links and
histories on both claims, and the receivable moved or reversed in ERPNext (never booked twice).
"""

from decimal import Decimal

import frappe
import pytest
from claim_fixtures import (
	add_service,
	drop_response,
	history,
	judge,
	make_world,
	response_277ca,
	response_999,
	send_world_claims,
	uploaded_files,
)

from claims_billing.accounting.claims import receivable_by_claim
from claims_billing.claims import api as claims_api
from claims_billing.claims_billing.doctype.insurance_claim.insurance_claim import status_history
from claims_billing.jobs.clearinghouse import receive_responses, send_queued_claims
from claims_billing.x12.read_837p import read_837p

pytestmark = pytest.mark.usefixtures("clearinghouse")


@pytest.fixture
def sent():
	world = make_world()
	first = add_service(world, "97110", days_ago=12, units=2)
	second = add_service(world, "97140", days_ago=12)
	(name,), record = send_world_claims(world)
	return frappe._dict(world=world, name=name, record=record, services=[first.name, second.name])


def payer_outstanding(customer: str) -> Decimal:
	"""AR of one payer's Customer from ERPNext's Payment Ledger, to the cent."""
	amount = frappe.db.sql(
		"""select sum(amount) from `tabPayment Ledger Entry`
		where party_type = 'Customer' and party = %s and delinked = 0""",
		customer,
	)[0][0]
	return Decimal(str(amount or 0)).quantize(Decimal("0.01"))


def gl_lines(voucher: str) -> list[tuple]:
	return [
		(row.account, row.debit, row.credit)
		for row in frappe.get_all(
			"GL Entry",
			filters={"voucher_no": voucher, "is_cancelled": 0},
			fields=["account", "debit", "credit"],
			order_by="account asc",
		)
	]


def accept(server, claim: str, payer_claim_number: str, control: int) -> None:
	drop_response(
		server,
		f"accept-{control}.277",
		response_277ca([(claim, "A2:20", payer_claim_number, "133.25")], control),
	)
	receive_responses()


def send_and_read(server, record_before: str):
	summary = send_queued_claims()
	assert summary["error"] == "" and len(summary["uploaded"]) == 1, summary
	record = frappe.get_doc("Clearinghouse File", summary["uploaded"][0])
	assert record.name != record_before
	data = uploaded_files(server)[record.file_name]
	ok, errors = judge(data)
	assert ok, errors
	(transaction,) = read_837p(data)
	return record, transaction.claims


def test_a_denied_claim_is_replaced_with_frequency_7_and_the_receivable_moves(server, sent):
	accept(server, sent.name, "EVG-77001", 9001)
	claims_api.set_claim_status(sent.name, "Denied", "Paper EOB: denied for missing modifier")
	customer = sent.world.payer.customer
	assert payer_outstanding(customer) == Decimal("133.25")

	new = claims_api.duplicate_and_resubmit(sent.name)

	draft = frappe.get_doc("Insurance Claim", new)
	assert new == f"{sent.name}-R1"
	assert (
		draft.docstatus,
		draft.status,
		draft.frequency,
		draft.original_claim,
		draft.original_payer_claim_number,
	) == (
		0,
		"Draft",
		"Replacement",
		sent.name,
		"EVG-77001",
	)
	original = frappe.get_doc("Insurance Claim", sent.name)
	assert original.corrected_by == new
	note = status_history(sent.name)[-1]
	assert (note.from_status, note.to_status) == ("Denied", "Denied")
	assert f"corrected claim {new} created" in note.reason and "frequency 7" in note.reason
	# The correction drops the second service; it is unbilled again.
	draft.services = [row for row in draft.services if row.billable_service == sent.services[0]]
	draft.save()
	assert frappe.db.get_value("Billable Service", sent.services[1], "status") == "Unbilled"
	assert frappe.db.get_value("Billable Service", sent.services[0], "billed_by") == new
	claims_api.submit_claims([new])

	record, (claim,) = send_and_read(server, sent.record.name)

	assert (claim.claim_id, claim.frequency, claim.original_claim_number) == (new, "7", "EVG-77001")
	assert history(sent.name)[-1] == ("Denied", "Closed", "job")
	assert f"Replaced by corrected claim {new}" in status_history(sent.name)[-1].reason
	assert receivable_by_claim([sent.name, new]) == {sent.name: Decimal("0.00"), new: Decimal("91.00")}
	assert payer_outstanding(customer) == Decimal("91.00")
	credit_note = frappe.get_all(
		"Sales Invoice", filters={"return_against": original.sales_invoice, "docstatus": 1}, pluck="name"
	)
	assert len(credit_note) == 1
	assert gl_lines(credit_note[0]) == [
		("Insurance Receivable - TC", 0.0, 133.25),
		("Sales - TC", 133.25, 0.0),
	]
	corrected = frappe.get_doc("Insurance Claim", new)
	assert gl_lines(corrected.sales_invoice) == [
		("Insurance Receivable - TC", 91.0, 0.0),
		("Sales - TC", 0.0, 91.0),
	]
	assert corrected.clearinghouse_file == record.name


def test_a_claim_the_payer_never_accepted_is_resent_as_a_fresh_original(server, sent):
	drop_response(server, "reject.999", response_999(sent.record.group_control_number, False, 9101))
	receive_responses()
	assert frappe.db.get_value("Insurance Claim", sent.name, "status") == "Rejected by Clearinghouse"

	new = claims_api.duplicate_and_resubmit(sent.name)
	claims_api.submit_claims([new])
	_record, (claim,) = send_and_read(server, sent.record.name)

	assert (claim.claim_id, claim.frequency, claim.original_claim_number) == (new, "1", "")
	assert frappe.db.get_value("Insurance Claim", new, "frequency") == "Original"
	assert [row[1] for row in history(sent.name)][-1] == "Closed"
	assert receivable_by_claim([sent.name, new]) == {sent.name: Decimal("0.00"), new: Decimal("133.25")}
	assert payer_outstanding(sent.world.payer.customer) == Decimal("133.25")


def test_a_claim_in_flight_cannot_be_duplicated(sent):
	with pytest.raises(frappe.ValidationError, match="has not answered yet"):
		claims_api.duplicate_and_resubmit(sent.name)


def test_void_sends_frequency_8_and_reverses_the_receivable(server, sent):
	accept(server, sent.name, "EVG-88002", 9201)
	original_invoice = frappe.db.get_value("Insurance Claim", sent.name, "sales_invoice")

	void = claims_api.void_claim(sent.name, "Billed to the wrong patient")

	assert frappe.db.get_value("Insurance Claim", void, ["docstatus", "status", "frequency"]) == (
		1,
		"Queued",
		"Void",
	)
	assert frappe.db.get_value("Insurance Claim", sent.name, "voided_by") == void
	record, (claim,) = send_and_read(server, sent.record.name)

	assert (claim.claim_id, claim.frequency, claim.original_claim_number) == (void, "8", "EVG-88002")
	assert history(sent.name)[-1] == ("Accepted by Payer", "Void", "job")
	assert history(void) == [("Draft", "Queued", "user"), ("Queued", "Submitted", "job")]
	assert receivable_by_claim([sent.name]) == {sent.name: Decimal("0.00")}
	assert payer_outstanding(sent.world.payer.customer) == Decimal("0.00")
	credit_note = frappe.db.get_value("Insurance Claim", void, "sales_invoice")
	assert frappe.db.get_value(
		"Sales Invoice", credit_note, ["is_return", "return_against", "grand_total"]
	) == (
		1,
		original_invoice,
		-133.25,
	)
	assert frappe.db.get_value("Sales Invoice", original_invoice, "outstanding_amount") == 0
	for service in sent.services:
		assert frappe.db.get_value("Billable Service", service, "status") == "Unbilled"
	assert record.claim_count == 1


def test_a_claim_never_accepted_cannot_be_voided(sent):
	with pytest.raises(frappe.ValidationError, match="nothing to void"):
		claims_api.void_claim(sent.name)
