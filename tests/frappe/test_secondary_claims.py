"""Secondary claims from the primary's ERA (COB), the secondary's own ERA, and crossovers."""

import json
from dataclasses import dataclass
from decimal import Decimal

import era_records
import frappe
import pytest
from claim_fixtures import add_address, commits_suppressed, configure, judge
from era_records import check_books, era_for, factories, gl_of, money, payer_with_id, sent_claims
from records import make_policy

from claims_billing.clearinghouse import outbound
from claims_billing.core import claim_status
from claims_billing.remittance import denials, era_import, posting
from claims_billing.x12.claim import Adjustment, Claim, Payer, from_dict
from claims_billing.x12.write_835 import ClaimDecision, LineDecision
from claims_billing.x12.write_837p import write_837p

D = Decimal
PRIMARY_DECISION = [LineDecision(allowed=D("150.00"), coinsurance=D("30.00")), LineDecision()]


def with_secondary(count=1):
	sent = sent_claims(count)
	second = payer_with_id()
	for patient in sent.patients:
		make_policy(patient, second.name, priority="Secondary")
	return sent, second


def post(data) -> str:
	result = era_import.import_era(data, auto_post=False)
	payment = result.payments[0]
	assert frappe.db.get_value("Insurance Payment", payment, "status") == "Ready to Post", (
		frappe.db.get_value("Insurance Payment", payment, "problems")
	)
	posting.submit_payment(payment)
	return payment


def ready_for_the_form(sent) -> None:
	"""What a claim sent from its form needs that ``sent_claims`` skipped: diagnoses, an address, settings."""
	configure()
	for claim in sent.names:
		for service in frappe.get_all(
			"Insurance Claim Service", filters={"parent": claim}, pluck="billable_service"
		):
			frappe.db.set_value("Billable Service", service, "place_of_service", "11")
			frappe.get_doc(
				{
					"doctype": "Billable Service Diagnosis",
					"parent": service,
					"parenttype": "Billable Service",
					"parentfield": "diagnoses",
					"idx": 1,
					"icd10_code": "F41.1",
				}
			).db_insert()
	for patient in sent.patients:
		add_address("Patient", patient)


def snapshot_of(claim: str) -> Claim:
	return from_dict(Claim, json.loads(frappe.db.get_value("Insurance Claim", claim, "x12_snapshot")), claim)


def judged_837p(claim: Claim) -> bytes:
	"""The 837P of ``claim``, which pyx12 must pass with no errors."""
	file = write_837p(
		[claim], factories.make_submitter(), factories.make_receiver(), factories.make_envelope()
	)
	ok, errors = judge(file)
	assert ok, errors
	return file


def next_payer_pays(sent, payer, claim_name: str, lines) -> str:
	"""``claim_name`` (a next payer's claim) is sent, and ``payer``'s ERA for it, with ``lines``, posts."""
	frappe.db.set_value("Insurance Claim", claim_name, "status", claim_status.SUBMITTED)
	next_sent = type(sent)(payer=payer, claims=[snapshot_of(claim_name)], names=[claim_name])
	data, _remittance = era_for(next_sent, [ClaimDecision(claim_name, lines=lines)])
	return post(data)


def earlier_payers_settled(*amounts: str) -> list[LineDecision]:
	"""A next payer's lines: OA-23 carries what the earlier payers settled, it pays the rest."""
	return [LineDecision(other_adjustments=[Adjustment("OA", "23", D(amount))]) for amount in amounts]


def secondary_of(claim: str) -> str:
	return frappe.db.get_value("Insurance Claim", {"secondary_claim_of": claim}, "name")


@dataclass
class AfterPrimary:
	"""Claims of a patient with a secondary policy, after the primary payer's ERA posted."""

	sent: object
	second: object  # the secondary payer
	primary: str
	secondary: str | None  # the next payer's claim the posting created
	payment: str  # the primary's Insurance Payment


