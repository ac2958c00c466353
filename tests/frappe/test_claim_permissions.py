"""Who may see and do what with claims, over real HTTP: the claim DocTypes, the clearinghouse records, the
claim actions and the Needs Follow-up report, for each kind of user (no Guest, no desk user without a
billing role, no clinician).
"""

import frappe
import pytest
import requests
from claim_fixtures import add_service, make_world
from records import make_api_user

from claims_billing.claims import api as claims_api
from claims_billing.roles import BILLING_MANAGER, BILLING_STAFF, CLINICIAN

CLAIMS = "/api/resource/Insurance Claim"
FILES = "/api/resource/Clearinghouse File"
EXCEPTIONS = "/api/resource/Clearinghouse Exception"
METHOD = "/api/method/claims_billing.claims.api."
REPORT = "/api/method/frappe.desk.query_report.run"


@pytest.fixture(scope="module")
def people(committed, web_server):
	headers = {
		"manager": make_api_user([BILLING_MANAGER], "claims-manager", insert=committed.insert).headers,
		"staff": make_api_user([BILLING_STAFF], "claims-staff", insert=committed.insert).headers,
		"clinician": make_api_user([CLINICIAN], "claims-clinician", insert=committed.insert).headers,
		"other_desk": make_api_user(["System Manager"], "claims-sysmanager", insert=committed.insert).headers,
		"no_roles": make_api_user([], "claims-noroles", insert=committed.insert).headers,
		"guest": {},
	}
	world = make_world(contract=False)
	service = add_service(world, "97110", days_ago=3)
	committed.created.extend(world.records)
	claim = claims_api.initiate_claims([service.name], flow="Review Queue")["claims"][0]["name"]
	committed.created.append(("Insurance Claim", claim))
	frappe.db.commit()
	return frappe._dict(headers=headers, claim=claim, base=web_server)


def call(people, who: str, method: str, path: str, **kwargs):
	return requests.request(method, people.base + path, headers=people.headers[who], timeout=60, **kwargs)


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_billing_roles_work_with_claims_and_read_clearinghouse_records(people, who):
	listed = call(people, who, "GET", CLAIMS, params={"filters": f'[["name", "=", "{people.claim}"]]'})
	assert listed.status_code == 200, listed.text
	assert [row["name"] for row in listed.json()["data"]] == [people.claim]
	assert call(people, who, "GET", f"{CLAIMS}/{people.claim}").json()["data"]["status"] == "Draft"
	assert call(people, who, "GET", FILES).status_code == 200
	assert call(people, who, "GET", EXCEPTIONS).status_code == 200
	report = call(people, who, "GET", REPORT, params={"report_name": "Needs Follow-up"})
	assert report.status_code == 200, report.text


@pytest.mark.parametrize("who", ["guest", "no_roles", "other_desk", "clinician"])
def test_everyone_else_is_refused(people, who):
	assert call(people, who, "GET", CLAIMS).status_code == 403
	assert call(people, who, "GET", f"{CLAIMS}/{people.claim}").status_code == 403
	assert call(people, who, "GET", FILES).status_code == 403
	assert call(people, who, "GET", EXCEPTIONS).status_code == 403
	assert call(people, who, "GET", REPORT, params={"report_name": "Needs Follow-up"}).status_code == 403
	assert call(people, who, "POST", METHOD + "send_queued_claims_now").status_code == 403
	initiate = call(people, who, "POST", METHOD + "initiate_claims", json={"services": ["SVC-X"]})
	assert initiate.status_code == 403


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_nobody_creates_clearinghouse_records_by_hand(people, who):
	assert call(people, who, "POST", FILES, json={"direction": "Outbound"}).status_code == 403
	assert call(people, who, "POST", EXCEPTIONS, json={"kind": "x"}).status_code == 403


def test_only_a_billing_manager_overrides_a_status_or_tests_the_connection(people):
	override = {"claim": people.claim, "status": "Accepted by Payer", "reason": "phone"}
	assert call(people, "staff", "POST", METHOD + "set_claim_status", json=override).status_code == 403
	assert call(people, "staff", "POST", METHOD + "test_connection").status_code == 403
	refused = call(people, "manager", "POST", METHOD + "set_claim_status", json=override)
	assert refused.status_code == 417 and "Only a queued or sent claim" in refused.text
	assert call(people, "manager", "POST", METHOD + "test_connection").status_code == 200
