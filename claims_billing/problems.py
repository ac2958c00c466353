"""Collect every problem with a document, then refuse the save once, listing them all."""

import frappe
from frappe import _
from frappe.utils import escape_html


class BillingValidationError(frappe.ValidationError):
	"""A billing document failed validation; the message lists every problem found."""


def throw_problems(problems: list[str], title: str | None = None) -> None:
	"""Raise BillingValidationError with a bulleted list when ``problems`` is not empty."""
	if not problems:
		return
	items = "".join(f"<li>{escape_html(problem)}</li>" for problem in problems)
	frappe.throw(
		f"<ul>{items}</ul>",
		exc=BillingValidationError,
		title=title or _("Please fix these before saving"),
	)
