"""Who may see superbills, patient invoices, the webhook log, PDFs and statements, over real HTTP.

Also the patient portal: a patient's website user sees their own sent invoices at /patient-invoices.
"""

import frappe
import pytest
import requests
from patient_side import (
	PRACTICE,
	WEBHOOK_SECRET,
	FakeStripe,
	committed_settings,
	make_clinician,
	make_patient_with_contact,
	private_service,
	undo_money_documents,
)
from records import make_api_user

from claims_billing.patient import api
from claims_billing.patient.invoicing import make_patient_invoice, send_patient_invoice
from claims_billing.roles import BILLING_MANAGER, BILLING_STAFF, CLINICIAN

RESOURCES = ("Superbill", "Patient Invoice", "Stripe Webhook Log")
PORTAL_PASSWORD = "Portal-Patient-2026!"


@pytest.fixture(scope="module")
def site(web_server):
	with (
		FakeStripe() as fake,
		committed_settings(
			**PRACTICE,
			stripe_secret_key=fake.api_key,
			stripe_webhook_secret=WEBHOOK_SECRET,
			stripe_api_base=fake.base_url,
		),
	):
		users = {
			"manager": make_api_user([BILLING_MANAGER], "manager"),
			"staff": make_api_user([BILLING_STAFF], "staff"),
			"clinician": make_api_user([CLINICIAN], "clinician"),
			"other_desk": make_api_user(["System Manager"], "sysmanager"),
			"no_roles": make_api_user([], "noroles"),
			"guest": frappe._dict(name="Guest", headers={}),
		}
		portal_user = make_api_user(["Patient"], "portal", user_type="Website User")
		other_portal_user = make_api_user(["Patient"], "otherportal", user_type="Website User")
		for user in (portal_user, other_portal_user):
			doc = frappe.get_doc("User", user.name)
			doc.new_password = PORTAL_PASSWORD
			doc.save(ignore_permissions=True)
		clinician = make_clinician()
		patient = make_patient_with_contact(email="rest.patient@example.com")
		frappe.db.set_value("Patient", patient.name, "user_id", portal_user.name)
		other_patient = make_patient_with_contact(email="other.patient@example.com")
		frappe.db.set_value("Patient", other_patient.name, "user_id", other_portal_user.name)
		superbilled = private_service(patient, clinician, "90837", 180, days_ago=5)
		superbill = frappe.get_doc("Superbill", api.create_superbills([superbilled.name], issue=1)[0])
		invoiced = private_service(patient, clinician, "90834", 140, days_ago=3)
		invoice = send_patient_invoice(make_patient_invoice([invoiced.name]).name)
		frappe.db.commit()
		state = frappe._dict(
			base=web_server,
			users=users,
			portal_user=portal_user,
			other_portal_user=other_portal_user,
			patient=patient,
			other_patient=other_patient,
			clinician=clinician,
			superbill=superbill,
			invoice=invoice,
		)
		try:
			yield state
		finally:
			remove(state)


def remove(state) -> None:
	frappe.db.rollback()
	customers = [
		frappe.db.get_value("Patient", p.name, "customer") for p in (state.patient, state.other_patient)
	]
	for name in frappe.get_all("Patient Invoice", {"patient": state.patient.name}, pluck="name"):
		frappe.db.delete("Patient Invoice Line", {"parent": name})
		frappe.db.delete("Patient Invoice", name)
		frappe.db.delete("Communication", {"reference_name": name})
		frappe.db.delete("DocShare", {"share_name": name})
		frappe.db.delete("Notification Log", {"document_name": name})
	for name in frappe.get_all("Superbill", {"patient": state.patient.name}, pluck="name"):
		frappe.db.delete("Superbill Service", {"parent": name})
		frappe.db.delete("Superbill", name)
		for file in frappe.get_all("File", {"attached_to_name": name}, pluck="name"):
			frappe.delete_doc("File", file, force=True, ignore_permissions=True)
	undo_money_documents([customer for customer in customers if customer])
	for service in frappe.get_all("Billable Service", {"patient": state.patient.name}, pluck="name"):
		frappe.get_doc("Billable Service", service).release_from_billing()
		frappe.delete_doc("Billable Service", service, force=True, ignore_permissions=True)
	for patient in (state.patient, state.other_patient):
		for link in frappe.get_all("Dynamic Link", {"link_name": patient.name}, ["parenttype", "parent"]):
			if link.parenttype in ("Address", "Contact"):
				frappe.delete_doc(link.parenttype, link.parent, force=True, ignore_permissions=True)
		frappe.delete_doc("Patient", patient.name, force=True, ignore_permissions=True)
	for customer in customers:
		if customer and frappe.db.exists("Customer", customer):
			frappe.delete_doc("Customer", customer, force=True, ignore_permissions=True)
	frappe.delete_doc("Billing Practitioner", state.clinician.name, force=True, ignore_permissions=True)
	for user in [*state.users.values(), state.portal_user, state.other_portal_user]:
		if user.name != "Guest":
			frappe.delete_doc("User", user.name, force=True, ignore_permissions=True)
	frappe.db.commit()


