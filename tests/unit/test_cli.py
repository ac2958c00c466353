"""The claims-billing command line, run as users run it: through the installed console script."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pyx12_judge import judge
from tests.unit.samples import samples_dir

SAMPLES = samples_dir()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "claims"
BUILD_EXAMPLE = FIXTURES / "build_837_example.json"
TODAY = "2026-11-20"


def run(*args: str) -> subprocess.CompletedProcess:
	script = shutil.which("claims-billing")
	command = [script] if script else [sys.executable, "-m", "claims_billing.cli"]
	return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120)


def test_console_script_is_installed():
	assert shutil.which("claims-billing"), "pip install -e . must put claims-billing on the PATH"


def test_no_arguments_is_a_usage_error():
	assert run().returncode == 2
	assert run("x12").returncode == 2


def test_build_837_writes_a_file_pyx12_accepts_and_validate_finds_nothing(tmp_path):
	output = tmp_path / "claims.837"
	built = run("x12", "build-837", str(BUILD_EXAMPLE), "-o", str(output), "--today", TODAY)
	assert built.returncode == 0, built.stderr
	data = output.read_bytes()
	assert data.startswith(b"ISA*")
	ok, errors = judge(data)
	assert ok, errors

	checked = run("x12", "validate", str(output), "--today", TODAY)
	assert checked.returncode == 0, checked.stdout
	assert checked.stdout.strip() == f"{output}: no problems"

	document = json.loads(run("x12", "to-json", str(output)).stdout)
	request = json.loads(BUILD_EXAMPLE.read_text())
	claims = document["transactions"][0]["claims"]
	assert document["transactions"][0]["type"] == "837P"
	assert [c["claim_id"] for c in claims] == [c["claim_id"] for c in request["claims"]]
	for claim, requested in zip(claims, request["claims"], strict=True):
		expected = sum(float(line["charge"]) for line in requested["lines"])
		assert float(claim["charge"]) == pytest.approx(expected)


def test_build_837_to_standard_output():
	built = run("x12", "build-837", str(BUILD_EXAMPLE), "--today", TODAY)
	assert built.returncode == 0, built.stderr
	assert built.stdout.startswith("ISA*") and "ST*837*" in built.stdout


def test_build_837_refuses_a_claim_the_scrubber_rejects_and_names_the_field(tmp_path):
	request = json.loads(BUILD_EXAMPLE.read_text())
	request["claims"][0]["diagnoses"] = ["F41"]  # a category, not billable
	bad = tmp_path / "bad.json"
	bad.write_text(json.dumps(request))
	output = tmp_path / "out.837"
	built = run("x12", "build-837", str(bad), "-o", str(output), "--today", TODAY)
	assert built.returncode == 1
	assert "claims[0].diagnoses[0]" in built.stderr
	assert "nothing was built" in built.stderr
	assert not output.exists()


def test_build_837_names_the_json_field_that_is_wrong(tmp_path):
	request = json.loads(BUILD_EXAMPLE.read_text())
	request["claims"][0]["lines"][0]["charge"] = "12,50"
	bad = tmp_path / "bad.json"
	bad.write_text(json.dumps(request))
	built = run("x12", "build-837", str(bad), "--today", TODAY)
	assert built.returncode == 1
	assert "claims[0].lines[0].charge" in built.stderr and "not a number" in built.stderr


def test_build_837_rejects_text_that_is_not_json(tmp_path):
	bad = tmp_path / "bad.json"
	bad.write_text("{claims: [")
	built = run("x12", "build-837", str(bad))
	assert built.returncode == 1 and "not valid JSON" in built.stderr


def test_validate_reports_every_envelope_problem_of_a_sample_and_exits_1():
	path = SAMPLES / "999" / "accepted-bad-gs05-iea-mismatch.x12"
	checked = run("x12", "validate", str(path))
	assert checked.returncode == 1
	assert "2 problems" in checked.stdout
	assert "segment 2 (GS): GS05 time '102497'" in checked.stdout
	assert (
		"segment 10 (IEA): IEA02 control number '000000001' does not match ISA13 '000000286'"
		in checked.stdout
	)


def test_validate_runs_the_claim_scrubber_on_837p_files():
	# The TR3 encounter example carries ICD-9 codes and an NPI with a wrong check digit.
	checked = run("x12", "validate", str(SAMPLES / "837p" / "ig-encounter.x12"), "--today", TODAY)
	assert checked.returncode == 1
	assert "claims[0].billing_provider.npi" in checked.stdout and "check digit" in checked.stdout
	assert "V73.89 is not an ICD-10-CM code" in checked.stdout


def test_validate_several_files_and_a_missing_one(tmp_path):
	clean = SAMPLES / "835" / "ig-multiple-claims-single-check.x12"
	missing = tmp_path / "nope.835"
	checked = run("x12", "validate", str(clean), str(missing))
	assert checked.returncode == 1
	assert f"{clean}: no problems" in checked.stdout
	assert f"{missing}: cannot read the file" in checked.stdout


def test_show_835_gives_claims_with_carc_and_rarc_words():
	shown = run("x12", "show", str(SAMPLES / "835" / "ig-dollars-and-data-together-plb-mia-moa.x12"))
	assert shown.returncode == 0, shown.stderr
	text = shown.stdout
	assert "ACH 150,000.00" in text and "trace 12345" in text
	assert "666123" in text and "211,366.97" in text and "138,018.40" in text
	assert "CO-45 73,348.57: Charge exceeds fee schedule/maximum allowable" in text
	assert "remark MA02: Alert: If you do not agree with this determination" in text
	assert "2 claims: charged 226,366.97, paid 149,998.73" in text
	assert "provider adjustment CV CP -1.27" in text


def test_show_277ca_and_999():
	shown = run("x12", "show", str(SAMPLES / "277ca" / "emedny-accepted-A1-A2.x12"))
	assert shown.returncode == 0, shown.stderr
	assert "claim 5781: charge 125.00, payer claim # 1107000000014420" in shown.stdout
	assert "A2 Acknowledgement/Acceptance into adjudication system" in shown.stdout

	shown = run("x12", "show", str(SAMPLES / "999" / "four-st-accepted-for-834.x12"))
	assert shown.returncode == 0, shown.stderr
	assert shown.stdout.count("999 ") == 4


def test_to_json_835_follows_the_documented_schema():
	converted = run("x12", "to-json", str(SAMPLES / "835" / "denied-claim-multiple-svc.x12"))
	assert converted.returncode == 0, converted.stderr
	(transaction,) = json.loads(converted.stdout)["transactions"]
	assert transaction["type"] == "835"
	assert set(transaction["payment"]) >= {"amount", "method", "date", "trace_number"}
	(claim,) = transaction["claims"]
	assert claim["claim_id"] == "2005555A" and claim["status_code"] == "4"
	assert claim["charge"] == "915.39" and claim["paid"] == "0"
	assert len(claim["services"]) == 3
	assert {"group", "reason", "amount"} <= set(
		(claim["adjustments"] or claim["services"][0]["adjustments"])[0]
	)
	assert "provider_adjustments" in transaction


def test_show_and_to_json_name_the_segment_of_a_malformed_file(tmp_path):
	data = (
		(SAMPLES / "835" / "denied-claim-multiple-svc.x12")
		.read_bytes()
		.replace(b"CLP*2005555A*4*915.39", b"CLP*2005555A*4*9x5.39")
	)
	bad = tmp_path / "bad.835"
	bad.write_bytes(data)
	for command in ("show", "to-json"):
		result = run("x12", command, str(bad))
		assert result.returncode == 1
		assert "(CLP)" in result.stderr and "segment " in result.stderr
		assert "Traceback" not in result.stderr
