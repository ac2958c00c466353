"""read_and_validate: one pass giving exactly what read_document and validate_file give separately."""

from __future__ import annotations

import pytest
from hypothesis import given

from claims_billing.x12.document import read_and_validate, read_document
from claims_billing.x12.envelope import iter_transaction_sets
from claims_billing.x12.errors import Problem, X12Error
from claims_billing.x12.validate import FileChecker, validate_file
from tests.unit.samples import sample, sample_names
from tests.unit.test_fuzz_readers import FUZZ, SAMPLES, mutated_samples

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~"


def assert_same_as_separately(data: bytes) -> None:
	transactions, problems = read_and_validate(data)
	expected_problems = validate_file(data)
	try:
		expected = read_document(data)
	except X12Error as error:
		assert transactions is None
		if expected_problems:
			assert problems == expected_problems
		else:  # the reason the file cannot be read stands in for the problems validate_file missed
			(problem,) = problems
			assert (problem.message, problem.code) == (error.reason, "unreadable")
	else:
		assert transactions == expected
		assert problems == expected_problems


@pytest.mark.parametrize("name", sample_names())
def test_every_sample(name):
	assert_same_as_separately(sample(name))


def test_problems_found_while_reading_are_the_validators():
	transactions, problems = read_and_validate(sample("835/deidentified-3st-56-claims-bom-indented.x12"))
	assert [transaction.control_number for transaction in transactions] == ["8001", "9001", "10001"]
	assert [(problem.path, problem.code) for problem in problems] == [
		("segment 4 (BPR)", "835-unbalanced"),
		("segment 295 (BPR)", "835-unbalanced"),
		("segment 564 (BPR)", "835-unbalanced"),
	]


def test_truncated_sample_reads_incomplete_with_its_missing_trailers():
	transactions, problems = read_and_validate(sample("277ca/minimal-bom-indented.x12"))
	(transaction,) = transactions
	assert not transaction.complete and not transaction.content.complete
	assert transaction.problems == problems
	assert [(problem.path, problem.code) for problem in problems] == [
		("segment 3 (ST)", "missing-se"),
		("segment 2 (GS)", "missing-ge"),
		("segment 1 (ISA)", "missing-iea"),
	]


def test_unreadable_file_still_gets_every_problem():
	# The reader refuses a CAS with neither reason nor amount (validate_file has no check for it) and
	# stops there; the BPR16 date problem is still found.
	data = sample("835/managed-care-ach.x12").replace(b"CAS*CO*A2*55.00~", b"CAS*CO~")
	with pytest.raises(X12Error, match=r"segment 21 \(CAS\): CAS has no adjustment reason and amount"):
		read_document(data)
	transactions, problems = read_and_validate(data)
	assert transactions is None
	assert [(problem.path, problem.code) for problem in problems] == [("segment 4 (BPR)", "invalid-date")]


def test_unreadable_but_otherwise_valid_file_says_why():
	data = (
		sample("835/managed-care-ach.x12")
		.replace(b"*20002316~", b"*20020316~")
		.replace(b"CAS*CO*A2*55.00~", b"CAS*CO~")
	)
	assert validate_file(data) == []
	transactions, problems = read_and_validate(data)
	assert transactions is None
	assert problems == [Problem("segment 21 (CAS)", "CAS has no adjustment reason and amount", "unreadable")]


def test_invalid_segment_id_that_begins_like_a_valid_one():
	# IK3 has no check of its own in a 999, so its ID is checked once and remembered; IK3X is still wrong.
	text = (
		ISA + "GS*FA*S*R*20240101*1200*1*X*005010X231A1~"
		"ST*999*0001~AK1*HC*1~AK2*837*0001~IK3*NM1*1**8~IK3X*1~IK5*R*5~AK9*R*1*1*0~SE*8*0001~"
		"GE*1*1~IEA*1*000000001~"
	)
	expected = [Problem("segment 7 (?)", "'IK3X' is not a valid segment ID", "segment-id")]
	assert validate_file(text.encode()) == expected
	assert read_and_validate(text.encode())[1] == expected


def problems_with_checks_run_by_a_reader(data: bytes, looked_up_once: tuple[str, ...]) -> list[Problem]:
	"""The walk of read_and_validate, with a stand-in reader that runs the checks in its own loop, looking
	up those of ``looked_up_once`` at the start of each set as the real readers do."""
	checker = FileChecker(split=True)
	for transaction in iter_transaction_sets(data, allow_truncated=True, observer=checker):
		fixed, check_of = transaction.checks_for(looked_up_once)
		fixed_by_id = dict(zip(looked_up_once, fixed, strict=True))
		for first, batch in transaction.batches():
			for position, elements in enumerate(batch, first):
				segment_id = elements[0]
				check = fixed_by_id[segment_id] if segment_id in fixed_by_id else check_of(segment_id)
				if check is not None:
					check(position, elements)
	checker.finish()
	return checker.problems


def test_checks_run_by_the_reader_find_what_the_second_pass_finds():
	# The billing provider's N3/N4/REF are checked only inside loop 2010AA, which a reader that looks
	# the N3 check up once per set must still get right: without its N3, the pay-to address's N3
	# (loop 2010AB, right after) must not count for it.
	data = sample("837p/ig-commercial-health-insurance.x12").replace(b"N3*234 SEAWAY ST~", b"", 1)
	expected = validate_file(data)
	assert [(problem.path, problem.message) for problem in expected] == [
		("segment 8 (HL)", "billing provider (loop 2010AA) has no N3 address"),
		("segment 43 (SE)", "SE01 says '42' segments but the transaction set has 41 (ST to SE)"),
	]
	whole = sample("837p/ig-commercial-health-insurance.x12")
	for looked_up_once in ((), ("NM1", "N3", "N4", "REF", "HL", "CLM", "DTP", "SV1", "LX")):
		assert problems_with_checks_run_by_a_reader(data, looked_up_once) == expected
		assert problems_with_checks_run_by_a_reader(whole, looked_up_once) == []


@FUZZ
@given(mutated_samples())
def test_mutated_samples(data):
	assert_same_as_separately(data)


def test_fuzz_corpus_is_not_empty():
	assert len(SAMPLES) > 20
