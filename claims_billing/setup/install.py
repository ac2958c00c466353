"""Install / uninstall hooks: roles, settings defaults, accounts, Healthcare integration.

Healthcare is optional. Its custom fields and code systems are added when this app is installed
on a site that has it, or later when Healthcare is installed (after_app_install), and removed when
either app is uninstalled. The "Claims" workspace and the DocTypes belong to the module and are
removed by Frappe itself on uninstall.
"""

import click
import frappe
from frappe.custom.doctype.property_setter.property_setter import make_property_setter

from claims_billing.permissions import remove_restrictions
from claims_billing.settings import SETTINGS
from claims_billing.setup.accounts import ACCOUNT_FIELDS, ensure_default_accounts
from claims_billing.setup.claim_fields import add_claim_custom_fields, remove_claim_custom_fields
from claims_billing.setup.code_systems import ensure_billing_code_systems, remove_billing_code_systems
from claims_billing.setup.custom_fields import add_healthcare_custom_fields, remove_healthcare_custom_fields
from claims_billing.setup.install_records import remembered
from claims_billing.setup.ledger_fields import (
	add_accounting_fields,
	add_patient_fields,
	remove_accounting_fields,
	remove_patient_fields,
)
from claims_billing.setup.list_views import ensure_service_list_settings, remove_service_list_settings
from claims_billing.setup.roles import (
	HEALTHCARE_READ_ACCESS,
	READ_ACCESS,
	ensure_roles,
	grant_read_access,
	remove_unused_roles,
	revoke_read_access,
)
from claims_billing.site_apps import HEALTHCARE_APP, healthcare_installed

PATIENT_RECORD_DOCTYPES = ("Billable Service", "Patient Insurance Policy")


def before_install():
	# DocType permissions name these roles, so they exist before the DocTypes sync.
	ensure_roles()


def after_install():
	sync_setup()


def after_migrate():
	# Idempotent: heals a half-finished install and keeps custom fields in step with app updates.
	sync_setup()


def sync_setup():
	ensure_roles()
	grant_read_access(READ_ACCESS)
	settings = frappe.get_single(SETTINGS)
	set_settings_defaults(settings)
	ensure_service_list_settings(settings)
	add_accounting_fields()
	add_claim_custom_fields()
	if healthcare_installed():
		setup_healthcare_integration(settings)
	else:
		set_patient_record_default("Customer")
	settings.save(ignore_permissions=True)


def set_patient_record_default(patient_doctype: str):
	"""New services and policies name this kind of patient record unless told otherwise.

	A site-level default (Property Setter) because Frappe checks the patient link before any
	controller code runs on insert.
	"""
	for doctype in PATIENT_RECORD_DOCTYPES:
		make_property_setter(
			doctype, "patient_doctype", "default", patient_doctype, "Text", validate_fields_for_doctype=False
		)


def after_app_install(app_name: str):
	"""Healthcare installed after this app: add its custom fields and code systems now."""
	if app_name != HEALTHCARE_APP or "claims_billing" not in frappe.get_installed_apps():
		return
	settings = frappe.get_single(SETTINGS)
	setup_healthcare_integration(settings)
	settings.save(ignore_permissions=True)


def before_uninstall():
	settings = frappe.get_single(SETTINGS)
	remove_healthcare_integration(settings)
	remove_accounting_fields()
	remove_claim_custom_fields()
	revoke_read_access(READ_ACCESS)
	kept = remove_installed_accounts(settings)
	if kept:
		click.secho(f"Kept accounts with ledger entries: {', '.join(kept)}", fg="yellow")
	remove_restrictions()
	remove_service_list_settings(settings)
	for doctype in PATIENT_RECORD_DOCTYPES:
		frappe.db.delete("Property Setter", {"doc_type": doctype, "field_name": "patient_doctype"})


def after_uninstall():
	# Frappe drops the DocTypes but keeps a single DocType's values; a reinstall starts fresh.
	frappe.db.delete("Singles", {"doctype": SETTINGS})
	kept = remove_unused_roles()
	# Frappe commits before this hook and not after it.
	frappe.db.commit()
	if kept:
		click.secho(f"Kept roles still assigned to users: {', '.join(kept)}", fg="yellow")


def before_app_uninstall(app_name: str):
	"""Healthcare uninstalled first: drop what this app added to it."""
	if app_name != HEALTHCARE_APP or "claims_billing" not in frappe.get_installed_apps():
		return
	remove_healthcare_integration(frappe.get_single(SETTINGS))
	set_patient_record_default("Customer")


def setup_healthcare_integration(settings):
	add_healthcare_custom_fields()
	add_patient_fields()
	set_patient_record_default("Patient")
	grant_read_access(HEALTHCARE_READ_ACCESS)
	ensure_billing_code_systems(settings)


def remove_healthcare_integration(settings):
	remove_healthcare_custom_fields()
	remove_patient_fields()
	revoke_read_access(HEALTHCARE_READ_ACCESS)
	if frappe.db.exists("DocType", "Code System"):
		kept = remove_billing_code_systems(settings)
		if kept:
			click.secho(f"Kept code systems that codes use: {', '.join(kept)}", fg="yellow")


def set_settings_defaults(settings):
	"""Field defaults from the DocType, the site's default company and its accounts."""
	for field in settings.meta.fields:
		if field.default and settings.get(field.fieldname) in (None, ""):
			settings.set(field.fieldname, field.default)
	for field in ("company", "cost_center", *ACCOUNT_FIELDS):
		doctype = settings.meta.get_field(field).options
		if settings.get(field) and not frappe.db.exists(doctype, settings.get(field)):
			settings.set(field, None)
	if not settings.company:
		settings.company = frappe.defaults.get_global_default("company") or frappe.db.get_value("Company", {})
	if not settings.company:
		return
	if not settings.billing_provider_name:
		settings.billing_provider_name = settings.company
	if not settings.cost_center:
		settings.cost_center = frappe.get_cached_value("Company", settings.company, "cost_center")
	ensure_default_accounts(settings)


def remove_installed_accounts(settings) -> list[str]:
	"""Delete accounts install created unless they carry ledger entries; return those kept."""
	kept = []
	for account in remembered(settings, "accounts"):
		if not frappe.db.exists("Account", account):
			continue
		if frappe.db.exists("GL Entry", {"account": account}):
			kept.append(account)
			continue
		for customer_account in frappe.get_all("Party Account", filters={"account": account}, pluck="name"):
			frappe.db.delete("Party Account", customer_account)
		frappe.delete_doc("Account", account, ignore_permissions=True, force=True)
	return kept
