"""Records, settings, an SFTP server and response files for the claim lifecycle tests (test_claim_*.py).

Everything here is invented test data. Response files (999, 277CA) are written the way a
clearinghouse writes them, naming the control numbers and claim ids of the files we sent.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.util
import os
import pathlib
import sys
from dataclasses import dataclass, field

import frappe
from frappe.utils import add_days, getdate
from frappe.utils.password import get_decrypted_password, set_encrypted_password
from records import COMPANY, SCHEDULE_START, unique, valid_npi

REPO = pathlib.Path(__file__).resolve().parents[2]


def _load(name: str):
	"""A support module of the repo's tests/ folder, by path (site-packages may hold another "tests")."""
	spec = importlib.util.spec_from_file_location(
		f"claims_billing_tests_{name}", REPO / "tests" / f"{name}.py"
	)
	module = importlib.util.module_from_spec(spec)
	sys.modules[spec.name] = module
	spec.loader.exec_module(module)
	return module


pyx12_judge = _load("pyx12_judge")
sftp_server = _load("sftp_server")

SETTINGS = "Claims Billing Settings"
SAMPLES = pathlib.Path(os.environ.get("CLAIMS_BILLING_SAMPLES", "/work/shared/x12-samples"))
SUBMITTER_ID = "CBSUBMIT01"
RECEIVER_ID = "CLEARHOUSE"
ORGANISATION_NPI = "1234567893"


@dataclass
class World:
	"""One patient with a policy, a practitioner, a payer with a contract, and services to bill."""

	payer: object
	practitioner: object
	patient: object
	policy: object
	services: list = field(default_factory=list)
	records: list = field(default_factory=list)  # (doctype, name) of everything made, oldest first


def settings_values(server=None, **overrides) -> dict:
	values = {
		"billing_provider_name": "Lakeside Therapy Group",
		"billing_provider_npi": ORGANISATION_NPI,
		"billing_provider_tax_id": "91-0000123",
		"billing_provider_taxonomy": "101YP2500X",
		"billing_provider_phone": "2075550100",
		"billing_provider_address_line1": "200 Commerce Way",
		"billing_provider_city": "Portland",
		"billing_provider_state": "ME",
		"billing_provider_zip_code": "04101-5678",
		"submitter_id": SUBMITTER_ID,
		"submitter_name": "Lakeside Therapy Group",
		"submitter_contact_email": "billing@example.com",
		"receiver_id": RECEIVER_ID,
		"receiver_name": "Test Clearinghouse",
		"claim_flow": "One-click",
		"usage_indicator": "T",
		"file_name_pattern": "{sender}_{icn}_{date:%Y%m%d}.837",
		"connection_mode": "SFTP",
		"outbound_folder": "outbound",
		"inbound_folder": "inbound",
		"archive_folder": "",
	}
	if server is not None:
		values.update(
			{
				"sftp_host": server.host,
				"sftp_port": server.port,
				"sftp_user": server.username,
				"sftp_host_key": server.host_keys["ssh-ed25519"],
			}
		)
	values.update(overrides)
	return values


def configure(server=None, password: str | None = None, **overrides) -> None:
	"""Write the settings straight to the database (rolled back with the test) and drop the cache."""
	values = settings_values(server, **overrides)
	frappe.db.set_single_value(SETTINGS, values)
	if server is not None or password is not None:
		set_encrypted_password(
			SETTINGS, SETTINGS, password if password is not None else server.password, "sftp_password"
		)
	frappe.clear_document_cache(SETTINGS, SETTINGS)


# What the send job writes into the settings as it runs.
SEND_JOB_FIELDS = ("last_send_at", "last_transport_error", "last_transport_error_at")


@contextlib.contextmanager
def committed_settings(server, **overrides):
	"""``configure`` committed, for other processes (workers, benchmarks); the settings are put back after."""
	fields = [*settings_values(server, **overrides), *SEND_JOB_FIELDS]
	saved = {name: frappe.db.get_single_value(SETTINGS, name) for name in fields}
	saved_password = get_decrypted_password(SETTINGS, SETTINGS, "sftp_password", raise_exception=False)
	configure(server, **overrides)
	frappe.db.commit()
	try:
		yield
	finally:
		frappe.db.rollback()
		frappe.db.set_single_value(SETTINGS, saved)
		if saved_password:
			set_encrypted_password(SETTINGS, SETTINGS, saved_password, "sftp_password")
		else:
			frappe.db.delete("__Auth", {"doctype": SETTINGS, "name": SETTINGS, "fieldname": "sftp_password"})
		frappe.db.commit()
		frappe.clear_document_cache(SETTINGS, SETTINGS)


def make_payer(**values):
	return frappe.get_doc(
		{
			"doctype": "Insurance Payer",
			"payer_name": unique("Evergreen Mutual"),
			"payer_id": "60054",
			"timely_filing_days": 90,
			"address_line1": "PO Box 4400",
			"city": "Augusta",
			"state": "ME",
			"zip_code": "04330",
			**values,
		}
	).insert()


