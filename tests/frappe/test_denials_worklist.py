"""Denials worklist: denied and partly denied claims with reasons, next actions, and the list actions."""

from decimal import Decimal

import frappe
from era_records import check_books, era_for, gl_of, money, sent_claims

from claims_billing.core import claim_status
from claims_billing.remittance import api, denials, era_import, posting
from claims_billing.x12.write_835 import ClaimDecision, LineDecision

D = Decimal


def denied(name, reason):
	return ClaimDecision(
		name, lines=[LineDecision(denial=("CO", reason)), LineDecision(denial=("CO", reason))]
	)


def post(sent, decisions):
	data, _remittance = era_for(sent, decisions)
	result = era_import.import_era(data, auto_post=False)
	posting.submit_payment(result.payments[0])
	return result.payments[0]


def worklist(names):
	return {
		row.insurance_claim: row
		for row in frappe.get_all(
			"Claim Denial",
			filters={"insurance_claim": ["in", names]},
			fields=[
				"name",
				"insurance_claim",
				"denial_kind",
				"denied_amount",
				"reason",
				"reason_codes",
				"next_action",
				"status",
				"due_date",
			],
		)
	}


def test_denials_are_listed_with_reasons_in_words_and_a_next_action():
	sent = sent_claims(4)
	fix_it, appeal_it, too_late, partly = sent.names
	post(
		sent,
		[
			denied(fix_it, "16"),
			denied(appeal_it, "50"),
			denied(too_late, "29"),
			ClaimDecision(partly, lines=[LineDecision(), LineDecision(denial=("CO", "96"))]),
		],
	)
	rows = worklist(sent.names)
	assert rows[fix_it].next_action == denials.ACTION_RESUBMIT
	assert rows[appeal_it].next_action == denials.ACTION_APPEAL
	assert rows[too_late].next_action == denials.ACTION_WRITE_OFF
	assert rows[fix_it].denial_kind == "Denied" and money(rows[fix_it].denied_amount) == D("320.00")
	assert rows[partly].denial_kind == "Partially Denied" and money(rows[partly].denied_amount) == D("140.00")
	assert rows[too_late].reason_codes == "CO-29"
	# The reason in words comes from the CARC list, not just the code.
	assert "CO-29:" in rows[too_late].reason and len(rows[too_late].reason) > len("CO-29: ") + 10
	assert all(row.status == "Open" and row.due_date for row in rows.values())
	assert frappe.db.get_value("Insurance Claim", partly, "status") == claim_status.PAID
	check_books(sent.names)


def test_worklist_actions_appeal_write_off_and_resubmit():
	sent = sent_claims(3)
	appeal_it, write_it_off, resubmit_it = sent.names
	post(sent, [denied(appeal_it, "50"), denied(write_it_off, "29"), denied(resubmit_it, "16")])
	rows = worklist(sent.names)
	denial = frappe.get_doc("Claim Denial", rows[appeal_it].name)
	denial.assigned_to = "Administrator"
	denial.due_date = "2026-05-01"
	denial.save()

	api.appeal_denial(rows[appeal_it].name, "Appeal letter with the authorization sent.")
	assert frappe.db.get_value("Claim Denial", rows[appeal_it].name, ["status", "assigned_to"]) == (
		"Appealed",
		"Administrator",
	)

	entry = api.write_off_denial(rows[write_it_off].name, "Past the timely filing limit.")
	assert frappe.db.get_value("Claim Denial", rows[write_it_off].name, "status") == "Written Off"
	assert money(frappe.db.get_value("Insurance Claim", write_it_off, "balance")) == 0
	books = frappe.get_cached_doc("Claims Billing Settings")
	customer = frappe.db.get_value("Insurance Payer", sent.payer.name, "customer")
	write_off_account = frappe.get_cached_value("Company", books.company, "write_off_account")
	assert gl_of(entry) == {
		(write_off_account, ""): D("320.00"),
		(books.insurance_receivable_account, customer): D("-320.00"),
	}
	check_books(sent.names)

	corrected = api.resubmit_denial(rows[resubmit_it].name)
	assert frappe.db.get_value("Claim Denial", rows[resubmit_it].name, ["status", "corrected_claim"]) == (
		"Resubmitted",
		corrected,
	)
	assert frappe.db.get_value("Insurance Claim", corrected, ["docstatus", "original_claim"]) == (
		0,
		resubmit_it,
	)
