"""Patient invoice statuses under Stripe's events (claims_billing.core.patient_invoice_status)."""

import pytest

from claims_billing.core.patient_invoice_status import (
	DRAFT,
	INVOICE_OVERDUE,
	INVOICE_PAID,
	INVOICE_PAYMENT_FAILED,
	INVOICE_VOIDED,
	OVERDUE,
	PAID,
	SENT,
	STATUSES,
	VOID,
	outcome_of_event,
)


@pytest.mark.parametrize("status", [SENT, OVERDUE])
def test_paying_an_open_invoice_records_the_payment(status):
	outcome = outcome_of_event(status, INVOICE_PAID)
	assert (outcome.status, outcome.record_payment) == (PAID, True)


@pytest.mark.parametrize("status", [DRAFT, PAID, VOID])
def test_a_payment_event_for_an_invoice_that_is_not_open_changes_nothing(status):
	outcome = outcome_of_event(status, INVOICE_PAID)
	assert (outcome.status, outcome.record_payment) == (status, False)
	assert status in outcome.note


def test_overdue_arriving_after_paid_does_not_move_the_invoice_back():
	assert outcome_of_event(SENT, INVOICE_OVERDUE).status == OVERDUE
	assert outcome_of_event(PAID, INVOICE_OVERDUE).status == PAID
	assert outcome_of_event(OVERDUE, INVOICE_OVERDUE).status == OVERDUE


def test_voided_at_stripe():
	assert outcome_of_event(SENT, INVOICE_VOIDED).status == VOID
	assert outcome_of_event(OVERDUE, INVOICE_VOIDED).status == VOID
	assert outcome_of_event(PAID, INVOICE_VOIDED).status == PAID


@pytest.mark.parametrize("status", STATUSES)
def test_a_failed_payment_leaves_the_status_and_never_posts(status):
	outcome = outcome_of_event(status, INVOICE_PAYMENT_FAILED)
	assert (outcome.status, outcome.record_payment) == (status, False)
	assert outcome.note


def test_other_events_and_statuses():
	assert outcome_of_event(SENT, "customer.created").status == SENT
	with pytest.raises(ValueError, match="Refunded"):
		outcome_of_event("Refunded", INVOICE_PAID)
