"""The 837P writer: pyx12-judged scenarios, structure checks, golden files, input errors.

Every scenario's bytes go through pyx12 (tests/pyx12_judge.py, one x12valid run for all of them)
and must come back with zero errors. The structure asserts below split the output themselves
(they do not use the project's X12 readers), so a reader bug cannot hide a writer bug.

Golden files: tests/fixtures/golden/*.x12. To regenerate after a deliberate change, run
``REGENERATE_GOLDEN=1 python -m pytest tests/unit/test_write_837p.py -k golden`` (the test then
rewrites the files and fails on purpose), review the diff against the TR3, and commit it.
"""

from __future__ import annotations

import datetime
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims_billing.core.cob import secondary_claim
from claims_billing.x12.claim import (
	Adjustment,
	Claim,
	Envelope,
	LineAdjudication,
	OtherPayer,
	Receiver,
	Submitter,
	from_dict,
)
from claims_billing.x12.read_835 import read_835
from claims_billing.x12.remittance import ClaimPayment, Remittance, ServicePayment
from claims_billing.x12.write_837p import format_decimal, write_837p
from tests import factories as f
from tests.pyx12_judge import judge, judge_many

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GOLDEN = FIXTURES / "golden"
CLAIM_FIXTURES = FIXTURES / "claims"
SAMPLES = Path("/work/shared/x12-samples")

ERA_DATE = datetime.date(2026, 11, 2)
SECOND_ERA_DATE = datetime.date(2026, 11, 16)


# --- reading our own output back (deliberately independent of the project's readers) ----------


def parse(data: bytes) -> list[list[str]]:
	"""Segments as element lists, using the separators the ISA declares."""
	text = data.decode("ascii")
	element, terminator = text[3], text[105]
	return [segment.strip("\n").split(element) for segment in text.split(terminator) if segment.strip("\n")]


def component_separator(data: bytes) -> str:
	return data.decode("ascii")[104]


def transaction(segments: list[list[str]]) -> list[list[str]]:
	start = next(i for i, s in enumerate(segments) if s[0] == "ST")
	end = next(i for i, s in enumerate(segments) if s[0] == "SE")
	return segments[start : end + 1]


def assert_envelope(data: bytes, envelope: Envelope) -> list[list[str]]:
	"""ISA/GS/ST/SE/GE/IEA agree with each other and the Envelope; returns the segments."""
	text = data.decode("ascii")
	assert text.startswith("ISA")
	isa_end = text.index(envelope.segment_terminator)
	assert isa_end == 105, "ISA is fixed width: 106 characters before the terminator"
	segments = parse(data)
	isa, gs = segments[0], segments[1]
	assert isa[13] == f"{envelope.interchange_control_number:09d}"
	assert isa[11] == envelope.repetition_separator and isa[16] == envelope.component_separator
	assert isa[15] == envelope.usage_indicator
	assert gs[0] == "GS" and gs[1] == "HC" and gs[6] == str(envelope.group_control_number)
	assert gs[8] == "005010X222A1"
	body = transaction(segments)
	st, se = body[0], body[-1]
	assert st[1] == "837" and st[3] == "005010X222A1"
	assert int(se[1]) == len(body), "SE01 counts ST..SE inclusive"
	assert se[2] == st[2]
	assert segments[-2] == ["GE", "1", str(envelope.group_control_number)]
	assert segments[-1] == ["IEA", "1", isa[13]]
	assert body[1][0] == "BHT" and body[1][1:3] == ["0019", "00"] and body[1][6] == "CH"
	return segments


def hierarchy(segments: list[list[str]]) -> list[dict]:
	"""HL levels with their parent, checked: sequential ids, right parent level, HL04 truthful."""
	levels = []
	by_id = {}
	for segment in segments:
		if segment[0] != "HL":
			continue
		level = {"id": segment[1], "parent": segment[2], "code": segment[3], "has_children": segment[4]}
		assert int(level["id"]) == len(levels) + 1, "HL01 counts up from 1"
		expected_parent = {"20": None, "22": "20", "23": "22"}[level["code"]]
		if expected_parent is None:
			assert level["parent"] == ""
		else:
			assert by_id[level["parent"]]["code"] == expected_parent
		levels.append(level)
		by_id[level["id"]] = level
	parents = {level["parent"] for level in levels}
	for level in levels:
		assert level["has_children"] == ("1" if level["id"] in parents else "0"), level
	return levels


def claim_blocks(segments: list[list[str]]) -> list[list[list[str]]]:
	"""The segments of each 2300 loop: from CLM up to the next HL, CLM or SE."""
	blocks = []
	current = None
	for segment in segments:
		if segment[0] == "CLM":
			current = [segment]
			blocks.append(current)
		elif segment[0] in ("HL", "SE"):
			current = None
		elif current is not None:
			current.append(segment)
	return blocks


def lines_of(block: list[list[str]]) -> list[list[list[str]]]:
	lines = []
	for segment in block:
		if segment[0] == "LX":
			lines.append([segment])
		elif lines:
			lines[-1].append(segment)
	return lines


def other_payer_loops(block: list[list[str]]) -> list[list[list[str]]]:
	"""2320-2330B loops: from each SBR up to the next SBR or the first LX."""
	loops = []
	for segment in block:
		if segment[0] == "LX":
			break
		if segment[0] == "SBR":
			loops.append([segment])
		elif loops:
			loops[-1].append(segment)
	return loops


def cas_total(segment: list[str]) -> Decimal:
	return sum((Decimal(segment[i]) for i in range(3, len(segment), 3) if segment[i]), Decimal(0))


def find(block: list[list[str]], segment_id: str, first: str | None = None) -> list[list[str]]:
	return [s for s in block if s[0] == segment_id and (first is None or s[1] == first)]


def assert_claim_totals(segments: list[list[str]]) -> None:
	"""CLM02 is the sum of the SV102 line charges of that claim."""
	for block in claim_blocks(segments):
		charges = [Decimal(s[2]) for s in find(block, "SV1")]
		assert Decimal(block[0][2]) == sum(charges, Decimal(0)), block[0]


