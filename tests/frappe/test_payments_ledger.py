"""The per-service payments ledger, derived from ERPNext documents and reconciled with the GL to the cent."""

from decimal import Decimal

import frappe
import pytest
from patient_side import (
	configure_practice,
	gl_balance,
	make_clinician,
	make_patient_with_contact,
	money,
	pdf_text,
	private_service,
	serve_fake_stripe,
	settings_value,
	use_stripe,
)
from records import days_ago, make_payer, make_policy

from claims_billing.accounting.patient import write_off_patient_balance
from claims_billing.claims_billing.report.patient_payments_ledger import patient_payments_ledger as report
from claims_billing.patient import api
from claims_billing.patient.invoicing import apply_stripe_event, make_patient_invoice, send_patient_invoice
from claims_billing.patient.payments_ledger import patient_ledger
from claims_billing.patient.records import patient_customer
from claims_billing.patient.statement import statement_pdf

D = Decimal


@pytest.fixture
def fake_stripe(monkeypatch):
	yield from serve_fake_stripe(monkeypatch)


@pytest.fixture
def clinic(fake_stripe):
	configure_practice()
	use_stripe(fake_stripe)
	patient = make_patient_with_contact(email="ledger.patient@example.com")
	return frappe._dict(
		clinician=make_clinician(),
		patient=patient,
		customer=patient_customer("Patient", patient.name),
		stripe=fake_stripe,
	)


def pay_at_stripe(clinic, services) -> str:
	"""Invoice the services' patient balances and have the patient pay the Stripe invoice."""
	invoice = send_patient_invoice(make_patient_invoice([service.name for service in services]).name)
	event = clinic.stripe.mark_paid(invoice.stripe_invoice_id)
	apply_stripe_event(invoice.name, event["type"], event["data"]["object"])
	return invoice.name


def figures(ledger, service) -> tuple:
	row = ledger.ledger.services[service.name]
	return (row.charge, row.insurance_paid, row.patient_paid, row.write_off, row.balance)


def patient_receivable(clinic) -> Decimal:
	return gl_balance(settings_value("patient_receivable_account"), clinic.customer)


def test_private_pay_charges_payments_and_write_offs_reconcile_with_the_gl(clinic):
	therapy = private_service(clinic.patient, clinic.clinician, "90837", 180, days_ago=12)
	follow_up = private_service(clinic.patient, clinic.clinician, "90834", 140, days_ago=5)
	superbill = frappe.get_doc("Superbill", api.create_superbills([therapy.name, follow_up.name], issue=1)[0])
	pay_at_stripe(clinic, [follow_up])
	write_off_patient_balance(
		clinic.customer,
		therapy.name,
		D("30.00"),
		("Sales Invoice", superbill.sales_invoice),
		"courtesy discount",
	)

	ledger = patient_ledger("Patient", clinic.patient.name)
	assert figures(ledger, therapy) == (D("180.00"), 0, 0, D("30.00"), D("150.00"))
	assert figures(ledger, follow_up) == (D("140.00"), 0, D("140.00"), 0, 0)
	assert ledger.totals() == {
		"charge": D("320.00"),
		"insurance_paid": 0,
		"patient_paid": D("140.00"),
		"write_off": D("30.00"),
		"balance": D("150.00"),
	}
	assert ledger.ledger.problems == []
	# To the cent: the GL's patient receivable for this patient equals the ledger's open balance...
	assert patient_receivable(clinic) == ledger.ledger.side_total("patient") == D("150.00")
	# ...and the income, cash and write-off accounts saw exactly the ledger's charge, payments and write-offs.
	vouchers = [voucher.split("/", 1)[1] for voucher in voucher_names(ledger)]
	income = frappe.get_cached_value("Company", "Test Clinic", "default_income_account")
	assert -gl_balance(income, vouchers=vouchers) == ledger.totals()["charge"]
	deposit = frappe.get_cached_value("Company", "Test Clinic", "default_bank_account")
	assert gl_balance(deposit, vouchers=vouchers) == ledger.totals()["patient_paid"]
	write_off = frappe.get_cached_value("Company", "Test Clinic", "write_off_account")
	assert gl_balance(write_off, vouchers=vouchers) == ledger.totals()["write_off"]


