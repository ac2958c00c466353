"""Payers, policies, fee schedules, payer contracts, practitioners and settings."""

import html

import frappe
import pytest
from records import (
	days_ago,
	make_fee_schedule,
	make_patient,
	make_payer,
	make_policy,
	make_practitioner,
	make_service,
	unique,
)

from claims_billing.core.codes import npi_check_digit
from claims_billing.problems import BillingValidationError
from claims_billing.services.rates import contract_allowed_rate


def problems_of(action) -> str:
	with pytest.raises(BillingValidationError) as refused:
		action()
	return html.unescape(str(refused.value))


def test_payer_gets_its_own_customer_receiving_into_insurance_receivable():
	payer = make_payer(claim_filing_indicator="MB", timely_filing_days=365)
	assert payer.customer
	customer = frappe.get_doc("Customer", payer.customer)
	assert customer.customer_name == payer.payer_name
	assert customer.customer_type == "Company"
	receivable = frappe.db.get_single_value("Claims Billing Settings", "insurance_receivable_account")
	assert [(row.company, row.account) for row in customer.accounts] == [("Test Clinic", receivable)]


def test_payer_fields_are_checked():
	payer = frappe.get_doc(
		{
			"doctype": "Insurance Payer",
			"payer_name": unique("Payer"),
			"payer_id": "60054!",
			"state": "New York",
			"zip_code": "1234",
		}
	)
	message = problems_of(payer.insert)
	assert "Payer ID 60054! may hold only letters" in message
	assert "State NEW YORK must be a two-letter code" in message
	assert "ZIP code 1234 must be 5 or 9 digits" in message


def test_one_active_policy_per_priority_and_date():
	patient = make_patient()
	first = make_policy(patient.name, make_payer().name, valid_from="2026-01-01", valid_to="2026-06-30")
	overlapping = frappe.get_doc(
		{
			"doctype": "Patient Insurance Policy",
			"patient_doctype": "Patient",
			"patient": patient.name,
			"payer": make_payer().name,
			"member_id": "XYZ123",
			"priority": "Primary",
			"valid_from": "2026-06-01",
		}
	)
	message = problems_of(overlapping.insert)
	assert f"already has an active Primary policy ({first.name}" in message
	# After the first ends, or as secondary, or inactive: fine.
	overlapping.valid_from = "2026-07-01"
	overlapping.insert()
	make_policy(patient.name, make_payer().name, priority="Secondary", valid_from="2026-03-01")
	make_policy(patient.name, make_payer().name, enabled=0, valid_from="2026-03-01")


def test_policy_dates_and_subscriber_details_are_required_in_plain_words():
	patient = make_patient()
	backwards = frappe.get_doc(
		{
			"doctype": "Patient Insurance Policy",
			"patient_doctype": "Patient",
			"patient": patient.name,
			"payer": make_payer().name,
			"member_id": "A1",
			"valid_from": "2026-05-01",
			"valid_to": "2026-04-01",
		}
	)
	assert "Valid to (04-01-2026) is before valid from (05-01-2026)." in problems_of(backwards.insert)
	child = frappe.get_doc(
		{
			"doctype": "Patient Insurance Policy",
			"patient_doctype": "Patient",
			"patient": patient.name,
			"payer": make_payer().name,
			"member_id": "A2",
			"valid_from": "2026-05-01",
			"relationship_to_subscriber": "Child",
		}
	)
	message = problems_of(child.insert)
	assert (
		"The subscriber is not the patient, so enter the subscriber's first name, last name, "
		"date of birth, sex." in message
	)


def test_patient_form_shows_primary_insurance_snapshot():
	patient = make_patient()
	payer = make_payer()
	policy = make_policy(patient.name, payer.name, member_id="MEM-778899")
	assert frappe.db.get_value("Patient", patient.name, ["billing_primary_payer", "billing_member_id"]) == (
		payer.payer_name,
		"MEM-778899",
	)
	policy.enabled = 0
	policy.save()
	assert frappe.db.get_value("Patient", patient.name, "billing_primary_payer") == ""


def test_new_policy_points_existing_unbilled_services_at_the_payer():
	patient = make_patient()
	practitioner = make_practitioner()
	service = make_service(patient.name, practitioner.name, billing_route="Insurance")
	service.flags.from_capture = True  # saved with its problem noted: no policy yet
	service.insert()
	assert service.payer is None
	payer = make_payer()
	make_policy(patient.name, payer.name)
	assert frappe.db.get_value("Billable Service", service.name, ["payer", "payer_name"]) == (
		payer.name,
		payer.payer_name,
	)


