"""Claims from unbilled services to the clearinghouse: one-click and review queue, scrubber and attachment
blocks, the 837P judged by pyx12, the status history, and the receivable booked in ERPNext.

These tests roll back: the jobs' commits are suppressed (claim_fixtures.commits_suppressed) and the
SFTP server's folders are emptied before each test.
"""

from decimal import Decimal

import frappe
import pytest
from claim_fixtures import (
	World,
	add_service,
	configure,
	judge,
	make_patient_with_address,
	make_world,
	response_999,
	send_world_claims,
	uploaded_files,
)
from conftest import free_port
from frappe.utils import add_days, add_to_date, getdate, now_datetime
from records import COMPANY, make_api_user

from claims_billing.accounting.claims import receivable_by_claim
from claims_billing.claims import api as claims_api
from claims_billing.claims_billing.doctype.clearinghouse_file.clearinghouse_file import stored_content
from claims_billing.claims_billing.doctype.insurance_claim.insurance_claim import status_history
from claims_billing.clearinghouse import outbound
from claims_billing.jobs.clearinghouse import send_queued_claims
from claims_billing.problems import BillingValidationError
from claims_billing.roles import BILLING_STAFF
from claims_billing.x12.read_837p import read_837p

pytestmark = pytest.mark.usefixtures("clearinghouse")


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


def test_review_queue_makes_drafts_that_staff_submit_in_bulk(server):
	configure(server, claim_flow="Review Queue")
	worlds = [make_world(), make_world()]
	services = [add_service(world, "97110", days_ago=3).name for world in worlds]

	result = claims_api.initiate_claims(services)

	assert (result["flow"], result["queued"], result["drafts"]) == ("Review Queue", 0, 2)
	names = [claim["name"] for claim in result["claims"]]
	assert all(frappe.db.get_value("Insurance Claim", name, "docstatus") == 0 for name in names)
	assert send_queued_claims()["claims"] == 0  # drafts are never sent

	bulk = claims_api.submit_claims(names)

	assert sorted(bulk["queued"]) == sorted(names) and bulk["failed"] == {}
	summary = send_queued_claims()
	assert summary["claims"] == 2 and len(summary["uploaded"]) == 1
	(data,) = uploaded_files(server).values()
	ok, errors = judge(data)
	assert ok, errors
	(transaction,) = read_837p(data)
	assert sorted(claim.claim_id for claim in transaction.claims) == sorted(names)
	for name in names:
		assert [row.to_status for row in status_history(name)] == ["Queued", "Submitted"]


def test_the_scrubber_blocks_a_claim_and_lists_every_problem_at_once(server):
	world = make_world(payer_values={"payer_id": ""})
	service = add_service(world, "97110", days_ago=20)
	frappe.db.delete("Dynamic Link", {"parenttype": "Address", "link_name": world.patient.name})
	frappe.db.set_value(
		"Patient Insurance Policy", world.policy.name, "valid_to", str(add_days(getdate(), -30))
	)

	result = claims_api.initiate_claims([service.name], flow="One-click")

	(claim,) = result["claims"]
	assert (result["queued"], claim["status"]) == (0, "Draft")
	problems = claim["problems"].split("\n")
	assert any("payer ID is missing" in problem for problem in problems)
	assert any("address is missing: add an Address to the patient's Patient record" in p for p in problems)
	assert any(f"policy {world.policy.name} is not active" in problem for problem in problems)
	assert (
		world.patient.first_name not in claim["problems"] and world.policy.member_id not in claim["problems"]
	)
	doc = frappe.get_doc("Insurance Claim", claim["name"])
	with pytest.raises(BillingValidationError) as refused:
		doc.submit()
	message = str(refused.value)
	assert "payer ID is missing" in message and "address is missing" in message and "is not active" in message
	assert claims_api.submit_claims([claim["name"]])["failed"][claim["name"]] == claim["problems"]
	assert frappe.db.get_value("Insurance Claim", claim["name"], "status") == "Draft"


