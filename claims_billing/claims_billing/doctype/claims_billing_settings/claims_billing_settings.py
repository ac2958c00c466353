"""Practice-wide billing settings: billing provider, clearinghouse IDs, service defaults, accounts."""

import re

import frappe
from frappe import _
from frappe.model.document import Document

from claims_billing.clearinghouse.connection import settings_problems as clearinghouse_settings_problems
from claims_billing.core.codes import modifier_problem, npi_problem, place_of_service_problem
from claims_billing.patient.stripe_connection import settings_problems as stripe_settings_problems
from claims_billing.problems import throw_problems
from claims_billing.setup.accounts import ACCOUNT_FIELDS, ensure_default_accounts

TAX_ID = re.compile(r"[0-9]{2}-?[0-9]{7}")
ZIP_CODE = re.compile(r"[0-9]{5}(-?[0-9]{4})?")
STATE = re.compile(r"[A-Z]{2}")


class ClaimsBillingSettings(Document):
	def before_validate(self):
		for field in ("billing_provider_npi", "billing_provider_tax_id", "billing_provider_zip_code"):
			self.set(field, (self.get(field) or "").strip())
		self.billing_provider_taxonomy = (self.billing_provider_taxonomy or "").strip().upper()
		self.billing_provider_state = (self.billing_provider_state or "").strip().upper()
		self.telehealth_modifier = (self.telehealth_modifier or "").strip().upper()

	def validate(self):
		problems = []
		if self.billing_provider_npi and (problem := npi_problem(self.billing_provider_npi)):
			problems.append(_("Organisation NPI: {0}").format(problem))
		if self.billing_provider_tax_id and not TAX_ID.fullmatch(self.billing_provider_tax_id):
			problems.append(_("Tax ID must be 9 digits, e.g. 12-3456789."))
		if self.billing_provider_state and not STATE.fullmatch(self.billing_provider_state):
			problems.append(_("State must be a two-letter code such as NY."))
		if self.billing_provider_zip_code and not ZIP_CODE.fullmatch(self.billing_provider_zip_code):
			problems.append(_("ZIP code must be 5 or 9 digits (claims need ZIP+4 for the billing provider)."))
		for field in ("default_place_of_service", "telehealth_place_of_service"):
			if self.get(field) and (problem := place_of_service_problem(self.get(field))):
				problems.append(_("{0}: {1}").format(_(self.meta.get_label(field)), problem))
		if self.telehealth_modifier and (problem := modifier_problem(self.telehealth_modifier)):
			problems.append(_("Telehealth modifier: {0}").format(problem))
		problems.extend(self.account_problems())
		problems.extend(stripe_settings_problems(self))
		problems.extend(clearinghouse_settings_problems(self))
		throw_problems(problems)

	def account_problems(self) -> list[str]:
		problems = []
		expected_types = {
			"insurance_receivable_account": "Receivable",
			"patient_receivable_account": "Receivable",
		}
		for field in ACCOUNT_FIELDS:
			account = self.get(field)
			if not account:
				continue
			company, account_type, root_type = frappe.db.get_value(
				"Account", account, ["company", "account_type", "root_type"]
			) or (None, None, None)
			label = _(self.meta.get_label(field))
			if self.company and company != self.company:
				problems.append(_("{0} {1} belongs to another company.").format(label, account))
			if field in expected_types and account_type != expected_types[field]:
				problems.append(_("{0} {1} must be a Receivable account.").format(label, account))
			if field == "contractual_adjustment_account" and root_type != "Expense":
				problems.append(_("{0} {1} must be an Expense account.").format(label, account))
		return problems

	@frappe.whitelist()
	def create_missing_accounts(self):
		self.check_permission("write")
		if not self.company:
			frappe.throw(_("Choose the company first."))
		created = ensure_default_accounts(self)
		self.save()
		return created
