"""Posting an Insurance Payment on submit, and reversing it on cancel: one transaction, all or nothing.

Submit: the rows become a ``PostingPlan`` (``core.adjudication.plan_posting``); a plan that does not
balance is refused with its problems. Then, in the caller's transaction: the Journal Entry
(``accounting.remittance``), each claim's balance and status with a history row that records the
amounts, denials for the worklist, the next payer's claims, and the Unmatched Remittance rows the
payment settles. ``submit_payment`` wraps it in a savepoint so a failure anywhere leaves nothing.

Cancel: the Journal Entry is cancelled (ERPNext reverses its GL and payment ledger rows), balances
and statuses go back, open denials and unsent next-payer claims it created are removed.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import now_datetime

from claims_billing.accounting import remittance as books
from claims_billing.accounting.claims import payer_customer
from claims_billing.claims_billing.doctype.insurance_claim.insurance_claim import apply_status_changes
from claims_billing.core import adjudication, claim_status
from claims_billing.patient.records import patient_customer
from claims_billing.remittance import payment_data
from claims_billing.remittance.payment_data import ZERO, money

PAYMENT = "Insurance Payment"
CLAIM = "Insurance Claim"
STATUS_POSTED = "Posted"
STATUS_CANCELLED = "Cancelled"
BLOCKING_PROBLEMS = frozenset({"payment-unbalanced", "plan-unbalanced"})


class PostingError(frappe.ValidationError):
	pass


def submit_payment(name: str, raise_on_failure: bool = True) -> bool:
	"""Submit (post) one Insurance Payment in a savepoint: on any failure nothing of it is left."""
	savepoint = f"post_{frappe.generate_hash(length=8)}"
	frappe.db.savepoint(savepoint)
	try:
		doc = frappe.get_doc(PAYMENT, name)
		doc.flags.ignore_permissions = True
		doc.flags.rows_as_stored = doc.source == "ERA File"
		doc.submit()
	except Exception:
		frappe.db.rollback(save_point=savepoint)
		frappe.clear_document_cache(PAYMENT, name)
		if raise_on_failure:
			raise
		frappe.log_error(title=_("Insurance Payment {0} could not be posted").format(name))
		return False
	frappe.db.release_savepoint(savepoint)
	return True


def _claims_info(names: list[str]) -> dict:
	if not names:
		return {}
	meta = frappe.get_meta(CLAIM)
	optional = [f for f in ("receivable_journal_entry", "secondary_claim_of") if meta.has_field(f)]
	rows = frappe.get_all(
		CLAIM,
		filters={"name": ["in", names]},
		fields=[
			"name",
			"docstatus",
			"status",
			"payer",
			"patient_doctype",
			"patient",
			"sales_invoice",
			"balance",
			"total_charge",
			"payer_claim_number",
			"insurance_policy",
			*optional,
		],
	)
	first_services = {}
	for row in frappe.get_all(
		"Insurance Claim Service",
		filters={"parenttype": CLAIM, "parent": ["in", names], "idx": 1},
		fields=["parent", "billable_service"],
	):
		first_services[row.parent] = row.billable_service
	for row in rows:
		row.first_service = first_services.get(row.name)
	return {row.name: row for row in rows}


def _receivable(info) -> tuple[str, str] | None:
	if info.get("receivable_journal_entry"):
		return ("Journal Entry", info.receivable_journal_entry)
	if info.sales_invoice:
		return ("Sales Invoice", info.sales_invoice)
	return None


def validate_for_posting(doc, claims: dict) -> list[str]:
	problems = []
	if not doc.payer:
		problems.append(_("Choose the Insurance Payer this payment comes from."))
	for row in doc.claims:
		where = _("Claim row #{0}").format(row.idx)
		if row.match_status == payment_data.SUGGESTED and not row.insurance_claim:
			problems.append(
				_("{0}: confirm one of the suggested claims or leave it unapplied.").format(where)
			)
		if not row.insurance_claim:
			continue
		info = claims.get(row.insurance_claim)
		if info is None or info.docstatus != 1:
			problems.append(_("{0}: claim {1} is not a submitted claim.").format(where, row.insurance_claim))
			continue
		if info.payer != doc.payer:
			problems.append(
				_("{0}: claim {1} is billed to {2}, not to this payment's payer.").format(
					where, row.insurance_claim, info.payer
				)
			)
		if _receivable(info) is None:
			problems.append(
				_("{0}: claim {1} has no receivable booked yet (it has not been sent).").format(
					where, row.insurance_claim
				)
			)
	return problems


def secondary_claims_enabled() -> bool:
	from claims_billing.remittance.secondary import enabled

	return enabled()


def post(doc) -> None:
	"""Post ``doc`` (called from its on_submit)."""
	names = sorted({row.insurance_claim for row in doc.claims if row.insurance_claim})
	claims = _claims_info(names)
	throw_if(validate_for_posting(doc, claims), _("Insurance Payment {0} can't be posted").format(doc.name))
	posting_input = payment_data.remittance_for_posting(doc)
	next_payers = {}
	if secondary_claims_enabled():
		from claims_billing.remittance.secondary import next_policies

		next_payers = {name: policy.payer for name, policy in next_policies(claims).items()}
	plan = adjudication.plan_posting(
		posting_input.remittance,
		posting_input.claim_ids,
		posting_input.billed_charges,
		next_payer_claims=set(next_payers),
	)
	blocking = [p.message for p in plan.problems if p.code in BLOCKING_PROBLEMS]
	throw_if(blocking, _("Insurance Payment {0} does not balance").format(doc.name))
	ledgers = {}
	customers: dict[tuple, str] = {}

	def customer_of(kind: str, *key: str) -> str:
		if (kind, *key) not in customers:
			customers[(kind, *key)] = payer_customer(*key) if kind == "payer" else patient_customer(*key)
		return customers[(kind, *key)]

	shares = _patient_shares(doc)
	for name, info in claims.items():
		ledgers[name] = books.ClaimLedger(
			claim=name,
			payer_customer=customer_of("payer", info.payer),
			receivable=_receivable(info),
			patient_customer=customer_of("patient", info.patient_doctype, info.patient)
			if info.patient
			else "",
			first_service=info.first_service or "",
			patient_share_by_service=shares.get(name, []),
			next_payer_customer=customer_of("payer", next_payers[name]) if name in next_payers else "",
		)
	journal_entry = books.post_remittance(
		plan,
		payment=doc.name,
		payer_customer=payer_customer(doc.payer),
		claims=ledgers,
		posting_date=doc.payment_date,
		reference_no=doc.trace_number,
	)
	credits: dict[str, Decimal] = defaultdict(lambda: ZERO)
	for claim_posting in plan.claims:
		credits[claim_posting.claim_id] += claim_posting.insurance_receivable_credit
	unapplied = sum((u.paid for u in plan.unapplied), ZERO)
	doc.db_set(
		{
			"journal_entry": journal_entry,
			"unapplied_amount": payment_data.currency(unapplied),
			"status": STATUS_POSTED,
		}
	)
	update_claims(doc, claims, credits)
	from claims_billing.remittance import denials, secondary

	denials.open_denials(doc, claims)
	secondary.create_next_payer_claims(doc, claims, next_payers, posting_input, plan, journal_entry)
	if all(row.insurance_claim for row in doc.claims):
		frappe.db.set_value(
			"Unmatched Remittance", {"insurance_payment": doc.name, "status": "Open"}, "status", "Matched"
		)


def _patient_shares(doc) -> dict[str, list[tuple[str, Decimal]]]:
	"""Each claim's patient responsibility per service (reversals left out)."""
	shares: dict[str, dict[str, Decimal]] = defaultdict(dict)
	for row in doc.services:
		if not (row.insurance_claim and row.billable_service and money(row.patient_responsibility)):
			continue
		if doc.claims[row.claim_row - 1].reversal:
			continue
		claim = shares[row.insurance_claim]
		claim[row.billable_service] = claim.get(row.billable_service, ZERO) + money(
			row.patient_responsibility
		)
	return {claim: list(services.items()) for claim, services in shares.items()}


