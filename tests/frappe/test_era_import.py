"""ERA import and posting on a real site: round trip, reversal, duplicates, failure mid-posting, samples."""

import datetime
import pathlib
from decimal import Decimal

import frappe
import pytest
from era_records import check_books, era_for, gl_of, money, sent_claims

from claims_billing.core import claim_status
from claims_billing.remittance import era_import, posting
from claims_billing.x12.claim import Adjustment, Payer
from claims_billing.x12.remittance import ProviderAdjustment
from claims_billing.x12.write_835 import ClaimDecision, LineDecision

SAMPLES = pathlib.Path(__file__).resolve().parents[3] / "shared" / "x12-samples" / "835"
if not SAMPLES.is_dir():
	SAMPLES = pathlib.Path("/work/shared/x12-samples/835")
D = Decimal


def settings():
	return frappe.get_cached_doc("Claims Billing Settings")


def decisions_for(names):
	paid_in_full, partial, denied, other_adjusted, crossover = names
	return [
		ClaimDecision(paid_in_full),
		ClaimDecision(
			partial,
			lines=[
				LineDecision(allowed=D("150.00"), deductible=D("20.00"), coinsurance=D("10.00")),
				LineDecision(allowed=D("100.00"), copay=D("15.00")),
			],
		),
		ClaimDecision(denied, lines=[LineDecision(denial=("CO", "50")), LineDecision(denial=("CO", "50"))]),
		ClaimDecision(
			other_adjusted,
			lines=[
				LineDecision(allowed=D("160.00"), other_adjustments=[Adjustment("OA", "94", D("10.00"))]),
				LineDecision(),
			],
		),
		ClaimDecision(
			crossover,
			lines=[LineDecision(allowed=D("170.00"), coinsurance=D("20.00")), LineDecision()],
			forward_to=Payer(name="Next Plan", payer_id="99999"),
		),
	]


PLB = [
	ProviderAdjustment("1234567893", datetime.date(2026, 12, 31), "L6", "INT1", D("-5.00")),
	ProviderAdjustment("1234567893", datetime.date(2026, 12, 31), "WO", "RECOUP1", D("12.00")),
]


def import_and_post(data: bytes) -> str:
	result = era_import.import_era(data, file_name="test.835", auto_post=False)
	assert len(result.payments) == 1, result
	name = result.payments[0]
	assert frappe.db.get_value("Insurance Payment", name, "status") == "Ready to Post", frappe.db.get_value(
		"Insurance Payment", name, "problems"
	)
	posting.submit_payment(name)
	return name