def test_a_payer_that_needs_paperwork_blocks_the_claim_until_it_is_attached(server):
	world = make_world(payer_values={"requires_attachment": 1, "attachment_procedure_codes": "97140"})
	service = add_service(world, "97140", days_ago=3)

	result = claims_api.initiate_claims([service.name], flow="One-click")

	(claim,) = result["claims"]
	assert claim["status"] == "Draft"
	assert f"{world.payer.payer_name} requires an attachment (PWK) for 97140" in claim["problems"]
	doc = frappe.get_doc("Insurance Claim", claim["name"])
	doc.append("attachments", {"report_type": "EL", "transmission_code": "EL"})
	with pytest.raises(frappe.ValidationError):
		doc.save()  # EL is not a report type
	doc.reload()
	doc.append("attachments", {"report_type": "PN", "transmission_code": "EL"})
	doc.save()
	assert "has no file" in doc.problems
	doc.attachments[0].transmission_code = "FX"
	doc.save()
	assert doc.problems == ""
	doc.submit()
	send_queued_claims()
	(data,) = uploaded_files(server).values()
	ok, errors = judge(data)
	assert ok, errors
	assert f"PWK*PN*FX***AC*{doc.name}-1~".encode() in data


@pytest.fixture
def error_logs_removed():
	"""Frappe writes Error Logs outside the test's transaction: remove the ones these tests cause."""
	yield
	frappe.db.rollback()
	frappe.db.delete("Error Log", {"method": "Clearinghouse connection failed"})
	frappe.db.commit()


@pytest.mark.parametrize("fault", ["wrong password", "server down"])
def test_sftp_failures_keep_claims_queued_show_the_error_and_the_next_run_retries(
	server, fault, error_logs_removed
):
	world = make_world()
	service = add_service(world, "97110", days_ago=2)
	(claim,) = claims_api.initiate_claims([service.name], flow="One-click")["claims"]
	if fault == "wrong password":
		configure(server, password="not-the-password")
	else:
		configure(server, sftp_port=free_port())

	summary = send_queued_claims()

	(name,) = summary["failed"]
	assert summary["uploaded"] == [] and summary["error"]
	record = frappe.get_doc("Clearinghouse File", name)
	assert (record.status, record.attempts) == ("Upload Failed", 1)
	assert frappe.db.get_value("Insurance Claim", claim["name"], ["status", "clearinghouse_file"]) == (
		"Queued",
		name,
	)
	settings = frappe.get_doc("Claims Billing Settings")
	expected = "refused the login" if fault == "wrong password" else "connection refused"
	assert expected in settings.last_transport_error and settings.last_transport_error_at
	assert "not-the-password" not in settings.last_transport_error
	assert frappe.db.exists("Error Log", {"method": "Clearinghouse connection failed"})
	assert uploaded_files(server) == {}

	configure(server)
	retry = send_queued_claims()

	assert retry["uploaded"] == [name] and retry["error"] == ""
	assert list(uploaded_files(server)) == [record.file_name]
	assert uploaded_files(server)[record.file_name] == stored_content(name)
	assert frappe.db.get_value("Clearinghouse File", name, ["status", "attempts"]) == ("Uploaded", 2)
	assert frappe.db.get_value("Insurance Claim", claim["name"], "status") == "Submitted"
	assert frappe.db.get_value("Claims Billing Settings", None, "last_transport_error") in (None, "")


def test_each_batch_is_uploaded_exactly_once(server):
	world = make_world()
	add_service(world, "97110", days_ago=2)
	earlier = len(server.file_events())
	_names, record = send_world_claims(world)
	events = server.file_events()[earlier:]

	again = send_queued_claims()

	assert again["files"] == [] and again["uploaded"] == []
	assert [event[0] for event in events] == ["write", "rename"]
	assert events[0][1].endswith(f"{record.file_name}.partial")
	assert frappe.db.count("Clearinghouse File", {"direction": "Outbound", "name": record.name}) == 1
	assert frappe.db.get_value("Clearinghouse File", record.name, "attempts") == 1


