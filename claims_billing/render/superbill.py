"""Superbills: an itemised receipt a private-pay or out-of-network patient sends to their insurer.

Procedures are printed as CPT/HCPCS codes only (CPT descriptions are licensed by the AMA);
diagnoses carry the public ICD-10-CM description the caller supplies. Totals are always
computed from the service lines, never taken from the caller.
"""

from __future__ import annotations

import datetime
import re
import string
from dataclasses import dataclass, field
from decimal import Decimal

from claims_billing.render import pdf
from claims_billing.render.images import EmbeddedImage, check_image
from claims_billing.render.parties import PatientDetails, Practice, check_patient, check_practice
from claims_billing.render.validation import ProblemCollector

DOCUMENT = "superbill"
TEMPLATE = "superbill.html"

# A CMS-1500 (the form the patient files with this superbill) holds diagnoses A-L and at most four
# pointers per line.
MAX_DIAGNOSES = 12
MAX_POINTERS_PER_SERVICE = 4
DIAGNOSIS_LETTERS = string.ascii_uppercase[:MAX_DIAGNOSES]

_ICD10_CODE = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")
_PLACE_OF_SERVICE = re.compile(r"[0-9]{2}")


@dataclass
class RenderingProvider:
	"""The clinician who performed the services; insurers check the NPI and licence."""

	name: str  # "Mara Wrenfield"
	npi: str
	credentials: str = ""  # "LCSW", "DC", "PhD"
	tax_id: str = ""
	license_number: str = ""
	license_state: str = ""
	taxonomy: str = ""

	@property
	def display_name(self) -> str:
		return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass
class Diagnosis:
	code: str  # ICD-10-CM with the dot, e.g. F41.1
	description: str  # the public ICD-10-CM description


@dataclass
class SuperbillService:
	date_of_service: datetime.date
	procedure_code: str  # CPT or HCPCS code only
	charge: Decimal
	diagnosis_pointers: list[int]  # 1-based positions in SuperbillData.diagnoses, printed as A-L
	modifiers: list[str] = field(default_factory=list)
	units: Decimal = Decimal(1)
	place_of_service: str = ""  # CMS two-digit code
	place_of_service_name: str = ""  # optional, e.g. "Office"; the caller chooses the wording
	paid: Decimal = Decimal(0)  # what the patient already paid for this line

	@property
	def balance(self) -> Decimal:
		return self.charge - self.paid

	@property
	def diagnosis_letters(self) -> str:
		return ", ".join(DIAGNOSIS_LETTERS[pointer - 1] for pointer in self.diagnosis_pointers)


@dataclass
class SuperbillData:
	practice: Practice
	provider: RenderingProvider
	patient: PatientDetails
	number: str  # the superbill's own reference, e.g. SB-2026-0042
	issue_date: datetime.date
	diagnoses: list[Diagnosis]
	services: list[SuperbillService]
	signature_date: datetime.date | None = None  # None leaves a blank line to sign by hand
	signature_image: EmbeddedImage | None = None
	note: str = ""  # printed above the signature, e.g. payment terms

	@property
	def total_charges(self) -> Decimal:
		return sum((service.charge for service in self.services), Decimal(0))

	@property
	def total_paid(self) -> Decimal:
		return sum((service.paid for service in self.services), Decimal(0))

	@property
	def total_balance(self) -> Decimal:
		return self.total_charges - self.total_paid

	@property
	def lettered_diagnoses(self) -> list[tuple[str, Diagnosis]]:
		return list(zip(DIAGNOSIS_LETTERS, self.diagnoses, strict=False))


def check_superbill(data: SuperbillData) -> ProblemCollector:
	"""Every problem in ``data``; rendering refuses data with any."""
	collector = ProblemCollector()
	if not isinstance(data, SuperbillData):
		collector.add(DOCUMENT, f"expected SuperbillData, got {type(data).__name__}")
		return collector
	check_practice(collector, data.practice, "practice")
	_check_provider(collector, data.provider, "provider")
	check_patient(collector, data.patient, "patient", date_of_birth_required=True)
	collector.text(data.number, "number")
	issue_date_ok = collector.date(data.issue_date, "issue_date")
	collector.date(data.signature_date, "signature_date", required=False)
	check_image(collector, data.signature_image, "signature_image")
	collector.text(data.note, "note", required=False)
	_check_diagnoses(collector, data.diagnoses)
	_check_services(
		collector,
		data.services,
		diagnosis_count=_list_length(data.diagnoses),
		issue_date=data.issue_date if issue_date_ok else None,
	)
	return collector


