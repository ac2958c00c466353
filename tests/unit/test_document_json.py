"""read_document dispatch and the JSON form (its key names are documented in the README)."""

from __future__ import annotations

import json

import pytest

from claims_billing.x12.document import document_types, read_document, to_json_dict
from claims_billing.x12.errors import X12Error
from tests.unit.samples import sample, sample_names
from tests.unit.test_read_999 import REJECTION

TRUNCATED = "277ca/minimal-bom-indented.x12"  # ends cleanly after HL*2 with no SE, GE or IEA
TYPE_BY_FOLDER = {"835": "835", "837p": "837P", "277ca": "277CA", "999": "999"}

TRANSACTION_835_KEYS = {
	"type",
	"control_number",
	"payment",
	"payer",
	"payee",
	"claims",
	"provider_adjustments",
}
PAYMENT_KEYS = {"amount", "method", "date", "trace_number", "credit_debit", "handling_code"}
CLAIM_835_KEYS = {
	"claim_id",
	"status_code",
	"charge",
	"paid",
	"patient_responsibility",
	"payer_claim_number",
	"filing_indicator",
	"adjustments",
	"remark_codes",
	"services",
}
SERVICE_835_KEYS = {
	"procedure_code",
	"modifiers",
	"charge",
	"paid",
	"units",
	"service_date",
	"line_control_number",
	"allowed",
	"adjustments",
	"remark_codes",
}
PLB_KEYS = {"provider_id", "reason_code", "reference", "amount", "fiscal_period_date"}
CLAIM_277_KEYS = {
	"claim_id",
	"status_category",
	"status_code",
	"statuses",
	"payer_claim_number",
	"charge",
	"status_date",
}
CLAIM_837_KEYS = {"claim_id", "charge", "frequency", "place_of_service", "diagnoses", "lines"}


def json_of(data: bytes) -> dict:
	"""The JSON form after a round trip through json, so only JSON types can remain."""
	return json.loads(json.dumps(to_json_dict(read_document(data))))


@pytest.mark.parametrize("name", sample_names())
def test_every_sample_is_read_with_the_reader_its_type_needs(name):
	parsed = read_document(sample(name))
	assert {transaction.type for transaction in parsed} == {TYPE_BY_FOLDER[name.split("/")[0]]}
	assert document_types(sample(name)) == [transaction.type for transaction in parsed]
	assert json_of(sample(name))["transactions"][0]["type"] == parsed[0].type
	complete = name != TRUNCATED
	assert [transaction.complete for transaction in parsed] == [complete] * len(parsed)
	assert json_of(sample(name))["complete"] is complete


def test_truncated_sample_reads_flagged_incomplete():
	(transaction,) = read_document(sample(TRUNCATED))
	assert (transaction.type, transaction.control_number, transaction.position) == ("277CA", "0001", 3)
	assert transaction.complete is False and transaction.content.complete is False
	assert transaction.content.payer_name == "AMERISYS" and transaction.content.claims == []
	assert [(problem.path, problem.message, problem.code) for problem in transaction.problems] == [
		("segment 3 (ST)", "the file ends before the SE trailer of transaction set '0001'", "missing-se"),
		("segment 2 (GS)", "the file ends before the GE trailer of group '203263'", "missing-ge"),
		("segment 1 (ISA)", "the file ends before the IEA trailer of interchange '000203263'", "missing-iea"),
	]
	document = json_of(sample(TRUNCATED))
	assert document["complete"] is False
	assert [problem["code"] for problem in document["problems"]] == [
		"missing-se",
		"missing-ge",
		"missing-iea",
	]


def test_file_cut_inside_a_segment_is_an_error():
	with pytest.raises(X12Error, match=r"segment 10 \(HL\): the file ends in the middle of a segment"):
		read_document(sample(TRUNCATED).rstrip(b"~"))


def test_every_set_of_an_interchange_cut_short_is_incomplete():
	# Two groups of two 999s; the file ends before the second GE: the first group closed but not the
	# interchange, so all four sets are incomplete, the second group's missing its GE too.
	data = sample("999/four-st-accepted-for-834.x12")
	assert all(transaction.complete for transaction in read_document(data))
	cut = data[: data.rindex(b"GE*")]
	parsed = read_document(cut)
	assert [transaction.control_number for transaction in parsed] == ["0001", "0002", "0003", "0004"]
	assert not any(transaction.complete or transaction.content.complete for transaction in parsed)
	assert [[problem.path for problem in transaction.problems] for transaction in parsed] == [
		["segment 1 (ISA)"],
		["segment 1 (ISA)"],
		["segment 16 (GS)", "segment 1 (ISA)"],
		["segment 16 (GS)", "segment 1 (ISA)"],
	]
	document = json_of(cut)
	assert document["complete"] is False
	assert [problem["code"] for problem in document["problems"]] == ["missing-ge", "missing-iea"]


def test_835_json_keys_and_exact_amounts():
	(transaction,) = json_of(sample("835/managed-care-ach.x12"))["transactions"]
	assert set(transaction) == TRANSACTION_835_KEYS
	assert (transaction["type"], transaction["control_number"]) == ("835", "112233")
	payment = transaction["payment"]
	assert set(payment) == PAYMENT_KEYS
	assert payment == {
		"amount": "945.00",  # as written, trailing zeros kept
		"method": "ACH",
		"date": None,  # BPR16 20002316 is not a date
		"trace_number": "7170066655",
		"credit_debit": "C",
		"handling_code": "I",
	}
	assert transaction["payer"] == {"name": "RUSHMORE LIFE", "id": "1935665544"}
	assert transaction["payee"] == {"name": "ACME MEDICAL CENTER", "id": "5544667733"}
	first = transaction["claims"][0]
	assert set(first) == CLAIM_835_KEYS
	assert (first["claim_id"], first["charge"], first["paid"], first["patient_responsibility"]) == (
		"5554555444",
		"800.00",
		"450.00",
		"300.00",
	)
	assert first["adjustments"] == [{"group": "CO", "reason": "A2", "amount": "50.00"}]
	(service,) = first["services"]
	assert set(service) == SERVICE_835_KEYS
	assert (
		service["procedure_code"] == "99211"
		and service["units"] is None
		and service["service_date"] == "2002-03-01"
	)
	assert transaction["provider_adjustments"] == []


