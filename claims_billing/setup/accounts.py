"""Default accounts in the company's chart: a payer/patient receivable split and contractual write-offs."""

import frappe
from frappe import _

from claims_billing.setup.install_records import remember

ACCOUNT_FIELDS = (
	"insurance_receivable_account",
	"patient_receivable_account",
	"contractual_adjustment_account",
)
# settings field -> (account name, account type)
DEFAULT_ACCOUNTS = {
	"insurance_receivable_account": ("Insurance Receivable", "Receivable"),
	"patient_receivable_account": ("Patient Receivable", "Receivable"),
	"contractual_adjustment_account": ("Contractual Adjustment", ""),
}


def ensure_default_accounts(settings) -> list[str]:
	"""Fill empty account fields on ``settings`` with existing or new accounts. Returns new ones.

	The caller saves ``settings``.
	"""
	company = settings.company
	created = []
	for field, (account_name, account_type) in DEFAULT_ACCOUNTS.items():
		if settings.get(field):
			continue
		account = frappe.db.get_value(
			"Account", {"account_name": account_name, "company": company, "is_group": 0}, "name"
		)
		if not account:
			parent = receivable_parent(company) if account_type == "Receivable" else write_off_parent(company)
			account = make_account(company, account_name, account_type, parent)
			created.append(account)
			remember(settings, "accounts", account)
		settings.set(field, account)
	return created


def make_account(company: str, account_name: str, account_type: str, parent: str) -> str:
	account = frappe.get_doc(
		{
			"doctype": "Account",
			"company": company,
			"account_name": account_name,
			"account_type": account_type,
			"parent_account": parent,
			"is_group": 0,
			"account_currency": frappe.get_cached_value("Company", company, "default_currency"),
		}
	)
	account.insert(ignore_permissions=True)
	return account.name


def receivable_parent(company: str) -> str:
	"""The group holding the company's default receivable (Accounts Receivable in standard charts)."""
	default = frappe.get_cached_value("Company", company, "default_receivable_account")
	parent = default and frappe.db.get_value("Account", default, "parent_account")
	return parent or _group(company, "Asset", "Accounts Receivable")


def write_off_parent(company: str) -> str:
	default = frappe.get_cached_value("Company", company, "write_off_account")
	parent = default and frappe.db.get_value("Account", default, "parent_account")
	return parent or _group(company, "Expense", "Indirect Expenses")


def _group(company: str, root_type: str, preferred_name: str) -> str:
	groups = frappe.get_all(
		"Account",
		filters={"company": company, "root_type": root_type, "is_group": 1},
		fields=["name", "account_name", "lft"],
		order_by="lft desc",
	)
	for group in groups:
		if group.account_name == preferred_name:
			return group.name
	if not groups:
		frappe.throw(
			_("Company {0} has no {1} group account to hold new accounts.").format(company, root_type)
		)
	return groups[0].name