def after_primary_era(mode: str, lines=PRIMARY_DECISION, *, for_the_form=False, tertiary_payer=None):
	"""``with_secondary``, then the primary pays its first claim as ``lines`` say, in ``mode``."""
	frappe.db.set_single_value("Claims Billing Settings", "secondary_claims_mode", mode)
	sent, second = with_secondary()
	if tertiary_payer is not None:
		make_policy(sent.patients[0], tertiary_payer.name, priority="Tertiary")
	if for_the_form:
		ready_for_the_form(sent)
	primary = sent.names[0]
	data, _remittance = era_for(sent, [ClaimDecision(primary, lines=lines)])
	payment = post(data)
	return AfterPrimary(sent, second, primary, secondary_of(primary), payment)


def test_secondary_claim_carries_the_primarys_amounts_and_its_era_posts():
	after = after_primary_era("Queued")
	sent, second, primary, secondary = after.sent, after.second, after.primary, after.secondary
	first_payment = after.payment
	assert secondary
	values = frappe.db.get_value(
		"Insurance Claim",
		secondary,
		[
			"status",
			"payer",
			"balance",
			"payer_responsibility",
			"prior_payers_amount",
			"receivable_journal_entry",
			"docstatus",
		],
		as_dict=True,
	)
	first_entry = frappe.db.get_value("Insurance Payment", first_payment, "journal_entry")
	assert values.status == claim_status.QUEUED and values.docstatus == 1
	assert values.payer == second.name and values.payer_responsibility == "Secondary"
	assert money(values.balance) == D("30.00") and money(values.prior_payers_amount) == D("290.00")
	assert values.receivable_journal_entry == first_entry
	# The primary's patient responsibility now sits on the secondary payer's receivable.
	books = frappe.get_cached_doc("Claims Billing Settings")
	second_customer = frappe.db.get_value("Insurance Payer", second.name, "customer")
	assert gl_of(first_entry)[(books.insurance_receivable_account, second_customer)] == D("30.00")
	check_books([primary, secondary])

	claim = from_dict(
		Claim, json.loads(frappe.db.get_value("Insurance Claim", secondary, "x12_snapshot")), "secondary"
	)
	assert claim.payer_responsibility == "S"
	[other] = claim.other_payers
	assert other.paid == D("260.00") and other.responsibility == "P"
	assert [(a.group, a.reason, a.amount) for a in other.line_adjudications[0].adjustments] == [
		("CO", "45", D("30.00")),
		("PR", "2", D("30.00")),
	]
	file = judged_837p(claim)
	assert b"AMT*D*260" in file and b"CAS*PR*2*30" in file

	# The secondary is sent, then its payer pays the 30.00 left: OA-23 carries the primary's share.
	second_payment = next_payer_pays(
		sent,
		second,
		secondary,
		earlier_payers_settled("150.00", "140.00"),
	)
	assert frappe.db.get_value("Insurance Claim", secondary, ["status", "balance"]) == (claim_status.PAID, 0)
	second_gl = gl_of(frappe.db.get_value("Insurance Payment", second_payment, "journal_entry"))
	assert second_gl[(books.insurance_receivable_account, second_customer)] == D("-30.00")
	check_books([primary, secondary])


def test_a_crossover_is_recognised_and_not_sent_again():
	sent, second = with_secondary()
	primary = sent.names[0]
	data, _remittance = era_for(
		sent,
		[
			ClaimDecision(
				primary,
				lines=PRIMARY_DECISION,
				forward_to=Payer(name=second.payer_name[:60], payer_id=second.payer_id),
			)
		],
	)
	post(data)
	secondary = secondary_of(primary)
	values = frappe.db.get_value(
		"Insurance Claim", secondary, ["status", "crossover", "balance"], as_dict=True
	)
	assert values.status == claim_status.SUBMITTED and values.crossover == 1
	assert money(values.balance) == D("30.00")
	# Never picked up by the send job: it only takes Queued claims.
	assert not frappe.db.exists("Insurance Claim", {"name": secondary, "status": claim_status.QUEUED})
	check_books([primary, secondary])


def test_draft_mode_and_cancel_removes_the_unsent_secondary():
	after = after_primary_era("Draft")
	primary, secondary, payment = after.primary, after.secondary, after.payment
	assert frappe.db.get_value("Insurance Claim", secondary, ["status", "docstatus"]) == (
		claim_status.DRAFT,
		0,
	)
	frappe.get_doc("Insurance Payment", payment).cancel()
	assert not frappe.db.exists("Insurance Claim", secondary)
	check_books([primary])