def assert_cob_balances(block: list[list[str]]) -> None:
	"""Per other payer: charge = paid + claim CAS + that payer's line CAS; per line likewise."""
	charge = Decimal(block[0][2])
	for loop in other_payer_loops(block):
		payer_id = next(s for s in loop if s[0] == "NM1" and s[1] == "PR")[9]
		paid = find(loop, "AMT", "D")
		if not paid:
			continue
		line_cas = Decimal(0)
		for line in lines_of(block):
			svds = [i for i, s in enumerate(line) if s[0] == "SVD" and s[1] == payer_id]
			for i in svds:
				cas = []
				for s in line[i + 1 :]:
					if s[0] != "CAS":
						break
					cas.append(cas_total(s))
				line_charge = Decimal(find(line, "SV1")[0][2])
				assert line_charge == Decimal(line[i][2]) + sum(cas, Decimal(0)), line
				line_cas += sum(cas, Decimal(0))
		claim_cas = sum((cas_total(s) for s in find(loop, "CAS")), Decimal(0))
		assert charge == Decimal(paid[0][2]) + claim_cas + line_cas, loop


def assert_common(data: bytes, envelope: Envelope) -> list[list[str]]:
	segments = assert_envelope(data, envelope)
	hierarchy(segments)
	assert_claim_totals(segments)
	for block in claim_blocks(segments):
		assert_cob_balances(block)
	return segments


# --- scenarios ---------------------------------------------------------------------------------


def write(claims: list[Claim], **envelope_overrides) -> tuple[bytes, Envelope]:
	envelope = f.make_envelope(**envelope_overrides)
	return write_837p(claims, f.make_submitter(), f.make_receiver(), envelope), envelope


def primary_claim() -> Claim:
	return f.make_claim(
		billing_provider=f.make_billing_provider(contact_name="Front Desk", phone="2075550111"),
		onset_date=datetime.date(2026, 9, 1),
		prior_authorization="AUTH778812",
		referring_provider=f.make_provider(2),
	)


def primary_payment(claim: Claim) -> tuple[ClaimPayment, Remittance]:
	"""The primary payer's ERA for ``primary_claim()``: line-level detail, echoing REF*6R."""
	services = [
		ServicePayment(
			procedure_code="90837",
			charge=Decimal("180.00"),
			paid=Decimal("100.00"),
			service_date=f.SERVICE_DATE,
			line_control_number="L1",
			adjustments=[Adjustment("CO", "45", Decimal("50.00")), Adjustment("PR", "2", Decimal("30.00"))],
		),
		ServicePayment(
			procedure_code="90834",
			charge=Decimal("140.00"),
			paid=Decimal("80.00"),
			service_date=f.SERVICE_DATE + datetime.timedelta(days=7),
			line_control_number="L2",
			adjustments=[Adjustment("CO", "45", Decimal("40.00")), Adjustment("PR", "3", Decimal("20.00"))],
		),
	]
	payment = ClaimPayment(
		claim_id=claim.claim_id,
		status_code="1",
		charge=Decimal("320.00"),
		paid=Decimal("180.00"),
		patient_responsibility=Decimal("50.00"),
		payer_claim_number="EVG2026110200417",
		services=services,
	)
	remittance = Remittance(
		control_number="0001",
		handling_code="I",
		amount=Decimal("180.00"),
		credit_debit="C",
		method="CHK",
		payment_date=ERA_DATE,
		trace_number="CHK100234",
		claims=[payment],
	)
	return payment, remittance


def secondary_payer_and_subscriber():
	payer = f.make_payer(1, name="Northwind Benefit Plan", payer_id="NWB77")
	subscriber = f.make_subscriber(0, member_id="NWB5550001", group_number="NW-22", filing_indicator="CI")
	return payer, subscriber


def secondary_claim_from_primary() -> Claim:
	primary = primary_claim()
	payment, remittance = primary_payment(primary)
	payer, subscriber = secondary_payer_and_subscriber()
	return secondary_claim(primary, payment, remittance, payer, subscriber, "PCN-0001S")


def tertiary_claim_from_secondary() -> Claim:
	secondary = secondary_claim_from_primary()
	services = [
		ServicePayment(
			procedure_code="90837",
			charge=Decimal("180.00"),
			paid=Decimal("25.00"),
			service_date=f.SERVICE_DATE,
			line_control_number="L1",
			adjustments=[Adjustment("OA", "23", Decimal("150.00")), Adjustment("PR", "2", Decimal("5.00"))],
		),
		ServicePayment(
			procedure_code="90834",
			charge=Decimal("140.00"),
			paid=Decimal("15.00"),
			service_date=f.SERVICE_DATE + datetime.timedelta(days=7),
			line_control_number="L2",
			adjustments=[Adjustment("OA", "23", Decimal("120.00")), Adjustment("PR", "3", Decimal("5.00"))],
		),
	]
	payment = ClaimPayment(
		claim_id="PCN-0001S",
		status_code="2",
		charge=Decimal("320.00"),
		paid=Decimal("40.00"),
		patient_responsibility=Decimal("10.00"),
		payer_claim_number="NWB-99120",
		services=services,
	)
	remittance = Remittance(
		control_number="7001",
		handling_code="I",
		amount=Decimal("40.00"),
		credit_debit="C",
		method="ACH",
		payment_date=SECOND_ERA_DATE,
		trace_number="EFT55012",
		claims=[payment],
	)
	tertiary_payer = f.make_payer(3, name="Bayside Medicaid Plan", payer_id="BMP01")
	tertiary_subscriber = f.make_subscriber(0, member_id="BMP000123", group_number="", filing_indicator="MC")
	return secondary_claim(secondary, payment, remittance, tertiary_payer, tertiary_subscriber, "PCN-0001T")


def claim_level_only_secondary() -> Claim:
	"""Secondary claim whose primary ERA reported the claim only (no SVC loops)."""
	primary = primary_claim()
	payment = ClaimPayment(
		claim_id=primary.claim_id,
		status_code="1",
		charge=Decimal("320.00"),
		paid=Decimal("180.00"),
		patient_responsibility=Decimal("50.00"),
		payer_claim_number="EVG2026110200999",
		adjustments=[
			Adjustment("CO", "45", Decimal("90.00")),
			Adjustment("PR", "1", Decimal("30.00")),
			Adjustment("PR", "2", Decimal("20.00")),
		],
	)
	remittance = Remittance(
		"0002", "I", Decimal("180.00"), "C", "CHK", ERA_DATE, "CHK100235", claims=[payment]
	)
	payer, subscriber = secondary_payer_and_subscriber()
	return secondary_claim(primary, payment, remittance, payer, subscriber, "PCN-0001C")


