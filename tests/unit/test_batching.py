"""Batching queued claims into 837P files: splits, control numbers, order, hashes, names, refusals."""

from __future__ import annotations

import dataclasses
import hashlib
import random

import pytest

from claims_billing.core.batching import BatchingError, BatchSetup, build_batches
from claims_billing.transport.base import TransportConfigError
from claims_billing.x12.envelope import iter_transaction_sets
from claims_billing.x12.interchange import MAX_CONTROL_NUMBER
from claims_billing.x12.read_837p import read_837p
from tests import factories as f


def setup(**overrides) -> BatchSetup:
	values = dict(
		submitter=f.make_submitter(),
		receiver=f.make_receiver(),
		sender_id="LKB0001",
		receiver_id="CLEARHOUSE01",
		usage_indicator="T",
	)
	values.update(overrides)
	return BatchSetup(**values)


def envelope_numbers(data: bytes) -> list[tuple[str, str, str]]:
	"""(ISA13, GS06, ST02) of every transaction set, read back from the bytes."""
	return [
		(t.group.interchange.control_number, t.group.control_number, t.control_number)
		for t in iter_transaction_sets(data)
	]


def test_claims_split_per_billing_provider_and_at_the_file_limit():
	claims = f.make_claims(23, providers=2)
	run = build_batches(claims, setup(max_claims_per_file=5), 1041, f.CREATED)
	sizes = [len(batch.claim_ids) for batch in run.batches]
	# Provider 0 has the 12 even-numbered claims, provider 1 the 11 odd ones.
	assert sizes == [5, 5, 2, 5, 5, 1]
	by_id = {claim.claim_id: claim for claim in claims}
	for batch in run.batches:
		providers = {by_id[claim_id].billing_provider.npi for claim_id in batch.claim_ids}
		assert providers == {batch.billing_provider_npi}
	sent = [claim_id for batch in run.batches for claim_id in batch.claim_ids]
	assert sorted(sent) == sorted(by_id)
	for batch in run.batches:
		(transaction,) = read_837p(batch.data)
		assert sorted(claim.claim_id for claim in transaction.claims) == sorted(batch.claim_ids)


def test_the_default_limit_is_5000_claims_per_file():
	run = build_batches(f.make_claims(5001, providers=1), setup(), 7, f.CREATED)
	assert [len(batch.claim_ids) for batch in run.batches] == [5000, 1]


def test_control_numbers_are_unique_and_name_the_file_everywhere():
	run = build_batches(f.make_claims(12, providers=3), setup(max_claims_per_file=3), 999_999_990, f.CREATED)
	numbers = [batch.control_number for batch in run.batches]
	assert numbers == list(range(999_999_990, 999_999_990 + len(run.batches)))
	assert run.next_control_number == numbers[-1] + 1
	for batch in run.batches:
		assert envelope_numbers(batch.data) == [
			(f"{batch.control_number:09d}", str(batch.control_number), f"{batch.control_number:04d}")
		]
		assert batch.file_name == f"LKB0001_{batch.control_number:09d}_20261020.837"
	group = run.batches[1].sent_group()
	assert group.group_control_number == str(numbers[1])
	assert group.interchange_control_number == f"{numbers[1]:09d}"
	assert group.transaction_sets[0].claim_ids == run.batches[1].claim_ids


def test_a_counter_callable_is_asked_once_per_file():
	issued = iter([501, 77, 9000])
	calls = []

	def next_number() -> int:
		calls.append(1)
		return next(issued)

	run = build_batches(f.make_claims(6, providers=3), setup(), next_number, f.CREATED)
	assert [batch.control_number for batch in run.batches] == [501, 77, 9000]
	assert len(calls) == 3 and run.next_control_number is None


@pytest.mark.parametrize(
	("counter", "words"),
	[
		(lambda: 5, "gave 5 twice in one run"),
		(lambda: 0, "must be a whole number from 1 to 999,999,999, got 0"),
		(0, "the start control number must be a whole number"),
		(MAX_CONTROL_NUMBER, "has passed 999,999,999"),
	],
)
def test_counters_that_repeat_or_overflow_are_refused(counter, words):
	with pytest.raises(BatchingError, match=words):
		build_batches(f.make_claims(4, providers=2), setup(), counter, f.CREATED)