def test_835_provider_adjustments_and_dates():
	(transaction,) = json_of(sample("835/emedny-pharmacy-plb.x12"))["transactions"]
	assert transaction["provider_adjustments"] == [
		{
			"provider_id": "9999999995",
			"reason_code": "WO",
			"reference": "FCN#201001010000000",
			"amount": "3.99",
			"fiscal_period_date": "2010-01-01",
		}
	]
	assert set(transaction["provider_adjustments"][0]) == PLB_KEYS
	assert transaction["payment"]["date"] == "2010-01-01"
	service = transaction["claims"][2]["services"][0]
	assert (service["allowed"], service["adjustments"][0]["amount"]) == ("223.64", "-3.5")


def test_277ca_json():
	(transaction,) = json_of(sample("277ca/emedny-accepted-A1-A2.x12"))["transactions"]
	assert transaction == {
		"type": "277CA",
		"control_number": "000014420",
		"claims": [
			{
				"claim_id": "5781",
				"status_category": "A2",
				"status_code": "20",
				"statuses": [{"category": "A2", "status": "20", "entity": None}],
				"payer_claim_number": "1107000000014420",
				"charge": "125",
				"status_date": "2011-03-11",
			}
		],
	}
	(other,) = json_of(sample("277ca/deidentified-multi-provider-bom-indented.x12"))["transactions"]
	assert [len(claim["statuses"]) for claim in other["claims"]] == [3, 3, 3]
	assert set(other["claims"][0]) == CLAIM_277_KEYS


def test_999_json_with_errors():
	(transaction,) = json_of(REJECTION.encode())["transactions"]
	assert (transaction["type"], transaction["control_number"], transaction["ack_code"]) == (
		"999",
		"0001",
		"P",
	)
	rejected, accepted = transaction["sets"]
	assert accepted == {"control_number": "0002", "ack_code": "A", "errors": []}
	assert (rejected["control_number"], rejected["ack_code"]) == ("0001", "R")
	levels = [(error["level"], error["code"]) for error in rejected["errors"]]
	assert levels == [("transaction_set", "5"), ("segment", "8"), ("element", "4"), ("element", "7")]
	element = rejected["errors"][3]
	assert element == {
		"level": "element",
		"code": "7",
		"description": "data element holds a code value that is not valid",
		"segment_id": "CLM",
		"segment_position": 22,
		"loop_id": "2300",
		"element_position": 5,
		"reference_number": "1331",
		"bad_value": "99",
	}


def test_999_json_of_four_sets():
	transactions = json_of(sample("999/four-st-accepted-for-834.x12"))["transactions"]
	assert [(t["control_number"], t["ack_code"], len(t["sets"])) for t in transactions] == [
		("0001", "A", 1),
		("0002", "A", 1),
		("0003", "A", 1),
		("0004", "A", 1),
	]


def test_837p_json():
	(transaction,) = json_of(sample("837p/ig-wheelchair-pwk02-AD.x12"))["transactions"]
	(claim,) = transaction["claims"]
	assert set(claim) == CLAIM_837_KEYS
	assert (claim["claim_id"], claim["charge"], claim["frequency"], claim["place_of_service"]) == (
		"SMI123",
		"75",
		"1",
		"12",
	)
	assert claim["diagnoses"] == ["436", "3449"]
	assert claim["lines"] == [
		{
			"procedure_code": "K0001",
			"modifiers": ["RR", "KH", "BR"],
			"charge": "75",
			"units": "1",
			"unit_code": "UN",
			"service_date": "2005-03-21",
			"service_date_end": None,
			"diagnosis_pointers": [1, 2],
			"place_of_service": None,
			"line_control_number": None,
		}
	]
	(eight,) = json_of(sample("837p/eight-claims-lt-component-sep.x12"))["transactions"]
	assert [claim["charge"] for claim in eight["claims"]] == ["553.96"] + ["174"] * 7


def test_mixed_file_keeps_file_order():
	data = (
		sample("835/ig-tertiary-payment.x12") + b"\n" + sample("999/emedny-accepted-pipe-component-sep.x12")
	)
	assert [(t.type, t.control_number, t.position) for t in read_document(data)] == [
		("835", "0001", 3),
		("999", "4001", 31),
	]


def test_unsupported_transaction_sets_are_refused():
	institutional = sample("837p/ig-anesthesia.x12").replace(b"005010X222A1", b"005010X223A2")
	with pytest.raises(
		X12Error, match=r"segment 3 \(ST\): transaction set 837 version 005010X223A2 is not one"
	):
		read_document(institutional)
	status = sample("277ca/emedny-accepted-A1-A2.x12").replace(b"005010X214", b"005010X212")
	with pytest.raises(X12Error, match="277 version 005010X212"):
		read_document(status)


def test_not_x12():
	with pytest.raises(X12Error, match="not an X12 file"):
		read_document(b"<html></html>")