def dependent_claim() -> Claim:
	return f.make_claim(claim_id="PCN-DEP-01", patient=f.make_patient(), diagnoses=["F90.0", "F41.1"])


def telehealth_claims() -> list[Claim]:
	video = f.make_claim(
		claim_id="TELE-10",
		place_of_service="10",
		lines=[f.make_line("90837", modifiers=["95"]), f.make_line("90834", modifiers=["95"])],
	)
	facility = f.make_claim(
		claim_id="TELE-02",
		place_of_service="02",
		lines=[f.make_line("99213", modifiers=["95"])],
	)
	mixed = f.make_claim(
		claim_id="TELE-MIX",
		place_of_service="11",
		lines=[
			f.make_line("99213"),
			f.make_line(
				"90834", modifiers=["95"], place_of_service="02", rendering_provider=f.make_provider(1)
			),
		],
	)
	return [video, facility, mixed]


def twelve_diagnosis_claim() -> Claim:
	pointers = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [12]]
	return f.make_claim(
		claim_id="DX12",
		diagnoses=list(f.DIAGNOSES[:12]),
		lines=[f.make_line("99213", diagnosis_pointers=p) for p in pointers],
	)


def fifty_line_claim() -> Claim:
	lines = []
	for i in range(50):
		code = ("97110", "97140", "98941", "G0283")[i % 4]
		lines.append(
			f.make_line(
				code,
				service_date=datetime.date(2026, 9, 1) + datetime.timedelta(days=i),
				units=Decimal(2) if code == "97110" else Decimal(1),
				charge=f.PROCEDURE_CHARGES[code] * (2 if code == "97110" else 1),
				modifiers=["GP"] if code.startswith("97") else [],
				line_control_number=f"R{i + 1:03d}",
				diagnosis_pointers=[1, 2],
			)
		)
	lines[-1].service_date_end = lines[-1].service_date + datetime.timedelta(days=2)
	return f.make_claim(claim_id="CHIRO-50", diagnoses=["M54.50", "S13.4XXA", "M62.830"], lines=lines)


def many_claims() -> list[Claim]:
	claims = f.make_claims(24, providers=3, subscribers=5, payers=2)
	sibling = f.make_patient(first_name="Linden", date_of_birth=datetime.date(2015, 2, 3))
	# Two dependents of subscriber 0, interleaved with the others, must share one 2000B.
	claims.insert(
		3,
		f.make_claim(
			claim_id="DEP-A1",
			patient=f.make_patient(),
			payer=claims[0].payer,
			billing_provider=claims[0].billing_provider,
			subscriber=claims[0].subscriber,
		),
	)
	claims.insert(
		9,
		f.make_claim(
			claim_id="DEP-B1",
			patient=sibling,
			payer=claims[0].payer,
			billing_provider=claims[0].billing_provider,
			subscriber=claims[0].subscriber,
		),
	)
	claims.append(
		f.make_claim(
			claim_id="DEP-A2",
			patient=f.make_patient(),
			payer=claims[0].payer,
			billing_provider=claims[0].billing_provider,
			subscriber=claims[0].subscriber,
		)
	)
	return claims


def attachment_claim() -> Claim:
	return f.make_claim(
		claim_id="PWK-01",
		attachments=[
			f.make_attachment(report_type="09", transmission_code="EL", control_number="PN20261005A"),
			f.make_attachment(report_type="CB", transmission_code="BM", control_number="CB778"),
			f.make_attachment(report_type="OZ", transmission_code="AA", control_number=""),
		],
	)


def solo_practitioner_claim() -> Claim:
	"""A person as billing provider (SSN), a group name instead of a group number, payer addresses,
	and a second payer listed before it has adjudicated (2320 without AMT*D, like TR3 example 3A)."""
	spouse = f.make_subscriber(3, member_id="NWB3030", group_number="", group_name="Harbor Co-op Staff")
	claim = f.make_claim(
		claim_id="SOLO-1",
		billing_provider=f.make_billing_provider(
			7, name="Fairweather", first_name="Noor", tax_id="123456789", tax_id_qualifier="SY", taxonomy=""
		),
		subscriber=f.make_subscriber(0, group_number="", group_name="Harbor Co-op Staff"),
		payer=f.make_payer(0, address=f.make_address(line1="PO Box 4410", city="Boston", state="MA",
			postal_code="02101")),
		other_payers=[
			OtherPayer(
				responsibility="S",
				payer=f.make_payer(1, address=f.make_address(line1="PO Box 77", city="Hartford", state="CT",
					postal_code="06101")),
				subscriber=spouse,
				relationship="01",
			)
		],
		rendering_provider=None,
	)  # fmt: skip
	return claim


def build_837_example() -> tuple[list[Claim], Submitter, Receiver, Envelope]:
	document = json.loads((CLAIM_FIXTURES / "build_837_example.json").read_text())
	return (
		[from_dict(Claim, c, f"claims[{i}]") for i, c in enumerate(document["claims"])],
		from_dict(Submitter, document["submitter"], "submitter"),
		from_dict(Receiver, document["receiver"], "receiver"),
		from_dict(Envelope, document["envelope"], "envelope"),
	)


def fixture_claim_list(name: str) -> list[Claim]:
	document = json.loads((CLAIM_FIXTURES / name).read_text())
	return [from_dict(Claim, c, f"claims[{i}]") for i, c in enumerate(document)]


# --- COB from real 835 files, read by the project's 835 reader ---


def real_era(name: str) -> Remittance:
	(remittance,) = read_835((SAMPLES / "835" / name).read_bytes())
	return remittance


def secondary_from_real_primary_era() -> Claim:
	"""eMedNY professional ERA, first claim (CLP02=1): four lines matched by code, modifier and date."""
	era = real_era("emedny-professional-with-payment.x12")
	payment = era.claims[0]
	day = datetime.date(2010, 1, 1)
	primary = f.make_claim(
		claim_id=payment.claim_id,
		payer=f.make_payer(name=era.payer_name, payer_id=era.payer_id),
		subscriber=f.make_subscriber(1, filing_indicator="MC"),
		diagnoses=["H52.13", "H52.4"],
		lines=[
			f.make_line("V2020", modifiers=["RB"], charge=Decimal("6"), service_date=day),
			f.make_line("V2700", modifiers=["RB"], charge=Decimal("2.75"), service_date=day),
			f.make_line(
				"V2103", modifiers=["RB"], charge=Decimal("5.5"), service_date=day, diagnosis_pointers=[2]
			),
			f.make_line("S0580", charge=Decimal("20"), units=Decimal(2), service_date=day),
		],
	)
	secondary_payer = f.make_payer(1, payer_id="NWB77")
	subscriber = f.make_subscriber(1, member_id="NWB0042")
	return secondary_claim(primary, payment, era, secondary_payer, subscriber, "EMEDNY-2ND")