def test_round_trip_posts_every_kind_of_claim_payment_to_the_cent():
	sent = sent_claims(5, patients=5)
	data, remittance = era_for(sent, decisions_for(sent.names), provider_adjustments=PLB)
	name = import_and_post(data)
	payment = frappe.get_doc("Insurance Payment", name)
	assert payment.status == "Posted"
	assert money(payment.amount) == remittance.amount
	# 320 full + (120 + 85) + 0 + (150 + 140) + (150 + 140) + 5 interest - 12 recouped
	assert remittance.amount == D("1098.00")
	statuses = dict(
		frappe.get_all(
			"Insurance Claim", filters={"name": ["in", sent.names]}, fields=["name", "status"], as_list=True
		)
	)
	paid_in_full, partial, denied, other_adjusted, crossover = sent.names
	assert statuses == {
		paid_in_full: claim_status.PAID,
		partial: claim_status.PAID,
		denied: claim_status.DENIED,
		other_adjusted: claim_status.PAID,
		crossover: claim_status.PAID,
	}
	assert money(frappe.db.get_value("Insurance Claim", denied, "balance")) == D("320.00")
	denial = frappe.get_all(
		"Claim Denial",
		filters={"insurance_claim": denied},
		fields=["denied_amount", "reason", "next_action", "status"],
	)
	assert len(denial) == 1 and money(denial[0].denied_amount) == D("320.00")
	assert "CO-50" in denial[0].reason and denial[0].status == "Open"

	books = settings()
	customer = frappe.db.get_value("Insurance Payer", sent.payer.name, "customer")
	gl = gl_of(payment.journal_entry)
	company = frappe.get_cached_value(
		"Company",
		books.company,
		["default_bank_account", "write_off_account", "default_income_account"],
		as_dict=True,
	)
	patient_customers = {p: frappe.db.get_value("Patient", p, "customer") for p in sent.patients}
	assert gl[(company.default_bank_account, "")] == D("1098.00")
	# Receivable credited: everything adjudicated but the zero-pay denial (320 each for 4 claims).
	assert gl[(books.insurance_receivable_account, customer)] == D("-1280.00")
	assert gl[(books.contractual_adjustment_account, "")] == D("30.00") + D("40.00") + D("20.00") + D("10.00")
	# OA-94 10.00 and the WO recoupment 12.00 land on the write-off account by default.
	assert gl[(company.write_off_account, "")] == D("22.00")
	assert gl[(company.default_income_account, "")] == D("-5.00")
	assert gl[(books.patient_receivable_account, patient_customers[sent.patients[1]])] == D("45.00")
	assert gl[(books.patient_receivable_account, patient_customers[sent.patients[4]])] == D("20.00")
	assert sum(gl.values()) == 0
	history = frappe.get_all(
		"Insurance Claim Status Change",
		filters={"parent": partial, "to_status": claim_status.PAID},
		fields=["reason", "source_kind"],
	)
	assert history and "paid 205.00" in history[0].reason and "deductible 20.00" in history[0].reason
	assert history[0].source_kind == claim_status.SOURCE_FILE
	check_books(sent.names)

	# The payer reverses the partial payment and pays it again with a higher allowed amount.
	original = remittance.claims[1]
	again, _again = era_for(
		sent,
		[
			ClaimDecision(
				partial,
				reverses=original,
				lines=[LineDecision(allowed=D("170.00"), deductible=D("20.00")), LineDecision()],
			)
		],
	)
	second = import_and_post(again)
	assert frappe.db.get_value("Insurance Claim", partial, "status") == claim_status.PAID
	steps = frappe.get_all(
		"Insurance Claim Status Change", filters={"parent": partial}, pluck="to_status", order_by="idx asc"
	)
	assert steps[-2:] == [claim_status.REVERSED, claim_status.PAID]
	second_gl = gl_of(frappe.db.get_value("Insurance Payment", second, "journal_entry"))
	# Net: paid 150+140=290 instead of 205 (+85); CO 10 instead of 70 (-60); PR 20 instead of 45 (-25).
	assert second_gl[(company.default_bank_account, "")] == D("85.00")
	assert second_gl[(books.contractual_adjustment_account, "")] == D("-60.00")
	assert second_gl[(books.patient_receivable_account, patient_customers[sent.patients[1]])] == D("-25.00")
	check_books(sent.names)

	# Cancelling the second payment puts everything back as the first payment left it.
	doc = frappe.get_doc("Insurance Payment", second)
	doc.cancel()
	assert frappe.db.get_value("Insurance Claim", partial, "status") == claim_status.PAID
	assert gl_of(doc.journal_entry) == {}
	check_books(sent.names)
	first = frappe.get_doc("Insurance Payment", name)
	first.cancel()
	assert frappe.db.get_value("Insurance Claim", denied, "status") == "Accepted by Payer"
	assert not frappe.db.exists("Claim Denial", {"insurance_claim": denied})
	for claim in sent.names:
		assert money(frappe.db.get_value("Insurance Claim", claim, "balance")) == D("320.00")
	check_books(sent.names)


def test_the_same_era_twice_is_refused_and_posts_nothing():
	sent = sent_claims(2)
	data, _remittance = era_for(sent)
	first = import_and_post(data)
	entries_before = frappe.db.count("Journal Entry")
	with pytest.raises(era_import.DuplicateEraError) as refused:
		era_import.import_era(data, file_name="again.835", auto_post=True)
	message = str(refused.value)
	assert "imported before" in message and first in message
	assert frappe.db.count("Insurance Payment", {"payment_key": ["like", f"{sent.payer.name}|%"]}) == 1
	assert frappe.db.count("Journal Entry") == entries_before
	check_books(sent.names)


def test_a_failure_mid_posting_leaves_nothing_behind(monkeypatch):
	sent = sent_claims(3)
	data, _remittance = era_for(sent)
	result = era_import.import_era(data, auto_post=False)
	name = result.payments[0]
	invoice = frappe.db.get_value("Insurance Claim", sent.names[0], "sales_invoice")
	outstanding = frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount")
	entries = frappe.db.count("Journal Entry")
	gl_rows = frappe.db.count("GL Entry")

	def broken(*args, **kwargs):
		raise RuntimeError("injected failure after the Journal Entry was submitted")

	monkeypatch.setattr(posting, "update_claims", broken)
	with pytest.raises(RuntimeError, match="injected failure"):
		posting.submit_payment(name)
	assert frappe.db.count("Journal Entry") == entries
	assert frappe.db.count("GL Entry") == gl_rows
	assert frappe.db.get_value("Insurance Payment", name, ["docstatus", "journal_entry"]) == (0, None)
	assert frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount") == outstanding
	statuses = set(frappe.get_all("Insurance Claim", filters={"name": ["in", sent.names]}, pluck="status"))
	assert statuses == {"Accepted by Payer"}
	check_books(sent.names)
	monkeypatch.undo()
	posting.submit_payment(name)
	assert set(frappe.get_all("Insurance Claim", filters={"name": ["in", sent.names]}, pluck="status")) == {
		claim_status.PAID
	}
	check_books(sent.names)