def test_fee_schedule_rows_are_checked_all_at_once():
	schedule = frappe.get_doc(
		{
			"doctype": "Fee Schedule",
			"fee_schedule_name": unique("Fees"),
			"effective_from": "2026-01-01",
			"effective_to": "2025-12-31",
			"items": [
				{"procedure_code": "97110", "modifiers": "gp", "charge": 40},
				{"procedure_code": "9711", "charge": 40},
				{"procedure_code": "97110", "modifiers": "GP", "charge": 41},
				{"procedure_code": "97140", "modifiers": "G P", "charge": 45},
			],
		}
	)
	message = problems_of(schedule.insert)
	assert "Effective to is before effective from." in message
	assert "Row #2: Procedure code '9711' is not a CPT or HCPCS code" in message
	assert "Row #3: 97110 repeats row #1." in message
	assert "Row #4: Modifier 'G' must be two letters or digits" in message


def test_fee_schedule_effective_dates_and_enabled_flag_decide_the_rate():
	practitioner = make_practitioner()
	patient = make_patient()
	make_fee_schedule([("97112", "", 30)], effective_from="2026-01-01", effective_to=days_ago(11))
	make_fee_schedule([("97112", "", 33)], effective_from=days_ago(10))
	make_fee_schedule([("97112", "", 99)], effective_from="2026-01-01", enabled=0)
	old = make_service(patient.name, practitioner.name, procedure_code="97112", date_of_service=days_ago(20))
	new = make_service(patient.name, practitioner.name, procedure_code="97112", date_of_service=days_ago(5))
	assert (old.insert().charge, new.insert().charge) == (30, 33)


def test_payer_contract_allowed_amount_lookup():
	payer = make_payer()
	frappe.get_doc(
		{
			"doctype": "Payer Contract",
			"payer": payer.name,
			"effective_from": "2026-01-01",
			"items": [
				{"procedure_code": "97110", "allowed_amount": 31.17},
				{"procedure_code": "97110", "modifiers": "GP KX", "allowed_amount": 33.5},
			],
		}
	).insert()
	assert str(contract_allowed_rate(payer.name, "97110", days_ago(1)).amount) == "31.17"
	assert str(contract_allowed_rate(payer.name, "97110", days_ago(1), ["KX", "GP"]).amount) == "33.50"
	assert contract_allowed_rate(make_payer().name, "97110", days_ago(1)) is None


def test_practitioner_npi_and_taxonomy_are_checked():
	first_nine = "123456789"
	good_npi = first_nine + npi_check_digit(first_nine)
	bad_npi = first_nine + str((int(npi_check_digit(first_nine)) + 1) % 10)
	practitioner = frappe.get_doc(
		{
			"doctype": "Billing Practitioner",
			"first_name": "Ann",
			"last_name": "Lee",
			"npi": bad_npi,
			"taxonomy_code": "2251",
		}
	)
	message = problems_of(practitioner.insert)
	assert f"NPI: NPI {bad_npi} fails its check digit" in message
	assert "Taxonomy code 2251 must be 10 letters or digits" in message
	practitioner.npi = good_npi
	practitioner.taxonomy_code = "225100000x"
	practitioner.insert()
	assert practitioner.practitioner_name == "Ann Lee"
	assert practitioner.taxonomy_code == "225100000X"


def test_settings_are_checked():
	settings = frappe.get_single("Claims Billing Settings")
	settings.billing_provider_npi = "1234567890"
	settings.billing_provider_tax_id = "12-345"
	settings.telehealth_modifier = "9"
	settings.telehealth_place_of_service = "29"
	settings.insurance_receivable_account = frappe.db.get_value(
		"Account", {"company": "Test Clinic", "account_type": "Cash", "is_group": 0}
	)
	message = problems_of(settings.save)
	assert "Organisation NPI: NPI 1234567890 fails its check digit" in message
	assert "Tax ID must be 9 digits" in message
	assert "Telehealth modifier: Modifier '9' must be two letters or digits" in message
	assert "Telehealth Place of Service: Place of service 29 is not assigned by CMS" in message
	assert "must be a Receivable account" in message
