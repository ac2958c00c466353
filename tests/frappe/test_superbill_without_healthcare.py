"""The patient side on a site with ERPNext only: the patient is a Customer."""

import frappe
import pytest
from conftest import NOHC_SITE, SITES_PATH, on_site
from patient_side import (
	configure_practice,
	make_clinician,
	money,
	pdf_text,
	serve_fake_stripe,
	use_stripe,
)
from records import days_ago, make_customer_patient

from claims_billing.claims.claim_data import CUSTOMER_DOB_FIELD
from claims_billing.patient import api
from claims_billing.patient.invoicing import apply_stripe_event, make_patient_invoice, send_patient_invoice
from claims_billing.patient.payments_ledger import patient_ledger

pytestmark = pytest.mark.skipif(
	not (SITES_PATH / NOHC_SITE / "site_config.json").exists(),
	reason=f"no site {NOHC_SITE} without Healthcare",
)


@pytest.fixture
def fake_stripe(monkeypatch):
	yield from serve_fake_stripe(monkeypatch)


@pytest.fixture
def nohc():
	with on_site(NOHC_SITE):
		yield


def test_a_customer_patient_gets_a_superbill_and_pays_its_invoice(nohc, fake_stripe):
	configure_practice()
	use_stripe(fake_stripe)
	customer = make_customer_patient()
	frappe.db.set_value(
		"Customer", customer.name, {CUSTOMER_DOB_FIELD: "1975-05-06", "email_id": "cust@example.com"}
	)
	frappe.get_doc(
		{
			"doctype": "Address",
			"address_title": customer.customer_name,
			"address_line1": "5 Harbor Rd",
			"city": "Bath",
			"state": "ME",
			"pincode": "04530",
			"country": "United States",
			"is_primary_address": 1,
			"links": [{"link_doctype": "Customer", "link_name": customer.name}],
		}
	).insert()
	service = frappe.get_doc(
		{
			"doctype": "Billable Service",
			"patient_doctype": "Customer",
			"patient": customer.name,
			"practitioner": make_clinician().name,
			"date_of_service": days_ago(3),
			"procedure_code": "98941",
			"modifier_1": "AT",
			"rate": 65,
			"billing_route": "Private Pay",
			"diagnoses": [{"icd10_code": "M54.50"}],
		}
	).insert()

	superbill = frappe.get_doc("Superbill", api.create_superbills([service.name], issue=1)[0])
	assert superbill.patient_doctype == "Customer" and superbill.status == "Issued"
	text = pdf_text(frappe.get_doc("File", {"file_url": superbill.pdf}).get_content())
	assert "05/06/1975" in text and "5 Harbor Rd" in text and "98941" in text and "$65.00" in text

	invoice = send_patient_invoice(make_patient_invoice([service.name]).name)
	assert invoice.customer == customer.name
	assert [line.receivable_name for line in invoice.lines] == [superbill.sales_invoice]
	event = fake_stripe.mark_paid(invoice.stripe_invoice_id)
	apply_stripe_event(invoice.name, event["type"], event["data"]["object"])
	row = patient_ledger("Customer", customer.name).ledger.services[service.name]
	assert (row.charge, row.patient_paid, row.balance) == (money(65), money(65), 0)