def test_auto_post_posts_fully_matched_eras_only():
	sent = sent_claims(2)
	data, _remittance = era_for(sent)
	result = era_import.import_era(data, auto_post=True)
	assert result.posted == result.payments
	assert frappe.db.get_value("Insurance Payment", result.payments[0], "docstatus") == 1


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.x12")))
def test_every_public_835_imports_and_foreign_claims_wait_with_the_reason(sample):
	from claims_billing.x12.read_835 import read_835

	data = (SAMPLES / sample).read_bytes()
	remittances = read_835(data)
	result = era_import.import_era(data, file_name=sample, auto_post=True)
	assert len(result.payments) == len(remittances)
	assert result.posted == []
	claims = sum(len(r.claims) for r in remittances)
	queued = frappe.get_all(
		"Unmatched Remittance",
		filters={"insurance_payment": ["in", result.payments], "kind": "Claim"},
		fields=["claim_id", "reason", "status"],
	)
	assert len(queued) == claims
	for row in queued:
		assert row.status == "Open"
		assert f"no claim has claim id {row.claim_id} (CLP01)" in row.reason
	for name in result.payments:
		payment = frappe.get_doc("Insurance Payment", name)
		assert payment.status == "Needs Review"
		assert "No Insurance Payer of ours" in payment.problems
		assert payment.docstatus == 0


def test_a_file_that_is_not_an_835_is_refused_with_the_reason():
	# A 999 acknowledgement someone uploaded as an ERA: the message names the file and what it holds.
	data = (SAMPLES.parent / "999" / "emedny-accepted-pipe-component-sep.x12").read_bytes()
	before = frappe.db.count("Insurance Payment")
	with pytest.raises(era_import.X12ImportError, match=r"ack\.x12 is not a readable 835: .* it holds 999"):
		era_import.import_era(data, file_name="ack.x12")
	assert frappe.db.count("Insurance Payment") == before


def test_the_receiving_job_hands_a_downloaded_835_to_the_importer():
	from claims_billing.claims_billing.doctype.clearinghouse_file import clearinghouse_file as files

	assert "claims_billing.remittance.era_import.import_era_file" in frappe.get_hooks(
		"claims_billing_import_835"
	)
	sent = sent_claims(2)
	data, _remittance = era_for(sent)
	record = frappe.get_doc(
		{
			"doctype": files.FILE,
			"direction": files.INBOUND,
			"transaction_type": "835",
			"status": files.RECEIVED,
			"file_name": "era.835",
			"content_sha256": files.sha256(data),
		}
	).insert(ignore_permissions=True)
	files.attach_content(record, "era.835", data)
	result = era_import.import_era_file(record.name)
	assert len(result.payments) == 1
	assert frappe.db.get_value("Insurance Payment", result.payments[0], "clearinghouse_file") == record.name
	assert frappe.db.get_value(files.FILE, record.name, "status") in (
		files.APPLIED,
		files.APPLIED_WITH_EXCEPTIONS,
	)
	# The same file handed over again imports nothing and says so on the file.
	assert era_import.import_era_file(record.name) is None
	assert "imported before" in frappe.db.get_value(files.FILE, record.name, "summary")
	check_books(sent.names)


def test_a_changed_claim_id_is_suggested_by_patient_date_and_charge_and_staff_confirm_it():
	from era_records import write_era

	from claims_billing.remittance import api

	sent = sent_claims(2)
	_data, remittance = era_for(sent)
	ours = remittance.claims[0].claim_id
	remittance.claims[0].claim_id = "PAYER-MANGLED-1"
	result = era_import.import_era(write_era(remittance), auto_post=True)
	name = result.payments[0]
	assert result.posted == []
	payment = frappe.get_doc("Insurance Payment", name)
	assert payment.status == "Needs Review"
	assert [row.match_status for row in payment.claims] == ["Suggested", "Matched"]
	queued = frappe.get_all(
		"Unmatched Remittance",
		filters={"insurance_payment": name},
		fields=["name", "kind", "claim_id", "suggested_claim", "reason", "status"],
	)
	assert len(queued) == 1
	assert queued[0].claim_id == "PAYER-MANGLED-1" and queued[0].suggested_claim == ours
	assert "no claim has claim id PAYER-MANGLED-1" in queued[0].reason
	with pytest.raises(frappe.ValidationError, match="confirm one of the suggested claims"):
		posting.submit_payment(name)
	api.match_unmatched(queued[0].name, ours)
	posting.submit_payment(name)
	assert frappe.db.get_value("Unmatched Remittance", queued[0].name, "status") == "Matched"
	assert set(frappe.get_all("Insurance Claim", filters={"name": ["in", sent.names]}, pluck="status")) == {
		claim_status.PAID
	}
	check_books(sent.names)
