"""Claims on a site without Healthcare: the patient is a Customer whose birth date and sex are the app's
Customer fields and whose address is the Customer's Address; a dependent's subscriber comes from the
policy. The 837P passes pyx12; a Customer without a birth date is stopped by the scrubber.
"""

import frappe
import pytest
from claim_fixtures import add_address, commits_suppressed, configure, judge, make_payer
from conftest import NOHC_SITE, SITES_PATH, on_site
from records import SCHEDULE_START, days_ago, unique, valid_npi

from claims_billing.claims import api as claims_api
from claims_billing.jobs.clearinghouse import send_queued_claims
from claims_billing.x12.read_837p import read_837p

pytestmark = pytest.mark.skipif(not (SITES_PATH / NOHC_SITE).exists(), reason=f"no site {NOHC_SITE}")


@pytest.fixture
def nohc(tmp_path):
	with on_site(NOHC_SITE):
		configure(None, connection_mode="Local Folder", local_folder=str(tmp_path))
		with commits_suppressed():
			yield tmp_path


def customer_patient(dob="1990-05-17", sex="Female"):
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": f"Rowan {unique('Fallowfield').replace(' ', '')}",
			"customer_type": "Individual",
			"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
			"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name")
			or frappe.db.get_value("Territory", {}, "name"),
			"billing_patient_dob": dob,
			"billing_patient_sex": sex,
		}
	).insert()
	add_address("Customer", customer.name, address_line1="7 Orchard Ln", city="Bangor", pincode="04401")
	return customer


def billed_service(customer, relationship="Self", **policy_values):
	payer = make_payer()
	practitioner = frappe.get_doc(
		{
			"doctype": "Billing Practitioner",
			"first_name": "Ines",
			"last_name": "Haverbrook",
			"npi": valid_npi(),
			"taxonomy_code": "111N00000X",
		}
	).insert()
	frappe.get_doc(
		{
			"doctype": "Patient Insurance Policy",
			"patient_doctype": "Customer",
			"patient": customer.name,
			"payer": payer.name,
			"member_id": "NW" + frappe.generate_hash(length=8).upper(),
			"valid_from": SCHEDULE_START,
			"relationship_to_subscriber": relationship,
			**policy_values,
		}
	).insert()
	return frappe.get_doc(
		{
			"doctype": "Billable Service",
			"patient_doctype": "Customer",
			"patient": customer.name,
			"practitioner": practitioner.name,
			"date_of_service": days_ago(3),
			"procedure_code": "98941",
			"units": 1,
			"rate": 65,
			"billing_route": "Insurance",
			"diagnoses": [{"icd10_code": "S13.4XXA"}],
		}
	).insert()


def test_a_customer_patient_is_claimed_with_the_customer_fields(nohc):
	customer = customer_patient()
	service = billed_service(customer)

	result = claims_api.initiate_claims([service.name], flow="One-click")

	assert result["queued"] == 1, result
	summary = send_queued_claims()
	assert summary["error"] == "" and summary["uploaded"], summary
	record = frappe.get_doc("Clearinghouse File", summary["uploaded"][0])
	data = (nohc / "outbound" / record.file_name).read_bytes()
	ok, errors = judge(data)
	assert ok, errors
	(transaction,) = read_837p(data)
	(claim,) = transaction.claims
	assert claim.patient is None
	subscriber = claim.subscriber
	assert (subscriber.first_name, subscriber.last_name) == tuple(customer.customer_name.split(" ", 1))
	assert (str(subscriber.date_of_birth), subscriber.sex) == ("1990-05-17", "F")
	assert (subscriber.address.line1, subscriber.address.city, subscriber.address.postal_code) == (
		"7 Orchard Ln",
		"Bangor",
		"04401",
	)


def test_a_dependent_customer_patient_has_the_policy_subscriber(nohc):
	customer = customer_patient(dob="2014-08-02", sex="Male")
	service = billed_service(
		customer,
		relationship="Child",
		subscriber_first_name="Sasha",
		subscriber_last_name="Fallowfield",
		subscriber_dob="1982-11-30",
		subscriber_sex="Female",
	)

	assert claims_api.initiate_claims([service.name], flow="One-click")["queued"] == 1
	summary = send_queued_claims()
	record = frappe.get_doc("Clearinghouse File", summary["uploaded"][0])
	data = (nohc / "outbound" / record.file_name).read_bytes()
	ok, errors = judge(data)
	assert ok, errors
	(claim,) = read_837p(data)[0].claims
	assert (claim.subscriber.first_name, str(claim.subscriber.date_of_birth)) == ("Sasha", "1982-11-30")
	assert (claim.patient.relationship, str(claim.patient.date_of_birth), claim.patient.sex) == (
		"19",
		"2014-08-02",
		"M",
	)


def test_a_customer_without_a_birth_date_is_stopped(nohc):
	customer = customer_patient(dob=None, sex="")
	service = billed_service(customer)

	(claim,) = claims_api.initiate_claims([service.name], flow="One-click")["claims"]

	assert claim["status"] == "Draft"
	assert (
		"The patient's date of birth is missing: enter it on the patient's Customer record."
		in claim["problems"]
	)
	assert "The patient's sex is missing" in claim["problems"]
