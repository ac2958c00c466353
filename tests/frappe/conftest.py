"""Frappe tier: tests that run inside a real bench site (see tests/frappe/run.sh).

Each test runs in the site's database transaction and is rolled back afterwards. Tests that
talk to the site over HTTP (REST, browser) must commit; they create uniquely named records and
delete them through the ``committed`` fixture.
"""

import contextlib
import os
import pathlib
import socket
import subprocess
import sys
import time

import pytest

BENCH = pathlib.Path(os.environ.get("CLAIMS_BILLING_BENCH", "/opt/frappe-bench"))
SITE = os.environ.get("CLAIMS_BILLING_SITE", "claims.test")
NOHC_SITE = os.environ.get("CLAIMS_BILLING_NOHC_SITE", "nohc.test")
SITES_PATH = BENCH / "sites"
HERE = pathlib.Path(__file__).resolve().parent

try:
	import frappe
except ImportError:
	frappe = None

if frappe is None:
	UNAVAILABLE = (
		f"Frappe tier skipped: frappe is not importable here; run `bash tests/frappe/run.sh` (bench {BENCH})"
	)
elif not (SITES_PATH / SITE / "site_config.json").exists():
	UNAVAILABLE = f"Frappe tier skipped: no site {SITE} in {SITES_PATH}"
else:
	UNAVAILABLE = None

sys.path.insert(0, str(HERE))


class BenchUnavailable(pytest.Item):
	"""Stands in for a test module that can't even be imported without a bench: one visible skip."""

	def runtest(self):
		pytest.skip(UNAVAILABLE)

	def reportinfo(self):
		return self.path, None, UNAVAILABLE


class UnimportedModule(pytest.File):
	def collect(self):
		yield BenchUnavailable.from_parent(self, name="frappe_tier")


def pytest_pycollect_makemodule(module_path, parent):
	if UNAVAILABLE:
		return UnimportedModule.from_parent(parent, path=module_path)
	return None


def connect(site: str) -> None:
	frappe.init(site=site, sites_path=str(SITES_PATH))
	frappe.connect()
	frappe.set_user("Administrator")


@pytest.fixture(scope="session", autouse=True)
def site_connection():
	connect(SITE)
	if "claims_billing" not in frappe.get_installed_apps():
		pytest.exit(f"claims_billing is not installed on {SITE}; run tests/frappe/run.sh", returncode=2)
	yield
	frappe.db.rollback()
	frappe.destroy()


@pytest.fixture(autouse=True)
def rollback_after_test():
	frappe.set_user("Administrator")
	yield
	frappe.db.rollback()
	frappe.set_user("Administrator")
	# A test may have loaded changed (now rolled back) settings into the shared document cache.
	frappe.clear_document_cache("Claims Billing Settings", "Claims Billing Settings")


@contextlib.contextmanager
def on_site(site: str):
	"""Work on another site of the bench for a while, then return to the main one."""
	frappe.db.rollback()
	frappe.destroy()
	connect(site)
	try:
		yield
	finally:
		frappe.db.rollback()
		frappe.destroy()
		connect(SITE)


def run_bench(*args: str, timeout: int = 300) -> tuple[subprocess.CompletedProcess, float]:
	"""Run a bench command (as the bench user already: run.sh starts pytest as that user)."""
	started = time.monotonic()
	result = subprocess.run(
		["bench", *args],
		cwd=BENCH,
		capture_output=True,
		text=True,
		timeout=timeout,
		env={**os.environ, "PATH": f"{os.environ.get('PATH', '')}:/usr/local/bin:{BENCH / 'env' / 'bin'}"},
	)
	return result, time.monotonic() - started


class Committed:
	"""Records created with a commit (visible to other processes), deleted at teardown."""

	def __init__(self):
		self.created: list[tuple[str, str]] = []

	def add(self, doc):
		self.created.append((doc.doctype, doc.name))
		return doc

	def insert(self, values: dict, **kwargs):
		doc = frappe.get_doc(values).insert(ignore_permissions=True, **kwargs)
		return self.add(doc)

	def cleanup(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		for doctype, name in reversed(self.created):
			if frappe.db.exists(doctype, name):
				frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
			# Leave no audit trail of test records on the shared site.
			frappe.db.delete("Version", {"ref_doctype": doctype, "docname": name})
			frappe.db.delete("Deleted Document", {"deleted_doctype": doctype, "deleted_name": name})
			frappe.db.delete("Comment", {"reference_doctype": doctype, "reference_name": name})
		frappe.db.commit()


@pytest.fixture(scope="module")
def committed():
	records = Committed()
	yield records
	records.cleanup()


def free_port() -> int:
	with socket.socket() as probe:
		probe.bind(("127.0.0.1", 0))
		return probe.getsockname()[1]


@pytest.fixture(scope="session")
def web_server():
	"""The site served by gunicorn on 127.0.0.1 (desk, /api and /assets), for REST and browser tests."""
	port = free_port()
	log = pathlib.Path("/tmp") / f"claims_billing_gunicorn_{port}.log"
	process = subprocess.Popen(
		[
			str(BENCH / "env" / "bin" / "gunicorn"),
			"--bind",
			f"127.0.0.1:{port}",
			"--workers",
			"2",
			"--threads",
			"4",
			"--timeout",
			"120",
			"--pythonpath",
			str(HERE),
			"wsgi_app:application",
		],
		cwd=SITES_PATH,
		env={**os.environ, "CLAIMS_BILLING_SITE": SITE, "SITES_PATH": str(SITES_PATH)},
		stdout=log.open("w"),
		stderr=subprocess.STDOUT,
	)
	base_url = f"http://127.0.0.1:{port}"
	import requests

	deadline = time.monotonic() + 60
	while True:
		try:
			if requests.get(f"{base_url}/api/method/ping", timeout=30).ok:
				break
		except requests.RequestException:
			pass
		if process.poll() is not None or time.monotonic() > deadline:
			process.kill()
			pytest.fail(f"gunicorn did not start; see {log}")
		time.sleep(0.5)
	yield base_url
	process.terminate()
	try:
		process.wait(timeout=20)
	except subprocess.TimeoutExpired:
		process.kill()


@pytest.fixture(scope="module")
def server():
	"""A real SFTP server on 127.0.0.1 standing in for the clearinghouse (tests/sftp_server.py)."""
	from claim_fixtures import start_sftp_server

	with start_sftp_server() as running:
		yield running


@pytest.fixture
def clearinghouse(server):
	"""Settings pointing at an emptied ``server``; every 837P uploaded during the test must pass pyx12."""
	from claim_fixtures import assert_uploads_pass_pyx12, clear_server, commits_suppressed, configure

	clear_server(server)
	configure(server)
	with commits_suppressed():
		yield server
	assert_uploads_pass_pyx12(server)
