"""The shipped code lists: real rows, real descriptions, and packaged with the app."""

import csv
import io
import pathlib
import shutil
import subprocess
import sys
import zipfile
from importlib import resources

import pytest

from claims_billing.core import code_lists

REPO = pathlib.Path(__file__).resolve().parents[2]
DATA = REPO / "claims_billing" / "data"


def test_every_list_loads_with_the_row_count_documented_in_sources():
	expected_rows = {
		"carc": 407,
		"rarc": 1216,
		"claim_status_category": 56,
		"claim_status": 691,
		"place_of_service": 99,
		"adjustment_group": 5,
		"claim_frequency": 26,
		"claim_filing_indicator": 23,
		"clp02_claim_status": 10,
	}
	assert set(expected_rows) == set(code_lists.LIST_NAMES)
	for name, rows in expected_rows.items():
		assert len(code_lists.load(name)) == rows, name


def test_every_csv_in_the_data_folder_is_a_known_list_and_named_in_sources():
	sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
	on_disk = sorted(path.stem for path in DATA.glob("*.csv"))
	assert on_disk == sorted(code_lists.LIST_NAMES)
	for name in on_disk:
		assert f"`{name}.csv`" in sources


def test_sources_keeps_the_licensing_caveats_and_the_icd10_version():
	sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
	assert "AGPL" in sources
	assert "X12 owns" in sources
	assert "legal check" in sources
	assert "simple-icd-10-cm` 1.5.0" in sources
	assert "April 1, 2026" in sources
	assert "public domain" in sources


def test_load_rejects_an_unknown_list_by_name():
	with pytest.raises(ValueError, match="unknown code list 'cpt'"):
		code_lists.load("cpt")


def test_loaded_rows_are_read_only():
	rows = code_lists.load("carc")
	with pytest.raises(TypeError):
		rows["999"] = {}
	with pytest.raises(TypeError):
		rows["45"]["description"] = "changed"


def test_carc_45_describes_the_fee_schedule_reduction():
	description = code_lists.describe_carc("45")
	assert description.startswith(
		"Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement."
	)
	assert description.endswith("(Use only with Group Codes PR or CO depending upon liability)")
	assert code_lists.carc_status("45") == "active"


def test_deactivated_carc_still_describes_and_shows_its_status():
	assert code_lists.describe_carc("B5") == "Coverage/program guidelines were not met or were exceeded."
	assert code_lists.carc_status("B5") == "deactivated"
	assert code_lists.load("carc")["B5"]["stop_date"] == "2016-05-01"


def test_carc_lookup_forgives_case_and_spaces_but_not_unknown_codes():
	assert code_lists.describe_carc(" b5 ") == code_lists.describe_carc("B5")
	assert code_lists.describe_carc("9999") is None
	assert code_lists.describe_carc(None) is None
	assert code_lists.carc_status("9999") is None


def test_rarc_descriptions_and_status():
	assert code_lists.describe_rarc("M1") == (
		"X-ray not taken within the past 12 months or near enough to the start of treatment."
	)
	assert code_lists.rarc_status("M1") == "active"
	deactivated = [code for code, row in code_lists.load("rarc").items() if row["status"] == "deactivated"]
	assert len(deactivated) == 79
	assert code_lists.describe_rarc(deactivated[0])
	assert code_lists.rarc_status(deactivated[0]) == "deactivated"
	assert code_lists.describe_rarc("N9999") is None


def test_claim_status_category_and_code():
	assert code_lists.describe_claim_status_category("A1").startswith(
		"Acknowledgement/Receipt-The claim/encounter has been received."
	)
	assert code_lists.describe_claim_status_category("a3").startswith(
		"Acknowledgement/Returned as unprocessable claim"
	)
	assert (
		code_lists.describe_claim_status("3") == "Claim has been adjudicated and is awaiting payment cycle."
	)
	assert code_lists.describe_claim_status("797") is None  # left out on purpose, see SOURCES.md


