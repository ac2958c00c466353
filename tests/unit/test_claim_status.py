"""Claim statuses: allowed and refused moves, manual overrides, history rows, list colours."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest

from claims_billing.core import claim_status as cs
from claims_billing.core.claim_status import StatusSource, StatusTransitionError

WHEN = datetime.datetime(2026, 10, 21, 14, 5)
FILE = StatusSource(cs.SOURCE_FILE, "999_000001041.x12")
JOB = StatusSource(cs.SOURCE_JOB, "send_claims")
USER = StatusSource(cs.SOURCE_USER, "biller@example.com")
FRAPPE_INDICATOR_SCSS = Path("/opt/frappe-bench/apps/frappe/frappe/public/scss/common/indicator.scss")
# Frappe's $indicator-colors list, for machines without a bench.
FRAPPE_COLOURS = {
	"green",
	"cyan",
	"blue",
	"orange",
	"yellow",
	"gray",
	"grey",
	"red",
	"pink",
	"darkgrey",
	"purple",
	"light-blue",
}


def manager(reason: str) -> StatusSource:
	return StatusSource(cs.SOURCE_USER, "manager@example.com", reason)


def test_the_claim_life_from_draft_to_closed_takes_only_regular_steps():
	steps = [
		(cs.DRAFT, cs.QUEUED, USER),
		(cs.QUEUED, cs.SUBMITTED, JOB),
		(cs.SUBMITTED, cs.ACCEPTED_BY_CLEARINGHOUSE, FILE),
		(cs.ACCEPTED_BY_CLEARINGHOUSE, cs.ACCEPTED_BY_PAYER, FILE),
		(cs.ACCEPTED_BY_PAYER, cs.PARTIALLY_PAID, FILE),
		(cs.PARTIALLY_PAID, cs.PAID, FILE),
		(cs.PAID, cs.REVERSED, FILE),
		(cs.REVERSED, cs.DENIED, FILE),
		(cs.DENIED, cs.CLOSED, USER),
	]
	history = [cs.change_status(start, end, source, WHEN) for start, end, source in steps]
	assert [(row.from_status, row.to_status) for row in history] == [(s, e) for s, e, _ in steps]
	assert not any(row.manual for row in history)
	assert history[2].source_kind == "file" and history[2].source_reference == "999_000001041.x12"


def test_a_response_file_cannot_do_what_only_a_job_does_and_the_reverse():
	with pytest.raises(
		StatusTransitionError,
		match="A file cannot move a claim from Queued to Submitted; a job, or a Billing Manager can",
	):
		cs.transition(cs.QUEUED, cs.SUBMITTED, FILE)
	with pytest.raises(
		StatusTransitionError, match="Submitted to Accepted by Clearinghouse; a file, or a Billing"
	):
		cs.transition(cs.SUBMITTED, cs.ACCEPTED_BY_CLEARINGHOUSE, JOB)
	with pytest.raises(
		StatusTransitionError, match="Only a job or user can move a claim from Draft to Queued, not a file"
	):
		cs.transition(cs.DRAFT, cs.QUEUED, FILE)


def test_a_manual_override_needs_a_user_and_a_reason_and_is_marked_manual():
	with pytest.raises(StatusTransitionError, match="manual override: give the reason"):
		cs.transition(cs.SUBMITTED, cs.ACCEPTED_BY_PAYER, manager("   "))
	row = cs.change_status(
		cs.SUBMITTED, cs.ACCEPTED_BY_PAYER, manager(" Payer call ref 4471: claim on file "), WHEN
	)
	assert row.manual is True
	assert row.reason == "Payer call ref 4471: claim on file"
	assert (row.source_kind, row.source_reference, row.when) == ("user", "manager@example.com", WHEN)
	# A paper claim mailed by hand: the only manual step from an unsent claim.
	assert cs.change_status(cs.DRAFT, cs.SUBMITTED, manager("Mailed CMS-1500"), WHEN).manual


def test_a_regular_user_step_is_not_an_override():
	row = cs.change_status(cs.QUEUED, cs.DRAFT, USER, WHEN)
	assert row.manual is False and row.reason == ""


@pytest.mark.parametrize(
	("current", "new", "words"),
	[
		(
			cs.PAID,
			cs.DRAFT,
			"A claim cannot go from Paid to Draft. From Paid it can go to: Closed, Void, Reversed.",
		),
		(cs.REJECTED_BY_PAYER, cs.VOID, "cannot go from Rejected by Payer to Void"),
		(cs.DRAFT, cs.PAID, "cannot go from Draft to Paid"),
		(cs.CLOSED, cs.QUEUED, "cannot go from Closed to Queued"),
		(cs.SUBMITTED, cs.REVERSED, "cannot go from Submitted to Reversed"),
	],
)
def test_moves_nobody_may_make_are_refused_even_with_a_reason(current, new, words):
	with pytest.raises(StatusTransitionError) as caught:
		cs.transition(current, new, manager("I am sure"))
	assert words in str(caught.value)
	assert (caught.value.current, caught.value.new, caught.value.source_kind) == (current, new, "user")


def test_a_file_cannot_bring_back_a_rejected_claim():
	with pytest.raises(StatusTransitionError, match="only a Billing Manager can"):
		cs.transition(cs.REJECTED_BY_PAYER, cs.ACCEPTED_BY_PAYER, FILE)


def test_unknown_statuses_sources_and_standing_still_are_errors():
	with pytest.raises(StatusTransitionError, match="'Sent' is not a claim status"):
		cs.transition(cs.QUEUED, "Sent", JOB)
	with pytest.raises(StatusTransitionError, match="'email' is not a source"):
		cs.transition(cs.DRAFT, cs.QUEUED, StatusSource("email"))
	with pytest.raises(StatusTransitionError, match="already Paid"):
		cs.transition(cs.PAID, cs.PAID, FILE)
	assert cs.is_allowed(cs.DRAFT, cs.QUEUED, JOB) and not cs.is_allowed(cs.DRAFT, cs.QUEUED, FILE)


def test_every_status_is_reachable_from_draft_and_every_move_uses_known_names():
	for (start, end), kinds in cs.TRANSITIONS.items():
		assert start in cs.STATUSES and end in cs.STATUSES and start != end
		assert kinds and kinds <= set(cs.SOURCE_KINDS)
	reached = {cs.DRAFT}
	frontier = [cs.DRAFT]
	while frontier:
		current = frontier.pop()
		for start, end in cs.TRANSITIONS:
			if start == current and end not in reached:
				reached.add(end)
				frontier.append(end)
	assert reached == set(cs.STATUSES)
	# Even Closed has a way on: an ERA reversal or a void.
	dead_ends = {s for s in cs.STATUSES if not any(start == s for start, _ in cs.TRANSITIONS)}
	assert dead_ends == set()


def test_manual_overrides_never_requeue_void_or_reverse():
	for current, targets in cs.MANUAL_TRANSITIONS.items():
		assert current not in targets
		assert not {cs.DRAFT, cs.QUEUED, cs.VOID, cs.REVERSED} & set(targets)
	assert cs.MANUAL_TRANSITIONS[cs.QUEUED] == (cs.SUBMITTED,)


def test_every_status_has_a_frappe_indicator_colour():
	assert set(cs.INDICATOR_COLOURS) == set(cs.STATUSES)
	known = FRAPPE_COLOURS
	if FRAPPE_INDICATOR_SCSS.is_file():
		text = FRAPPE_INDICATOR_SCSS.read_text()
		listed = re.search(r"\$indicator-colors:([^;]+);", text).group(1)
		known = {name.strip() for name in listed.split(",")}
	assert set(cs.INDICATOR_COLOURS.values()) <= known
	assert cs.list_indicator(cs.REJECTED_BY_PAYER) == (
		"Rejected by Payer",
		"red",
		"status,=,Rejected by Payer",
	)
	with pytest.raises(ValueError, match="not a claim status"):
		cs.list_indicator("Lost")


def test_transition_table_is_json_for_client_scripts():
	table = json.loads(json.dumps(cs.transition_table()))
	assert table["regular"]["Submitted"]["Accepted by Clearinghouse"] == ["file"]
	assert table["regular"]["Draft"]["Queued"] == ["job", "user"]
	assert table["manual"]["Draft"] == ["Submitted"]
	assert table["colours"]["Paid"] == "green"
	count = sum(len(ends) for ends in table["regular"].values())
	assert count == len(cs.TRANSITIONS)


@pytest.mark.parametrize(
	("history", "holds"),
	[
		((cs.DRAFT, cs.QUEUED, cs.SUBMITTED, cs.ACCEPTED_BY_CLEARINGHOUSE), False),
		((cs.SUBMITTED, cs.ACCEPTED_BY_PAYER), True),
		((cs.SUBMITTED, cs.ACCEPTED_BY_PAYER, cs.REJECTED_BY_PAYER), False),
		((cs.SUBMITTED, cs.ACCEPTED_BY_PAYER, cs.PAID, cs.CLOSED), True),
		((cs.SUBMITTED, cs.REJECTED_BY_CLEARINGHOUSE, cs.CLOSED), False),
	],
)
def test_payer_holds_claim_follows_the_last_verdict(history, holds):
	assert cs.payer_holds_claim(history) is holds