def make_patient_with_address(**values):
	patient = frappe.get_doc(
		{
			"doctype": "Patient",
			"first_name": "Avery",
			"last_name": unique("Testwell").replace(" ", ""),
			"sex": "Female",
			"dob": "1984-03-09",
			**values,
		}
	).insert()
	add_address("Patient", patient.name)
	return patient


def add_address(link_doctype: str, link_name: str, **values):
	return frappe.get_doc(
		{
			"doctype": "Address",
			"address_title": link_name,
			"address_type": "Billing",
			"address_line1": "10 Maple St",
			"city": "Augusta",
			"state": "ME",
			"pincode": "04330",
			"country": "United States",
			"is_primary_address": 1,
			"links": [{"link_doctype": link_doctype, "link_name": link_name}],
			**values,
		}
	).insert(ignore_permissions=True)


def make_world(codes=(("97110", "", 45.50), ("97140", "", 42.25)), contract=True, payer_values=None) -> World:
	payer = make_payer(**(payer_values or {}))
	practitioner = frappe.get_doc(
		{
			"doctype": "Billing Practitioner",
			"practitioner_name": unique("Dr Wrenfield"),
			"first_name": "Mara",
			"last_name": "Wrenfield",
			"npi": valid_npi(),
			"taxonomy_code": "101YP2500X",
		}
	).insert()
	patient = make_patient_with_address()
	address = frappe.get_all(
		"Dynamic Link", filters={"parenttype": "Address", "link_name": patient.name}, pluck="parent"
	)
	policy = frappe.get_doc(
		{
			"doctype": "Patient Insurance Policy",
			"patient_doctype": "Patient",
			"patient": patient.name,
			"payer": payer.name,
			"member_id": "XQZ" + frappe.generate_hash(length=8).upper(),
			"group_number": "GRP4401",
			"priority": "Primary",
			"valid_from": SCHEDULE_START,
		}
	).insert()
	fees = frappe.get_doc(
		{
			"doctype": "Fee Schedule",
			"fee_schedule_name": unique("Fees"),
			"practitioner": practitioner.name,
			"effective_from": SCHEDULE_START,
			"items": [
				{"procedure_code": code, "modifiers": mods, "charge": charge} for code, mods, charge in codes
			],
		}
	).insert()
	records = [
		("Insurance Payer", payer.name),
		("Customer", payer.customer),
		("Billing Practitioner", practitioner.name),
	]
	records += [("Patient", patient.name), *(("Address", name) for name in address)]
	if patient.get("customer"):
		records.append(("Customer", patient.customer))
	records += [("Patient Insurance Policy", policy.name), ("Fee Schedule", fees.name)]
	if contract:
		agreement = frappe.get_doc(
			{
				"doctype": "Payer Contract",
				"payer": payer.name,
				"effective_from": SCHEDULE_START,
				"items": [
					{"procedure_code": code, "modifiers": mods, "allowed_amount": round(charge * 0.8, 2)}
					for code, mods, charge in codes
				],
			}
		).insert()
		records.append(("Payer Contract", agreement.name))
	return World(payer, practitioner, patient, policy, records=records)


def add_service(world: World, procedure_code: str = "97110", days_ago: int = 5, units: float = 1, **values):
	service = frappe.get_doc(
		{
			"doctype": "Billable Service",
			"patient_doctype": "Patient",
			"patient": world.patient.name,
			"practitioner": world.practitioner.name,
			"date_of_service": str(add_days(getdate(), -days_ago)),
			"procedure_code": procedure_code,
			"units": units,
			"billing_route": "Insurance",
			"diagnoses": [{"icd10_code": "M54.50"}, {"icd10_code": "M62.830"}],
			**values,
		}
	).insert()
	world.services.append(service)
	world.records.append(("Billable Service", service.name))
	return service


# --- SFTP ---------------------------------------------------------------------------------------


def start_sftp_server():
	"""A real SFTP server on 127.0.0.1 as this user can run one (sshd needs root: asyncssh here)."""
	for kind in sftp_server.SERVER_KINDS:
		if sftp_server.unavailable_reason(kind) is None:
			return sftp_server.running_server(kind)
	reasons = "; ".join(f"{k}: {sftp_server.unavailable_reason(k)}" for k in sftp_server.SERVER_KINDS)
	raise RuntimeError(f"No SFTP test server can run here ({reasons}).")


def clear_server(server) -> None:
	for folder in ("outbound", "inbound", "inbound/archive"):
		path = server.make_folder(folder)
		for entry in path.iterdir():
			if entry.is_file():
				entry.unlink()


def uploaded_files(server) -> dict[str, bytes]:
	folder = server.root / "outbound"
	return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def drop_response(server, name: str, data: bytes) -> None:
	server.place_file(server.make_folder("inbound") / name, data)


@contextlib.contextmanager
def commits_suppressed():
	"""The jobs commit after each step; inside a rolled-back test those commits must not happen."""
	original = frappe.db.commit
	frappe.db.commit = lambda *args, **kwargs: None
	try:
		yield
	finally:
		frappe.db.commit = original


# --- response files ------------------------------------------------------------------------------


