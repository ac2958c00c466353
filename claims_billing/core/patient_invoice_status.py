"""A patient invoice's status and what each Stripe event does to it.

Draft (not yet at Stripe) → Sent (finalized and emailed) → Paid, Overdue (still payable) or
Void. Stripe delivers events at least once and not necessarily in order, so an event that
arrives after the invoice has moved on (``invoice.overdue`` after ``invoice.paid``) changes
nothing rather than moving the invoice backwards.
"""

from dataclasses import dataclass

DRAFT = "Draft"
SENT = "Sent"
PAID = "Paid"
OVERDUE = "Overdue"
VOID = "Void"
STATUSES = (DRAFT, SENT, PAID, OVERDUE, VOID)
# Statuses in which the patient can still pay the invoice at Stripe.
OPEN_STATUSES = (SENT, OVERDUE)

INVOICE_PAID = "invoice.paid"
INVOICE_OVERDUE = "invoice.overdue"
INVOICE_VOIDED = "invoice.voided"
INVOICE_PAYMENT_FAILED = "invoice.payment_failed"
HANDLED_EVENTS = (INVOICE_PAID, INVOICE_OVERDUE, INVOICE_VOIDED, INVOICE_PAYMENT_FAILED)

# List view indicator colours (Frappe names).
INDICATOR_COLOURS = {DRAFT: "gray", SENT: "blue", PAID: "green", OVERDUE: "orange", VOID: "red"}


@dataclass(frozen=True)
class EventOutcome:
	"""What one Stripe event means for an invoice in a given status."""

	status: str  # the status afterwards (unchanged when the event changes nothing)
	record_payment: bool = False  # post the Payment Entry
	note: str = ""  # for staff: the invoice's timeline and the webhook log


def outcome_of_event(status: str, event_type: str) -> EventOutcome:
	"""What ``event_type`` does to an invoice that is ``status`` now."""
	if status not in STATUSES:
		raise ValueError(f"unknown patient invoice status {status!r}")
	if event_type == INVOICE_PAID:
		if status in OPEN_STATUSES:
			return EventOutcome(PAID, record_payment=True, note="Paid at Stripe.")
		return EventOutcome(status, note=f"Payment event ignored: the invoice is {status}, not open.")
	if event_type == INVOICE_OVERDUE:
		if status == SENT:
			return EventOutcome(OVERDUE, note="Past its due date, unpaid.")
		return EventOutcome(status, note=f"Overdue event ignored: the invoice is {status}.")
	if event_type == INVOICE_VOIDED:
		if status in OPEN_STATUSES:
			return EventOutcome(VOID, note="Voided at Stripe.")
		return EventOutcome(status, note=f"Void event ignored: the invoice is already {status}.")
	if event_type == INVOICE_PAYMENT_FAILED:
		if status in OPEN_STATUSES:
			return EventOutcome(status, note="A payment attempt failed; the invoice is still open.")
		return EventOutcome(status, note=f"Failed payment event ignored: the invoice is {status}.")
	return EventOutcome(status, note=f"{event_type} is not an event the app handles.")
