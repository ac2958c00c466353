"""Claims from unbilled services to the clearinghouse: one-click and review queue, scrubber and attachment
blocks, the 837P judged by pyx12, the status history, and the receivable booked in ERPNext.

These tests roll back: the jobs' commits are suppressed (claim_fixtures.commits_suppressed) and the
SFTP server's folders are emptied before each test.
"""

from decimal import Decimal

import frappe
import pytest
from claim_fixtures import (
	add_service,
	clear_server,
	commits_suppressed,
	configure,
	judge,
	make_world,
	start_sftp_server,
	uploaded_files,
)

from claims_billing import claims_api
from claims_billing.accounting.claims import receivable_by_claim
from claims_billing.claims_billing.doctype.insurance_claim.insurance_claim import status_history
from claims_billing.jobs.clearinghouse import send_queued_claims
from claims_billing.x12.read_837p import read_837p


@pytest.fixture(scope="module")
def server():
	with start_sftp_server() as running:
		yield running


@pytest.fixture(autouse=True)
def sending(server):
	clear_server(server)
	configure(server)
	with commits_suppressed():
		yield


def test_one_click_claim_is_queued_sent_judged_and_booked(server):
	world = make_world()
	first = add_service(world, "97110", days_ago=6, units=2)
	second = add_service(world, "97140", days_ago=4)

	result = claims_api.initiate_claims([first.name, second.name], flow="One-click")

	assert (result["queued"], result["drafts"], result["skipped"]) == (1, 0, {})
	name = result["claims"][0]["name"]
	claim = frappe.get_doc("Insurance Claim", name)
	assert claim.status == "Queued" and claim.docstatus == 1
	assert [row.billable_service for row in claim.services] == [first.name, second.name]
	assert claim.total_charge == pytest.approx(45.50 * 2 + 42.25)
	assert claim.expected_allowed == pytest.approx(36.40 * 2 + 33.80)
	assert [row.icd10_code for row in claim.diagnoses] == ["M54.50", "M62.830"]
	assert frappe.db.get_value("Billable Service", first.name, ["status", "billed_by"]) == ("On Claim", name)

	summary = send_queued_claims()

	assert summary["error"] == "" and summary["claims"] == 1 and len(summary["uploaded"]) == 1
	record = frappe.get_doc("Clearinghouse File", summary["uploaded"][0])
	sent = uploaded_files(server)
	assert list(sent) == [record.file_name]
	data = sent[record.file_name]
	assert record.content_sha256 == __import__("hashlib").sha256(data).hexdigest()
	assert (record.status, record.direction, record.transaction_type, record.claim_count) == (
		"Uploaded",
		"Outbound",
		"837P",
		1,
	)
	ok, errors = judge(data)
	assert ok, errors
	(transaction,) = read_837p(data)
	(sent_claim,) = transaction.claims
	assert sent_claim.claim_id == name
	assert sent_claim.total_charge == Decimal("133.25")
	assert [line.line_control_number for line in sent_claim.lines] == [first.name, second.name]
	assert "ISA*00*" in data.decode() and record.interchange_control_number in data.decode()

	claim.reload()
	assert claim.status == "Submitted" and claim.clearinghouse_file == record.name
	assert [(row.from_status, row.to_status, row.source_kind) for row in status_history(name)] == [
		("Draft", "Queued", "user"),
		("Queued", "Submitted", "job"),
	]

	invoice = frappe.get_doc("Sales Invoice", claim.sales_invoice)
	assert invoice.docstatus == 1 and invoice.customer == world.payer.customer
	assert [(row.insurance_claim, row.billable_service, row.amount) for row in invoice.items] == [
		(name, first.name, 91.0),
		(name, second.name, 42.25),
	]
	gl = frappe.get_all(
		"GL Entry",
		filters={"voucher_no": invoice.name, "is_cancelled": 0},
		fields=["account", "debit", "credit", "party"],
		order_by="account",
	)
	assert [(row.account, row.debit, row.credit) for row in gl] == [
		("Insurance Receivable - TC", 133.25, 0.0),
		("Sales - TC", 0.0, 133.25),
	]
	assert receivable_by_claim([name]) == {name: Decimal("133.25")}
