"""The Needs Follow-up report: sent claims with no response for the set number of days, and claims near or
past the payer's timely filing limit; claims that got an answer recently are not listed.
"""

import frappe
from claim_fixtures import add_service, configure, make_world
from frappe.utils import add_days, now_datetime

from claims_billing.claims import api as claims_api
from claims_billing.claims_billing.report.needs_follow_up.needs_follow_up import execute


def queued_claim(days_ago: int, timely_filing_days: int = 90) -> str:
	world = make_world(contract=False, payer_values={"timely_filing_days": timely_filing_days})
	service = add_service(world, "97110", days_ago=days_ago)
	return claims_api.initiate_claims([service.name], flow="One-click")["claims"][0]["name"]


def mark_sent(name: str, days_ago: int) -> None:
	frappe.db.set_value(
		"Insurance Claim", name, {"status": "Submitted", "submitted_on": add_days(now_datetime(), -days_ago)}
	)


def test_needs_follow_up_lists_silent_and_late_claims_most_urgent_first():
	configure(None, follow_up_days=30, timely_filing_warning_days=15)
	silent = queued_claim(days_ago=40, timely_filing_days=365)
	mark_sent(silent, days_ago=35)
	recent = queued_claim(days_ago=12, timely_filing_days=365)
	mark_sent(recent, days_ago=10)
	near_limit = queued_claim(days_ago=80, timely_filing_days=90)  # still Queued: the clock runs
	past_limit = queued_claim(days_ago=95, timely_filing_days=90)

	_columns, rows = execute({})

	listed = {row["claim"]: row for row in rows if row["claim"] in {silent, recent, near_limit, past_limit}}
	assert [row["claim"] for row in rows if row["claim"] in listed] == [past_limit, near_limit, silent]
	assert recent not in listed
	assert listed[silent]["days_waiting"] == 35 and "follow up after 30 days" in listed[silent]["reason"]
	assert listed[near_limit]["days_left"] == 10 and "in 10 days" in listed[near_limit]["reason"]
	assert listed[past_limit]["days_left"] == -5 and "5 days ago" in listed[past_limit]["reason"]
	# A shorter threshold in the filter lists the recent claim too.
	_columns, rows = execute({"days_without_response": 7})
	assert recent in {row["claim"] for row in rows}
