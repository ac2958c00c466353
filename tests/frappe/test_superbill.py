"""Superbills on a real site: issuing books the charges, marks services and attaches a WeasyPrint PDF."""

from decimal import Decimal

import frappe
import pytest
from patient_side import (
	configure_practice,
	gl_balance,
	make_clinician,
	make_patient_with_contact,
	money,
	pdf_text,
	private_service,
	settings_value,
)
from records import days_ago, make_payer, make_policy

from claims_billing.accounting.patient import (
	Allocation,
	ServiceCharge,
	book_patient_charges,
	record_patient_payment,
)
from claims_billing.patient import api
from claims_billing.patient.records import patient_customer
from claims_billing.problems import BillingValidationError


@pytest.fixture
def clinic():
	configure_practice()
	clinician = make_clinician()
	patient = make_patient_with_contact()
	return frappe._dict(clinician=clinician, patient=patient)


def attached_pdf(superbill) -> bytes:
	file = frappe.get_doc("File", {"file_url": superbill.pdf})
	assert (file.attached_to_doctype, file.attached_to_name, file.is_private) == (
		"Superbill",
		superbill.name,
		1,
	)
	return file.get_content()


def test_issuing_books_the_charges_marks_the_services_and_attaches_the_pdf(clinic):
	therapy = private_service(
		clinic.patient, clinic.clinician, "90837", 180, days_ago=9, diagnoses=("F41.1", "F33.1")
	)
	exercise = private_service(
		clinic.patient,
		clinic.clinician,
		"97110",
		45.5,
		days_ago=2,
		diagnoses=("M54.50",),
		units=2,
		modifier_1="GP",
	)
	[name] = api.create_superbills([therapy.name, exercise.name], issue=1)
	superbill = frappe.get_doc("Superbill", name)

	assert superbill.status == "Issued"
	assert [row.billable_service for row in superbill.services] == [therapy.name, exercise.name]
	assert money(superbill.total_charges) == Decimal("271.00")
	assert money(superbill.total_balance) == Decimal("271.00")
	for service in (therapy, exercise):
		service.reload()
		assert (service.status, service.billed_by_doctype, service.billed_by) == (
			"Superbilled",
			"Superbill",
			name,
		)

	# The charges are on the patient's receivable, one invoice line per service.
	invoice = frappe.get_doc("Sales Invoice", superbill.sales_invoice)
	customer = patient_customer("Patient", clinic.patient.name)
	assert (invoice.docstatus, invoice.customer, invoice.debit_to) == (
		1,
		customer,
		settings_value("patient_receivable_account"),
	)
	assert [(row.billable_service, money(row.amount)) for row in invoice.items] == [
		(therapy.name, Decimal("180.00")),
		(exercise.name, Decimal("91.00")),
	]
	assert gl_balance(settings_value("patient_receivable_account"), customer) == Decimal("271.00")

	text = pdf_text(attached_pdf(superbill))
	assert "Superbill " + name in text
	assert clinic.clinician.npi in text and "1456789019" in text  # rendering and practice NPI
	assert "LC-48213" in text and "1041C0700X" in text and "91-0000417" in text
	assert "07/19/1984" in text  # the patient's date of birth
	assert "90837" in text and "97110" in text and "GP" in text
	assert "F41.1" in text and "Generalized anxiety disorder" in text and "M54.50" in text
	assert "$180.00" in text and "$91.00" in text and "$271.00" in text
	assert "Lakeside Therapy Group" in text and "200 Commerce Way" in text
	assert "Provider signature" in text
	# Codes only: no CPT descriptor text.
	assert "psychotherapy" not in text.lower() and "therapeutic exercise" not in text.lower()


def test_services_already_invoiced_and_paid_show_as_paid(clinic):
	service = private_service(clinic.patient, clinic.clinician, "90834", 140, days_ago=5)
	customer = patient_customer("Patient", clinic.patient.name)
	invoice = book_patient_charges(
		customer, [ServiceCharge(service.name, Decimal("140.00"), "90834")], days_ago(5), "test"
	)
	frappe.get_doc("Billable Service", service.name).mark_billed("Sales Invoice", invoice)
	record_patient_payment(
		customer,
		Decimal("100.00"),
		[Allocation("Sales Invoice", invoice, Decimal("100.00"))],
		posting_date=days_ago(4),
		reference_no="front desk",
		remarks="card",
	)
	[name] = api.create_superbills([service.name], issue=1)
	superbill = frappe.get_doc("Superbill", name)

	assert not superbill.sales_invoice  # nothing new to book
	assert (money(superbill.total_paid), money(superbill.total_balance)) == (
		Decimal("100.00"),
		Decimal("40.00"),
	)
	assert frappe.db.get_value("Billable Service", service.name, "status") == "Invoiced"
	text = pdf_text(attached_pdf(superbill))
	assert "$140.00" in text and "$100.00" in text and "$40.00" in text