def tertiary_from_real_secondary_era() -> Claim:
	"""TR3 835 example of a secondary payment (CLP02=2) turned into a tertiary claim."""
	era = real_era("ig-secondary-payments.x12")
	payment = next(p for p in era.claims if p.claim_id == "0001000053")
	day = datetime.date(2005, 1, 6)
	primary_payer = f.make_payer(0)
	primary_adjudication = OtherPayer(
		responsibility="P",
		payer=primary_payer,
		subscriber=f.make_subscriber(2),
		paid=Decimal("400"),
		adjudication_date=datetime.date(2005, 2, 10),
		payer_claim_number="EVG-2005-77",
		line_adjudications=[
			LineAdjudication(1, Decimal("100"), "12345", ["26"], adjustments=[
				Adjustment("CO", "45", Decimal("36.5")), Adjustment("PR", "2", Decimal("30"))]),
			LineAdjudication(2, Decimal("300"), "66543", ["26"], adjustments=[
				Adjustment("CO", "45", Decimal("65")), Adjustment("PR", "1", Decimal("220"))]),
		],
	)  # fmt: skip
	secondary = f.make_claim(
		claim_id=payment.claim_id,
		payer_responsibility="S",
		payer=f.make_payer(name=era.payer_name, payer_id=era.payer_id),
		subscriber=f.make_subscriber(2, member_id="TXD456789123"),
		diagnoses=["M54.2"],
		lines=[
			f.make_line(
				"12345", modifiers=["26"], charge=Decimal("166.5"), service_date=day, diagnosis_pointers=[1]
			),
			f.make_line(
				"66543", modifiers=["26"], charge=Decimal("585"), service_date=day, diagnosis_pointers=[1]
			),
		],
		other_payers=[primary_adjudication],
	)
	tertiary_payer = f.make_payer(3, payer_id="BMP01")
	return secondary_claim(
		secondary, payment, era, tertiary_payer, f.make_subscriber(2, member_id="B77"), "IG-3RD"
	)


SCENARIOS = {
	"primary": lambda: write([primary_claim()], line_break=True),
	"secondary_cob": lambda: write([secondary_claim_from_primary()], line_break=True),
	"secondary_claim_level_cob": lambda: write([claim_level_only_secondary()]),
	"tertiary": lambda: write([tertiary_claim_from_secondary()]),
	"replacement": lambda: write([f.make_claim(frequency="7", original_claim_number="EVG2026110200417")]),
	"void": lambda: write([f.make_claim(frequency="8", original_claim_number="EVG2026110200417")]),
	"dependent_patient": lambda: write([dependent_claim()], line_break=True),
	"telehealth": lambda: write(telehealth_claims()),
	"twelve_diagnoses": lambda: write([twelve_diagnosis_claim()]),
	"fifty_lines": lambda: write([fifty_line_claim()]),
	"many_claims": lambda: write(
		many_claims(),
		interchange_control_number=4711,
		group_control_number=88,
		transaction_set_control_number=12,
	),
	"attachments": lambda: write([attachment_claim()]),
	"other_separators": lambda: write(
		[dependent_claim(), secondary_claim_from_primary()],
		element_separator="|",
		component_separator=">",
		repetition_separator="!",
		segment_terminator="'",
		line_break=True,
	),
	"over_100_claims_one_subscriber": lambda: write(
		[f.make_claim(claim_id=f"BULK{i:04d}", lines=[f.make_line("97110")]) for i in range(101)]
	),
	"cas_split": lambda: write([cas_split_claim()]),
	"solo_practitioner": lambda: write([solo_practitioner_claim()]),
	"secondary_from_real_era": lambda: write([secondary_from_real_primary_era()]),
	"tertiary_from_real_era": lambda: write([tertiary_from_real_secondary_era()]),
	"json_build_837_example": lambda: _write_example(),
	"json_claim_lists": lambda: write(
		fixture_claim_list("therapy_claims.json") + fixture_claim_list("cob_claims.json")
	),
}


def _write_example() -> tuple[bytes, Envelope]:
	claims, submitter, receiver, envelope = build_837_example()
	return write_837p(claims, submitter, receiver, envelope), envelope


@pytest.fixture(scope="module")
def built() -> dict[str, tuple[bytes, Envelope]]:
	return {name: make() for name, make in SCENARIOS.items()}


@pytest.fixture(scope="module")
def verdicts(built) -> dict[str, tuple[bool, list[str]]]:
	names = list(built)
	results = judge_many([built[name][0] for name in names])
	return dict(zip(names, results, strict=True))


# --- pyx12 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_pyx12_accepts_scenario(name, verdicts):
	ok, errors = verdicts[name]
	assert errors == []
	assert ok


def test_judge_rejects_sample_pyx12_rejects():
	ok, errors = judge((SAMPLES / "837p" / "ig-wheelchair-pwk02-AD.x12").read_bytes())
	assert not ok
	assert len(errors) == 1 and "PWK02" in errors[0]


def test_judge_rejects_our_file_with_a_wrong_se_count(built):
	data, _ = built["primary"]
	segments = parse(data)
	se = next(s for s in segments if s[0] == "SE")
	broken = data.replace(f"SE*{se[1]}*".encode(), f"SE*{int(se[1]) + 1}*".encode())
	assert broken != data
	ok, errors = judge(broken)
	assert not ok
	assert errors


def test_judge_rejects_our_file_with_an_invalid_code(built):
	data, _ = built["attachments"]
	broken = data.replace(b"PWK*OZ*AA", b"PWK*OZ*AD")
	assert broken != data
	ok, errors = judge(broken)
	assert not ok
	assert any("PWK02" in e for e in errors)


def test_judge_accepts_a_tr3_sample():
	assert judge((SAMPLES / "837p" / "ig-medicare-secondary-payer-cob.x12").read_bytes()) == (True, [])


# --- structure, scenario by scenario ----------------------------------------------------------


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_structure_of_scenario(name, built):
	data, envelope = built[name]
	assert_common(data, envelope)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_deterministic(name, built):
	assert SCENARIOS[name]()[0] == built[name][0]


