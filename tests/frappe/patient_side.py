"""Builders and fixtures for the patient-side Frappe tests (superbills, patient invoices, ledger)."""

import contextlib
import pathlib
import shutil
import subprocess
import sys
from decimal import Decimal

import frappe
import pytest
import stripe
from records import make_practitioner, unique, valid_npi

# The local Stripe-compatible server lives with the pure tier's test support (tests/stripe_server.py);
# another "tests" package on the bench's path shadows the repository's, so import it by folder.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from stripe_server import FakeStripe

WEBHOOK_SECRET = "whsec_claimsbillingtests0123456789"
PRACTICE = {
	"billing_provider_name": "Lakeside Therapy Group",
	"billing_provider_npi": "1456789019",
	"billing_provider_tax_id": "91-0000417",
	"billing_provider_phone": "(207) 555-0142",
	"billing_provider_address_line1": "200 Commerce Way",
	"billing_provider_address_line2": "Suite 4",
	"billing_provider_city": "Portland",
	"billing_provider_state": "ME",
	"billing_provider_zip_code": "04101-5678",
}
PATIENT_FIELDS = ("patient_doctype", "patient")


def pdf_text(content: bytes) -> str:
	if shutil.which("pdftotext") is None:
		pytest.fail("pdftotext is missing: install poppler-utils")
	result = subprocess.run(
		["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
	)
	return result.stdout.decode("utf-8")


SETTINGS = "Claims Billing Settings"
PASSWORD_FIELDS = ("stripe_secret_key", "stripe_webhook_secret")


def set_settings(**values) -> None:
	"""Change Claims Billing Settings in this test's transaction, without its form validation.

	Other engineers' processes share the site's Redis cache: the settings are pinned in this
	process's memory so a concurrent reader can neither feed us stale values nor see ours.
	"""
	from frappe.utils.password import set_encrypted_password

	for field, value in values.items():
		if field in PASSWORD_FIELDS:
			frappe.db.delete("__Auth", {"doctype": SETTINGS, "name": SETTINGS, "fieldname": field})
			if value:
				set_encrypted_password(SETTINGS, SETTINGS, value, field)
			frappe.db.set_single_value(SETTINGS, field, "*" * 10 if value else "")
		else:
			frappe.db.set_single_value(SETTINGS, field, value)
	frappe.clear_document_cache(SETTINGS, SETTINGS)
	key = frappe.cache.make_key(frappe.get_document_cache_key(SETTINGS, SETTINGS))
	frappe.local.cache[key] = frappe.get_doc(SETTINGS)


def configure_practice(**overrides) -> None:
	set_settings(**{**PRACTICE, **overrides})


def use_stripe(fake: FakeStripe, due_days: int = 21, base_url: str | None = None) -> None:
	set_settings(
		stripe_secret_key=fake.api_key,
		stripe_webhook_secret=WEBHOOK_SECRET,
		stripe_api_base=base_url or fake.base_url,
		patient_invoice_due_days=due_days,
	)


def serve_fake_stripe(monkeypatch):
	"""Body of a test module's Stripe fixture: the local server, with the library's retry waits cut."""
	# The library waits at least half a second before each retry; the retries are under test, not the wait.
	monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)
	monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0.02)
	with FakeStripe() as server:
		yield server


def make_patient_with_contact(
	email: str | None = "pat@example.com", dob: str | None = "1984-07-19", **values
):
	"""A Healthcare Patient with an email, a date of birth and a primary address."""
	patient = frappe.get_doc(
		{
			"doctype": "Patient",
			"first_name": "Avery",
			"last_name": unique("Testwell"),
			"sex": "Female",
			"dob": dob,
			"email": email,
			"invite_user": 0,
			**values,
		}
	).insert()
	frappe.get_doc(
		{
			"doctype": "Address",
			"address_title": patient.patient_name,
			"address_type": "Billing",
			"address_line1": "10 Maple St",
			"city": "Augusta",
			"state": "ME",
			"pincode": "04330",
			"country": "United States",
			"is_primary_address": 1,
			"links": [{"link_doctype": "Patient", "link_name": patient.name}],
		}
	).insert()
	return patient


