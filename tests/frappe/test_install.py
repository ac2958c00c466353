"""What installing the app put on the site (ERPNext + Healthcare)."""

import json
import pathlib

import frappe
import pytest

from claims_billing import hooks
from claims_billing.boot import boot_session

FIRST_DOCTYPES = {
	"Billable Service",
	"Billable Service Diagnosis",
	"Billing Practitioner",
	"Claims Billing Settings",
	"Fee Schedule",
	"Fee Schedule Item",
	"Insurance Payer",
	"Patient Insurance Policy",
	"Payer Contract",
	"Payer Contract Item",
}
# Every DocType the app ships (its JSON files): each issue adds its own without editing this list.
DOCTYPE_FOLDER = pathlib.Path(hooks.__file__).parent / "claims_billing" / "doctype"
DOCTYPES = {json.loads(path.read_text())["name"] for path in DOCTYPE_FOLDER.glob("*/*.json")}


def test_doctypes_and_roles_exist():
	assert FIRST_DOCTYPES <= DOCTYPES
	assert set(frappe.get_all("DocType", filters={"module": "Claims Billing"}, pluck="name")) == DOCTYPES
	for role in ("Billing Manager", "Billing Staff", "Clinician"):
		assert frappe.db.get_value("Role", role, "desk_access") == 1


@pytest.mark.parametrize(
	("doctype", "fieldname", "fieldtype"),
	[
		("Patient", "billing_payment_method", "Select"),
		("Patient", "billing_primary_payer", "Data"),
		("Patient", "billing_member_id", "Data"),
		("Patient", "billing_insurance_policies", "Button"),
		("Patient Encounter", "telehealth_visit", "Check"),
		("Billing Practitioner", "healthcare_practitioner", "Link"),
	],
)
def test_healthcare_custom_fields(doctype, fieldname, fieldtype):
	field = frappe.get_meta(doctype).get_field(fieldname)
	assert field is not None, f"{doctype}.{fieldname} missing"
	assert field.fieldtype == fieldtype


def test_patient_snapshot_fields_are_read_only():
	meta = frappe.get_meta("Patient")
	assert meta.get_field("billing_primary_payer").read_only == 1
	assert meta.get_field("billing_member_id").read_only == 1
	assert meta.get_field("billing_payment_method").options.split("\n") == ["", "Insurance", "Private Pay"]


def test_default_accounts_in_the_company_chart():
	settings = frappe.get_single("Claims Billing Settings")
	expected = {
		"insurance_receivable_account": (
			"Insurance Receivable - TC",
			"Receivable",
			"Accounts Receivable - TC",
		),
		"patient_receivable_account": ("Patient Receivable - TC", "Receivable", "Accounts Receivable - TC"),
		"contractual_adjustment_account": ("Contractual Adjustment - TC", "", "Indirect Expenses - TC"),
	}
	for field, (name, account_type, parent) in expected.items():
		assert settings.get(field) == name
		account = frappe.get_doc("Account", name)
		assert (account.account_type or "", account.parent_account, account.company) == (
			account_type,
			parent,
			"Test Clinic",
		)
	assert frappe.db.get_value("Account", "Contractual Adjustment - TC", "root_type") == "Expense"


def test_settings_defaults():
	settings = frappe.get_single("Claims Billing Settings")
	assert settings.company == "Test Clinic"
	assert settings.cost_center == "Main - TC"
	assert settings.billing_provider_name == "Test Clinic"
	assert (
		settings.default_place_of_service,
		settings.telehealth_modifier,
		settings.telehealth_place_of_service,
	) == (
		"11",
		"95",
		"10",
	)
	assert settings.create_services_automatically == 1
	assert settings.procedure_code_systems.split() == ["CPT", "HCPCS"]


def test_billing_code_systems_exist():
	assert frappe.db.get_value("Code System", "CPT", "uri") == "http://www.ama-assn.org/go/cpt"
	assert frappe.db.exists("Code System", "HCPCS")
	assert frappe.db.exists("Code System", {"uri": "http://hl7.org/fhir/sid/icd-10-cm"})


def test_claims_workspace_lists_unbilled_services():
	workspace = frappe.get_doc("Workspace", "Claims")
	assert workspace.module == "Claims Billing"
	assert workspace.public == 1
	shortcut = next(row for row in workspace.shortcuts if row.label == "Unbilled Services")
	assert (shortcut.type, shortcut.link_to, shortcut.doc_view) == ("DocType", "Billable Service", "List")
	assert json.loads(shortcut.stats_filter) == {"status": "Unbilled"}
	links = {row.link_to for row in workspace.links if row.type == "Link"}
	assert {"Billable Service", "Insurance Payer", "Fee Schedule", "Claims Billing Settings"} <= links
	blocks = json.loads(workspace.content)
	assert next(block["data"].get("shortcut_name") for block in blocks if block["type"] == "shortcut") == (
		"Unbilled Services"
	)


def test_permissions_name_only_the_billing_roles():
	def rights(doctype):
		return {
			row.role: {right for right in ("read", "write", "create", "delete") if row.get(right)}
			for row in frappe.get_meta(doctype).permissions
		}

	full = {"read", "write", "create", "delete"}
	assert rights("Billable Service") == {
		"Billing Manager": full,
		"Billing Staff": full,
		"Clinician": {"read"},
	}
	assert rights("Claims Billing Settings") == {"Billing Manager": {"read", "write", "create"}}
	assert rights("Fee Schedule") == {"Billing Manager": full, "Billing Staff": {"read"}}
	practitioner_link = frappe.get_meta("Billable Service").get_field("practitioner")
	assert practitioner_link.options == "Billing Practitioner"
	assert not practitioner_link.ignore_user_permissions


def test_healthcare_hooks_and_boot_info():
	for doctype in ("Patient Encounter", "Therapy Session", "Clinical Procedure"):
		assert set(hooks.doc_events[doctype]) == {"on_submit", "before_cancel", "on_cancel"}
	bootinfo = frappe._dict()
	boot_session(bootinfo)
	assert bootinfo.claims_billing == {"healthcare_installed": True, "patient_doctype": "Patient"}


def test_unbilled_services_list_shows_its_four_columns():
	settings = frappe.get_doc("List View Settings", "Billable Service")
	assert int(settings.total_fields) >= 6
	assert [row["fieldname"] for row in json.loads(settings.fields)] == [
		"status_field",
		"date_of_service",
		"primary_service",
		"payer_name",
		"charge",
	]
