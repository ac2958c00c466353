"""Needs Follow-up: claims without a response for N days and claims near or past timely filing."""

from __future__ import annotations

import datetime

import pytest

from claims_billing.core import claim_status as cs
from claims_billing.core.follow_up import (
	REASON_MISSING_DATE,
	REASON_NEAR_LIMIT,
	REASON_NO_RESPONSE,
	REASON_PAST_LIMIT,
	FollowUpClaim,
	FollowUpError,
	needs_follow_up,
)

TODAY = datetime.date(2026, 12, 1)


def days_ago(count: int) -> datetime.date:
	return TODAY - datetime.timedelta(days=count)


def claim(claim_id: str = "CB-1", status: str = cs.SUBMITTED, **values) -> FollowUpClaim:
	values.setdefault("service_date", days_ago(40))
	return FollowUpClaim(claim_id=claim_id, status=status, **values)


def test_a_claim_is_due_on_the_day_the_wait_reaches_the_setting():
	due = claim("CB-DUE", submitted_on=days_ago(30))
	not_yet = claim("CB-WAIT", submitted_on=days_ago(29))
	(item,) = needs_follow_up([due, not_yet], TODAY, days_without_response=30)
	assert (item.claim_id, item.reasons, item.days_waiting) == ("CB-DUE", [REASON_NO_RESPONSE], 30)
	assert item.summary == (
		"Sent 30 days ago (2026-11-01), with no acknowledgement from the clearinghouse or the payer since; "
		"follow up after 30 days."
	)


def test_the_clock_restarts_at_the_last_response():
	answered = claim("CB-ACK", cs.ACCEPTED_BY_PAYER, submitted_on=days_ago(50), last_response_on=days_ago(10))
	assert needs_follow_up([answered], TODAY, days_without_response=30) == []
	(item,) = needs_follow_up([answered], TODAY, days_without_response=10)
	assert item.summary.startswith(
		"Last response 10 days ago (2026-11-21), accepted by the payer, with no payment or denial since;"
	)


def test_settled_and_unsent_claims_wait_for_nobody():
	old = days_ago(200)
	claims = [
		claim(f"CB-{status}", status, submitted_on=old, last_response_on=old)
		for status in (cs.PAID, cs.DENIED, cs.CLOSED, cs.VOID, cs.PARTIALLY_PAID, cs.DRAFT, cs.QUEUED)
	]
	assert needs_follow_up(claims, TODAY) == []


@pytest.mark.parametrize(
	("days_before_deadline", "reason", "words"),
	[
		(16, None, None),
		(15, REASON_NEAR_LIMIT, "ends on 2026-12-16, in 15 days"),
		(1, REASON_NEAR_LIMIT, "ends on 2026-12-02, in 1 day"),
		(0, REASON_NEAR_LIMIT, "ends on 2026-12-01, today"),
		(-3, REASON_PAST_LIMIT, "passed on 2026-11-28, 3 days ago"),
	],
)
def test_timely_filing_edges(days_before_deadline, reason, words):
	service = TODAY + datetime.timedelta(days=days_before_deadline) - datetime.timedelta(days=90)
	rejected = claim(
		"CB-REJ", cs.REJECTED_BY_PAYER, service_date=service, submitted_on=days_ago(5), timely_filing_days=90
	)
	items = needs_follow_up([rejected], TODAY)
	if reason is None:
		assert items == []
		return
	(item,) = items
	assert item.reasons == [reason]
	assert item.days_left == days_before_deadline
	assert words in item.summary
	assert f"(90 days from the date of service {service.isoformat()})" in item.summary


def test_a_claim_the_payer_accepted_has_met_its_filing_limit():
	late = days_ago(400)
	accepted = claim(
		"CB-OK", cs.ACCEPTED_BY_PAYER, service_date=late, submitted_on=days_ago(3), timely_filing_days=90
	)
	assert needs_follow_up([accepted], TODAY) == []


def test_an_unsent_draft_past_its_limit_is_flagged_and_no_limit_means_no_check():
	draft = claim("CB-DRAFT", cs.DRAFT, service_date=days_ago(100), timely_filing_days=90)
	(item,) = needs_follow_up([draft], TODAY)
	assert item.reasons == [REASON_PAST_LIMIT] and item.filing_deadline == days_ago(10)
	assert "the claim is Draft" in item.summary
	for unset in (None, 0):
		assert (
			needs_follow_up(
				[claim("CB-X", cs.DRAFT, service_date=days_ago(400), timely_filing_days=unset)], TODAY
			)
			== []
		)


def test_a_waiting_claim_without_dates_is_reported_not_skipped():
	(item,) = needs_follow_up([claim("CB-NODATE", cs.ACCEPTED_BY_CLEARINGHOUSE)], TODAY)
	assert item.reasons == [REASON_MISSING_DATE]
	assert item.summary == (
		"Status is Accepted by Clearinghouse but no submission date is recorded, so its wait cannot be measured."
	)


def test_both_reasons_on_one_claim_and_the_most_urgent_come_first():
	claims = [
		claim("CB-WAIT-40", submitted_on=days_ago(40)),
		claim("CB-WAIT-90", cs.ACCEPTED_BY_PAYER, submitted_on=days_ago(90)),
		claim("CB-NEAR-9", cs.REJECTED_BY_PAYER, service_date=days_ago(81), timely_filing_days=90),
		claim("CB-NEAR-2", cs.QUEUED, service_date=days_ago(88), timely_filing_days=90),
		claim("CB-NODATE", cs.REVERSED),
		claim(
			"CB-BOTH",
			cs.SUBMITTED,
			service_date=days_ago(95),
			submitted_on=days_ago(35),
			timely_filing_days=90,
		),
	]
	items = needs_follow_up(claims, TODAY)
	assert [item.claim_id for item in items] == [
		"CB-BOTH",
		"CB-NEAR-2",
		"CB-NEAR-9",
		"CB-NODATE",
		"CB-WAIT-90",
		"CB-WAIT-40",
	]
	both = items[0]
	assert both.reasons == [REASON_NO_RESPONSE, REASON_PAST_LIMIT]
	assert len(both.sentences) == 2 and both.days_left == -5 and both.days_waiting == 35


@pytest.mark.parametrize(
	("call", "words"),
	[
		(lambda: needs_follow_up([], datetime.datetime(2026, 12, 1)), "today: expected a date"),
		(
			lambda: needs_follow_up([], TODAY, days_without_response=0),
			"days_without_response: must be at least 1",
		),
		(lambda: needs_follow_up([], TODAY, near_limit_days=-1), "near_limit_days: expected a whole number"),
		(
			lambda: needs_follow_up([claim("CB-A"), claim("CB-B", "Sent")], TODAY),
			r"claims\[1\]\.status: 'Sent' is not a claim status \(claim CB-B\)",
		),
		(
			lambda: needs_follow_up([claim("CB-C", submitted_on="2026-11-01")], TODAY),
			r"claims\[0\]\.submitted_on: expected a date \(claim CB-C\)",
		),
		(
			lambda: needs_follow_up([claim("CB-D", timely_filing_days=-5)], TODAY),
			r"claims\[0\]\.timely_filing_days: expected a whole number",
		),
	],
)
def test_bad_settings_and_data_name_the_field(call, words):
	with pytest.raises(FollowUpError, match=words):
		call()