def test_place_of_service_names_and_assignment():
	assert code_lists.describe_place_of_service("11") == "Office"
	assert (
		code_lists.describe_place_of_service("02") == "Telehealth Provided Other than in Patient\u2019s Home"
	)
	assert code_lists.describe_place_of_service("10") == "Telehealth Provided in Patient\u2019s Home"
	assert code_lists.is_active_place_of_service("11")
	assert code_lists.is_active_place_of_service("10")
	assert code_lists.describe_place_of_service("30") == "Unassigned"
	assert not code_lists.is_active_place_of_service("30")
	assert not code_lists.is_active_place_of_service("2")  # leading zero matters
	assert not code_lists.is_active_place_of_service(None)
	assigned = [
		code for code in code_lists.load("place_of_service") if code_lists.is_active_place_of_service(code)
	]
	assert len(assigned) == 52


def test_adjustment_group_filing_indicator_clp02_and_frequency():
	assert code_lists.describe_adjustment_group("CO") == "Contractual Obligation"
	assert code_lists.describe_adjustment_group("pr") == "Patient Responsibility"
	assert code_lists.load("adjustment_group")["CR"]["status"].startswith("not used in 005010")
	assert code_lists.describe_claim_filing_indicator("MB") == "Medicare Part B"
	assert code_lists.describe_claim_filing_indicator("17") == "Dentail Maintenance Organization"  # verbatim
	assert code_lists.describe_clp02("4") == "Denied"
	assert code_lists.describe_clp02("22") == "Reversal of Previous Payment"
	assert code_lists.describe_claim_frequency("7") == "REPLACEMENT OF PRIOR CLAIM"
	assert code_lists.describe_claim_frequency("6") is None


def test_no_cpt_descriptions_are_shipped():
	# CPT text is AMA-licensed; no list may be keyed by five-digit procedure codes with descriptions.
	for path in DATA.glob("*.csv"):
		header = path.read_text(encoding="utf-8").splitlines()[0].lower()
		assert "cpt" not in header and "procedure" not in header, path.name
	assert not list(DATA.glob("*cpt*")) and not list(DATA.glob("*hcpcs*"))


def test_csv_files_resolve_through_importlib_resources():
	folder = resources.files("claims_billing").joinpath("data")
	for name in code_lists.LIST_NAMES:
		text = folder.joinpath(f"{name}.csv").read_text(encoding="utf-8")
		rows = list(csv.DictReader(io.StringIO(text, newline="")))
		assert len(rows) == len(code_lists.load(name))


def test_built_wheel_contains_every_code_list_and_sources(tmp_path):
	"""Build the wheel with flit_core (no network, no isolation) and list it."""
	import flit_core  # noqa: F401  (a test dependency: the wheel must be checked, never skipped)

	source = tmp_path / "src"
	# A copy, so that no build artefacts land in the shared working tree.
	shutil.copytree(
		REPO, source, ignore=shutil.ignore_patterns(".git", "__pycache__", "*.pyc", ".pytest_cache")
	)
	if not (source / "README.md").exists():
		(source / "README.md").write_text("placeholder for the build\n")  # pyproject names a readme
	(tmp_path / "dist").mkdir()
	script = "import flit_core.buildapi as b, sys; print(b.build_wheel(sys.argv[1]))"
	result = subprocess.run(
		[sys.executable, "-c", script, str(tmp_path / "dist")],
		cwd=source,
		capture_output=True,
		text=True,
		timeout=120,
	)
	assert result.returncode == 0, result.stderr
	wheel = tmp_path / "dist" / result.stdout.strip().splitlines()[-1]
	with zipfile.ZipFile(wheel) as archive:
		names = set(archive.namelist())
		for name in code_lists.LIST_NAMES:
			member = f"claims_billing/data/{name}.csv"
			assert member in names
			assert archive.read(member) == (DATA / f"{name}.csv").read_bytes()
		assert "claims_billing/data/SOURCES.md" in names
