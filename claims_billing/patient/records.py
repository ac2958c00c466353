"""Who a patient is in ERPNext terms: their Customer, email, address and portal user.

A service's patient is a Healthcare Patient or, without Healthcare, an ERPNext Customer. Money
is always booked against a Customer, so a Patient without one gets one here (the same way
Healthcare links them when "Link Customer to Patient" is on).
"""

import frappe
from frappe import _
from frappe.contacts.doctype.address.address import get_default_address

from claims_billing.claims.claim_data import CUSTOMER_DOB_FIELD
from claims_billing.claims_billing.doctype.insurance_payer.insurance_payer import (
	default_customer_group,
	default_territory,
)
from claims_billing.site_apps import patient_display_name

US_COUNTRY_NAMES = {"united states", "united states of america", "usa", "us"}


def patient_customer(patient_doctype: str, patient: str) -> str:
	"""The Customer the patient's balances are booked against, created once if missing."""
	if patient_doctype == "Customer":
		return patient
	customer = frappe.db.get_value("Patient", patient, "customer")
	if customer and frappe.db.exists("Customer", customer):
		return customer
	doc = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": patient_display_name(patient_doctype, patient) or patient,
			"customer_type": "Individual",
			"customer_group": default_customer_group(),
			"territory": default_territory(),
		}
	)
	# Billing staff act through the patient's invoices; they need not create Customers directly.
	doc.insert(ignore_permissions=True)
	frappe.db.set_value("Patient", patient, "customer", doc.name, update_modified=False)
	return doc.name


def patient_email(patient_doctype: str, patient: str) -> str:
	"""Where Stripe emails the patient's invoices: the patient's, else the customer's email."""
	if patient_doctype == "Patient":
		email, customer = frappe.db.get_value("Patient", patient, ["email", "customer"]) or (None, None)
		if email:
			return email.strip()
		if not customer:
			return ""
		patient_doctype, patient = "Customer", customer
	email = frappe.db.get_value("Customer", patient, "email_id")
	return (email or "").strip()


def patient_date_of_birth(patient_doctype: str, patient: str):
	"""Healthcare's Patient.dob, or the date of birth the claims issue adds to Customers."""
	if patient_doctype == "Patient":
		return frappe.db.get_value("Patient", patient, "dob")
	if frappe.get_meta("Customer").has_field(CUSTOMER_DOB_FIELD):
		return frappe.db.get_value("Customer", patient, CUSTOMER_DOB_FIELD)
	return None


def patient_address(patient_doctype: str, patient: str) -> dict | None:
	"""The patient's primary Address as plain fields, or None."""
	candidates = [(patient_doctype, patient)]
	if patient_doctype == "Patient":
		customer = frappe.db.get_value("Patient", patient, "customer")
		if customer:
			candidates.append(("Customer", customer))
	for doctype, name in candidates:
		address = get_default_address(doctype, name)
		if address:
			return frappe.db.get_value(
				"Address",
				address,
				["address_line1", "address_line2", "city", "state", "pincode", "country"],
				as_dict=True,
			)
	return None


def country_code(country: str | None) -> str:
	""" "" for the United States (addresses print no country then), else the name as stored."""
	if not country or country.strip().lower() in US_COUNTRY_NAMES:
		return ""
	return country.strip()


def patient_portal_user(patient_doctype: str, patient: str) -> str | None:
	"""The website user a patient signs in to the portal with, when there is one."""
	if patient_doctype == "Patient":
		user = frappe.db.get_value("Patient", patient, "user_id")
	else:
		user = frappe.db.get_value(
			"Portal User", {"parenttype": "Customer", "parent": patient}, "user", order_by="idx asc"
		)
	if user and frappe.db.get_value("User", user, "enabled"):
		return user
	return None


def patients_of_portal_user(user: str) -> list[tuple[str, str]]:
	"""(patient doctype, patient) pairs a portal user may see the invoices of."""
	pairs = []
	if frappe.db.exists("DocType", "Patient"):
		pairs += [("Patient", name) for name in frappe.get_all("Patient", {"user_id": user}, pluck="name")]
	pairs += [
		("Customer", name)
		for name in frappe.get_all(
			"Portal User", {"parenttype": "Customer", "user": user}, pluck="parent", distinct=True
		)
	]
	return pairs


def payer_customers() -> set[str]:
	"""Customers that stand for insurance payers (their receivable is the insurance side)."""
	return set(frappe.get_all("Insurance Payer", filters={"customer": ["is", "set"]}, pluck="customer"))


def require_patient(patient_doctype: str, patient: str) -> None:
	if patient_doctype not in ("Patient", "Customer") or not patient:
		frappe.throw(_("Choose a patient."))
	if not frappe.db.exists(patient_doctype, patient):
		frappe.throw(_("{0} {1} does not exist.").format(_(patient_doctype), patient))
