"""Two send workers at the same moment, each in its own process with its own database connection, never
send a claim twice: the claims go into one file, uploaded once, and each claim is Submitted once.

This test commits (the workers must see the claims), then deletes what it made, including the ledger
rows of the receivables it booked.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import frappe
import pytest
from claim_fixtures import (
	add_service,
	assert_uploads_pass_pyx12,
	clear_server,
	committed_settings,
	make_world,
	uploaded_files,
)
from conftest import SITE, SITES_PATH

from claims_billing.claims import api as claims_api
from claims_billing.x12.read_837p import read_837p

WORKER = Path(__file__).with_name("claim_worker.py")
CLAIMS = 6
DELAY = 1.5


@pytest.fixture(scope="module")
def queued(server):
	"""Committed: settings pointing at the test server, and six queued claims of six patients."""
	made: list[tuple[str, str]] = []
	names: list[str] = []
	try:
		# Settings are put back first: a failed clean-up must not leave the site pointing at a stopped server.
		with committed_settings(server):
			clear_server(server)
			for _number in range(CLAIMS):
				world = make_world(contract=False)
				add_service(world, "97110", days_ago=4)
				made += world.records
				result = claims_api.initiate_claims([world.services[0].name], flow="One-click")
				names.append(result["claims"][0]["name"])
			frappe.db.commit()
			yield names
	finally:
		frappe.db.rollback()
		remove_everything(names, made)
		frappe.db.commit()


def remove_everything(claims: list[str], made: list[tuple[str, str]]) -> None:
	"""Delete the claims, their files and receivables (with their ledger rows), then the records."""
	rows = frappe.get_all(
		"Insurance Claim",
		filters={"name": ["in", claims or [""]]},
		fields=["clearinghouse_file", "sales_invoice"],
	)
	for invoice in sorted({row.sales_invoice for row in rows} - {None}):
		for table in ("GL Entry", "Payment Ledger Entry"):
			frappe.db.delete(table, {"voucher_no": invoice})
		frappe.db.delete("Sales Invoice Item", {"parent": invoice})
		frappe.db.delete("Sales Invoice", {"name": invoice})
	for claim in claims:
		for table in (
			"Insurance Claim Service",
			"Insurance Claim Diagnosis",
			"Insurance Claim Status Change",
		):
			frappe.db.delete(table, {"parent": claim})
		frappe.db.delete("Insurance Claim", {"name": claim})
		frappe.db.delete("Version", {"ref_doctype": "Insurance Claim", "docname": claim})
	for name in sorted({row.clearinghouse_file for row in rows} - {None}):
		for file in frappe.get_all("File", filters={"attached_to_name": name}, pluck="name"):
			frappe.delete_doc("File", file, force=True, ignore_permissions=True)
		frappe.db.delete("Clearinghouse File", {"name": name})
	services = [name for doctype, name in made if doctype == "Billable Service"]
	frappe.db.set_value(
		"Billable Service",
		{"name": ["in", services or [""]]},
		{"billed_by_doctype": None, "billed_by": None, "status": "Unbilled"},
	)
	for doctype, name in reversed(made):
		if name and frappe.db.exists(doctype, name):
			frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
		frappe.db.delete("Version", {"ref_doctype": doctype, "docname": name})
		frappe.db.delete("Deleted Document", {"deleted_doctype": doctype, "deleted_name": name})


def start_worker(start_at: float) -> subprocess.Popen:
	return subprocess.Popen(
		[sys.executable, str(WORKER), SITE, str(SITES_PATH), str(start_at), str(DELAY)],
		cwd=str(SITES_PATH),
		stdout=subprocess.PIPE,
		stderr=subprocess.PIPE,
		text=True,
	)


def test_two_workers_at_once_send_each_claim_exactly_once(server, queued):
	start_at = time.time() + 3
	workers = [start_worker(start_at), start_worker(start_at)]
	results = []
	for worker in workers:
		out, err = worker.communicate(timeout=180)
		assert worker.returncode == 0, err[-3000:]
		results.append(json.loads(out.strip().splitlines()[-1]))
	frappe.db.rollback()  # see what the workers committed

	files = set(
		frappe.get_all("Insurance Claim", filters={"name": ["in", queued]}, pluck="clearinghouse_file")
	)
	assert len(files) == 1 and None not in files
	(record,) = files
	prepared = [result["files"] for result in results]
	assert sorted(prepared, key=len) == [[], [record]], results
	uploads = [name for result in results for name in result["uploaded"]]
	assert uploads == [record], results
	# Both ran at once: the second waited for the first one's lock.
	assert min(result["seconds"] for result in results) >= DELAY, results

	sent = uploaded_files(server)
	file_name = frappe.db.get_value("Clearinghouse File", record, "file_name")
	assert list(sent) == [file_name]
	(transaction,) = read_837p(sent[file_name])
	assert sorted(claim.claim_id for claim in transaction.claims) == sorted(queued)
	assert_uploads_pass_pyx12(server)
	writes = [event for event in server.file_events() if event[0] == "write"]
	assert len(writes) == 1
	for claim in queued:
		rows = frappe.get_all(
			"Insurance Claim Status Change",
			filters={"parent": claim, "to_status": "Submitted"},
			pluck="from_status",
		)
		assert rows == ["Queued"]
		assert frappe.db.get_value("Insurance Claim", claim, "status") == "Submitted"
	assert frappe.db.get_value("Clearinghouse File", record, ["status", "attempts"]) == ("Uploaded", 1)
