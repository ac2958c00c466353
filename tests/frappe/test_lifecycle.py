"""Captured services follow their source: idempotent capture, void on cancel, revive on amend."""

import frappe
import pytest
from records import (
	make_encounter,
	make_fee_schedule,
	make_healthcare_practitioner,
	make_patient,
	make_payer,
	make_policy,
	make_practitioner,
	services_of,
)

from claims_billing.services import capture

CODES = [("CPT", "97110"), ("CPT", "97140"), ("ICD-10-CM", "M54.50")]


@pytest.fixture
def encounter():
	payer = make_payer()
	patient = make_patient()
	make_policy(patient.name, payer.name)
	clinician = make_healthcare_practitioner()
	make_practitioner(healthcare_practitioner=clinician.name)
	make_fee_schedule([("97110", "", 40), ("97140", "", 45)])
	return make_encounter(patient.name, clinician.name, codes=CODES)


def all_services_with_key_of(encounter) -> list[dict]:
	return frappe.get_all(
		"Billable Service",
		filters={"capture_key": ["like", f"Patient Encounter|{encounter.name}|%"]},
		fields=["name", "status", "source_name", "capture_key"],
		order_by="capture_key asc",
	)


def amend(document):
	amended = frappe.copy_doc(document)
	amended.amended_from = document.name
	return amended


def test_running_capture_again_creates_nothing_new(encounter):
	before = all_services_with_key_of(encounter)
	assert len(before) == 2
	assert capture.capture_services(encounter) == []
	assert all_services_with_key_of(encounter) == before


def test_saving_the_submitted_encounter_again_does_not_duplicate(encounter):
	encounter.reload()
	encounter.save()
	assert len(all_services_with_key_of(encounter)) == 2


def test_cancel_voids_unbilled_services_with_the_reason(encounter):
	encounter.cancel()
	services = services_of(encounter)
	assert [service.status for service in services] == ["Void", "Void"]
	assert all(encounter.name in service.void_reason for service in services)


def test_amending_a_cancelled_encounter_revives_the_same_services(encounter):
	original = {row.capture_key: row.name for row in all_services_with_key_of(encounter)}
	encounter.cancel()
	amended = amend(encounter)
	amended.insert()
	amended.submit()
	revived = all_services_with_key_of(encounter)
	assert {row.capture_key: row.name for row in revived} == original
	assert {row.status for row in revived} == {"Unbilled"}
	assert {row.source_name for row in revived} == {amended.name}
	assert frappe.db.count("Billable Service", {"source_name": ["in", [encounter.name, amended.name]]}) == 2


def test_a_code_dropped_by_the_amendment_stays_void(encounter):
	encounter.cancel()
	amended = amend(encounter)
	amended.codification_table = [row for row in amended.codification_table if row.code != "97140"]
	amended.insert()
	amended.submit()
	statuses = {row.capture_key.split("|")[2]: row.status for row in all_services_with_key_of(encounter)}
	assert statuses == {"97110": "Unbilled", "97140": "Void"}


def test_cancel_is_refused_when_a_service_is_on_a_claim(encounter):
	on_claim, _ = services_of(encounter)
	on_claim.mark_billed("Insurance Claim", "CLM-TEST-0001")
	assert on_claim.status == "On Claim"
	with pytest.raises(frappe.ValidationError) as refused:
		frappe.get_doc("Patient Encounter", encounter.name).cancel()
	message = str(refused.value)
	assert "can't be cancelled because its services are already billed" in message
	assert on_claim.name in message
	assert "CLM-TEST-0001" in message
	assert frappe.db.get_value("Patient Encounter", encounter.name, "docstatus") == 1
	assert frappe.db.get_value("Billable Service", on_claim.name, "status") == "On Claim"


def test_billed_services_cannot_be_edited_or_deleted(encounter):
	service, _ = services_of(encounter)
	service.mark_billed("Superbill", "SB-TEST-0001")
	service.reload()
	assert service.status == "Superbilled"
	service.units = 2
	with pytest.raises(frappe.ValidationError, match="Superbilled and can no longer be changed"):
		service.save()
	with pytest.raises(frappe.ValidationError, match="remove it from there before deleting it"):
		frappe.delete_doc("Billable Service", service.name)


def test_released_service_is_unbilled_again(encounter):
	service, _ = services_of(encounter)
	service.mark_billed("Sales Invoice", "ACC-SINV-TEST")
	assert service.status == "Invoiced"
	service.release_from_billing()
	assert frappe.db.get_value("Billable Service", service.name, ["status", "billed_by"]) == (
		"Unbilled",
		None,
	)
