"""Clinicians see only their own services: a User Permission on their Billing Practitioner.

Frappe then filters every document that links a Billing Practitioner (Billable Service's
rendering practitioner) for that user. Billing staff who also treat patients are not restricted.
"""

import frappe

from claims_billing.roles import BILLING_ROLES, CLINICIAN

PRACTITIONER = "Billing Practitioner"


def should_restrict(user: str) -> bool:
	roles = set(frappe.get_roles(user))
	return CLINICIAN in roles and not roles & set(BILLING_ROLES)


def sync_practitioner_restriction(user: str, practitioner: str) -> None:
	"""Add the restriction when ``user`` is a clinician, remove it when they no longer are."""
	if should_restrict(user):
		add_restriction(user, practitioner)
	else:
		remove_restrictions(practitioner, user)


def add_restriction(user: str, practitioner: str) -> None:
	if frappe.db.exists("User Permission", {"user": user, "allow": PRACTITIONER, "for_value": practitioner}):
		return
	frappe.get_doc(
		{
			"doctype": "User Permission",
			"user": user,
			"allow": PRACTITIONER,
			"for_value": practitioner,
			"apply_to_all_doctypes": 1,
		}
	).insert(ignore_permissions=True)


def remove_restrictions(practitioner: str | None = None, user: str | None = None) -> None:
	filters = {"allow": PRACTITIONER}
	if practitioner:
		filters["for_value"] = practitioner
	if user:
		filters["user"] = user
	for name in frappe.get_all("User Permission", filters=filters, pluck="name"):
		frappe.delete_doc("User Permission", name, ignore_permissions=True)


def on_user_update(user, method=None):
	"""doc_events hook: roles changed, so re-check the user's practitioner restriction."""
	if not frappe.db.table_exists(PRACTITIONER):
		return  # mid-install or mid-uninstall
	for practitioner in frappe.get_all(PRACTITIONER, filters={"user": user.name}, pluck="name"):
		sync_practitioner_restriction(user.name, practitioner)