def voucher_names(ledger) -> list[str]:
	"""Every money document the ledger read, as Doctype/name (from the patient's GL rows)."""
	rows = frappe.get_all(
		"GL Entry",
		filters={"party": ledger.customer, "is_cancelled": 0},
		fields=["voucher_type", "voucher_no"],
		distinct=True,
	)
	return [f"{row.voucher_type}/{row.voucher_no}" for row in rows]


def book_claim(payer, services) -> str:
	"""What the claims issue books: the claim's charges on the payer's receivable, one tagged line per service."""
	settings = frappe.get_single("Claims Billing Settings")
	invoice = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"company": settings.company,
			"customer": frappe.db.get_value("Insurance Payer", payer.name, "customer"),
			"debit_to": settings.insurance_receivable_account,
			"posting_date": days_ago(10),
			"set_posting_time": 1,
			"due_date": days_ago(10),
			"disable_rounded_total": 1,
			"items": [
				{
					"item_name": service.procedure_code,
					"qty": 1,
					"rate": service.charge,
					"uom": "Nos",
					"income_account": frappe.get_cached_value(
						"Company", settings.company, "default_income_account"
					),
					"cost_center": settings.cost_center,
					"billable_service": service.name,
				}
				for service in services
			],
		}
	).insert()
	invoice.submit()
	return invoice.name


def post_remittance(payer, claim_invoice, customer, paid, contractual, patient_share, tags=()):
	"""What the ERA issue posts for one claim: cash in, CO written off, PR moved to the patient.

	``tags``: the service each row is for, or () for a posting that names none.
	"""
	settings = frappe.get_single("Claims Billing Settings")
	tag = {"billable_service": tags[0]} if tags else {}
	cost_center = {"cost_center": settings.cost_center}
	entry = frappe.get_doc(
		{
			"doctype": "Journal Entry",
			"voucher_type": "Journal Entry",
			"company": settings.company,
			"posting_date": days_ago(3),
			"accounts": [
				{
					"account": frappe.get_cached_value("Company", settings.company, "default_bank_account"),
					"debit_in_account_currency": paid,
					**cost_center,
				},
				{
					"account": settings.contractual_adjustment_account,
					"debit_in_account_currency": contractual,
					**cost_center,
					**tag,
				},
				{
					"account": settings.patient_receivable_account,
					"party_type": "Customer",
					"party": customer,
					"debit_in_account_currency": patient_share,
					**cost_center,
					**tag,
				},
				{
					"account": settings.insurance_receivable_account,
					"party_type": "Customer",
					"party": frappe.db.get_value("Insurance Payer", payer.name, "customer"),
					"credit_in_account_currency": paid + contractual + patient_share,
					"reference_type": "Sales Invoice",
					"reference_name": claim_invoice,
					**cost_center,
					**tag,
				},
			],
		}
	).insert()
	entry.submit()
	return entry.name


def insured_service(clinic, payer, code, rate):
	service = private_service(
		clinic.patient, clinic.clinician, code, rate, billing_route="Insurance", days_ago=14
	)
	frappe.get_doc("Billable Service", service.name).mark_billed("Insurance Claim", "CLM-LEDGER-TEST")
	return frappe.get_doc("Billable Service", service.name)


def test_insurance_paid_write_off_and_the_patients_share_after_the_remittance(clinic):
	payer = make_payer()
	make_policy(clinic.patient.name, payer.name, valid_from=days_ago(60))
	service = insured_service(clinic, payer, "97110", 200)
	claim_invoice = book_claim(payer, [service])
	remittance = post_remittance(
		payer, claim_invoice, clinic.customer, D("120.00"), D("50.00"), D("30.00"), tags=(service.name,)
	)
	payer_receivable = gl_balance(
		settings_value("insurance_receivable_account"),
		frappe.db.get_value("Insurance Payer", payer.name, "customer"),
	)

	ledger = patient_ledger("Patient", clinic.patient.name)
	assert figures(ledger, service) == (D("200.00"), D("120.00"), 0, D("50.00"), D("30.00"))
	row = ledger.ledger.services[service.name]
	assert (row.insurance_balance, row.patient_balance) == (0, D("30.00"))
	assert payer_receivable == ledger.ledger.side_total("insurance") == 0
	assert patient_receivable(clinic) == ledger.ledger.side_total("patient") == D("30.00")

	# The patient's share is invoiced from the remittance's entry and paid through Stripe.
	invoice = frappe.get_doc("Patient Invoice", pay_at_stripe(clinic, [service]))
	assert [
		(line.receivable_doctype, line.receivable_name, money(line.amount)) for line in invoice.lines
	] == [("Journal Entry", remittance, D("30.00"))]
	payment = frappe.get_doc("Payment Entry", invoice.payment_entry)
	assert [
		(row.reference_doctype, row.reference_name, money(row.allocated_amount)) for row in payment.references
	] == [("Journal Entry", remittance, D("30.00"))]
	ledger = patient_ledger("Patient", clinic.patient.name)
	assert figures(ledger, service) == (D("200.00"), D("120.00"), D("30.00"), D("50.00"), 0)
	assert patient_receivable(clinic) == ledger.ledger.side_total("patient") == 0