def test_a_draft_secondary_submitted_from_its_form_keeps_the_primarys_cob_data():
	after = after_primary_era("Draft", for_the_form=True)
	sent, second, primary, secondary = after.sent, after.second, after.primary, after.secondary
	services = frappe.get_all(
		"Insurance Claim Service", filters={"parent": primary}, pluck="billable_service"
	)

	# A service the primary never billed can't ride along on the next payer's claim.
	doc = frappe.get_doc("Insurance Claim", secondary)
	first = frappe.get_doc("Billable Service", services[0])
	unbilled = era_records._service(
		first.patient, first.practitioner, "90832", D("90.00"), first.date_of_service
	)
	doc.append("services", {"billable_service": unbilled})
	with pytest.raises(frappe.ValidationError, match=f"not on claim {primary}"):
		doc.save()

	doc = frappe.get_doc("Insurance Claim", secondary)
	doc.submit()
	assert not doc.problems, doc.problems
	assert frappe.db.get_value("Insurance Claim", secondary, ["status", "docstatus"]) == (
		claim_status.QUEUED,
		1,
	)
	assert money(frappe.db.get_value("Insurance Claim", secondary, "balance")) == D("30.00")
	assert {frappe.db.get_value("Billable Service", name, "billed_by") for name in services} == {primary}
	claim = snapshot_of(secondary)
	assert claim.payer_responsibility == "S" and claim.payer.payer_id == second.payer_id
	[other_payer] = claim.other_payers
	assert other_payer.paid == D("260.00") and other_payer.payer.payer_id == sent.payer.payer_id
	assert [(a.group, a.reason, a.amount) for a in other_payer.line_adjudications[0].adjustments] == [
		("CO", "45", D("30.00")),
		("PR", "2", D("30.00")),
	]
	file = judged_837p(claim)
	assert b"SBR*S*" in file and b"SBR*P*" in file and b"AMT*D*260" in file and b"CAS*PR*2*30" in file
	check_books([primary, secondary])


def test_tertiary_claim_carries_both_earlier_payers_and_its_era_closes_the_claim():
	third = payer_with_id()
	after = after_primary_era("Queued", tertiary_payer=third)
	sent, second, primary, secondary = after.sent, after.second, after.primary, after.secondary

	# The secondary allows 30 of the 30 left on line 1, pays 20 and leaves 10 coinsurance.
	next_payer_pays(
		sent,
		second,
		secondary,
		[
			LineDecision(coinsurance=D("10.00"), other_adjustments=[Adjustment("OA", "23", D("150.00"))]),
			LineDecision(other_adjustments=[Adjustment("OA", "23", D("140.00"))]),
		],
	)
	assert frappe.db.get_value("Insurance Claim", secondary, ["status", "balance"]) == (claim_status.PAID, 0)
	tertiary = secondary_of(secondary)
	values = frappe.db.get_value(
		"Insurance Claim",
		tertiary,
		["status", "payer", "payer_responsibility", "balance", "prior_payers_amount"],
		as_dict=True,
	)
	assert values.status == claim_status.QUEUED and values.payer == third.name
	assert values.payer_responsibility == "Tertiary"
	assert money(values.balance) == D("10.00") and money(values.prior_payers_amount) == D("310.00")
	check_books([primary, secondary, tertiary])

	claim = snapshot_of(tertiary)
	assert claim.payer_responsibility == "T" and claim.payer.payer_id == third.payer_id
	assert [(o.responsibility, o.payer.payer_id, o.paid) for o in claim.other_payers] == [
		("S", second.payer_id, D("20.00")),
		("P", sent.payer.payer_id, D("260.00")),
	]
	file = judged_837p(claim)
	assert b"SBR*T*" in file and b"AMT*D*20~" in file and b"AMT*D*260~" in file

	# The tertiary payer pays the 10 left.
	third_payment = next_payer_pays(
		sent,
		third,
		tertiary,
		earlier_payers_settled("170.00", "140.00"),
	)
	assert frappe.db.get_value("Insurance Claim", tertiary, ["status", "balance"]) == (claim_status.PAID, 0)
	books = frappe.get_cached_doc("Claims Billing Settings")
	third_customer = frappe.db.get_value("Insurance Payer", third.name, "customer")
	third_gl = gl_of(frappe.db.get_value("Insurance Payment", third_payment, "journal_entry"))
	assert third_gl[(books.insurance_receivable_account, third_customer)] == D("-10.00")
	check_books([primary, secondary, tertiary])