def test_primary(built):
	data, _ = built["primary"]
	assert data.count(b"~\n") == len(parse(data))
	body = transaction(parse(data))
	ids = [s[0] for s in body]
	assert ids == [
		"ST", "BHT", "NM1", "PER", "NM1",
		"HL", "PRV", "NM1", "N3", "N4", "REF", "PER",
		"HL", "SBR", "NM1", "N3", "N4", "DMG", "NM1",
		"CLM", "DTP", "REF", "HI", "NM1", "NM1", "PRV",
		"LX", "SV1", "DTP", "REF",
		"LX", "SV1", "DTP", "REF",
		"SE",
	]  # fmt: skip
	assert body[2] == ["NM1", "41", "2", "Lakeside Billing Office", "", "", "", "", "46", "LKB0001"]
	assert body[3] == ["PER", "IC", "Billing Desk", "TE", "2075550100", "EM", "billing@lakeside.example"]
	assert body[6] == ["PRV", "BI", "PXC", "101YP2500X"]
	assert body[7][:3] == ["NM1", "85", "2"] and body[7][8:] == ["XX", f.make_npi(100, kind=2)]
	assert body[10] == ["REF", "EI", "910000000"]
	assert body[13] == ["SBR", "P", "18", "GRP4400", "", "", "", "", "", "CI"]
	assert body[14] == ["NM1", "IL", "1", "Testwell", "Avery", "", "", "", "MI", "XQZ700000000"]
	assert body[17] == ["DMG", "D8", "19700101", "M"]
	assert body[18] == ["NM1", "PR", "2", "Evergreen Mutual Health", "", "", "", "", "PI", "60054"]
	assert body[19] == ["CLM", "PCN-0001", "320", "", "", "11:B:1", "Y", "A", "Y", "Y"]
	assert body[20] == ["DTP", "431", "D8", "20260901"]
	assert body[21] == ["REF", "G1", "AUTH778812"]
	assert body[22] == ["HI", "ABK:F411", "ABF:F331"]
	assert body[23][:2] == ["NM1", "DN"] and body[24][:2] == ["NM1", "82"]
	assert body[25] == ["PRV", "PE", "PXC", "101YP2500X"]
	assert body[27] == ["SV1", "HC:90837", "180", "UN", "1", "", "", "1:2"]
	assert body[28] == ["DTP", "472", "D8", "20261005"]
	assert body[29] == ["REF", "6R", "L1"]
	assert body[31] == ["SV1", "HC:90834", "140", "UN", "1", "", "", "2"]
	assert not find(body, "REF", "F8"), "REF*F8 only for replacements and voids"


def test_secondary_cob(built):
	data, _ = built["secondary_cob"]
	segments = parse(data)
	sbr = find(transaction(segments), "SBR")
	assert sbr[0] == ["SBR", "S", "18", "NW-22", "", "", "", "", "", "CI"]
	(block,) = claim_blocks(segments)
	assert block[0][1] == "PCN-0001S"
	assert not find(block, "REF", "G1"), "the primary's prior authorization is not the secondary's"
	(loop,) = other_payer_loops(block)
	assert [s[0] for s in loop] == ["SBR", "AMT", "OI", "NM1", "N3", "N4", "NM1", "DTP", "REF"]
	assert loop[0] == ["SBR", "P", "18", "GRP4400", "", "", "", "", "", "CI"]
	assert loop[1] == ["AMT", "D", "180"]
	assert loop[2] == ["OI", "", "", "Y", "", "", "Y"]
	assert loop[3][:2] == ["NM1", "IL"] and loop[3][9] == "XQZ700000000"
	assert loop[6] == ["NM1", "PR", "2", "Evergreen Mutual Health", "", "", "", "", "PI", "60054"]
	assert loop[7] == ["DTP", "573", "D8", "20261102"]
	assert loop[8] == ["REF", "F8", "EVG2026110200417"]
	assert not find(loop, "AMT", "EAF"), "liability goes on the lines when the ERA had lines"
	first, second = lines_of(block)
	assert first[4:] == [
		["SVD", "60054", "100", "HC:90837", "", "1"],
		["CAS", "CO", "45", "50"],
		["CAS", "PR", "2", "30"],
		["DTP", "573", "D8", "20261102"],
		["AMT", "EAF", "30"],
	]
	assert second[4:] == [
		["SVD", "60054", "80", "HC:90834", "", "1"],
		["CAS", "CO", "45", "40"],
		["CAS", "PR", "3", "20"],
		["DTP", "573", "D8", "20261102"],
		["AMT", "EAF", "20"],
	]
	assert_cob_balances(block)


def test_secondary_claim_level_cob(built):
	data, _ = built["secondary_claim_level_cob"]
	(block,) = claim_blocks(parse(data))
	(loop,) = other_payer_loops(block)
	assert find(loop, "CAS") == [["CAS", "CO", "45", "90"], ["CAS", "PR", "1", "30", "", "2", "20"]]
	assert find(loop, "AMT") == [["AMT", "D", "180"], ["AMT", "EAF", "50"]]
	assert not find(block, "SVD")
	assert_cob_balances(block)


def test_tertiary_carries_both_earlier_payers(built):
	data, _ = built["tertiary"]
	segments = parse(data)
	assert find(transaction(segments), "SBR")[0][1] == "T"
	(block,) = claim_blocks(segments)
	loops = other_payer_loops(block)
	assert [loop[0][1] for loop in loops] == ["S", "P"]
	assert [find(loop, "AMT", "D")[0][2] for loop in loops] == ["40", "180"]
	assert [find(loop, "NM1", "PR")[0][9] for loop in loops] == ["NWB77", "60054"]
	assert [find(loop, "DTP", "573")[0][3] for loop in loops] == ["20261116", "20261102"]
	for line in lines_of(block):
		assert [s[1] for s in find(line, "SVD")] == ["NWB77", "60054"]
	first = lines_of(block)[0]
	assert find(first, "CAS")[:2] == [["CAS", "OA", "23", "150"], ["CAS", "PR", "2", "5"]]
	assert_cob_balances(block)