def test_an_untagged_remittance_is_spread_over_the_claims_services(clinic):
	payer = make_payer()
	make_policy(clinic.patient.name, payer.name, valid_from=days_ago(60))
	first = insured_service(clinic, payer, "97110", 200)
	second = insured_service(clinic, payer, "97140", 100)
	claim_invoice = book_claim(payer, [first, second])
	post_remittance(payer, claim_invoice, clinic.customer, D("180.00"), D("75.00"), D("45.00"))

	ledger = patient_ledger("Patient", clinic.patient.name)
	assert figures(ledger, first) == (D("200.00"), D("120.00"), 0, D("50.00"), D("30.00"))
	assert figures(ledger, second) == (D("100.00"), D("60.00"), 0, D("25.00"), D("15.00"))
	assert ledger.ledger.problems == []
	assert patient_receivable(clinic) == ledger.ledger.side_total("patient") == D("45.00")


def test_statement_report_and_payments_tab_show_the_same_figures(clinic):
	payer = make_payer()
	make_policy(clinic.patient.name, payer.name, valid_from=days_ago(60))
	insured = insured_service(clinic, payer, "97110", 200)
	post_remittance(
		payer,
		book_claim(payer, [insured]),
		clinic.customer,
		D("120.00"),
		D("50.00"),
		D("30.00"),
		tags=(insured.name,),
	)
	private = private_service(clinic.patient, clinic.clinician, "90834", 140, days_ago=4)
	api.create_superbills([private.name], issue=1)
	pay_at_stripe(clinic, [private])
	unpaid = private_service(clinic.patient, clinic.clinician, "90832", 95, days_ago=2)
	api.create_superbills([unpaid.name], issue=1)

	text = pdf_text(statement_pdf("Patient", clinic.patient.name))
	assert "97110" in text and "90832" in text
	assert "90834" not in text  # paid in full: not an open balance
	assert "$120.00" in text and "$50.00" in text  # insurance paid and adjustments of the open line
	assert "$125.00" in text  # 30.00 + 95.00 due
	assert "$140.00" in text  # the Stripe payment received

	columns, data, _message = report.execute({"patient_doctype": "Patient", "patient": clinic.patient.name})
	assert [column["fieldname"] for column in columns][-5:] == [
		"charge",
		"insurance_paid",
		"patient_paid",
		"write_off",
		"balance",
	]
	by_service = {row["service"]: row for row in data}
	assert (by_service[insured.name]["insurance_paid"], by_service[insured.name]["balance"]) == (
		D("120.00"),
		D("30.00"),
	)
	assert (by_service[private.name]["patient_paid"], by_service[private.name]["balance"]) == (D("140.00"), 0)

	tab = api.patient_payments("Patient", clinic.patient.name)
	assert tab["totals"] == {
		"charge": "435.00",
		"insurance_paid": "120.00",
		"patient_paid": "140.00",
		"write_off": "50.00",
		"balance": "125.00",
	}
	assert money(tab["totals"]["balance"]) == patient_receivable(clinic)


def test_only_billing_roles_read_a_patients_payments(clinic):
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": f"cb-clinician-{frappe.generate_hash(length=6)}@example.com",
			"first_name": "C",
		}
	).insert()
	user.add_roles("Clinician")
	frappe.set_user(user.name)
	with pytest.raises(frappe.PermissionError):
		api.patient_payments("Patient", clinic.patient.name)
	with pytest.raises(frappe.PermissionError):
		report.execute({"patient_doctype": "Patient", "patient": clinic.patient.name})
