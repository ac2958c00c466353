"""Automatic capture: submitted clinical documents become Billable Services.

Where Healthcare keeps the codes (its "codification" tables, rows linking a Code Value of a
Code System):
- Patient Encounter: ``codification_table`` (procedure and ICD-10 rows; Healthcare fills it from
  the encounter's diagnoses when empty), ``diagnosis`` (Diagnosis records, each with its own
  codification table) and ``procedure_prescription`` (Clinical Procedure Templates, each with a
  codification table).
- Therapy Session: ``codification_table``, else its Therapy Type's.
- Clinical Procedure: ``codification_table``, else its Clinical Procedure Template's.
A template without procedure codes falls back to its item code when that is shaped like a
CPT/HCPCS code (practices often name their service items by code).

Rows count as procedures when their Code System is listed in Claims Billing Settings (CPT, HCPCS)
or carries the CPT/HCPCS URI, and as diagnoses when the system is ICD-10(-CM).

One service per code occurrence. The natural key is (source DocType, first version of the source
document, code, occurrence), so amending a cancelled document revives its voided services instead
of adding new ones.
"""

from collections import Counter
from dataclasses import dataclass, field

import frappe
from frappe import _
from frappe.utils import getdate

from claims_billing.core.codes import normalize_icd10, procedure_code_problem
from claims_billing.core.pricing import normalize_procedure_code
from claims_billing.settings import billing_settings, procedure_code_systems
from claims_billing.setup.code_systems import CPT_URI, HCPCS_URI, ICD10_CM_URI
from claims_billing.setup.custom_fields import HEALTHCARE_PRACTITIONER_FIELD, TELEHEALTH_VISIT_FIELD
from claims_billing.site_apps import healthcare_installed

SERVICE = "Billable Service"
MAX_DIAGNOSES = 12
PROCEDURE_URIS = {CPT_URI.casefold(), HCPCS_URI.casefold()}
BILLED_STATUSES = ("On Claim", "Superbilled", "Invoiced")
RECENT_ENCOUNTERS_SEARCHED = 5


@dataclass
class Visit:
	"""What every service captured from one source document shares."""

	patient: str
	practitioner: str | None
	date_of_service: str
	telehealth: bool
	diagnoses: list[str] = field(default_factory=list)
	notes: list[str] = field(default_factory=list)


# --- entry points (called by overrides/) -------------------------------------------------


def capture_services(source) -> list[str]:
	"""Create or revive the services for a submitted source document; return their names."""
	if not healthcare_installed() or not billing_settings().create_services_automatically:
		return []
	codes = procedure_codes(source)
	if not codes:
		return []
	visit = visit_of(source)
	root = first_version(source)
	already_billed = codes_captured_by_prescribing_encounter(source)
	names = []
	for code, occurrence in numbered(codes):
		if code in already_billed:
			continue
		key = capture_key(source.doctype, root, code, occurrence)
		name = upsert_service(source, visit, code, key)
		if name:
			names.append(name)
	return names


def refuse_cancel_if_billed(source) -> None:
	"""before_cancel: a source whose service is already billed can't be cancelled."""
	if not frappe.db.exists("DocType", SERVICE):
		return
	billed = frappe.get_all(
		SERVICE,
		filters={
			"source_doctype": source.doctype,
			"source_name": source.name,
			"status": ["in", BILLED_STATUSES],
		},
		fields=["name", "procedure_code", "status", "billed_by"],
	)
	if billed:
		lines = "".join(
			f"<li>{row.name} ({row.procedure_code}): {_(row.status)} {row.billed_by or ''}</li>"
			for row in billed
		)
		frappe.throw(
			_("{0} {1} can't be cancelled because its services are already billed:").format(
				_(source.doctype), source.name
			)
			+ f"<ul>{lines}</ul>"
			+ _("Take them off the claim, superbill or invoice first."),
			title=_("Services already billed"),
		)


def void_services(source) -> list[str]:
	"""on_cancel: void the source's unbilled services."""
	if not frappe.db.exists("DocType", SERVICE):
		return []
	names = frappe.get_all(
		SERVICE,
		filters={"source_doctype": source.doctype, "source_name": source.name, "status": "Unbilled"},
		pluck="name",
	)
	for name in names:
		frappe.get_doc(SERVICE, name).void(_("{0} {1} was cancelled").format(_(source.doctype), source.name))
	return names


# --- codes -------------------------------------------------------------------------------