def _isa(sender: str, receiver: str, control: int, when: datetime.datetime) -> str:
	return (
		f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*"
		f"{when:%y%m%d}*{when:%H%M}*^*00501*{control:09d}*0*T*:"
	)


def envelope(functional_id: str, version: str, body: list[str], control: int, set_id: str) -> bytes:
	when = datetime.datetime(2026, 11, 21, 9, 30)
	set_number = f"{control % 10000:04d}"
	segments = [
		_isa(RECEIVER_ID, SUBMITTER_ID, control, when),
		f"GS*{functional_id}*{RECEIVER_ID}*{SUBMITTER_ID}*{when:%Y%m%d}*{when:%H%M}*{control}*X*{version}",
		f"ST*{set_id}*{set_number}*{version}",
		*body,
	]
	segments.append(f"SE*{len(body) + 2}*{set_number}")
	segments += [f"GE*1*{control}", f"IEA*1*{control:09d}"]
	return ("~".join(segments) + "~").encode("ascii")


def response_999(group_control_number: str, accepted: bool, control: int, errors=()) -> bytes:
	"""A 999 for our 837P group: IK5/AK9 A, or R with IK3/IK4 errors (segment id, position, loop, element, code)."""
	body = [
		f"AK1*HC*{group_control_number}*005010X222A1",
		f"AK2*837*{int(group_control_number):04d}*005010X222A1",
	]
	for segment_id, position, loop, element, code in errors:
		body.append(f"IK3*{segment_id}*{position}*{loop}*8")
		body.append(f"IK4*{element}**{code}")
	code = "A" if accepted else "R"
	body.append(f"IK5*{code}" + ("" if accepted else "*5"))
	body.append(f"AK9*{code}*1*1*{1 if accepted else 0}")
	return envelope("FA", "005010X231A1", body, control, "999")


def response_277ca(
	claims: list[tuple[str, str, str, str]], control: int, payer_name: str = "EVERGREEN"
) -> bytes:
	"""A 277CA: per claim (claim id, STC category:status, payer claim number, charge)."""
	body = [
		f"BHT*0085*08*{control}*20261121*0930*TH",
		"HL*1**20*1",
		f"NM1*PR*2*{payer_name}*****PI*60054",
		"TRN*1*BATCH1",
		"DTP*050*D8*20261121",
		"DTP*009*D8*20261121",
		"HL*2*1*21*1",
		f"NM1*41*2*LAKESIDE THERAPY GROUP*****46*{SUBMITTER_ID}",
		"TRN*2*RECEIPT1",
		f"STC*A1:19*20261121*WQ*{sum(float(c[3]) for c in claims):.2f}",
		f"QTY*90*{len(claims)}",
		"HL*3*2*19*1",
		f"NM1*85*2*LAKESIDE THERAPY GROUP*****XX*{ORGANISATION_NPI}",
		"TRN*1*PROVIDER1",
	]
	number = 4
	for claim_id, status, payer_claim_number, charge in claims:
		action = "WQ" if status.startswith(("A1", "A2", "A0")) else "U"
		body += [
			f"HL*{number}*3*PT",
			"NM1*QC*1*TESTWELL*AVERY****MI*XQZ000000",
			f"TRN*2*{claim_id}",
			f"STC*{status}*20261121*{action}*{charge}",
		]
		if payer_claim_number:
			body.append(f"REF*1K*{payer_claim_number}")
		body.append("DTP*472*D8*20261115")
		number += 1
	return envelope("HN", "005010X214", body, control, "277")


def judge(data: bytes) -> tuple[bool, list[str]]:
	return pyx12_judge.judge(data)


def company() -> str:
	return COMPANY


def send_world_claims(world: World, services_per_claim: list[list] | None = None) -> tuple[list[str], object]:
	"""Queue one claim per group of services (one-click) and send them; returns (claim names, the file record)."""
	from claims_billing.claims import api as claims_api
	from claims_billing.jobs.clearinghouse import send_queued_claims

	groups = services_per_claim or [[service.name for service in world.services]]
	names = []
	for group in groups:
		result = claims_api.initiate_claims(group, flow="One-click")
		assert result["queued"] == 1, result
		names.append(result["claims"][0]["name"])
	summary = send_queued_claims()
	assert summary["error"] == "" and len(summary["uploaded"]) == 1, summary
	return names, frappe.get_doc("Clearinghouse File", summary["uploaded"][0])


def history(name: str) -> list[tuple]:
	"""A claim's status history as (from, to, source kind) triples, oldest first."""
	from claims_billing.claims_billing.doctype.insurance_claim.insurance_claim import status_history

	return [(row.from_status, row.to_status, row.source_kind) for row in status_history(name)]


def assert_uploads_pass_pyx12(server) -> None:
	"""Every 837P a test put on the clearinghouse server passes pyx12 with zero errors."""
	files = uploaded_files(server)
	if not files:
		return
	verdicts = pyx12_judge.judge_many(list(files.values()))
	failures = {name: errors for name, (ok, errors) in zip(files, verdicts, strict=True) if not ok}
	assert not failures, failures
