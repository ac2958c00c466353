"""Frappe records → the render package's dataclasses for superbills and patient statements.

The one place that reads the practice (Claims Billing Settings), practitioners, patients and
services for patient-facing PDFs. Rendering refuses incomplete data with field paths
(``practice.address.line1: is required``); ``explain_render_problems`` turns those paths into
what staff must fill in and where.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import flt, getdate

from claims_billing.claims.claim_data import money
from claims_billing.core.codes import describe_icd10
from claims_billing.patient.records import country_code, patient_address, patient_date_of_birth
from claims_billing.render.parties import PatientDetails, Practice
from claims_billing.render.superbill import (
	MAX_DIAGNOSES,
	MAX_POINTERS_PER_SERVICE,
	Diagnosis,
	RenderingProvider,
	SuperbillService,
)
from claims_billing.render.validation import RenderDataError
from claims_billing.settings import billing_settings
from claims_billing.site_apps import patient_display_name
from claims_billing.x12.claim import Address

MODIFIER_FIELDS = ("modifier_1", "modifier_2", "modifier_3", "modifier_4")
# Where staff fix what a render problem path points at.
WHERE_TO_FIX = (
	("practice.", "Claims Billing Settings (Billing Provider)"),
	("provider.", "the Billing Practitioner"),
	("patient.", "the patient record"),
	("services", "the services"),
	("diagnoses", "the services' diagnoses"),
	("lines", "the services"),
)


def practice() -> Practice:
	settings = billing_settings()
	return Practice(
		name=settings.billing_provider_name or settings.company or "",
		address=Address(
			line1=settings.billing_provider_address_line1 or "",
			line2=settings.billing_provider_address_line2 or "",
			city=settings.billing_provider_city or "",
			state=settings.billing_provider_state or "",
			postal_code=(settings.billing_provider_zip_code or "").replace("-", ""),
		),
		phone=settings.billing_provider_phone or "",
		tax_id=settings.billing_provider_tax_id or "",
		npi=settings.billing_provider_npi or "",
	)


def rendering_provider(practitioner: str) -> RenderingProvider:
	record = (
		frappe.db.get_value(
			"Billing Practitioner",
			practitioner,
			["practitioner_name", "npi", "license_number", "taxonomy_code"],
			as_dict=True,
		)
		or frappe._dict()
	)
	return RenderingProvider(
		name=record.practitioner_name or "",
		npi=record.npi or "",
		# Practitioners bill under the practice's EIN unless they are the practice.
		tax_id=billing_settings().billing_provider_tax_id or "",
		license_number=record.license_number or "",
		taxonomy=record.taxonomy_code or "",
	)


def patient_details(patient_doctype: str, patient: str) -> PatientDetails:
	address = patient_address(patient_doctype, patient)
	date_of_birth = patient_date_of_birth(patient_doctype, patient)
	name = patient_display_name(patient_doctype, patient) or patient
	return PatientDetails(
		name=name,
		address=Address(
			line1=address.address_line1 or "",
			line2=address.address_line2 or "",
			city=address.city or "",
			state=address.state or "",
			postal_code=(address.pincode or "").replace("-", ""),
			country=country_code(address.country),
		)
		if address
		else None,
		date_of_birth=getdate(date_of_birth) if date_of_birth else None,
		# The record's ID is the practice's account number, unless the site names records by patient name.
		account_number=patient if patient != name else "",
	)


def service_modifiers(service) -> list[str]:
	return [service.get(field) for field in MODIFIER_FIELDS if service.get(field)]


def superbill_lines(
	services: list, paid: dict[str, Decimal]
) -> tuple[list[Diagnosis], list[SuperbillService]]:
	"""Diagnoses (first appearance order, at most 12) and one line per service pointing at them.

	``services`` are Billable Service documents; ``paid`` what the patient paid per service.
	"""
	diagnoses: list[Diagnosis] = []
	position: dict[str, int] = {}
	lines = []
	for service in services:
		pointers = []
		for row in service.diagnoses:
			code = row.icd10_code
			if code not in position:
				if len(diagnoses) >= MAX_DIAGNOSES:
					continue
				description = row.description or describe_icd10(code) or _("ICD-10-CM {0}").format(code)
				diagnoses.append(Diagnosis(code, description))
				position[code] = len(diagnoses)
			if len(pointers) < MAX_POINTERS_PER_SERVICE:
				pointers.append(position[code])
		charge = money(service.charge)
		lines.append(
			SuperbillService(
				date_of_service=getdate(service.date_of_service),
				procedure_code=service.procedure_code,
				modifiers=service_modifiers(service),
				units=Decimal(str(flt(service.units) or 1)),
				charge=charge,
				paid=min(max(paid.get(service.name, Decimal(0)), Decimal(0)), charge),
				diagnosis_pointers=pointers,
				place_of_service=service.place_of_service or "",
				place_of_service_name=service.place_of_service_name or "",
			)
		)
	return diagnoses, lines


def explain_render_problems(error: RenderDataError) -> list[str]:
	"""Each problem as a sentence naming the record to fix."""
	sentences = []
	for problem in error.problems:
		where = next((place for prefix, place in WHERE_TO_FIX if problem.path.startswith(prefix)), None)
		if where:
			sentences.append(_("{0}: {1} (fix it in {2}).").format(problem.path, problem.message, _(where)))
		else:
			sentences.append(f"{problem.path}: {problem.message}")
	return sentences