def test_local_folder_mode_writes_files_for_staff_and_takes_their_responses(tmp_path):
	configure(None, connection_mode="Local Folder", local_folder=str(tmp_path))
	world = make_world()
	add_service(world, "97110", days_ago=2)
	names, record = send_world_claims(world)
	written = (tmp_path / "outbound" / record.file_name).read_bytes()
	assert written == stored_content(record.name)
	ok, errors = judge(written)
	assert ok, errors

	upload = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": "from-website.999",
			"is_private": 1,
			"content": response_999(record.group_control_number, True, 7301),
		}
	).insert(ignore_permissions=True)
	result = claims_api.upload_response_file(upload.file_url)

	assert result["new"] and result["status"] == "Applied"
	assert frappe.db.get_value("Insurance Claim", names[0], "status") == "Accepted by Clearinghouse"
	assert claims_api.upload_response_file(upload.file_url)["new"] is False


def accounts_receivable(customer: str) -> dict[str, Decimal]:
	"""ERPNext's Accounts Receivable report for one payer's Customer: outstanding per voucher, to the cent."""
	from erpnext.accounts.report.accounts_receivable.accounts_receivable import execute

	_columns, rows, *_rest = execute(
		frappe._dict(
			company=COMPANY,
			report_date=frappe.utils.today(),
			party_type="Customer",
			party=[customer],
			ageing_based_on="Due Date",
			range="30, 60, 90, 120",
		)
	)
	return {
		row["voucher_no"]: Decimal(str(row["outstanding"])).quantize(Decimal("0.01"))
		for row in rows
		if isinstance(row, dict) and row.get("voucher_no")
	}


def test_one_invoice_per_payer_per_file_and_ar_per_payer_and_claim_to_the_cent(server):
	first, second = make_world(), make_world()
	add_service(first, "97110", days_ago=5, units=3)
	add_service(first, "97140", days_ago=5)
	add_service(second, "97140", days_ago=4)
	# A second patient of the first payer: same invoice, lines of their own.
	other = World(first.payer, first.practitioner, make_patient_with_address(), None)
	other.policy = frappe.get_doc(
		{
			"doctype": "Patient Insurance Policy",
			"patient_doctype": "Patient",
			"patient": other.patient.name,
			"payer": first.payer.name,
			"member_id": "XQZ" + frappe.generate_hash(length=8).upper(),
			"valid_from": "2026-01-01",
		}
	).insert()
	add_service(other, "97110", days_ago=2)
	groups = [[s.name for s in first.services], [second.services[0].name], [other.services[0].name]]
	names = [claims_api.initiate_claims(group, flow="One-click")["claims"][0]["name"] for group in groups]

	summary = send_queued_claims()

	assert len(summary["uploaded"]) == 1 and summary["claims"] == 3
	invoices = [frappe.db.get_value("Insurance Claim", name, "sales_invoice") for name in names]
	assert invoices[0] == invoices[2] != invoices[1]  # one invoice per payer
	first_invoice = frappe.get_doc("Sales Invoice", invoices[0])
	assert first_invoice.customer == first.payer.customer
	assert first_invoice.insurance_claims_file == summary["uploaded"][0]
	assert [(row.insurance_claim, row.claim_patient, row.amount) for row in first_invoice.items] == [
		(names[0], first.patient.name, 136.5),
		(names[0], first.patient.name, 42.25),
		(names[2], other.patient.name, 45.5),
	]
	assert accounts_receivable(first.payer.customer) == {invoices[0]: Decimal("224.25")}
	assert accounts_receivable(second.payer.customer) == {invoices[1]: Decimal("42.25")}
	assert receivable_by_claim(names) == {
		names[0]: Decimal("178.75"),
		names[1]: Decimal("42.25"),
		names[2]: Decimal("45.50"),
	}
	assert frappe.db.get_value("Insurance Claim", names[0], "balance") == 178.75


