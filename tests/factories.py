"""Realistic, invented claim data for tests and benchmarks.

Every person and organisation here is made up. NPIs carry a correct check digit (Luhn over the
``80840`` prefix, as CMS specifies); diagnoses are billable ICD-10-CM codes; procedures are CPT or
HCPCS codes only (no descriptions). ``make_claims(10_000)`` takes well under a second.

Each ``make_*`` function takes keyword overrides for the fields of the object it builds.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from claims_billing.x12.claim import (
	Address,
	Attachment,
	BillingProvider,
	Claim,
	Envelope,
	Patient,
	Payer,
	Provider,
	Receiver,
	ServiceLine,
	Submitter,
	Subscriber,
)

# Billable ICD-10-CM codes common in therapy, chiropractic and primary care.
DIAGNOSES = (
	"F41.1",
	"F33.1",
	"M54.50",
	"S13.4XXA",
	"Z00.00",
	"F43.10",
	"M54.2",
	"M62.830",
	"G43.909",
	"I10",
	"E11.9",
	"F90.0",
	"J06.9",
	"R51.9",
)

# CPT/HCPCS codes with a plausible charge: psychotherapy, therapeutic exercise, chiropractic
# manipulation, office visit, manual therapy, unattended electrical stimulation (HCPCS).
PROCEDURE_CHARGES = {
	"90837": Decimal("180.00"),
	"90834": Decimal("140.00"),
	"90791": Decimal("220.00"),
	"97110": Decimal("45.50"),
	"97140": Decimal("42.25"),
	"98941": Decimal("65.00"),
	"99213": Decimal("125.00"),
	"G0283": Decimal("22.75"),
}

SERVICE_DATE = datetime.date(2026, 10, 5)
CREATED = datetime.datetime(2026, 10, 20, 9, 30)


def npi_check_digit(first_nine: str) -> str:
	"""The 10th digit of an NPI: Luhn over ``80840`` + the first nine digits."""
	digits = "80840" + first_nine
	total = 0
	# Walking right to left, the rightmost of these digits sits next to the check digit: double it.
	for position, char in enumerate(reversed(digits)):
		value = int(char)
		if position % 2 == 0:
			value *= 2
			if value > 9:
				value -= 9
		total += value
	return str((10 - total % 10) % 10)


def make_npi(n: int, kind: int = 1) -> str:
	"""A valid NPI: ``kind`` 1 for individuals, 2 for organisations (the first digit)."""
	first_nine = f"{kind}{n % 100_000_000:08d}"
	return first_nine + npi_check_digit(first_nine)


def make_address(**overrides) -> Address:
	values = dict(line1="100 Harbor View Rd", city="Portland", state="ME", postal_code="041011234")
	values.update(overrides)
	return Address(**values)


def make_billing_provider(n: int = 0, **overrides) -> BillingProvider:
	values = dict(
		name=f"Lakeside Therapy Group {n}" if n else "Lakeside Therapy Group",
		npi=make_npi(100 + n, kind=1 if overrides.get("first_name") else 2),
		tax_id=f"{910_000_000 + n:09d}",
		address=make_address(line1=f"{200 + n} Commerce Way", postal_code="041015678"),
		taxonomy="101YP2500X",
	)
	values.update(overrides)
	return BillingProvider(**values)


def make_provider(n: int = 0, **overrides) -> Provider:
	values = dict(
		last_name=["Wrenfield", "Okonkwo-Lyle", "Haverbrook", "Quintanar"][n % 4],
		first_name=["Mara", "Tobias", "Ines", "Calder"][n % 4],
		npi=make_npi(5000 + n),
		taxonomy="101YP2500X",
	)
	values.update(overrides)
	return Provider(**values)


def make_payer(n: int = 0, **overrides) -> Payer:
	names = [
		"Evergreen Mutual Health",
		"Northwind Benefit Plan",
		"Granite State Care",
		"Bayside Medicaid Plan",
	]
	values = dict(name=names[n % len(names)], payer_id=f"{60054 + n}")
	values.update(overrides)
	return Payer(**values)


def make_subscriber(n: int = 0, **overrides) -> Subscriber:
	last = ["Testwell", "Brightmoor", "Fallowfield", "Cresswick", "Dunmore"][n % 5]
	first = ["Avery", "Jordan", "Rowan", "Sasha", "Emery"][n % 5]
	values = dict(
		last_name=last,
		first_name=first,
		member_id=f"XQZ{700_000_000 + n}",
		date_of_birth=datetime.date(1970 + n % 40, 1 + n % 12, 1 + n % 28),
		sex="F" if n % 2 else "M",
		address=make_address(line1=f"{10 + n} Maple St", city="Augusta", postal_code="04330"),
		group_number=f"GRP{4400 + n % 7}",
		filing_indicator="CI",
	)
	values.update(overrides)
	return Subscriber(**values)


def make_patient(**overrides) -> Patient:
	values = dict(
		last_name="Testwell",
		first_name="Juniper",
		relationship="19",
		date_of_birth=datetime.date(2012, 6, 14),
		sex="F",
		address=make_address(line1="10 Maple St", city="Augusta", postal_code="04330"),
	)
	values.update(overrides)
	return Patient(**values)


def make_line(procedure_code: str = "90837", **overrides) -> ServiceLine:
	values = dict(
		procedure_code=procedure_code,
		charge=PROCEDURE_CHARGES.get(procedure_code, Decimal("100.00")),
		service_date=SERVICE_DATE,
		diagnosis_pointers=[1],
	)
	values.update(overrides)
	return ServiceLine(**values)


def make_claim(**overrides) -> Claim:
	"""One psychotherapy claim: patient is the subscriber, two lines, two diagnoses."""
	values = dict(
		claim_id="PCN-0001",
		billing_provider=make_billing_provider(),
		subscriber=make_subscriber(),
		payer=make_payer(),
		place_of_service="11",
		diagnoses=["F41.1", "F33.1"],
		lines=[
			make_line("90837", diagnosis_pointers=[1, 2], line_control_number="L1"),
			make_line(
				"90834",
				diagnosis_pointers=[2],
				line_control_number="L2",
				service_date=SERVICE_DATE + datetime.timedelta(days=7),
			),
		],
		rendering_provider=make_provider(),
	)
	values.update(overrides)
	return Claim(**values)


def make_claims(n: int, providers: int = 3, subscribers: int = 50, payers: int = 3) -> list[Claim]:
	"""``n`` two-line claims cycling through shared billing providers, subscribers and payers."""
	provider_objects = [make_billing_provider(i) for i in range(providers)]
	subscriber_objects = [make_subscriber(i) for i in range(subscribers)]
	payer_objects = [make_payer(i) for i in range(payers)]
	renderers = [make_provider(i) for i in range(4)]
	codes = list(PROCEDURE_CHARGES)
	claims = []
	for i in range(n):
		date = SERVICE_DATE - datetime.timedelta(days=i % 60)
		first = codes[i % len(codes)]
		second = codes[(i + 3) % len(codes)]
		diagnosis = DIAGNOSES[i % len(DIAGNOSES)]
		second_diagnosis = DIAGNOSES[(i + 5) % len(DIAGNOSES)]
		claims.append(
			Claim(
				claim_id=f"PCN{i:07d}",
				billing_provider=provider_objects[i % providers],
				subscriber=subscriber_objects[i % subscribers],
				payer=payer_objects[(i // subscribers) % payers],
				place_of_service="11",
				diagnoses=[diagnosis, second_diagnosis],
				lines=[
					ServiceLine(first, PROCEDURE_CHARGES[first], date, [1], line_control_number=f"{i}A"),
					ServiceLine(second, PROCEDURE_CHARGES[second], date, [1, 2], line_control_number=f"{i}B"),
				],
				rendering_provider=renderers[i % 4],
			)
		)
	return claims


def make_attachment(**overrides) -> Attachment:
	values = dict(report_type="OZ", transmission_code="FX", control_number="ATT0001")
	values.update(overrides)
	return Attachment(**values)


def make_submitter(**overrides) -> Submitter:
	values = dict(
		name="Lakeside Billing Office",
		id="LKB0001",
		contact_name="Billing Desk",
		phone="2075550100",
		email="billing@lakeside.example",
	)
	values.update(overrides)
	return Submitter(**values)


def make_receiver(**overrides) -> Receiver:
	values = dict(name="Example Clearinghouse", id="CLEARHOUSE01")
	values.update(overrides)
	return Receiver(**values)


def make_envelope(**overrides) -> Envelope:
	values = dict(
		sender_id="LKB0001",
		receiver_id="CLEARHOUSE01",
		interchange_control_number=1,
		group_control_number=1,
		created=CREATED,
		usage_indicator="T",
	)
	values.update(overrides)
	return Envelope(**values)


def replace(obj, **changes):
	"""``dataclasses.replace`` under a short name, for scenario tweaks."""
	return dataclasses.replace(obj, **changes)