def test_solo_practitioner_and_unadjudicated_other_payer(built):
	segments = transaction(parse(built["solo_practitioner"][0]))
	assert not find(segments, "PRV"), "no taxonomy, no PRV"
	assert find(segments, "NM1", "85")[0][:5] == ["NM1", "85", "1", "Fairweather", "Noor"]
	assert find(segments, "REF", "SY") == [["REF", "SY", "123456789"]]
	sbr = find(segments, "SBR")
	assert sbr[0] == ["SBR", "P", "18", "", "Harbor Co-op Staff", "", "", "", "", "CI"]
	payer_nm1 = find(segments, "NM1", "PR")[0]
	after_payer = segments[segments.index(payer_nm1) + 1 : segments.index(payer_nm1) + 3]
	assert after_payer == [["N3", "PO Box 4410"], ["N4", "Boston", "MA", "02101"]]
	(block,) = claim_blocks(segments)
	assert not find(block, "NM1", "82")
	(loop,) = other_payer_loops(block)
	assert [s[0] for s in loop] == ["SBR", "OI", "NM1", "N3", "N4", "NM1", "N3", "N4"]
	assert loop[0] == ["SBR", "S", "01", "", "Harbor Co-op Staff", "", "", "", "", "CI"]
	assert loop[6:] == [["N3", "PO Box 77"], ["N4", "Hartford", "CT", "06101"]]
	assert not find(block, "SVD")


def test_secondary_from_a_real_era(built):
	(block,) = claim_blocks(parse(built["secondary_from_real_era"][0]))
	(loop,) = other_payer_loops(block)
	assert find(loop, "AMT") == [["AMT", "D", "34.25"]]
	assert find(loop, "NM1", "PR")[0][3::6] == ["NYSDOH", "1000000000"]
	assert find(loop, "DTP") == [["DTP", "573", "D8", "20100101"]]
	assert find(loop, "REF") == [["REF", "F8", "1000210000000030"]]
	svds = [find(line, "SVD")[0] for line in lines_of(block)]
	assert [s[2:] for s in svds] == [
		["6", "HC:V2020:RB", "", "1"],
		["2.75", "HC:V2700:RB", "", "1"],
		["5.5", "HC:V2103:RB", "", "1"],
		["20", "HC:S0580", "", "2"],
	]
	assert [find(line, "AMT", "EAF")[0][2] for line in lines_of(block)] == ["0", "0", "0", "0"]
	assert_cob_balances(block)


def test_tertiary_from_a_real_secondary_era(built):
	(block,) = claim_blocks(parse(built["tertiary_from_real_era"][0]))
	secondary, primary = other_payer_loops(block)
	assert secondary[0][:3] == ["SBR", "S", "18"] and primary[0][:3] == ["SBR", "P", "18"]
	assert find(secondary, "AMT") == [["AMT", "D", "310"]]
	assert find(secondary, "NM1", "PR")[0][9] == "1559123456"
	assert find(secondary, "DTP") == [["DTP", "573", "D8", "20050412"]]
	assert find(secondary, "REF") == [["REF", "F8", "50630626430"]]
	first, second = lines_of(block)
	assert first[3:8] == [
		["SVD", "1559123456", "30", "HC:12345:26", "", "1"],
		["CAS", "OA", "23", "136.5"],
		["DTP", "573", "D8", "20050412"],
		["AMT", "EAF", "0"],
		["SVD", f.make_payer(0).payer_id, "100", "HC:12345:26", "", "1"],
	]
	assert find(second, "CAS")[:2] == [["CAS", "PR", "1", "150", "", "2", "70"], ["CAS", "CO", "42", "85"]]
	assert find(second, "AMT", "EAF")[0] == ["AMT", "EAF", "220"]
	assert_cob_balances(block)


@pytest.mark.parametrize(("name", "frequency"), [("replacement", "7"), ("void", "8")])
def test_replacement_and_void_carry_the_payer_claim_number(name, frequency, built):
	(block,) = claim_blocks(parse(built[name][0]))
	assert block[0][5] == f"11:B:{frequency}"
	assert find(block, "REF", "F8") == [["REF", "F8", "EVG2026110200417"]]


def test_dependent_patient_gets_a_2000c_level(built):
	data, _ = built["dependent_patient"]
	segments = transaction(parse(data))
	levels = hierarchy(segments)
	assert [(lv["code"], lv["parent"], lv["has_children"]) for lv in levels] == [
		("20", "", "1"),
		("22", "1", "1"),
		("23", "2", "0"),
	]
	sbr = find(segments, "SBR")[0]
	assert sbr[2] == "", "SBR02 is 18 only when the patient is the subscriber"
	subscriber_part = segments[segments.index(sbr) : segments.index(find(segments, "PAT")[0])]
	assert not find(subscriber_part, "N3"), "no subscriber address when the patient is a dependent"
	patient_part = segments[segments.index(find(segments, "PAT")[0]) :]
	assert patient_part[0] == ["PAT", "19"]
	assert patient_part[1] == ["NM1", "QC", "1", "Testwell", "Juniper"]
	assert patient_part[4] == ["DMG", "D8", "20120614", "F"]
	assert patient_part[5][0] == "CLM"


def test_telehealth_is_written_as_given(built):
	data, _ = built["telehealth"]
	blocks = claim_blocks(parse(data))
	assert [b[0][5] for b in blocks] == ["10:B:1", "02:B:1", "11:B:1"]
	assert [s[1] for s in find(blocks[0], "SV1")] == ["HC:90837:95", "HC:90834:95"]
	mixed = find(blocks[2], "SV1")
	assert mixed[0][5] == "" and mixed[1][5] == "02", "SV105 only when it differs from CLM05-1"
	line_two = lines_of(blocks[2])[1]
	assert [s[0] for s in line_two] == ["LX", "SV1", "DTP", "NM1", "PRV"], "2420A after the line's DTP"
	assert line_two[3] == ["NM1", "82", "1", "Okonkwo-Lyle", "Tobias", "", "", "", "XX", f.make_npi(5001)]


def test_twelve_diagnoses(built):
	(block,) = claim_blocks(parse(built["twelve_diagnoses"][0]))
	(hi,) = find(block, "HI")
	expected = [code.replace(".", "") for code in f.DIAGNOSES[:12]]
	assert hi[1:] == ["ABK:" + expected[0]] + ["ABF:" + code for code in expected[1:]]
	assert [s[7] for s in find(block, "SV1")] == ["1:2:3:4", "5:6:7:8", "9:10:11:12", "12"]