def test_a_denied_secondary_is_corrected_as_a_secondary_and_takes_over_its_receivable():
	after = after_primary_era("Queued", for_the_form=True)
	sent, second, primary, secondary = after.sent, after.second, after.primary, after.secondary
	frappe.db.set_value("Insurance Claim", secondary, "clearinghouse_file", "sent-secondary")
	next_payer_pays(
		sent, second, secondary, [LineDecision(denial=("CO", "16")), LineDecision(denial=("CO", "16"))]
	)
	assert frappe.db.get_value("Insurance Claim", secondary, "status") == claim_status.DENIED
	denial = frappe.db.get_value("Claim Denial", {"insurance_claim": secondary, "status": "Open"}, "name")
	assert denial

	# Voiding would strand what the primary left on the secondary payer's receivable.
	from claims_billing.claims.api import void_claim

	with pytest.raises(frappe.ValidationError, match="can't be voided"):
		void_claim(secondary)

	corrected = denials.resubmit(denial)
	doc = frappe.get_doc("Insurance Claim", corrected)
	assert (doc.secondary_claim_of, doc.payer, doc.payer_responsibility) == (
		primary,
		second.name,
		"Secondary",
	)
	assert money(doc.balance) == D("30.00") and not doc.problems, doc.problems
	doc.submit()
	claim = snapshot_of(corrected)
	assert claim.frequency == "7" and claim.payer_responsibility == "S"
	assert [o.paid for o in claim.other_payers] == [D("260.00")]
	judged_837p(claim)

	# Sent: the correction, not the denied claim, now owes the 30.00 on the secondary payer's receivable.
	frappe.db.set_value("Insurance Claim", corrected, "clearinghouse_file", "sent-correction")
	with commits_suppressed():
		assert outbound.book_receivables("sent-correction") == {}
	assert money(frappe.db.get_value("Insurance Claim", secondary, "balance")) == D("0.00")
	assert money(frappe.db.get_value("Insurance Claim", corrected, "balance")) == D("30.00")
	assert check_books([primary, corrected]) == {sent.payer.name: D("0.00"), second.name: D("30.00")}


def test_a_primary_denial_the_patient_owes_goes_to_the_secondary_with_its_cas():
	not_covered = [LineDecision(denial=("PR", "204")), LineDecision(denial=("PR", "204"))]
	after = after_primary_era("Queued", not_covered)
	second, primary, secondary = after.second, after.primary, after.secondary
	assert secondary, "a denial the patient owes is billed to the next payer"
	values = frappe.db.get_value(
		"Insurance Claim", secondary, ["payer", "balance", "prior_payers_amount"], as_dict=True
	)
	assert values.payer == second.name
	assert money(values.balance) == D("320.00") and money(values.prior_payers_amount) == D("0.00")
	claim = snapshot_of(secondary)
	[other] = claim.other_payers
	assert other.paid == D("0.00")
	assert [
		[(a.group, a.reason, a.amount) for a in line.adjustments] for line in other.line_adjudications
	] == [
		[("PR", "204", D("180.00"))],
		[("PR", "204", D("140.00"))],
	]
	file = judged_837p(claim)
	assert b"AMT*D*0~" in file and b"CAS*PR*204*180~" in file
	check_books([primary, secondary])


def test_a_contractual_denial_stays_on_the_denials_worklist_and_bills_no_next_payer():
	not_necessary = [LineDecision(denial=("CO", "50")), LineDecision(denial=("CO", "50"))]
	after = after_primary_era("Queued", not_necessary)
	primary = after.primary
	assert not after.secondary
	assert frappe.db.get_value("Claim Denial", {"insurance_claim": primary}, "status") == "Open"
	assert money(frappe.db.get_value("Insurance Claim", primary, "balance")) == D("320.00")
	check_books([primary])
