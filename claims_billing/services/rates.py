"""Read fee schedule and payer contract rows into core.pricing Rates and pick one."""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate

from claims_billing.core.codes import modifier_problem, procedure_code_problem
from claims_billing.core.pricing import CENT, Rate, find_rate, normalize_modifiers, normalize_procedure_code


def fee_schedule_rate(
	procedure_code: str, on_date, modifiers=(), practitioner: str | None = None
) -> Rate | None:
	"""The practice's charge per unit for a service, from enabled fee schedules."""
	rows = frappe.db.sql(
		"""
		select schedule.name as source, schedule.practitioner, schedule.effective_from,
			schedule.effective_to, item.procedure_code, item.modifiers, item.charge as amount
		from `tabFee Schedule Item` item
		join `tabFee Schedule` schedule on schedule.name = item.parent
		where item.parenttype = 'Fee Schedule' and schedule.enabled = 1 and item.procedure_code = %s
		""",
		normalize_procedure_code(procedure_code),
		as_dict=True,
	)
	return find_rate(_rates(rows), procedure_code, getdate(on_date), modifiers, practitioner)


def contract_allowed_rate(payer: str, procedure_code: str, on_date, modifiers=()) -> Rate | None:
	"""What ``payer`` allows per unit for a service under its enabled contracts."""
	rows = frappe.db.sql(
		"""
		select contract.name as source, contract.effective_from, contract.effective_to,
			item.procedure_code, item.modifiers, item.allowed_amount as amount
		from `tabPayer Contract Item` item
		join `tabPayer Contract` contract on contract.name = item.parent
		where item.parenttype = 'Payer Contract' and contract.enabled = 1
			and contract.payer = %s and item.procedure_code = %s
		""",
		(payer, normalize_procedure_code(procedure_code)),
		as_dict=True,
	)
	return find_rate(_rates(rows), procedure_code, getdate(on_date), modifiers)


def _rates(rows) -> list[Rate]:
	return [
		Rate(
			procedure_code=row.procedure_code,
			# Currency columns come back as floats; str() keeps the two stored decimals exact.
			amount=Decimal(str(row.amount or 0)).quantize(CENT),
			effective_from=getdate(row.effective_from),
			effective_to=getdate(row.effective_to) if row.effective_to else None,
			modifiers=normalize_modifiers(row.modifiers),
			practitioner=row.get("practitioner") or None,
			source=row.source,
		)
		for row in rows
	]


def rate_table_problems(doc, amount_field: str) -> list[str]:
	"""Problems in a fee schedule / payer contract: dates, codes, modifiers, repeated rows."""
	problems = []
	if doc.effective_to and getdate(doc.effective_to) < getdate(doc.effective_from):
		problems.append(_("Effective to is before effective from."))
	seen = {}
	for row in doc.items:
		row.procedure_code = normalize_procedure_code(row.procedure_code)
		modifiers = normalize_modifiers(row.modifiers)
		row.modifiers = " ".join(modifiers)
		if problem := procedure_code_problem(row.procedure_code):
			problems.append(_("Row #{0}: {1}").format(row.idx, problem))
		for modifier in modifiers:
			if problem := modifier_problem(modifier):
				problems.append(_("Row #{0}: {1}").format(row.idx, problem))
		if len(modifiers) > 4:
			problems.append(_("Row #{0}: at most 4 modifiers.").format(row.idx))
		if (row.get(amount_field) or 0) < 0:
			problems.append(_("Row #{0}: the amount cannot be negative.").format(row.idx))
		key = (row.procedure_code, frozenset(modifiers))
		if key in seen:
			problems.append(
				_("Row #{0}: {1} repeats row #{2}.").format(row.idx, row.procedure_code, seen[key])
			)
		else:
			seen[key] = row.idx
	return problems
