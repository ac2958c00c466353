"""The next payer's claim (secondary, tertiary) once a payer has adjudicated a claim.

When a posted claim's patient has an active policy of the next priority (Primary -> Secondary ->
Tertiary), posting moves the remaining patient responsibility to that payer's receivable (a row of
the posting's Journal Entry, see ``accounting.remittance``) and ``create_next_payer_claims``
creates the next claim: the same services, the next policy, and the COB loops (2320/2330/2430)
built by ``core.cob.secondary_claim`` from the payer's claim payment as it came in the ERA (paid
amounts, CAS adjustments, adjudication date, the payer's claim number). Its balance is the
remaining patient responsibility; its receivable is that Journal Entry row, so it is not booked
again when it is sent. It is a draft or queued for sending, per the "Next Payer's Claims" setting.

This happens whether the payer paid or paid in part, also when it denied some lines (their CAS go
along). A zero-pay denial moves no money, so it stays with the denials worklist instead.

A claim the payer forwarded itself (CLP02 19/20/21, NM1*TT) is a crossover: the next claim is
recorded as already submitted and is never sent again.
"""

from __future__ import annotations

import json

import frappe
from frappe import _
from frappe.model.naming import make_autoname
from frappe.utils import getdate, now_datetime

from claims_billing.core import claim_status
from claims_billing.core.cob import secondary_claim
from claims_billing.remittance import payment_data
from claims_billing.remittance.payment_data import ZERO, money
from claims_billing.x12.claim import Claim, from_dict, to_dict
from claims_billing.x12.remittance import ClaimPayment, Remittance

CLAIM = "Insurance Claim"
POLICY = "Patient Insurance Policy"
NEXT_PRIORITY = {"Primary": "Secondary", "Secondary": "Tertiary"}
CLAIM_NAMING = "CLM-.YY.-.#####"


def enabled() -> bool:
	"""Next-payer claims need the COB fields on Insurance Claim; without them PR goes to the patient."""
	return frappe.get_meta(CLAIM).has_field("secondary_claim_of")


def next_policy(info):
	"""The patient's active policy of the next priority on the claim's first date of service, or None."""
	return next_policies({info.name: info}).get(info.name)


def next_policies(claims: dict) -> dict:
	"""``next_policy`` for many claims (name -> info) in three queries."""
	policies = {info.insurance_policy for info in claims.values() if info.insurance_policy}
	patients = {info.patient for info in claims.values() if info.patient}
	if not policies or not patients:
		return {}
	priorities = dict(
		frappe.get_all(
			POLICY, filters={"name": ["in", list(policies)]}, fields=["name", "priority"], as_list=True
		)
	)
	days = dict(
		frappe.get_all(
			CLAIM,
			filters={"name": ["in", list(claims)]},
			fields=["name", "first_date_of_service"],
			as_list=True,
		)
	)
	candidates: dict[tuple, list] = {}
	for policy in frappe.get_all(
		POLICY,
		filters={
			"patient": ["in", list(patients)],
			"priority": ["in", list(NEXT_PRIORITY.values())],
			"enabled": 1,
		},
		fields=["name", "payer", "patient_doctype", "patient", "priority", "valid_from", "valid_to"],
		order_by="valid_from desc",
	):
		candidates.setdefault((policy.patient_doctype, policy.patient, policy.priority), []).append(policy)
	found = {}
	for name, info in claims.items():
		wanted = NEXT_PRIORITY.get(priorities.get(info.insurance_policy) or "Primary")
		day = getdate(days[name]) if days.get(name) else None
		for policy in candidates.get((info.patient_doctype, info.patient, wanted), []):
			if day and policy.valid_from and getdate(policy.valid_from) > day:
				continue
			if day and policy.valid_to and getdate(policy.valid_to) < day:
				continue
			found[name] = policy
			break
	return found


def _subscriber(claim_doc, policy_name: str):
	"""The next payer's subscriber and payer as the 837P needs them (claim_data maps the records)."""
	from claims_billing.claims.claim_data import build_claim

	doc = frappe.get_doc(CLAIM, claim_doc)
	doc.insurance_policy = policy_name
	doc.payer = frappe.db.get_value(POLICY, policy_name, "payer")
	built = build_claim(doc)
	return built.claim.subscriber, built.claim.payer, built.claim.patient


def _payment_of(row) -> ClaimPayment:
	if row.era_json:
		return from_dict(ClaimPayment, json.loads(row.era_json), f"claim row {row.idx}")
	return payment_data.claim_payment_from_row(row)


def create_next_payer_claims(doc, claims, next_payers, posting_input, plan, journal_entry) -> list[str]:
	"""One next-payer claim per posted claim that has a next payer; returns their names."""
	if not next_payers:
		return []
	mode = frappe.get_cached_doc("Claims Billing Settings").get("secondary_claims_mode") or "Draft"
	moved = {posting.claim_id: posting.breakdown.patient_responsibility for posting in plan.claims}
	created = []
	for row in doc.claims:
		name = row.insurance_claim
		if not name or name not in next_payers or row.reversal or row.secondary_claim:
			continue
		info = claims[name]
		policy = next_policy(info)
		balance = moved.get(name, ZERO)
		# A zero-pay denial moves nothing: it waits on the denials worklist (resubmit, appeal, write off).
		if policy is None or balance <= 0 or payment_data.row_is_zero_pay_denial(row):
			continue
		created.append(
			_create(doc, row, info, policy, balance, journal_entry, crossover=bool(row.forwarded), mode=mode)
		)
	return created