def throw_if(problems: list[str], title: str) -> None:
	from claims_billing.problems import throw_problems

	throw_problems(problems, title)


def amounts_text(row) -> str:
	return _(
		"paid {0}, patient {1} (deductible {2}, coinsurance {3}, copay {4}), write-off {5}, other {6}, left open {7}"
	).format(
		money(row.paid),
		payment_data.row_patient_responsibility(row),
		money(row.deductible),
		money(row.coinsurance),
		money(row.copay),
		money(row.write_off),
		money(row.other_adjustments) + money(row.payer_initiated),
		money(row.open_balance),
	)


def _target_status(row, balance: Decimal) -> str:
	if row.reversal:
		return claim_status.REVERSED
	if payment_data.row_is_zero_pay_denial(row):
		return claim_status.DENIED
	return claim_status.PAID if balance == 0 else claim_status.PARTIALLY_PAID


def _change(current: str, new: str, reference: str, reason: str) -> claim_status.StatusChange:
	source = claim_status.StatusSource(claim_status.SOURCE_FILE, reference, reason)
	when = now_datetime()
	if current != new and claim_status.is_allowed(current, new, source):
		return claim_status.change_status(current, new, source, when)
	# The payer's answer is the fact: record it even where the usual flow would not lead there.
	return claim_status.StatusChange(current, new, when, claim_status.SOURCE_FILE, reference, reason)


