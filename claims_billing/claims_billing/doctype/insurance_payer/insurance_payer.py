"""An insurance company the practice bills, with its own ERPNext Customer for receivables."""

import re

import frappe
from frappe import _
from frappe.model.document import Document

from claims_billing.problems import throw_problems

# NM1*PR09 is 2-80 characters; clearinghouse payer IDs are letters, digits and a few separators.
PAYER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .\-]{0,79}")
STATE = re.compile(r"[A-Z]{2}")
ZIP_CODE = re.compile(r"[0-9]{5}(-?[0-9]{4})?")


class InsurancePayer(Document):
	def before_validate(self):
		self.payer_name = (self.payer_name or "").strip()
		self.payer_id = (self.payer_id or "").strip()
		self.state = (self.state or "").strip().upper()
		self.zip_code = (self.zip_code or "").strip()

	def validate(self):
		problems = []
		if self.payer_id and not PAYER_ID.fullmatch(self.payer_id):
			problems.append(
				_("Payer ID {0} may hold only letters, digits, spaces, dots and dashes (at most 80).").format(
					self.payer_id
				)
			)
		if self.state and not STATE.fullmatch(self.state):
			problems.append(_("State {0} must be a two-letter code such as NY.").format(self.state))
		if self.zip_code and not ZIP_CODE.fullmatch(self.zip_code):
			problems.append(_("ZIP code {0} must be 5 or 9 digits.").format(self.zip_code))
		if (self.timely_filing_days or 0) < 0:
			problems.append(_("Timely filing limit cannot be negative."))
		throw_problems(problems)

	def after_insert(self):
		self.ensure_customer()

	def on_update(self):
		self.ensure_customer()

	def ensure_customer(self):
		"""Create the payer's Customer once; keep its name in step with the payer's."""
		if self.customer and frappe.db.exists("Customer", self.customer):
			if frappe.db.get_value("Customer", self.customer, "customer_name") != self.payer_name:
				frappe.db.set_value("Customer", self.customer, "customer_name", self.payer_name)
			return
		customer = make_payer_customer(self.payer_name)
		self.db_set("customer", customer, update_modified=False)


def make_payer_customer(payer_name: str) -> str:
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": payer_name,
			"customer_type": "Company",
			"customer_group": default_customer_group(),
			"territory": default_territory(),
		}
	)
	settings = frappe.get_cached_doc("Claims Billing Settings")
	if settings.company and settings.insurance_receivable_account:
		customer.append(
			"accounts", {"company": settings.company, "account": settings.insurance_receivable_account}
		)
	# The payer form is the permission gate; staff need not be able to create Customers directly.
	customer.insert(ignore_permissions=True)
	return customer.name


def default_customer_group() -> str:
	return _first_existing(
		"Customer Group",
		frappe.db.get_single_value("Selling Settings", "customer_group"),
		"Commercial",
		root_filter={"parent_customer_group": ["in", ["", None]]},
	)


def default_territory() -> str:
	return _first_existing(
		"Territory",
		frappe.db.get_single_value("Selling Settings", "territory"),
		"United States",
		root_filter={"parent_territory": ["in", ["", None]]},
	)


def _first_existing(doctype: str, *candidates: str | None, root_filter: dict) -> str:
	for candidate in candidates:
		if candidate and frappe.db.exists(doctype, candidate):
			return candidate
	root = frappe.db.get_value(doctype, root_filter, "name")
	if not root:
		frappe.throw(_("No {0} exists; finish the ERPNext setup wizard first.").format(_(doctype)))
	return root
