"""Whitelisted endpoints for remittance: ERA upload, manual EOBs, unmatched queue, denials actions.

Each checks the caller's permission on the records it touches before doing anything.
"""

from __future__ import annotations

import json

import frappe
from frappe import _

from claims_billing.remittance import denials, era_import, manual, posting

PAYMENT = "Insurance Payment"


def _lines(value) -> list[dict]:
	return json.loads(value) if isinstance(value, str) else list(value or [])


@frappe.whitelist(methods=["POST"])
def import_era_upload(file_url: str) -> dict:
	"""Import an 835 staff uploaded (a File record's URL)."""
	frappe.has_permission(PAYMENT, "create", throw=True)
	file_doc = frappe.get_doc("File", {"file_url": file_url})
	file_doc.check_permission("read")
	content = file_doc.get_content()
	if isinstance(content, str):
		content = content.encode("latin-1", errors="replace")
	result = era_import.import_era(content, file_name=file_doc.file_name)
	return {
		"payments": result.payments,
		"posted": result.posted,
		"duplicates": result.duplicates,
		"unmatched": result.unmatched,
	}


@frappe.whitelist()
def services_for_manual_payment(payer: str, from_date=None, to_date=None) -> list[dict]:
	frappe.has_permission(PAYMENT, "create", throw=True)
	frappe.has_permission("Insurance Claim", "read", throw=True)
	return manual.open_services(payer, from_date, to_date)


@frappe.whitelist(methods=["POST"])
def create_manual_payment(payer: str, payment_date: str, reference: str, lines, method: str = "Check") -> str:
	frappe.has_permission(PAYMENT, "create", throw=True)
	return manual.new_manual_payment(payer, payment_date, reference, _lines(lines), method).name


@frappe.whitelist(methods=["POST"])
def post_payment(name: str) -> str:
	doc = frappe.get_doc(PAYMENT, name)
	doc.check_permission("submit")
	posting.submit_payment(name)
	return frappe.db.get_value(PAYMENT, name, "status")


@frappe.whitelist(methods=["POST"])
def match_unmatched(name: str, claim: str) -> str:
	"""Match a queued claim payment to our claim by hand; the payment then posts on submit."""
	record = frappe.get_doc("Unmatched Remittance", name)
	record.check_permission("write")
	payment = frappe.get_doc(PAYMENT, record.insurance_payment)
	payment.check_permission("write")
	if payment.docstatus != 0:
		frappe.throw(
			_("Insurance Payment {0} is already posted; cancel and amend it to match.").format(payment.name)
		)
	frappe.get_doc("Insurance Claim", claim).check_permission("read")
	row = payment.claims[record.payment_row - 1]
	row.insurance_claim = claim
	row.match_status = "Matched"
	row.match_reason = _("Matched by hand by {0}.").format(frappe.session.user)
	for service in payment.services:
		if service.claim_row == row.idx:
			service.insurance_claim = claim
	payment.save()
	record.db_set({"status": "Matched", "matched_claim": claim})
	return payment.name


@frappe.whitelist(methods=["POST"])
def resubmit_denial(name: str) -> str:
	return denials.resubmit(name)


@frappe.whitelist(methods=["POST"])
def appeal_denial(name: str, note: str = "") -> None:
	denials.appeal(name, note)


@frappe.whitelist(methods=["POST"])
def write_off_denial(name: str, reason: str = "") -> str | None:
	return denials.write_off(name, reason)