def test_fifty_lines(built):
	(block,) = claim_blocks(parse(built["fifty_lines"][0]))
	lines = lines_of(block)
	assert [line[0][1] for line in lines] == [str(n) for n in range(1, 51)]
	assert find(lines[0], "SV1")[0][1:5] == ["HC:97110:GP", "91", "UN", "2"]
	assert find(lines[3], "SV1")[0][1] == "HC:G0283"
	assert find(lines[49], "DTP") == [["DTP", "472", "RD8", "20261020-20261022"]]
	assert find(lines[49], "REF") == [["REF", "6R", "R050"]]
	assert block[0][2] == format_decimal(fifty_line_claim().total_charge)


def test_many_claims_group_by_provider_subscriber_and_patient(built):
	claims = many_claims()
	data, _ = built["many_claims"]
	segments = transaction(parse(data))
	levels = hierarchy(segments)
	providers = {c.billing_provider.npi for c in claims}
	assert sum(1 for lv in levels if lv["code"] == "20") == len(providers) == 3
	# One 2000B per provider+subscriber+payer+self/dependent, one 2000C per patient.
	subscriber_keys = {
		(c.billing_provider.npi, c.subscriber.member_id, c.payer.payer_id, c.patient is None) for c in claims
	}
	assert sum(1 for lv in levels if lv["code"] == "22") == len(subscriber_keys)
	assert sum(1 for lv in levels if lv["code"] == "23") == 2
	assert len(claim_blocks(segments)) == len(claims)
	# Both children of subscriber 0 hang under the same 2000B; DEP-A1 and DEP-A2 under one 2000C.
	patient_levels = [lv for lv in levels if lv["code"] == "23"]
	assert patient_levels[0]["parent"] == patient_levels[1]["parent"]
	claim_ids_by_level = {}
	current = None
	for s in segments:
		if s[0] == "HL":
			current = s[1]
		elif s[0] == "CLM":
			claim_ids_by_level.setdefault(current, []).append(s[1])
	assert claim_ids_by_level[patient_levels[0]["id"]] == ["DEP-A1", "DEP-A2"]
	assert claim_ids_by_level[patient_levels[1]["id"]] == ["DEP-B1"]
	# Providers appear in order of first appearance.
	npis = [s[9] for s in segments if s[:2] == ["NM1", "85"]]
	assert npis == list(dict.fromkeys(c.billing_provider.npi for c in claims))
	isa = parse(data)[0]
	assert isa[13] == "000004711" and find(segments, "ST")[0][2] == "0012"


def test_attachments(built):
	(block,) = claim_blocks(parse(built["attachments"][0]))
	assert find(block, "PWK") == [
		["PWK", "09", "EL", "", "", "AC", "PN20261005A"],
		["PWK", "CB", "BM", "", "", "AC", "CB778"],
		["PWK", "OZ", "AA"],
	]
	ids = [s[0] for s in block]
	assert ids.index("PWK") < ids.index("HI")


def test_other_separators(built):
	data, _ = built["other_separators"]
	text = data.decode("ascii")
	assert text[3] == "|" and text[104] == ">" and text[82] == "!"
	assert "'\n" in text and "~" not in text and "*" not in text
	assert component_separator(data) == ">"
	assert any(s[0] == "HI" and s[1] == "ABK>F900" for s in parse(data))


def test_more_than_100_claims_open_a_second_subscriber_level(built):
	data, _ = built["over_100_claims_one_subscriber"]
	segments = transaction(parse(data))
	levels = hierarchy(segments)
	assert [lv["code"] for lv in levels] == ["20", "22", "22"]
	counts = []
	for s in segments:
		if s[0] == "HL" and s[3] == "22":
			counts.append(0)
		elif s[0] == "CLM":
			counts[-1] += 1
	assert counts == [100, 1]


def test_more_than_100_claims_for_one_dependent_open_a_second_patient_level():
	claims = [
		f.make_claim(claim_id=f"KID{i:04d}", patient=f.make_patient(), lines=[f.make_line()])
		for i in range(101)
	]
	data, envelope = write(claims)
	levels = hierarchy(transaction(assert_common(data, envelope)))
	assert [(lv["code"], lv["parent"]) for lv in levels] == [
		("20", ""),
		("22", "1"),
		("23", "2"),
		("23", "2"),
	]


def test_json_build_837_example_fixture(built):
	claims, submitter, _, envelope = build_837_example()
	assert len(claims) >= 3 and any(c.patient is not None for c in claims)
	assert any(c.other_payers for c in claims)
	data, _ = built["json_build_837_example"]
	segments = assert_common(data, envelope)
	assert len(claim_blocks(segments)) == len(claims)
	assert find(segments, "NM1", "41")[0][3] == submitter.name


# --- golden files ------------------------------------------------------------------------------

GOLDEN_SCENARIOS = {
	"primary": "primary.x12",
	"secondary_cob": "secondary_cob.x12",
	"dependent_patient": "dependent_patient.x12",
}


@pytest.mark.parametrize("name", list(GOLDEN_SCENARIOS))
def test_golden(name, built):
	path = GOLDEN / GOLDEN_SCENARIOS[name]
	data = built[name][0]
	if os.environ.get("REGENERATE_GOLDEN"):
		path.parent.mkdir(parents=True, exist_ok=True)
		path.write_bytes(data)
		pytest.fail(f"rewrote {path}; review the diff, then run again without REGENERATE_GOLDEN")
	assert data == path.read_bytes()


# --- details and refusals ----------------------------------------------------------------------


@pytest.mark.parametrize(
	("amount", "text"),
	[
		("150.00", "150"),
		("150.50", "150.5"),
		("150.25", "150.25"),
		("1E+2", "100"),
		("0.00", "0"),
		("-0.00", "0"),
		("-12.30", "-12.3"),
		("1234567.8", "1234567.8"),
		("0.5", "0.5"),
	],
)
def test_format_decimal(amount, text):
	assert format_decimal(Decimal(amount)) == text


def cas_split_claim() -> Claim:
	"""Eight claim-level OA adjustments from the primary: more than one CAS segment holds."""
	claim = secondary_claim_from_primary()
	claim.claim_id = "PCN-0001X"
	claim.other_payers[0].adjustments = [Adjustment("OA", str(100 + i), Decimal("1.00")) for i in range(8)]
	claim.other_payers[0].paid = Decimal("172.00")  # keeps the claim balanced: 320 - 8 - 140 of line CAS
	return claim