def test_every_problem_is_listed_at_once(clinic):
	payer = make_payer()
	make_policy(clinic.patient.name, payer.name)
	insured = private_service(clinic.patient, clinic.clinician, billing_route="Insurance")
	other_patient = private_service(make_patient_with_contact(), clinic.clinician)
	no_diagnosis = private_service(clinic.patient, clinic.clinician, diagnoses=())
	with pytest.raises(BillingValidationError) as refused:
		frappe.get_doc(
			{
				"doctype": "Superbill",
				"patient_doctype": "Patient",
				"patient": clinic.patient.name,
				"practitioner": clinic.clinician.name,
				"services": [
					{"billable_service": insured.name},
					{"billable_service": other_patient.name},
					{"billable_service": no_diagnosis.name},
				],
			}
		).insert()
	message = str(refused.value)
	assert f"service {insured.name} is billed to insurance" in message
	assert f"service {other_patient.name} is another patient" in message
	assert f"service {no_diagnosis.name} has no diagnosis" in message


def test_missing_practice_details_and_date_of_birth_say_where_to_fix_them(clinic):
	configure_practice(billing_provider_address_line1="")
	patient = make_patient_with_contact(dob=None)
	service = private_service(patient, clinic.clinician)
	superbill = frappe.get_doc("Superbill", api.create_superbills([service.name])[0])
	with pytest.raises(BillingValidationError) as refused:
		superbill.submit()
	message = str(refused.value)
	assert "practice.address.line1" in message and "Claims Billing Settings" in message
	assert "patient.date_of_birth" in message and "patient record" in message
	# Nothing was booked or marked: the PDF is rendered before anything is posted.
	assert frappe.db.get_value("Billable Service", service.name, "status") == "Unbilled"
	assert not frappe.db.exists("Sales Invoice", {"customer": patient_customer("Patient", patient.name)})


def test_cancelling_reverses_the_charges_and_frees_the_services(clinic):
	service = private_service(clinic.patient, clinic.clinician, "90791", 220)
	superbill = frappe.get_doc("Superbill", api.create_superbills([service.name], issue=1)[0])
	customer = patient_customer("Patient", clinic.patient.name)
	assert gl_balance(settings_value("patient_receivable_account"), customer) == Decimal("220.00")
	superbill.cancel()
	assert superbill.status == "Cancelled"
	assert frappe.db.get_value("Sales Invoice", superbill.sales_invoice, "docstatus") == 2
	assert frappe.db.get_value("Billable Service", service.name, "status") == "Unbilled"
	assert gl_balance(settings_value("patient_receivable_account"), customer) == 0
	# The service can go on a new superbill.
	assert api.create_superbills([service.name])


def test_a_service_cannot_be_on_two_superbills(clinic):
	service = private_service(clinic.patient, clinic.clinician)
	first = api.create_superbills([service.name])[0]
	with pytest.raises(BillingValidationError, match=f"already on superbill {first}"):
		api.create_superbills([service.name])


def test_batch_issues_one_superbill_per_patient_and_practitioner_in_the_range(clinic):
	second_patient = make_patient_with_contact()
	no_birth_date = make_patient_with_contact(dob=None)
	in_range = [
		private_service(clinic.patient, clinic.clinician, "90837", 180, days_ago=6),
		private_service(clinic.patient, clinic.clinician, "90834", 140, days_ago=3),
		private_service(second_patient, clinic.clinician, "90832", 95, days_ago=4),
	]
	refused = private_service(no_birth_date, clinic.clinician, "90832", 95, days_ago=4)
	too_old = private_service(clinic.patient, clinic.clinician, "90837", 180, days_ago=40)

	result = api.create_superbills_for_range(days_ago(7), days_ago(1), practitioner=clinic.clinician.name)

	assert len(result["issued"]) == 2
	superbills = {
		frappe.db.get_value("Superbill", name, "patient"): frappe.get_doc("Superbill", name)
		for name in result["issued"]
	}
	assert sorted(row.billable_service for row in superbills[clinic.patient.name].services) == sorted(
		[in_range[0].name, in_range[1].name]
	)
	assert [row.billable_service for row in superbills[second_patient.name].services] == [in_range[2].name]
	assert all(superbill.status == "Issued" and superbill.pdf for superbill in superbills.values())
	[failure] = result["failed"]
	assert failure["services"] == [refused.name] and "date_of_birth" in failure["error"]
	assert frappe.db.get_value("Billable Service", refused.name, "status") == "Unbilled"
	assert frappe.db.get_value("Billable Service", too_old.name, "status") == "Unbilled"
	assert not frappe.db.exists("Superbill", {"patient": no_birth_date.name})


def test_the_desk_gets_the_patient_side_entry_points():
	from claims_billing import hooks

	workspace = frappe.get_doc("Workspace", "Claims")
	shortcuts = {row.label: row for row in workspace.shortcuts}
	assert (shortcuts["Superbills"].type, shortcuts["Superbills"].link_to) == ("DocType", "Superbill")
	assert (shortcuts["Payments"].type, shortcuts["Payments"].link_to) == (
		"Report",
		"Patient Payments Ledger",
	)
	assert "public/js/billable_service_list_patient_side.js" in hooks.doctype_list_js["Billable Service"]
	assert "public/js/patient_payments.js" in hooks.doctype_js["Patient"]
	patient = frappe.get_meta("Patient")
	assert patient.get_field("billing_payments_tab").fieldtype == "Tab Break"
	assert patient.get_field("billing_payments_html").fieldtype == "HTML"
	settings = frappe.get_meta("Claims Billing Settings")
	for field in ("stripe_secret_key", "stripe_webhook_secret"):
		assert settings.get_field(field).fieldtype == "Password"