def code_kind(row) -> str | None:
	"""'procedure', 'diagnosis' or None for one Codification Table row."""
	system = (row.get("code_system") or "").strip().casefold()
	uri = (row.get("system") or "").strip().casefold().rstrip("/")
	if system in procedure_code_systems() or uri in PROCEDURE_URIS:
		return "procedure"
	if "icd-10" in system or "icd10" in system or uri == ICD10_CM_URI.casefold():
		return "diagnosis"
	return None


def row_code(row) -> str:
	code = row.get("code")
	if not code and row.get("code_value"):
		code = frappe.db.get_value("Code Value", row.code_value, "code_value")
	return (code or "").strip()


def codes_in(rows, kind: str) -> list[str]:
	return [row_code(row) for row in rows or [] if code_kind(row) == kind and row_code(row)]


def template_procedure_codes(doctype: str, name: str | None) -> list[str]:
	"""Procedure codes on a Clinical Procedure Template / Therapy Type, else its code-shaped item code."""
	if not name or not frappe.db.exists(doctype, name):
		return []
	template = frappe.get_cached_doc(doctype, name)
	codes = codes_in(template.get("codification_table"), "procedure")
	if codes:
		return codes
	item_code = normalize_procedure_code(template.get("item_code") or template.get("item") or "")
	return [item_code] if item_code and not procedure_code_problem(item_code) else []


def procedure_codes(source) -> list[str]:
	codes = codes_in(source.get("codification_table"), "procedure")
	if source.doctype == "Patient Encounter":
		for prescription in source.get("procedure_prescription") or []:
			codes += template_procedure_codes("Clinical Procedure Template", prescription.procedure)
	elif not codes and source.doctype == "Therapy Session":
		codes = template_procedure_codes("Therapy Type", source.therapy_type)
	elif not codes and source.doctype == "Clinical Procedure":
		codes = template_procedure_codes("Clinical Procedure Template", source.procedure_template)
	return [normalize_procedure_code(code) for code in codes]


def numbered(codes: list[str]):
	"""(code, 1-based occurrence of that code) in order."""
	seen = Counter()
	for code in codes:
		seen[code] += 1
		yield code, seen[code]


def codes_captured_by_prescribing_encounter(source) -> set[str]:
	"""A Clinical Procedure done on an encounter's prescription was billed with that encounter."""
	if source.doctype != "Clinical Procedure" or not source.get("prescription"):
		return set()
	encounter = frappe.db.get_value("Procedure Prescription", source.prescription, "parent")
	if not encounter:
		return set()
	root = first_version_of("Patient Encounter", encounter)
	keys = frappe.get_all(
		SERVICE,
		filters={"capture_key": ["like", f"Patient Encounter|{root}|%"], "status": ["!=", "Void"]},
		pluck="capture_key",
	)
	return {key.split("|")[2] for key in keys}


# --- the visit ---------------------------------------------------------------------------


def visit_of(source) -> Visit:
	if source.doctype == "Patient Encounter":
		date_of_service = source.encounter_date
		telehealth = bool(source.get(TELEHEALTH_VISIT_FIELD)) or appointment_is_video(
			source.get("appointment")
		)
	else:
		date_of_service = source.get("start_date") or getdate(source.creation)
		telehealth = source.doctype == "Therapy Session" and source.get("location") == "Tele"
	visit = Visit(
		patient=source.patient,
		practitioner=billing_practitioner_for(source.get("practitioner")),
		date_of_service=str(getdate(date_of_service)),
		telehealth=telehealth,
	)
	visit.diagnoses, visit.notes = diagnoses_for(source, visit.date_of_service)
	return visit


def appointment_is_video(appointment: str | None) -> bool:
	if not appointment:
		return False
	values = frappe.db.get_value(
		"Patient Appointment", appointment, ["add_video_conferencing", "google_meet_link"], as_dict=True
	)
	return bool(values and (values.add_video_conferencing or values.google_meet_link))


def diagnoses_for(source, date_of_service: str) -> tuple[list[str], list[str]]:
	"""ICD-10 codes of the source, else of the patient's latest encounter with any; plus notes."""
	codes = document_diagnoses(source)
	notes = []
	if not codes:
		codes, encounter = recorded_diagnoses(source.patient, date_of_service, source.name)
		if codes:
			notes.append(_("Diagnoses taken from the patient's encounter {0}.").format(encounter))
	unique = []
	for code in codes:
		normalized = normalize_icd10(code)
		if normalized not in unique:
			unique.append(normalized)
	if len(unique) > MAX_DIAGNOSES:
		notes.append(
			_("The source had {0} diagnoses; the first {1} were kept.").format(len(unique), MAX_DIAGNOSES)
		)
		unique = unique[:MAX_DIAGNOSES]
	return unique, notes


