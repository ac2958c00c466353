"""Roles through the REST API, over real HTTP: /api/resource/... as each kind of user."""

import json

import frappe
import pytest
import requests
from records import days_ago, make_api_user, valid_npi

from claims_billing.roles import BILLING_MANAGER, BILLING_STAFF, CLINICIAN

SERVICES = "/api/resource/Billable Service"
SETTINGS = "/api/resource/Claims Billing Settings/Claims Billing Settings"


@pytest.fixture(scope="module")
def people(committed, web_server):
	users = {
		"manager": make_api_user([BILLING_MANAGER], "manager", insert=committed.insert),
		"staff": make_api_user([BILLING_STAFF], "staff", insert=committed.insert),
		"clinician": make_api_user([CLINICIAN], "clinician", insert=committed.insert),
		"other_desk": make_api_user(["System Manager"], "sysmanager", insert=committed.insert),
		"no_roles": make_api_user([], "noroles", insert=committed.insert),
		"guest": frappe._dict(name="Guest", headers={}),
	}
	patient = committed.insert(
		{
			"doctype": "Patient",
			"first_name": "Rest",
			"last_name": frappe.generate_hash(length=6),
			"sex": "Male",
		}
	)
	if patient.customer:
		committed.created.insert(0, ("Customer", patient.customer))
	own = committed.insert(
		{
			"doctype": "Billing Practitioner",
			"first_name": "Own",
			"last_name": "Clinician",
			"npi": valid_npi(),
			"user": users["clinician"].name,
		}
	)
	colleague = committed.insert(
		{
			"doctype": "Billing Practitioner",
			"first_name": "Other",
			"last_name": "Clinician",
			"npi": valid_npi(),
		}
	)
	services = {}
	for key, practitioner in (("own", own), ("colleague", colleague)):
		services[key] = committed.insert(
			{
				"doctype": "Billable Service",
				"patient_doctype": "Patient",
				"patient": patient.name,
				"practitioner": practitioner.name,
				"date_of_service": days_ago(4),
				"procedure_code": "90834",
				"billing_route": "Private Pay",
			}
		).name
	frappe.db.commit()
	return frappe._dict(users=users, services=services, patient=patient.name, base=web_server)


def call(people, who: str, method: str, path: str, **kwargs):
	return requests.request(
		method, people.base + path, headers=people.users[who].headers, timeout=60, **kwargs
	)


def listed_services(people, who: str) -> list[str]:
	response = call(
		people,
		who,
		"GET",
		SERVICES,
		params={
			"fields": json.dumps(["name"]),
			"filters": json.dumps([["name", "in", list(people.services.values())]]),
			"limit_page_length": 0,
		},
	)
	assert response.status_code == 200, response.text
	return sorted(row["name"] for row in response.json()["data"])


@pytest.mark.parametrize("who", ["guest", "no_roles", "other_desk"])
def test_users_without_a_billing_role_get_403(people, who):
	assert call(people, who, "GET", SERVICES).status_code == 403
	assert call(people, who, "GET", f"{SERVICES}/{people.services['own']}").status_code == 403
	assert call(people, who, "GET", "/api/resource/Insurance Payer").status_code == 403
	assert call(people, who, "GET", SETTINGS).status_code == 403


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_billing_roles_read_every_service(people, who):
	assert listed_services(people, who) == sorted(people.services.values())


def test_clinician_reads_only_their_own_services(people):
	assert listed_services(people, "clinician") == [people.services["own"]]
	assert call(people, "clinician", "GET", f"{SERVICES}/{people.services['own']}").status_code == 200
	assert call(people, "clinician", "GET", f"{SERVICES}/{people.services['colleague']}").status_code == 403


def test_clinician_cannot_change_services_or_see_payers(people):
	new_service = {
		"patient_doctype": "Patient",
		"patient": people.patient,
		"practitioner": frappe.db.get_value("Billable Service", people.services["own"], "practitioner"),
		"date_of_service": days_ago(1),
		"procedure_code": "90834",
		"billing_route": "Private Pay",
	}
	assert call(people, "clinician", "POST", SERVICES, json=new_service).status_code == 403
	assert (
		call(
			people, "clinician", "PUT", f"{SERVICES}/{people.services['own']}", json={"units": 2}
		).status_code
		== 403
	)
	assert call(people, "clinician", "GET", "/api/resource/Insurance Payer").status_code == 403


def test_staff_create_services_but_cannot_touch_settings(people, committed):
	new_service = {
		"patient_doctype": "Patient",
		"patient": people.patient,
		"practitioner": frappe.db.get_value("Billable Service", people.services["colleague"], "practitioner"),
		"date_of_service": days_ago(1),
		"procedure_code": "90837",
		"billing_route": "Private Pay",
	}
	created = call(people, "staff", "POST", SERVICES, json=new_service)
	assert created.status_code == 200, created.text
	committed.created.append(("Billable Service", created.json()["data"]["name"]))
	assert created.json()["data"]["status"] == "Unbilled"
	assert call(people, "staff", "GET", SETTINGS).status_code == 403
	assert call(people, "staff", "PUT", SETTINGS, json={"telehealth_modifier": "GT"}).status_code == 403
	assert call(people, "staff", "GET", "/api/resource/Fee Schedule").status_code == 200
	assert call(people, "staff", "POST", "/api/resource/Fee Schedule", json={}).status_code == 403


def test_manager_reads_and_changes_settings(people):
	response = call(people, "manager", "GET", SETTINGS)
	assert response.status_code == 200
	assert response.json()["data"]["default_place_of_service"] == "11"
	changed = call(people, "manager", "PUT", SETTINGS, json={"submitter_id": "CB-TEST-SUBMITTER"})
	assert changed.status_code == 200, changed.text
	restored = call(people, "manager", "PUT", SETTINGS, json={"submitter_id": ""})
	assert restored.status_code == 200


def test_validation_errors_reach_api_callers_in_plain_words(people):
	response = call(
		people,
		"staff",
		"POST",
		SERVICES,
		json={
			"patient_doctype": "Patient",
			"patient": people.patient,
			"practitioner": frappe.db.get_value(
				"Billable Service", people.services["colleague"], "practitioner"
			),
			"date_of_service": days_ago(1),
			"procedure_code": "9083",
			"units": 0,
			"billing_route": "Private Pay",
		},
	)
	assert response.status_code == 417
	text = response.text
	assert "Procedure code" in text and "9083" in text
	assert "Units must be greater than 0" in text
