"""Invented example documents for previews and the render benchmark.

Every person and practice here is made up. NPIs carry a correct check digit; diagnoses are
billable ICD-10-CM codes with their public descriptions; procedures are codes only.
"""

import datetime
import itertools
from decimal import Decimal

from claims_billing.render.parties import PatientDetails, Practice
from claims_billing.render.statement import PaymentReceived, StatementData, StatementLine
from claims_billing.render.superbill import Diagnosis, RenderingProvider, SuperbillData, SuperbillService
from claims_billing.x12.claim import Address

EXAMPLE_DIAGNOSES = (
	Diagnosis("F41.1", "Generalized anxiety disorder"),
	Diagnosis("F33.1", "Major depressive disorder, recurrent, moderate"),
	Diagnosis("M54.50", "Low back pain, unspecified"),
	Diagnosis("M62.830", "Muscle spasm of back"),
)

# (code, modifiers, charge, place of service): psychotherapy in the office and by video,
# therapeutic exercise, chiropractic manipulation.
EXAMPLE_SERVICES = (
	("90837", [], Decimal("180.00"), "11"),
	("90834", ["95"], Decimal("140.00"), "10"),
	("97110", ["GP"], Decimal("45.50"), "11"),
	("98941", ["AT"], Decimal("65.00"), "11"),
)

PLACE_OF_SERVICE_NAMES = {"10": "Telehealth in patient's home", "11": "Office"}


def example_practice() -> Practice:
	return Practice(
		name="Lakeside Therapy Group",
		address=Address(
			line1="200 Commerce Way", line2="Suite 4", city="Portland", state="ME", postal_code="041015678"
		),
		phone="(207) 555-0142",
		tax_id="91-0000417",
		npi="1456789019",
		email="billing@lakeside-therapy.example",
	)


def example_patient() -> PatientDetails:
	return PatientDetails(
		name="Avery J. Testwell",
		address=Address(line1="10 Maple St", city="Augusta", state="ME", postal_code="04330"),
		date_of_birth=datetime.date(1984, 7, 19),
		account_number="PT-00871",
	)


def example_superbill(service_count: int = 6) -> SuperbillData:
	issue_date = datetime.date(2026, 10, 20)
	# Two services a week, the last week just before the superbill is issued.
	first_date = issue_date - datetime.timedelta(days=6 + 7 * ((service_count - 1) // 2))
	services = []
	for index, (code, modifiers, charge, place) in zip(
		range(service_count), itertools.cycle(EXAMPLE_SERVICES), strict=False
	):
		services.append(
			SuperbillService(
				date_of_service=first_date + datetime.timedelta(days=7 * (index // 2)),
				procedure_code=code,
				modifiers=list(modifiers),
				units=Decimal(2) if code == "97110" else Decimal(1),
				charge=charge * 2 if code == "97110" else charge,
				paid=charge if index % 3 == 0 else Decimal(0),
				diagnosis_pointers=[1, 2] if code.startswith("908") else [3, 4],
				place_of_service=place,
				place_of_service_name=PLACE_OF_SERVICE_NAMES[place],
			)
		)
	return SuperbillData(
		practice=example_practice(),
		provider=RenderingProvider(
			name="Mara Wrenfield",
			credentials="LCSW",
			npi="1987654328",
			tax_id="91-0000417",
			license_number="LC-48213",
			license_state="ME",
			taxonomy="1041C0700X",
		),
		patient=example_patient(),
		number="SB-2026-0042",
		issue_date=issue_date,
		diagnoses=list(EXAMPLE_DIAGNOSES),
		services=services,
		signature_date=datetime.date(2026, 10, 20),
		note="Paid in full at the time of service unless a balance is shown. Please keep a copy for your records.",
	)


def example_statement(line_count: int = 6) -> StatementData:
	statement_date = datetime.date(2026, 11, 2)
	lines = []
	for index, (code, modifiers, charge, _place) in zip(
		range(line_count), itertools.cycle(EXAMPLE_SERVICES), strict=False
	):
		insurance_paid = (charge * Decimal("0.6")).quantize(Decimal("0.01"))
		adjustment = (charge * Decimal("0.15")).quantize(Decimal("0.01"))
		lines.append(
			StatementLine(
				date_of_service=statement_date - datetime.timedelta(days=12 + 17 * index),
				procedure_code=code,
				modifiers=list(modifiers),
				charge=charge,
				insurance_paid=insurance_paid,
				adjustments=adjustment,
				patient_paid=Decimal("10.00") if index % 2 else Decimal(0),
			)
		)
	return StatementData(
		practice=example_practice(),
		patient=example_patient(),
		statement_date=statement_date,
		due_date=statement_date + datetime.timedelta(days=30),
		lines=lines,
		# Copays taken at the front desk: one payment per line the patient paid towards.
		payments=[
			PaymentReceived(line.date_of_service, line.patient_paid, "Card ending 4242")
			for line in lines
			if line.patient_paid
		],
		how_to_pay=(
			"Pay online with the link below, call (207) 555-0142, or mail a check payable to Lakeside "
			"Therapy Group with your account number."
		),
		payment_link="https://pay.lakeside-therapy.example/s/PT-00871",
	)