def document_diagnoses(doc) -> list[str]:
	codes = codes_in(doc.get("codification_table"), "diagnosis")
	for row in doc.get("diagnosis") or []:
		codes += codes_in(
			frappe.get_all(
				"Codification Table",
				filters={"parenttype": "Diagnosis", "parent": row.diagnosis},
				fields=["code", "code_value", "code_system", "system"],
				order_by="idx",
			),
			"diagnosis",
		)
	return codes


def recorded_diagnoses(patient: str, on_date: str, exclude: str) -> tuple[list[str], str | None]:
	"""The patient's recorded diagnoses: those of their latest submitted encounter up to the date."""
	encounters = frappe.get_all(
		"Patient Encounter",
		filters={
			"patient": patient,
			"docstatus": 1,
			"encounter_date": ["<=", on_date],
			"name": ["!=", exclude],
		},
		order_by="encounter_date desc, creation desc",
		limit=RECENT_ENCOUNTERS_SEARCHED,
		pluck="name",
	)
	for name in encounters:
		codes = document_diagnoses(frappe.get_doc("Patient Encounter", name))
		if codes:
			return codes, name
	return [], None


def billing_practitioner_for(healthcare_practitioner: str | None) -> str | None:
	"""The Billing Practitioner linked to a Healthcare Practitioner, created on first use."""
	if not healthcare_practitioner:
		return None
	existing = frappe.db.get_value(
		"Billing Practitioner", {HEALTHCARE_PRACTITIONER_FIELD: healthcare_practitioner}, "name"
	)
	if existing:
		return existing
	source = frappe.db.get_value(
		"Healthcare Practitioner",
		healthcare_practitioner,
		["practitioner_name", "first_name", "last_name", "user_id"],
		as_dict=True,
	)
	if not source:
		return None
	practitioner = frappe.get_doc(
		{
			"doctype": "Billing Practitioner",
			"practitioner_name": source.practitioner_name or healthcare_practitioner,
			"first_name": source.first_name or source.practitioner_name or healthcare_practitioner,
			"last_name": source.last_name or source.practitioner_name or healthcare_practitioner,
			"user": source.user_id,
			HEALTHCARE_PRACTITIONER_FIELD: healthcare_practitioner,
		}
	)
	practitioner.insert(ignore_permissions=True)
	return practitioner.name


# --- natural keys ------------------------------------------------------------------------


def first_version(source) -> str:
	return first_version_of(source.doctype, source.name, source.get("amended_from"))


def first_version_of(doctype: str, name: str, amended_from: str | None = None) -> str:
	"""Follow amended_from back to the original document's name."""
	if amended_from is None:
		amended_from = frappe.db.get_value(doctype, name, "amended_from")
	seen = {name}
	while amended_from and amended_from not in seen:
		seen.add(amended_from)
		name, amended_from = amended_from, frappe.db.get_value(doctype, amended_from, "amended_from")
	return name


def capture_key(doctype: str, root: str, code: str, occurrence: int) -> str:
	return f"{doctype}|{root}|{code}|{occurrence}"


# --- writing services --------------------------------------------------------------------


def upsert_service(source, visit: Visit, code: str, key: str) -> str | None:
	existing = frappe.db.get_value(SERVICE, {"capture_key": key}, ["name", "status"], as_dict=True)
	if existing and existing.status != "Void":
		# Captured before (re-submit, re-run): never a second service for the same code row.
		return None
	if existing:
		service = frappe.get_doc(SERVICE, existing.name)
		service.update({"voided": 0, "void_reason": "", "rate": 0, "rate_source": ""})
		service.update(dict.fromkeys(("modifier_1", "modifier_2", "modifier_3", "modifier_4"), ""))
		service.set("diagnoses", [])
	else:
		service = frappe.new_doc(SERVICE)
		service.capture_key = key
	service.update(
		{
			"patient_doctype": "Patient",
			"patient": visit.patient,
			"practitioner": visit.practitioner,
			"date_of_service": visit.date_of_service,
			"procedure_code": code,
			"units": 1,
			"telehealth": 1 if visit.telehealth else 0,
			"place_of_service": "",
			"source_doctype": source.doctype,
			"source_name": source.name,
		}
	)
	for diagnosis in visit.diagnoses:
		service.append("diagnoses", {"icd10_code": diagnosis})
	service.flags.from_capture = True
	service.flags.ignore_permissions = True
	service.flags.ignore_mandatory = True
	if service.is_new():
		service.insert()
	else:
		service.save()
	if visit.notes:
		service.add_comment("Info", " ".join(visit.notes))
	return service.name