def render_superbill_html(data: SuperbillData) -> str:
	check_superbill(data).raise_if_any(DOCUMENT)
	return pdf.render_html(TEMPLATE, superbill=data)


def render_superbill_pdf(data: SuperbillData) -> bytes:
	return pdf.html_to_pdf(render_superbill_html(data))


def _list_length(value: object) -> int:
	return len(value) if isinstance(value, list) else 0


def _check_provider(collector: ProblemCollector, provider: object, path: str) -> None:
	if not isinstance(provider, RenderingProvider):
		collector.add(path, f"expected a RenderingProvider, got {type(provider).__name__}")
		return
	collector.text(provider.name, f"{path}.name")
	collector.npi(provider.npi, f"{path}.npi")
	for name in ("credentials", "tax_id", "license_number", "license_state", "taxonomy"):
		collector.text(getattr(provider, name), f"{path}.{name}", required=False)


def _check_diagnoses(collector: ProblemCollector, diagnoses: object) -> None:
	if not isinstance(diagnoses, list) or not diagnoses:
		collector.add("diagnoses", "list at least one diagnosis: insurers reimburse only coded services")
		return
	if len(diagnoses) > MAX_DIAGNOSES:
		collector.add("diagnoses", f"{len(diagnoses)} diagnoses; a claim form holds at most {MAX_DIAGNOSES}")
	seen: set[str] = set()
	for index, diagnosis in enumerate(diagnoses):
		path = f"diagnoses[{index}]"
		if not isinstance(diagnosis, Diagnosis):
			collector.add(path, f"expected a Diagnosis, got {type(diagnosis).__name__}")
			continue
		if collector.text(diagnosis.code, f"{path}.code"):
			if not _ICD10_CODE.fullmatch(diagnosis.code):
				collector.add(f"{path}.code", f"{diagnosis.code!r} is not an ICD-10-CM code such as F41.1")
			elif diagnosis.code in seen:
				collector.add(f"{path}.code", f"{diagnosis.code} is listed twice")
			seen.add(diagnosis.code)
		collector.text(diagnosis.description, f"{path}.description")


def _check_services(
	collector: ProblemCollector, services: object, diagnosis_count: int, issue_date: datetime.date | None
) -> None:
	if not isinstance(services, list) or not services:
		collector.add("services", "list at least one service")
		return
	for index, service in enumerate(services):
		path = f"services[{index}]"
		if not isinstance(service, SuperbillService):
			collector.add(path, f"expected a SuperbillService, got {type(service).__name__}")
			continue
		if collector.date(service.date_of_service, f"{path}.date_of_service") and issue_date:
			if service.date_of_service > issue_date:
				collector.add(f"{path}.date_of_service", "is after the issue date")
		collector.procedure_code(service.procedure_code, f"{path}.procedure_code")
		collector.modifiers(service.modifiers, f"{path}.modifiers")
		collector.quantity(service.units, f"{path}.units")
		_check_pointers(collector, service.diagnosis_pointers, f"{path}.diagnosis_pointers", diagnosis_count)
		if collector.text(service.place_of_service, f"{path}.place_of_service", required=False):
			if service.place_of_service and not _PLACE_OF_SERVICE.fullmatch(service.place_of_service):
				collector.add(
					f"{path}.place_of_service", "a place of service is a two-digit CMS code such as 11"
				)
		collector.text(service.place_of_service_name, f"{path}.place_of_service_name", required=False)
		charge_ok = collector.money(service.charge, f"{path}.charge")
		paid_ok = collector.money(service.paid, f"{path}.paid")
		if charge_ok and paid_ok and service.paid > service.charge:
			collector.add(f"{path}.paid", f"paid {service.paid} exceeds the charge {service.charge}")


def _check_pointers(collector: ProblemCollector, pointers: object, path: str, diagnosis_count: int) -> None:
	if not isinstance(pointers, list) or not pointers:
		collector.add(path, "point at least one diagnosis (1 for the first)")
		return
	if len(pointers) > MAX_POINTERS_PER_SERVICE:
		collector.add(path, f"{len(pointers)} pointers; a line holds at most {MAX_POINTERS_PER_SERVICE}")
	for index, pointer in enumerate(pointers):
		if isinstance(pointer, bool) or not isinstance(pointer, int):
			collector.add(f"{path}[{index}]", f"expected a whole number, got {type(pointer).__name__}")
		elif not 1 <= pointer <= min(diagnosis_count, MAX_DIAGNOSES):
			collector.add(
				f"{path}[{index}]", f"pointer {pointer} is outside the {diagnosis_count} diagnoses listed"
			)
