"""Needs Follow-up: sent claims with no payer response for N days, and claims near the timely filing limit.

The rules are core.follow_up's; this report only gathers each claim's dates and shows the result.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, getdate, today

from claims_billing.core import follow_up

CLAIM = "Insurance Claim"


def execute(filters=None):
	filters = frappe._dict(filters or {})
	settings = frappe.get_cached_doc("Claims Billing Settings")
	days = (
		cint(filters.days_without_response)
		or cint(settings.get("follow_up_days"))
		or (follow_up.DEFAULT_DAYS_WITHOUT_RESPONSE)
	)
	near = cint(settings.get("timely_filing_warning_days")) or follow_up.DEFAULT_NEAR_LIMIT_DAYS
	rows = claim_rows(filters.payer)
	items = follow_up.needs_follow_up(
		[row.follow_up for row in rows.values()],
		getdate(today()),
		days_without_response=days,
		near_limit_days=near,
	)
	data = []
	for item in items:
		row = rows[item.claim_id]
		data.append(
			{
				"claim": item.claim_id,
				"status": item.status,
				"patient_name": row.patient_name,
				"payer": row.payer,
				"first_date_of_service": row.first_date_of_service,
				"submitted_on": row.submitted_on,
				"days_waiting": item.days_waiting,
				"filing_deadline": item.filing_deadline,
				"days_left": item.days_left,
				"total_charge": row.total_charge,
				"reason": item.summary,
			}
		)
	return columns(), data


def claim_rows(payer: str | None = None) -> dict:
	statuses = sorted(follow_up.AWAITING_RESPONSE | follow_up.FILING_OPEN)
	filters = {"docstatus": ["<", 2], "status": ["in", statuses]}
	if payer:
		filters["payer"] = payer
	claims = frappe.get_all(
		CLAIM,
		filters=filters,
		fields=[
			"name",
			"status",
			"patient_name",
			"payer",
			"first_date_of_service",
			"submitted_on",
			"total_charge",
		],
	)
	if not claims:
		return {}
	names = [claim.name for claim in claims]
	last_response = dict(
		frappe.db.sql(
			"""select parent, max(changed_at) from `tabInsurance Claim Status Change`
			where parenttype = %s and parent in %s and source_kind = 'file' group by parent""",
			(CLAIM, names),
		)
	)
	limits = dict(
		frappe.get_all(
			"Insurance Payer",
			filters={"name": ["in", sorted({claim.payer for claim in claims if claim.payer})]},
			fields=["name", "timely_filing_days"],
			as_list=True,
		)
	)
	rows = {}
	for claim in claims:
		if not claim.first_date_of_service:
			continue
		claim.follow_up = follow_up.FollowUpClaim(
			claim_id=claim.name,
			status=claim.status,
			service_date=getdate(claim.first_date_of_service),
			submitted_on=getdate(claim.submitted_on) if claim.submitted_on else None,
			last_response_on=getdate(last_response[claim.name]) if last_response.get(claim.name) else None,
			timely_filing_days=cint(limits.get(claim.payer)) or None,
		)
		rows[claim.name] = claim
	return rows


def columns() -> list[dict]:
	return [
		{"fieldname": "claim", "label": _("Claim"), "fieldtype": "Link", "options": CLAIM, "width": 150},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 160},
		{"fieldname": "patient_name", "label": _("Patient"), "fieldtype": "Data", "width": 160},
		{
			"fieldname": "payer",
			"label": _("Payer"),
			"fieldtype": "Link",
			"options": "Insurance Payer",
			"width": 160,
		},
		{
			"fieldname": "first_date_of_service",
			"label": _("First Date of Service"),
			"fieldtype": "Date",
			"width": 110,
		},
		{"fieldname": "submitted_on", "label": _("Sent On"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "days_waiting", "label": _("Days Waiting"), "fieldtype": "Int", "width": 90},
		{"fieldname": "filing_deadline", "label": _("Filing Deadline"), "fieldtype": "Date", "width": 110},
		{"fieldname": "days_left", "label": _("Days Left"), "fieldtype": "Int", "width": 80},
		{"fieldname": "total_charge", "label": _("Charge"), "fieldtype": "Currency", "width": 100},
		{"fieldname": "reason", "label": _("Why"), "fieldtype": "Data", "width": 500},
	]
