"""Create the app's roles and give them the reads they need on other apps' DocTypes."""

import frappe
from frappe.permissions import add_permission

from claims_billing.roles import ALL_ROLES, BILLING_ROLES

# Billing staff pick patients and see payer customers; Frappe needs read on those DocTypes.
READ_ACCESS = {"Customer": BILLING_ROLES}
HEALTHCARE_READ_ACCESS = {"Patient": BILLING_ROLES}


def ensure_roles() -> None:
	for role in ALL_ROLES:
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True
			)


def grant_read_access(access: dict[str, tuple[str, ...]]) -> None:
	for doctype, roles in access.items():
		if not frappe.db.exists("DocType", doctype):
			continue
		for role in roles:
			if not frappe.db.exists("Custom DocPerm", {"parent": doctype, "role": role, "permlevel": 0}):
				add_permission(doctype, role, 0, "read")
		frappe.clear_cache(doctype=doctype)


def revoke_read_access(access: dict[str, tuple[str, ...]]) -> None:
	for doctype, roles in access.items():
		for name in frappe.get_all(
			"Custom DocPerm", filters={"parent": doctype, "role": ["in", list(roles)]}, pluck="name"
		):
			frappe.delete_doc("Custom DocPerm", name, ignore_permissions=True, force=True)
		frappe.clear_cache(doctype=doctype)


def remove_unused_roles() -> list[str]:
	"""Delete the app's roles no user holds; return those kept because users still hold them.

	Frappe gives every new role to Administrator, so Administrator's holding doesn't count.
	"""
	kept = []
	for role in ALL_ROLES:
		holders = {"role": role, "parenttype": "User", "parent": ["not in", ["Administrator", "Guest"]]}
		if frappe.db.exists("Has Role", holders):
			kept.append(role)
		elif frappe.db.exists("Role", role):
			frappe.db.delete("Has Role", {"role": role, "parenttype": "User"})
			frappe.delete_doc("Role", role, ignore_permissions=True, force=True)
	return kept