def test_the_same_claims_in_any_order_give_the_same_files():
	claims = f.make_claims(40, providers=3)
	first = build_batches(claims, setup(max_claims_per_file=6), 300, f.CREATED)
	shuffled = list(claims)
	random.Random(5).shuffle(shuffled)
	second = build_batches(shuffled, setup(max_claims_per_file=6), 300, f.CREATED)
	assert [b.data for b in first.batches] == [b.data for b in second.batches]
	assert [b.claim_ids for b in first.batches] == [b.claim_ids for b in second.batches]
	for batch in first.batches:
		assert batch.sha256 == hashlib.sha256(batch.data).hexdigest()
	assert len({batch.sha256 for batch in first.batches}) == len(first.batches)


def test_claim_positions_point_at_each_claims_clm_segment():
	run = build_batches(f.make_claims(9, providers=1, subscribers=3), setup(), 12, f.CREATED)
	(batch,) = run.batches
	clm = {}
	for transaction in iter_transaction_sets(batch.data):
		for position, elements in transaction.segments():
			if elements[0] == "CLM":
				clm[elements[1]] = position - transaction.position + 1
	assert len(clm) == 9
	assert dict(zip(batch.claim_ids, batch.claim_positions, strict=True)) == clm


def test_a_claim_the_writer_refuses_is_left_out_and_the_rest_are_sent():
	claims = f.make_claims(5, providers=1)
	claims[2] = dataclasses.replace(claims[2], place_of_service="")
	claims[4] = dataclasses.replace(claims[4], lines=[])
	run = build_batches(claims, setup(), 40, f.CREATED)
	assert [(r.claim_id, r.message) for r in run.refused] == [
		("PCN0000002", "place_of_service: required (CLM05-1)"),
		("PCN0000004", "lines: at least one service line is required"),
	]
	(batch,) = run.batches
	assert batch.claim_ids == ("PCN0000000", "PCN0000001", "PCN0000003")
	(transaction,) = read_837p(batch.data)
	assert [claim.claim_id for claim in transaction.claims] == ["PCN0000000", "PCN0000001", "PCN0000003"]


def test_a_file_whose_claims_are_all_refused_is_not_made():
	claims = [dataclasses.replace(claim, diagnoses=[]) for claim in f.make_claims(2, providers=1)]
	run = build_batches(claims, setup(), 40, f.CREATED)
	assert run.batches == [] and [r.claim_id for r in run.refused] == ["PCN0000000", "PCN0000001"]
	assert run.next_control_number == 41  # the number was taken; gaps are harmless


def test_settings_problems_stop_the_run_with_the_field_named():
	with pytest.raises(
		BatchingError, match=r"cannot be written: envelope.sender_id: must be 1 to 15 characters"
	):
		build_batches(f.make_claims(2), setup(sender_id="A-SENDER-ID-TOO-LONG"), 1, f.CREATED)
	with pytest.raises(
		BatchingError, match="max_claims_per_file must be a whole number of at least 1, got 0"
	):
		build_batches(f.make_claims(2), setup(max_claims_per_file=0), 1, f.CREATED)


def test_a_claim_queued_twice_is_refused():
	claims = f.make_claims(3)
	claims.append(dataclasses.replace(claims[0]))
	with pytest.raises(BatchingError, match=r"claims\[3\].claim_id: claim PCN0000000 is queued twice"):
		build_batches(claims, setup(), 1, f.CREATED)


def test_file_names_come_from_the_pattern_and_must_differ():
	pattern = "{npi}-{sequence:03d}-{gcn}-{date:%y%m%d%H%M}.x12"
	run = build_batches(f.make_claims(4, providers=2), setup(file_name_pattern=pattern), 88, f.CREATED)
	npis = [batch.billing_provider_npi for batch in run.batches]
	assert [batch.file_name for batch in run.batches] == [
		f"{npis[0]}-001-88-2610200930.x12",
		f"{npis[1]}-002-89-2610200930.x12",
	]
	with pytest.raises(BatchingError, match=r"gives two files the name claims\.837"):
		build_batches(f.make_claims(4, providers=2), setup(file_name_pattern="claims.837"), 1, f.CREATED)
	with pytest.raises(TransportConfigError, match=r"needs a value for \{payer\}"):
		build_batches(f.make_claims(1), setup(file_name_pattern="{payer}.837"), 1, f.CREATED)


def test_no_claims_make_no_files_and_use_no_numbers():
	run = build_batches([], setup(), 300, f.CREATED)
	assert run.batches == [] and run.refused == [] and run.next_control_number == 300
