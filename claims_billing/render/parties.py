"""Who a patient document is from (the practice) and about (the patient)."""

import datetime
from dataclasses import dataclass

from claims_billing.render.images import EmbeddedImage, check_image
from claims_billing.render.validation import ProblemCollector
from claims_billing.x12.claim import Address


@dataclass
class Practice:
	name: str
	address: Address
	phone: str = ""
	tax_id: str = ""  # EIN as the practice writes it, e.g. 12-3456789
	npi: str = ""  # the organisation (type 2) NPI, when the practice has one
	email: str = ""
	website: str = ""
	logo: EmbeddedImage | None = None


@dataclass
class PatientDetails:
	name: str  # as it should be printed: "Avery J. Testwell"
	address: Address | None = None
	date_of_birth: datetime.date | None = None
	account_number: str = ""  # the practice's patient/account reference


def address_lines(address: Address | None) -> list[str]:
	"""Postal lines of an address: street, optional second line, ``City, ST 04101-1234``."""
	if address is None:
		return []
	postal_code = address.postal_code
	if len(postal_code) == 9 and postal_code.isdigit():
		postal_code = f"{postal_code[:5]}-{postal_code[5:]}"
	lines = [address.line1, address.line2, f"{address.city}, {address.state} {postal_code}".strip(" ,")]
	if address.country and address.country.upper() not in ("US", "USA"):
		lines.append(address.country)
	return [line for line in lines if line]


def check_address(collector: ProblemCollector, address: object, path: str, required: bool) -> None:
	if address is None:
		if required:
			collector.add(path, "is required")
		return
	if not isinstance(address, Address):
		collector.add(path, f"expected an Address, got {type(address).__name__}")
		return
	for name in ("line1", "city", "state", "postal_code"):
		collector.text(getattr(address, name), f"{path}.{name}")
	for name in ("line2", "country"):
		collector.text(getattr(address, name), f"{path}.{name}", required=False)


def check_practice(collector: ProblemCollector, practice: object, path: str) -> None:
	if not isinstance(practice, Practice):
		collector.add(path, f"expected a Practice, got {type(practice).__name__}")
		return
	collector.text(practice.name, f"{path}.name")
	check_address(collector, practice.address, f"{path}.address", required=True)
	for name in ("phone", "tax_id", "email", "website"):
		collector.text(getattr(practice, name), f"{path}.{name}", required=False)
	collector.npi(practice.npi, f"{path}.npi", required=False)
	check_image(collector, practice.logo, f"{path}.logo")


def check_patient(
	collector: ProblemCollector, patient: object, path: str, date_of_birth_required: bool
) -> None:
	if not isinstance(patient, PatientDetails):
		collector.add(path, f"expected PatientDetails, got {type(patient).__name__}")
		return
	collector.text(patient.name, f"{path}.name")
	collector.text(patient.account_number, f"{path}.account_number", required=False)
	collector.date(patient.date_of_birth, f"{path}.date_of_birth", required=date_of_birth_required)
	check_address(collector, patient.address, f"{path}.address", required=False)