def _create(doc, row, info, policy, balance, journal_entry, crossover: bool, mode: str) -> str:
	primary = frappe.get_doc(CLAIM, info.name)
	primary_claim = from_dict(Claim, json.loads(primary.x12_snapshot), f"claim {primary.name}")
	payment = _payment_of(row)
	payment.claim_id = primary_claim.claim_id
	remittance = Remittance(
		control_number=doc.name,
		handling_code="I",
		amount=money(doc.amount),
		credit_debit="C",
		method="",
		payment_date=getdate(doc.payment_date),
		trace_number=doc.trace_number or doc.name,
	)
	subscriber, payer, patient = _subscriber(primary.name, policy.name)
	# What the patient records lack, the claim as first sent still knows (the same person).
	for field in ("address", "date_of_birth", "sex"):
		if patient is None and not getattr(subscriber, field) and getattr(primary_claim.subscriber, field):
			setattr(subscriber, field, getattr(primary_claim.subscriber, field))
	name = make_autoname(CLAIM_NAMING)
	next_claim = secondary_claim(primary_claim, payment, remittance, payer, subscriber, name, patient=patient)
	responsibility = {"S": "Secondary", "T": "Tertiary"}.get(next_claim.payer_responsibility, "Secondary")
	if crossover:
		status = claim_status.SUBMITTED
		note = _("Forwarded by {0} to the next payer (crossover) in {1}; not sent again.").format(
			primary.payer_name, doc.name
		)
	elif mode == "Queued":
		status, note = claim_status.QUEUED, _("Created from {0} and queued for sending.").format(doc.name)
	else:
		status, note = claim_status.DRAFT, _("Created from {0} for review.").format(doc.name)
	docstatus = 0 if status == claim_status.DRAFT else 1
	values = {
		"doctype": CLAIM,
		"name": name,
		"claim_number": name,
		"status": status,
		"frequency": "Original",
		"patient_doctype": primary.patient_doctype,
		"patient": primary.patient,
		"patient_name": primary.patient_name,
		"insurance_policy": policy.name,
		"payer": policy.payer,
		"payer_name": frappe.db.get_value("Insurance Payer", policy.payer, "payer_name"),
		"company": primary.company,
		"currency": primary.currency,
		"first_date_of_service": primary.first_date_of_service,
		"place_of_service": primary.place_of_service,
		"prior_authorization": "",
		"total_charge": primary.total_charge,
		"expected_allowed": primary.expected_allowed,
		"balance": payment_data.currency(balance),
		"payer_responsibility": responsibility,
		"secondary_claim_of": primary.name,
		"crossover": 1 if crossover else 0,
		"prior_payers_amount": payment_data.currency(money(primary.total_charge) - balance),
		"receivable_journal_entry": journal_entry,
		"x12_snapshot": json.dumps(to_dict(next_claim), separators=(",", ":")),
		"docstatus": docstatus,
		"services": [
			{
				k: line.get(k)
				for k in (
					"billable_service",
					"date_of_service",
					"procedure_code",
					"modifiers",
					"units",
					"charge",
					"expected_allowed",
					"diagnosis_pointers",
					"practitioner",
					"place_of_service",
				)
			}
			for line in primary.services
		],
		"diagnoses": [{"icd10_code": d.icd10_code, "description": d.description} for d in primary.diagnoses],
		"status_history": [
			{
				"changed_at": now_datetime(),
				"from_status": claim_status.DRAFT,
				"to_status": status,
				"source_kind": claim_status.SOURCE_FILE,
				"source": doc.name,
				"reason": note,
			}
		],
	}
	if crossover:
		values["submitted_on"] = now_datetime()
	new = frappe.get_doc(values)
	new.set_parent_in_children()
	# Written as the posting decides, not re-derived by the claim's form checks: the services stay
	# billed by the first claim, and the COB data comes from this payment, not from the records.
	new.db_insert()
	for child in new.get_all_children():
		child.docstatus = docstatus
		child.db_insert()
	row.db_set("secondary_claim", name, update_modified=False)
	primary.add_note(_("Next payer's claim {0} created from {1}.").format(name, doc.name))
	for child in primary.status_history[-1:]:
		child.db_insert()
	return name


def remove_next_payer_claims(doc) -> None:
	"""Cancelling the payment removes the next-payer claims it created, unless one has been sent."""
	names = [row.secondary_claim for row in doc.claims if row.secondary_claim]
	for name in names:
		values = frappe.db.get_value(CLAIM, name, ["status", "crossover"], as_dict=True)
		if values is None:
			continue
		if values.status not in (claim_status.DRAFT, claim_status.QUEUED) and not values.crossover:
			frappe.throw(
				_("Claim {0} created by this payment has been sent ({1}); void it first.").format(
					name, _(values.status)
				)
			)
		if frappe.db.exists("Insurance Payment Claim", {"insurance_claim": name, "docstatus": 1}):
			frappe.throw(
				_("Claim {0} created by this payment has been paid; cancel that payment first.").format(name)
			)
		frappe.db.delete("Insurance Claim Service", {"parent": name, "parenttype": CLAIM})
		frappe.db.delete("Insurance Claim Diagnosis", {"parent": name, "parenttype": CLAIM})
		frappe.db.delete("Insurance Claim Status Change", {"parent": name, "parenttype": CLAIM})
		frappe.db.delete(CLAIM, {"name": name})
