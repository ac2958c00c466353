"""Roles over real HTTP for the remittance records and endpoints."""

import frappe
import pytest
import requests
from records import make_api_user

from claims_billing.roles import BILLING_MANAGER, BILLING_STAFF, CLINICIAN

DOCTYPES = ("Insurance Payment", "Unmatched Remittance", "Claim Denial")
METHOD = "/api/method/claims_billing.remittance.api.services_for_manual_payment"


@pytest.fixture(scope="module")
def users(committed, web_server):
	made = {
		"manager": make_api_user([BILLING_MANAGER], "era-manager", insert=committed.insert),
		"staff": make_api_user([BILLING_STAFF], "era-staff", insert=committed.insert),
		"clinician": make_api_user([CLINICIAN], "era-clinician", insert=committed.insert),
		"other_desk": make_api_user(["System Manager"], "era-sysmanager", insert=committed.insert),
		"no_roles": make_api_user([], "era-noroles", insert=committed.insert),
		"guest": frappe._dict(name="Guest", headers={}),
	}
	frappe.db.commit()
	return frappe._dict(base=web_server, users=made)


def call(users, who, method, path, **kwargs):
	return requests.request(method, users.base + path, headers=users.users[who].headers, timeout=60, **kwargs)


@pytest.mark.parametrize("doctype", DOCTYPES)
@pytest.mark.parametrize("who", ["manager", "staff"])
def test_billing_roles_list_remittance_records(users, who, doctype):
	assert call(users, who, "GET", f"/api/resource/{doctype}").status_code == 200


@pytest.mark.parametrize("doctype", DOCTYPES)
@pytest.mark.parametrize("who", ["clinician", "other_desk", "no_roles", "guest"])
def test_others_get_403_on_remittance_records(users, who, doctype):
	assert call(users, who, "GET", f"/api/resource/{doctype}").status_code == 403


@pytest.mark.parametrize("who", ["clinician", "no_roles", "guest"])
def test_remittance_endpoints_check_permissions(users, who):
	assert call(users, who, "POST", METHOD, data={"payer": "any"}).status_code == 403


def test_staff_may_use_the_manual_payment_endpoint(users):
	response = call(users, "staff", "POST", METHOD, data={"payer": "no such payer"})
	assert response.status_code == 200, response.text
	assert response.json()["message"] == []