def test_cas_over_six_triplets_is_split(built):
	(block,) = claim_blocks(parse(built["cas_split"][0]))
	cas = find(other_payer_loops(block)[0], "CAS")
	assert [len(s) for s in cas] == [2 + 6 * 3 - 1, 2 + 2 * 3 - 1]  # no trailing empty quantity
	assert cas[0][2:5] == ["100", "1", ""]
	assert cas[1] == ["CAS", "OA", "106", "1", "", "107", "1"]


# Any printable ASCII text without this file's separators goes through unchanged.
SEPARATORS = "*:^~"
safe_text = st.text(
	alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E, blacklist_characters=SEPARATORS),
	min_size=1,
	max_size=35,
).filter(lambda text: text.strip() == text)


@settings(max_examples=60, deadline=None)
@given(last_name=safe_text, first_name=safe_text, claim_id=safe_text.filter(lambda t: len(t) <= 20))
def test_text_without_separators_is_written_unchanged(last_name, first_name, claim_id):
	claim = f.make_claim(
		claim_id=claim_id, subscriber=f.make_subscriber(last_name=last_name, first_name=first_name)
	)
	data, envelope = write([claim])
	segments = assert_common(data, envelope)
	assert find(segments, "NM1", "IL")[0][3:5] == [last_name, first_name]
	assert claim_blocks(segments)[0][0][1] == claim_id


@settings(max_examples=40, deadline=None)
@given(before=safe_text, separator=st.sampled_from(SEPARATORS + "\x7f\n\u00e9"), after=safe_text)
def test_text_with_a_separator_is_refused(before, separator, after):
	claim = f.make_claim(payer=f.make_payer(name=before + separator + after))
	assert bad_write(claim).startswith("claims[0].payer.name: ")


def bad_write(claim: Claim, **envelope_overrides):
	with pytest.raises(ValueError) as raised:
		write([claim], **envelope_overrides)
	return str(raised.value)


def test_refuses_a_separator_inside_data_and_names_the_field():
	claim = f.make_claim(subscriber=f.make_subscriber(last_name="O*Hara"))
	message = bad_write(claim)
	assert message.startswith("claims[0].subscriber.last_name: ")
	assert "element separator" in message and "O*Hara" not in message


def test_refuses_a_component_separator_in_a_code():
	claim = f.make_claim(lines=[f.make_line("99213:25")])
	assert bad_write(claim).startswith("claims[0].lines[0].procedure_code: ")


def test_refuses_data_containing_the_custom_terminator():
	claim = f.make_claim(payer=f.make_payer(name="Payer's Plan"))
	message = bad_write(claim, segment_terminator="'")
	assert message.startswith("claims[0].payer.name: ") and "segment terminator" in message


def test_refuses_non_ascii():
	claim = f.make_claim(patient=f.make_patient(first_name="Zoë"))
	assert bad_write(claim).startswith("claims[0].patient.first_name: ")


@pytest.mark.parametrize("number", [0, 1_000_000_000, -5])
def test_refuses_control_numbers_out_of_range(number):
	message = bad_write(f.make_claim(), interchange_control_number=number)
	assert "interchange_control_number" in message


def test_refuses_same_separator_twice():
	assert "must differ" in bad_write(f.make_claim(), component_separator="*")


@pytest.mark.parametrize("frequency", ["7", "8"])
def test_replacement_needs_the_payer_claim_number(frequency):
	message = bad_write(f.make_claim(frequency=frequency))
	assert message.startswith("claims[0].original_claim_number: ")


def test_refuses_thirteen_diagnoses():
	claim = f.make_claim(diagnoses=list(f.DIAGNOSES[:13]))
	assert bad_write(claim).startswith("claims[0].diagnoses: ")


def test_refuses_a_pointer_past_the_diagnoses():
	claim = f.make_claim(diagnoses=["F41.1"], lines=[f.make_line(diagnosis_pointers=[1, 2])])
	assert bad_write(claim).startswith("claims[0].lines[0].diagnosis_pointers: ")


def test_refuses_fifty_one_lines():
	claim = f.make_claim(lines=[f.make_line("97110") for _ in range(51)])
	assert bad_write(claim).startswith("claims[0].lines: ")


def test_refuses_fractions_of_cents():
	claim = f.make_claim(lines=[f.make_line(charge=Decimal("10.005"))])
	assert bad_write(claim).startswith("claims[0].lines[0].charge: ")


def test_refuses_subscriber_patient_without_birth_date():
	claim = f.make_claim(subscriber=f.make_subscriber(date_of_birth=None))
	assert bad_write(claim).startswith("claims[0].subscriber.date_of_birth: ")


def test_refuses_electronic_attachment_without_control_number():
	claim = f.make_claim(attachments=[f.make_attachment(transmission_code="EL", control_number="")])
	assert bad_write(claim).startswith("claims[0].attachments[0].control_number: ")


def test_refuses_line_adjudication_without_any_date():
	claim = f.make_claim(
		other_payers=[
			OtherPayer(
				responsibility="P",
				payer=f.make_payer(),
				subscriber=f.make_subscriber(),
				paid=Decimal("0"),
				line_adjudications=[LineAdjudication(1, Decimal("0"), "90837")],
			)
		],
		payer_responsibility="S",
	)
	assert bad_write(claim).startswith("claims[0].other_payers[0].line_adjudications[0].adjudication_date: ")


def test_refuses_a_service_date_range_ending_before_it_starts():
	line = f.make_line(service_date_end=f.SERVICE_DATE - datetime.timedelta(days=1))
	assert bad_write(f.make_claim(lines=[line])).startswith("claims[0].lines[0].service_date_end: ")


def test_refuses_an_unknown_unit_code():
	line = f.make_line(unit_code="HR")
	assert bad_write(f.make_claim(lines=[line])).startswith("claims[0].lines[0].unit_code: ")


def test_refuses_other_payer_without_member_id():
	claim = secondary_claim_from_primary()
	claim.other_payers[0].subscriber = f.make_subscriber(member_id="")
	assert bad_write(claim).startswith("claims[0].other_payers[0].subscriber.member_id: ")


def test_refuses_a_creation_date_without_time():
	message = bad_write(f.make_claim(), created=datetime.date(2026, 10, 20))
	assert message.startswith("envelope.created: ")


def test_refuses_an_empty_file():
	with pytest.raises(ValueError, match="at least one claim"):
		write([])
