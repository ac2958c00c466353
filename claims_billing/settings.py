"""Access to Claims Billing Settings (a single DocType) from the rest of the Frappe layer."""

import frappe

SETTINGS = "Claims Billing Settings"


def billing_settings():
	return frappe.get_cached_doc(SETTINGS)


def procedure_code_systems() -> set[str]:
	"""Names of Healthcare Code Systems whose codes are billable procedures, case-folded."""
	text = billing_settings().procedure_code_systems or ""
	return {line.strip().casefold() for line in text.splitlines() if line.strip()}