def update_claims(doc, claims: dict, credits: dict[str, Decimal]) -> None:
	"""New balances, statuses (one history row per claim payment, with its amounts), payer claim numbers."""
	balances = {name: money(info.balance) - credits.get(name, ZERO) for name, info in claims.items()}
	changes = []
	current = {name: info.status for name, info in claims.items()}
	extra: dict[str, dict] = {}
	row_statuses: dict[str, tuple[str, str]] = {}
	source = _("{0} (trace {1})").format(doc.name, doc.trace_number or "-")
	for row in doc.claims:
		if not row.insurance_claim:
			continue
		name = row.insurance_claim
		new = _target_status(row, balances[name])
		change = _change(current[name], new, source, amounts_text(row))
		changes.append((name, change))
		row_statuses[row.name] = (current[name], new)
		row.previous_status, row.new_status = current[name], new
		current[name] = new
		if row.payer_claim_number and not claims[name].payer_claim_number and not row.reversal:
			extra.setdefault(name, {})["payer_claim_number"] = row.payer_claim_number
	apply_status_changes(changes, extra=extra)
	set_balances(balances)
	_set_row_statuses(row_statuses)


def _set_row_statuses(statuses: dict[str, tuple[str, str]]) -> None:
	items = list(statuses.items())
	for start in range(0, len(items), 500):
		chunk = items[start : start + 500]
		before = " ".join(["when %s then %s"] * len(chunk))
		values = [v for name, (previous, _new) in chunk for v in (name, previous)]
		values += [v for name, (_previous, new) in chunk for v in (name, new)]
		frappe.db.sql(
			f"""update `tabInsurance Payment Claim` set previous_status = case name {before} end,
			new_status = case name {before} end where name in %s""",
			(*values, [name for name, _statuses in chunk]),
		)


def set_balances(balances: dict[str, Decimal]) -> None:
	"""Many claims' balances in a few statements."""
	items = list(balances.items())
	for start in range(0, len(items), 500):
		chunk = items[start : start + 500]
		cases = " ".join(["when %s then %s"] * len(chunk))
		values = [v for name, balance in chunk for v in (name, payment_data.currency(balance))]
		frappe.db.sql(
			f"update `tab{CLAIM}` set balance = case name {cases} end where name in %s",
			(*values, [name for name, _balance in chunk]),
		)


# --- cancel ---------------------------------------------------------------------------------------


def cancel(doc) -> None:
	"""Reverse everything ``post`` did (called from the payment's on_cancel)."""
	from claims_billing.remittance import denials, secondary

	secondary.remove_next_payer_claims(doc)
	denials.remove_denials(doc)
	books.cancel_remittance(doc.journal_entry)
	names = sorted({row.insurance_claim for row in doc.claims if row.insurance_claim})
	claims = _claims_info(names)
	credits: dict[str, Decimal] = defaultdict(lambda: ZERO)
	posting_input = payment_data.remittance_for_posting(doc)
	plan = adjudication.plan_posting(
		posting_input.remittance, posting_input.claim_ids, posting_input.billed_charges
	)
	for claim_posting in plan.claims:
		credits[claim_posting.claim_id] += claim_posting.insurance_receivable_credit
	set_balances({name: money(info.balance) + credits.get(name, ZERO) for name, info in claims.items()})
	changes = []
	reason = _("Insurance Payment {0} was cancelled; its posting is reversed.").format(doc.name)
	first_status: dict[str, str] = {}
	for row in doc.claims:
		if row.insurance_claim and row.insurance_claim not in first_status and row.previous_status:
			first_status[row.insurance_claim] = row.previous_status
	for name, previous in first_status.items():
		current = claims[name].status
		source = claim_status.StatusSource(claim_status.SOURCE_USER, frappe.session.user, reason)
		changes.append(
			(
				name,
				claim_status.StatusChange(
					current, previous, now_datetime(), source.kind, source.reference, reason, manual=True
				),
			)
		)
	apply_status_changes(changes)
	frappe.db.set_value(
		"Unmatched Remittance", {"insurance_payment": doc.name, "status": "Matched"}, "status", "Open"
	)
	doc.db_set({"status": STATUS_CANCELLED, "payment_key": None})
