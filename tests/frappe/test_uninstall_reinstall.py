"""Uninstall removes what install added; reinstall brings it back. Also Healthcare arriving later.

These run real bench commands and change the sites (then restore them), so they sort late.
"""

import frappe
import pytest
from conftest import NOHC_SITE, SITE, SITES_PATH, connect, run_bench
from test_install import DOCTYPES

from claims_billing.setup import install
from claims_billing.setup.custom_fields import healthcare_custom_fields
from claims_billing.setup.ledger_fields import accounting_custom_fields, patient_custom_fields

ACCOUNTS = ("Insurance Receivable - TC", "Patient Receivable - TC", "Contractual Adjustment - TC")
ROLES = ("Billing Manager", "Billing Staff", "Clinician")


def footprint() -> dict:
	"""Everything install adds to a site, as plain values."""
	return {
		"installed": "claims_billing" in frappe.get_installed_apps(),
		"doctypes": frappe.db.count("DocType", {"module": "Claims Billing"}),
		"service_table": frappe.db.table_exists("Billable Service"),
		"workspace": bool(frappe.db.exists("Workspace", "Claims")),
		"custom_fields": sorted(frappe.get_all("Custom Field", {"module": "Claims Billing"}, pluck="name")),
		"accounts": sorted(name for name in ACCOUNTS if frappe.db.exists("Account", name)),
		"roles": sorted(role for role in ROLES if frappe.db.exists("Role", role)),
		"read_grants": frappe.db.count("Custom DocPerm", {"role": ["in", ROLES]}),
		"list_settings": bool(frappe.db.exists("List View Settings", "Billable Service")),
		"property_setters": frappe.db.count("Property Setter", {"field_name": "patient_doctype"}),
		"code_systems": sorted(
			name
			for name in ("CPT", "HCPCS", "ICD-10-CM")
			if frappe.db.table_exists("Code System") and frappe.db.exists("Code System", name)
		),
	}


def bench_on(site: str, *args: str) -> float:
	"""Run a bench command on ``site`` with this process disconnected, then reconnect."""
	frappe.db.rollback()
	frappe.destroy()
	try:
		result, seconds = run_bench("--site", site, *args)
	finally:
		connect(site)
	assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
	return seconds


def uninstall_then_reinstall(site: str, capsys) -> tuple[dict, dict, dict]:
	frappe.destroy()
	connect(site)
	try:
		installed = footprint()
		uninstall_seconds = bench_on(site, "uninstall-app", "claims_billing", "--yes", "--no-backup")
		removed = footprint()
		install_seconds = bench_on(site, "install-app", "claims_billing")
		reinstalled = footprint()
	finally:
		frappe.destroy()
		connect(SITE)
	with capsys.disabled():
		print(f"\n{site}: uninstall {uninstall_seconds:.1f}s, reinstall {install_seconds:.1f}s")
	return installed, removed, reinstalled


def custom_field_names(*field_sets: dict) -> set[str]:
	return {
		f"{doctype}-{row['fieldname']}"
		for fields in field_sets
		for doctype, rows in fields.items()
		for row in rows
	}


HEALTHCARE_FIELDS = custom_field_names(healthcare_custom_fields(), patient_custom_fields())
ACCOUNTING_FIELDS = custom_field_names(accounting_custom_fields())


EMPTY = {
	"installed": False,
	"doctypes": 0,
	"service_table": False,
	"workspace": False,
	"custom_fields": [],
	"accounts": [],
	"roles": [],
	"read_grants": 0,
	"list_settings": False,
	"property_setters": 0,
}


def test_uninstall_and_reinstall_with_healthcare(capsys):
	installed, removed, reinstalled = uninstall_then_reinstall(SITE, capsys)
	assert installed["installed"] and installed["doctypes"] == len(DOCTYPES)
	assert HEALTHCARE_FIELDS | ACCOUNTING_FIELDS <= set(installed["custom_fields"])
	assert installed["accounts"] == sorted(ACCOUNTS)
	assert installed["code_systems"] == ["CPT", "HCPCS", "ICD-10-CM"]
	assert removed == {**EMPTY, "code_systems": []}
	assert reinstalled == installed


@pytest.mark.skipif(not (SITES_PATH / NOHC_SITE).exists(), reason=f"no site {NOHC_SITE}")
def test_uninstall_and_reinstall_without_healthcare(capsys):
	installed, removed, reinstalled = uninstall_then_reinstall(NOHC_SITE, capsys)
	assert installed["installed"] and installed["doctypes"] == len(DOCTYPES)
	assert ACCOUNTING_FIELDS <= set(installed["custom_fields"])
	assert not HEALTHCARE_FIELDS & set(installed["custom_fields"])
	assert installed["accounts"] == sorted(ACCOUNTS)
	assert removed == {**EMPTY, "code_systems": []}
	assert reinstalled == installed


def test_healthcare_arriving_after_the_app_gets_its_fields():
	"""What after_app_install("healthcare") does when Healthcare is installed after this app."""
	patient_field = ("Patient", "billing_payment_method")
	try:
		install.before_app_uninstall("healthcare")
		frappe.db.commit()
		frappe.clear_cache()
		assert not frappe.get_meta(patient_field[0]).has_field(patient_field[1])
		assert frappe.get_meta("Billable Service").get_field("patient_doctype").default == "Customer"
	finally:
		install.after_app_install("healthcare")
		frappe.db.commit()
		frappe.clear_cache()
	assert frappe.get_meta(patient_field[0]).has_field(patient_field[1])
	assert frappe.get_meta("Billable Service").get_field("patient_doctype").default == "Patient"
	assert frappe.get_all("Custom Field", {"module": "Claims Billing"}, pluck="name")


def test_other_apps_installing_leave_the_setup_alone():
	before = footprint()
	install.after_app_install("payments")
	install.before_app_uninstall("payments")
	assert footprint() == before
