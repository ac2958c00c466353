"""The app on a site with ERPNext only: everything but automatic capture works."""

import html

import frappe
import pytest
from conftest import NOHC_SITE, SITES_PATH, on_site
from records import (
	days_ago,
	make_customer_patient,
	make_fee_schedule,
	make_payer,
	make_policy,
	make_practitioner,
)

from claims_billing.boot import boot_session
from claims_billing.problems import BillingValidationError
from claims_billing.services import capture
from claims_billing.setup.custom_fields import healthcare_custom_fields
from claims_billing.setup.ledger_fields import patient_custom_fields

pytestmark = pytest.mark.skipif(
	not (SITES_PATH / NOHC_SITE / "site_config.json").exists(),
	reason=f"no site {NOHC_SITE} without Healthcare",
)


@pytest.fixture
def nohc():
	with on_site(NOHC_SITE):
		yield


def test_installed_without_healthcare_integration(nohc):
	apps = frappe.get_installed_apps()
	assert "claims_billing" in apps
	assert "healthcare" not in apps
	assert not frappe.db.exists("DocType", "Patient")
	# Only Healthcare's custom fields stay away; fields on ERPNext's own DocTypes belong on every site.
	healthcare_fields = [
		f"{doctype}-{row['fieldname']}"
		for fields in (healthcare_custom_fields(), patient_custom_fields())
		for doctype, rows in fields.items()
		for row in rows
	]
	assert not frappe.get_all("Custom Field", filters={"name": ["in", healthcare_fields]})
	settings = frappe.get_single("Claims Billing Settings")
	assert settings.insurance_receivable_account == "Insurance Receivable - TC"
	assert frappe.db.exists("Workspace", "Claims")
	bootinfo = frappe._dict()
	boot_session(bootinfo)
	assert bootinfo.claims_billing == {"healthcare_installed": False, "patient_doctype": "Customer"}


def test_manual_service_bills_a_customer_through_its_policy(nohc):
	patient = make_customer_patient()
	payer = make_payer()
	make_policy(patient.name, payer.name, patient_doctype="Customer")
	make_fee_schedule([("90837", "", 150)])
	service = frappe.get_doc(
		{
			"doctype": "Billable Service",
			"patient": patient.name,
			"practitioner": make_practitioner().name,
			"date_of_service": days_ago(1),
			"procedure_code": "90837",
			"diagnoses": [{"icd10_code": "F41.1"}],
		}
	).insert()
	assert service.patient_doctype == "Customer"
	assert service.patient_name == patient.customer_name
	assert (service.billing_route, service.payer, service.charge) == ("Insurance", payer.name, 150)
	assert service.status == "Unbilled"


def test_patient_records_are_refused_without_healthcare(nohc):
	service = frappe.get_doc(
		{
			"doctype": "Billable Service",
			"patient_doctype": "Patient",
			"patient": "Nobody",
			"practitioner": make_practitioner().name,
			"date_of_service": days_ago(1),
			"procedure_code": "90837",
			"billing_route": "Private Pay",
		}
	)
	with pytest.raises(
		(BillingValidationError, frappe.LinkValidationError, frappe.DoesNotExistError)
	) as refused:
		service.insert()
	message = html.unescape(str(refused.value))
	assert "Patient" in message


def test_no_healthcare_capture_runs(nohc):
	assert capture.capture_services(frappe._dict(doctype="Patient Encounter", name="X")) == []
	assert frappe.get_all("Billable Service", filters={"source_doctype": ["is", "set"]}) == []