def test_a_queued_claim_can_be_taken_back_until_it_is_sent(server):
	world = make_world()
	first = add_service(world, "97110", days_ago=3)
	(claim,) = claims_api.initiate_claims([first.name], flow="One-click")["claims"]
	doc = frappe.get_doc("Insurance Claim", claim["name"])

	doc.cancel()

	assert (doc.docstatus, doc.status) == (2, "Draft")
	assert [(row.from_status, row.to_status) for row in status_history(doc.name)] == [
		("Draft", "Queued"),
		("Queued", "Draft"),
	]
	assert frappe.db.get_value("Billable Service", first.name, "status") == "Unbilled"
	assert send_queued_claims()["claims"] == 0
	amended = frappe.copy_doc(doc)
	amended.amended_from = doc.name
	amended.insert()
	amended.submit()
	assert frappe.db.get_value("Billable Service", first.name, "billed_by") == amended.name
	summary = send_queued_claims()
	assert summary["claims"] == 1
	with pytest.raises(frappe.ValidationError, match="has gone to the clearinghouse"):
		frappe.get_doc("Insurance Claim", amended.name).cancel()


def _unconfirmed_upload(world: World) -> tuple[str, str]:
	"""A file whose worker died after taking it for upload, found stale by the next run: (file, claim)."""
	service = add_service(world, "97110", days_ago=2)
	claim = claims_api.initiate_claims([service.name], flow="One-click")["claims"][0]["name"]
	(name,) = outbound.prepare_files().files
	assert outbound.claim_upload(name)
	started = add_to_date(now_datetime(), minutes=-(outbound.STALE_UPLOAD_MINUTES + 1))
	frappe.db.set_value("Clearinghouse File", name, "modified", started, update_modified=False)
	assert name in outbound.mark_stale_uploads()
	assert frappe.db.get_value("Clearinghouse File", name, "status") == "Upload Unconfirmed"
	assert frappe.db.get_value("Insurance Claim", claim, "status") == "Queued"
	return name, claim


def test_a_manager_confirms_an_unconfirmed_upload_or_has_it_uploaded_again(server):
	world = make_world()
	confirmed, confirmed_claim = _unconfirmed_upload(world)

	frappe.set_user(make_api_user([BILLING_STAFF], "staff").name)
	with pytest.raises(frappe.PermissionError):
		claims_api.confirm_upload(confirmed)
	with pytest.raises(frappe.PermissionError):
		claims_api.retry_upload(confirmed)
	frappe.set_user("Administrator")

	# The clearinghouse says it arrived: nothing is uploaded again, the claim is sent and booked.
	assert claims_api.confirm_upload(confirmed) == {"claims": [confirmed_claim]}
	assert frappe.db.get_value("Clearinghouse File", confirmed, "status") == "Uploaded"
	claim = frappe.get_doc("Insurance Claim", confirmed_claim)
	assert claim.status == "Submitted" and claim.sales_invoice
	assert uploaded_files(server) == {}
	with pytest.raises(frappe.ValidationError, match=f"can be confirmed; {confirmed} is Uploaded"):
		claims_api.confirm_upload(confirmed)
	with pytest.raises(frappe.ValidationError, match=f"can be retried; {confirmed} is Uploaded"):
		claims_api.retry_upload(confirmed)

	# It never arrived: the same bytes go up once more.
	retried, retried_claim = _unconfirmed_upload(world)
	summary = claims_api.retry_upload(retried)
	assert summary["uploaded"] == [retried] and summary["failed"] == []
	file_name, attempts = frappe.db.get_value("Clearinghouse File", retried, ["file_name", "attempts"])
	assert list(uploaded_files(server)) == [file_name] and attempts == 2
	assert uploaded_files(server)[file_name] == stored_content(retried)
	assert frappe.db.get_value("Insurance Claim", retried_claim, "status") == "Submitted"