def get(site, who: str, path: str, **kwargs):
	return requests.get(site.base + path, headers=site.users[who].headers, timeout=60, **kwargs)


@pytest.mark.parametrize("who", ["guest", "no_roles", "other_desk", "clinician"])
def test_users_without_a_billing_role_see_none_of_it(site, who):
	for doctype in RESOURCES:
		assert get(site, who, f"/api/resource/{doctype}").status_code == 403, doctype
	assert get(site, who, f"/api/resource/Superbill/{site.superbill.name}").status_code == 403
	assert get(site, who, site.superbill.pdf).status_code in (403, 404)
	statement = get(
		site,
		who,
		"/api/method/claims_billing.patient.api.patient_statement",
		params={"patient_doctype": "Patient", "patient": site.patient.name},
	)
	assert statement.status_code == 403


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_billing_roles_read_superbills_invoices_the_log_and_download_the_pdf(site, who):
	for doctype in RESOURCES:
		assert get(site, who, f"/api/resource/{doctype}").status_code == 200, doctype
	superbill = get(site, who, f"/api/resource/Superbill/{site.superbill.name}").json()["data"]
	assert superbill["status"] == "Issued" and superbill["pdf"] == site.superbill.pdf
	pdf = get(site, who, site.superbill.pdf)
	assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
	statement = get(
		site,
		who,
		"/api/method/claims_billing.patient.api.patient_statement",
		params={"patient_doctype": "Patient", "patient": site.patient.name},
	)
	assert statement.status_code == 200 and statement.content.startswith(b"%PDF")
	payments = get(
		site,
		who,
		"/api/method/claims_billing.patient.api.patient_payments",
		params={"patient_doctype": "Patient", "patient": site.patient.name},
	)
	assert payments.json()["message"]["totals"]["charge"] == "320.00"


def test_nobody_writes_the_webhook_log_through_the_api(site):
	for who in ("manager", "staff"):
		response = requests.post(
			site.base + "/api/resource/Stripe Webhook Log",
			headers=site.users[who].headers,
			json={"event_id": "evt_forged", "event_type": "invoice.paid", "status": "Processed"},
			timeout=60,
		)
		assert response.status_code == 403


def portal_session(site, user) -> requests.Session:
	session = requests.Session()
	login = session.post(
		site.base + "/api/method/login", data={"usr": user.name, "pwd": PORTAL_PASSWORD}, timeout=60
	)
	assert login.status_code == 200, login.text
	return session


def test_the_patient_is_told_in_frappe_and_on_the_portal(site):
	frappe.db.rollback()
	assert frappe.db.exists(
		"DocShare",
		{
			"share_doctype": "Patient Invoice",
			"share_name": site.invoice.name,
			"user": site.portal_user.name,
			"read": 1,
		},
	)
	assert frappe.db.exists(
		"Notification Log", {"for_user": site.portal_user.name, "document_name": site.invoice.name}
	)
	assert frappe.db.exists(
		"Communication", {"reference_doctype": "Patient Invoice", "reference_name": site.invoice.name}
	)


def test_the_patient_sees_their_own_invoices_on_the_portal(site):
	page = portal_session(site, site.portal_user).get(site.base + "/patient-invoices", timeout=60)
	assert page.status_code == 200
	assert site.invoice.stripe_invoice_number in page.text
	assert site.invoice.hosted_invoice_url in page.text
	# Another patient's portal user sees none of them.
	other = portal_session(site, site.other_portal_user).get(site.base + "/patient-invoices", timeout=60)
	assert other.status_code == 200 and site.invoice.stripe_invoice_number not in other.text
	# Portal users have no desk access to the invoice itself.
	resource = portal_session(site, site.other_portal_user).get(
		site.base + f"/api/resource/Patient Invoice/{site.invoice.name}", timeout=60
	)
	assert resource.status_code == 403
