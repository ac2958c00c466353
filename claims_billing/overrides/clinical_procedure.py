"""doc_events for Healthcare's Clinical Procedure: capture billable services, void them on cancel."""

from claims_billing.services import capture


def on_submit(doc, method=None):
	capture.capture_services(doc)


def before_cancel(doc, method=None):
	capture.refuse_cancel_if_billed(doc)


def on_cancel(doc, method=None):
	capture.void_services(doc)
