"""Secondary claims from the primary's ERA (COB), the secondary's own ERA, and crossovers."""

import json
from decimal import Decimal

import frappe
from claim_fixtures import judge
from era_records import check_books, era_for, factories, gl_of, money, payer_with_id, sent_claims
from records import make_policy

from claims_billing.core import claim_status
from claims_billing.remittance import era_import, posting
from claims_billing.x12.claim import Adjustment, Claim, Payer, from_dict
from claims_billing.x12.write_835 import ClaimDecision, LineDecision
from claims_billing.x12.write_837p import write_837p

D = Decimal
PRIMARY_DECISION = [LineDecision(allowed=D("150.00"), coinsurance=D("30.00")), LineDecision()]


def with_secondary(count=1):
	sent = sent_claims(count)
	second = payer_with_id()
	for patient in sent.patients:
		make_policy(patient, second.name, priority="Secondary")
	return sent, second


def post(data) -> str:
	result = era_import.import_era(data, auto_post=False)
	payment = result.payments[0]
	assert frappe.db.get_value("Insurance Payment", payment, "status") == "Ready to Post", (
		frappe.db.get_value("Insurance Payment", payment, "problems")
	)
	posting.submit_payment(payment)
	return payment


def secondary_of(claim: str) -> str:
	return frappe.db.get_value("Insurance Claim", {"secondary_claim_of": claim}, "name")


def test_secondary_claim_carries_the_primarys_amounts_and_its_era_posts(monkeypatch):
	frappe.db.set_single_value("Claims Billing Settings", "secondary_claims_mode", "Queued")
	sent, second = with_secondary()
	primary = sent.names[0]
	data, _remittance = era_for(sent, [ClaimDecision(primary, lines=PRIMARY_DECISION)])
	first_payment = post(data)
	secondary = secondary_of(primary)
	assert secondary
	values = frappe.db.get_value(
		"Insurance Claim",
		secondary,
		[
			"status",
			"payer",
			"balance",
			"payer_responsibility",
			"prior_payers_amount",
			"receivable_journal_entry",
			"docstatus",
		],
		as_dict=True,
	)
	first_entry = frappe.db.get_value("Insurance Payment", first_payment, "journal_entry")
	assert values.status == claim_status.QUEUED and values.docstatus == 1
	assert values.payer == second.name and values.payer_responsibility == "Secondary"
	assert money(values.balance) == D("30.00") and money(values.prior_payers_amount) == D("290.00")
	assert values.receivable_journal_entry == first_entry
	# The primary's patient responsibility now sits on the secondary payer's receivable.
	books = frappe.get_cached_doc("Claims Billing Settings")
	second_customer = frappe.db.get_value("Insurance Payer", second.name, "customer")
	assert gl_of(first_entry)[(books.insurance_receivable_account, second_customer)] == D("30.00")
	check_books([primary, secondary])

	claim = from_dict(
		Claim, json.loads(frappe.db.get_value("Insurance Claim", secondary, "x12_snapshot")), "secondary"
	)
	assert claim.payer_responsibility == "S"
	[other] = claim.other_payers
	assert other.paid == D("260.00") and other.responsibility == "P"
	assert [(a.group, a.reason, a.amount) for a in other.line_adjudications[0].adjustments] == [
		("CO", "45", D("30.00")),
		("PR", "2", D("30.00")),
	]
	file = write_837p(
		[claim], factories.make_submitter(), factories.make_receiver(), factories.make_envelope()
	)
	ok, errors = judge(file)
	assert ok, errors
	assert b"AMT*D*260" in file and b"CAS*PR*2*30" in file

	# The secondary is sent, then its payer pays the 30.00 left: OA-23 carries the primary's share.
	frappe.db.set_value("Insurance Claim", secondary, "status", claim_status.SUBMITTED)
	second_sent = type(sent)(payer=second, claims=[claim], names=[secondary])
	data, _remittance = era_for(
		second_sent,
		[
			ClaimDecision(
				secondary,
				lines=[
					LineDecision(other_adjustments=[Adjustment("OA", "23", D("150.00"))]),
					LineDecision(other_adjustments=[Adjustment("OA", "23", D("140.00"))]),
				],
			)
		],
	)
	second_payment = post(data)
	assert frappe.db.get_value("Insurance Claim", secondary, ["status", "balance"]) == (claim_status.PAID, 0)
	second_gl = gl_of(frappe.db.get_value("Insurance Payment", second_payment, "journal_entry"))
	assert second_gl[(books.insurance_receivable_account, second_customer)] == D("-30.00")
	check_books([primary, secondary])


def test_a_crossover_is_recognised_and_not_sent_again():
	sent, second = with_secondary()
	primary = sent.names[0]
	data, _remittance = era_for(
		sent,
		[
			ClaimDecision(
				primary,
				lines=PRIMARY_DECISION,
				forward_to=Payer(name=second.payer_name[:60], payer_id=second.payer_id),
			)
		],
	)
	post(data)
	secondary = secondary_of(primary)
	values = frappe.db.get_value(
		"Insurance Claim", secondary, ["status", "crossover", "balance"], as_dict=True
	)
	assert values.status == claim_status.SUBMITTED and values.crossover == 1
	assert money(values.balance) == D("30.00")
	# Never picked up by the send job: it only takes Queued claims.
	assert not frappe.db.exists("Insurance Claim", {"name": secondary, "status": claim_status.QUEUED})
	check_books([primary, secondary])


def test_draft_mode_and_cancel_removes_the_unsent_secondary():
	frappe.db.set_single_value("Claims Billing Settings", "secondary_claims_mode", "Draft")
	sent, _second = with_secondary()
	primary = sent.names[0]
	data, _remittance = era_for(sent, [ClaimDecision(primary, lines=PRIMARY_DECISION)])
	payment = post(data)
	secondary = secondary_of(primary)
	assert frappe.db.get_value("Insurance Claim", secondary, ["status", "docstatus"]) == (
		claim_status.DRAFT,
		0,
	)
	frappe.get_doc("Insurance Payment", payment).cancel()
	assert not frappe.db.exists("Insurance Claim", secondary)
	check_books([primary])