def make_clinician(**values):
	last_name = unique("Wrenfield")
	return make_practitioner(
		practitioner_name=f"Mara {last_name}",
		first_name="Mara",
		last_name=last_name,
		npi=valid_npi(),
		license_number="LC-48213",
		taxonomy_code="1041C0700X",
		**values,
	)


def private_service(
	patient, practitioner, code="90837", rate=180, days_ago=10, diagnoses=("F41.1",), **values
):
	from records import days_ago as date_days_ago

	return frappe.get_doc(
		{
			"doctype": "Billable Service",
			"patient_doctype": "Patient",
			"patient": patient.name if hasattr(patient, "name") else patient,
			"practitioner": practitioner.name if hasattr(practitioner, "name") else practitioner,
			"date_of_service": date_days_ago(days_ago),
			"procedure_code": code,
			"units": 1,
			"rate": rate,
			"billing_route": "Private Pay",
			"diagnoses": [{"icd10_code": diagnosis} for diagnosis in diagnoses],
			**values,
		}
	).insert()


def money(value) -> Decimal:
	return Decimal(str(frappe.utils.flt(value, 2)))


def gl_balance(account: str, party: str | None = None, vouchers: list[str] | None = None) -> Decimal:
	"""Debit minus credit on ``account`` (for ``party``) over the GL, to the cent."""
	conditions = ["account = %(account)s", "is_cancelled = 0"]
	values = {"account": account}
	if party:
		conditions.append("party_type = 'Customer' and party = %(party)s")
		values["party"] = party
	if vouchers is not None:
		conditions.append("voucher_no in %(vouchers)s")
		values["vouchers"] = tuple(vouchers) or ("",)
	total = frappe.db.sql(
		f"select coalesce(sum(debit) - sum(credit), 0) from `tabGL Entry` where {' and '.join(conditions)}",
		values,
	)[0][0]
	return money(total)


def settings_value(field: str):
	return frappe.db.get_single_value("Claims Billing Settings", field)


# --- committed records (tests that go through the web server) --------------------------------

MONEY_DOCTYPES = ("Payment Entry", "Journal Entry", "Sales Invoice")


def undo_money_documents(customers: list[str]) -> None:
	"""Cancel and delete every money document of ``customers`` and their ledger rows (committed tests)."""
	frappe.set_user("Administrator")
	for doctype in MONEY_DOCTYPES:
		party_field = "customer" if doctype == "Sales Invoice" else "party"
		names = set()
		if doctype == "Journal Entry":
			names |= set(
				frappe.get_all(
					"Journal Entry Account", filters={"party": ["in", customers or [""]]}, pluck="parent"
				)
			)
		else:
			names |= set(
				frappe.get_all(doctype, filters={party_field: ["in", customers or [""]]}, pluck="name")
			)
		for name in names:
			doc = frappe.get_doc(doctype, name)
			if doc.docstatus == 1:
				doc.flags.ignore_permissions = True
				doc.flags.ignore_links = True
				doc.cancel()
			for table in ("GL Entry", "Payment Ledger Entry"):
				frappe.db.delete(table, {"voucher_type": doctype, "voucher_no": name})
			frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
			frappe.db.delete("Version", {"ref_doctype": doctype, "docname": name})
			frappe.db.delete("Deleted Document", {"deleted_doctype": doctype, "deleted_name": name})
	frappe.db.commit()


@contextlib.contextmanager
def committed_settings(**values):
	"""Claims Billing Settings changed and committed (the web server reads them), restored after."""
	from frappe.utils.password import get_decrypted_password

	before = {
		field: get_decrypted_password(SETTINGS, SETTINGS, field, raise_exception=False) or ""
		if field in PASSWORD_FIELDS
		else frappe.db.get_single_value(SETTINGS, field)
		for field in values
	}
	set_settings(**values)
	frappe.db.commit()
	try:
		yield
	finally:
		frappe.db.rollback()
		set_settings(**before)
		frappe.db.commit()
		frappe.clear_document_cache(SETTINGS, SETTINGS)
