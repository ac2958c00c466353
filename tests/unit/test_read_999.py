"""read_999 on the public 999 samples and on a hand-written rejection."""

from __future__ import annotations

import pytest

from claims_billing.x12.acknowledgement import (
	describe_ack_code,
	describe_element_error,
	describe_group_error,
	describe_segment_error,
	describe_transaction_set_error,
)
from claims_billing.x12.errors import X12Error
from claims_billing.x12.read_999 import read_999
from tests.unit.samples import sample

ISA = "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*PRACTICE       *240305*0930*^*00501*000000077*0*P*:~"
# Written for these tests: the receiver rejects set 0001 (CLM01 too short, a bad code in CLM05-1) and
# accepts set 0002.
REJECTION = (
	ISA + "GS*FA*CLEARINGHOUSE*PRACTICE*20240305*093015*77*X*005010X231A1~"
	"ST*999*0001*005010X231A1~"
	"AK1*HC*20240301*005010X222A1~"
	"AK2*837*0001*005010X222A1~"
	"IK3*CLM*22*2300*8~"
	"CTX*CLM01:A1~"
	"IK4*1*1028*4*A1~"
	"IK4*5:1*1331*7*99~"
	"CTX*SITUATIONAL TRIGGER*CLM*22**5:1~"
	"IK5*R*5~"
	"AK2*837*0002*005010X222A1~"
	"IK5*A~"
	"AK9*P*2*2*1~"
	"SE*13*0001~GE*1*77~IEA*1*000000077~"
)


def test_four_transaction_sets_acknowledging_834s():
	acks = read_999(sample("999/four-st-accepted-for-834.x12"))
	assert [ack.control_number for ack in acks] == ["0001", "0002", "0003", "0004"]
	for ack in acks:
		assert (ack.functional_id, ack.group_control_number, ack.version) == (
			"BE",
			"13360001",
			"005010X220A1",
		)
		assert (ack.ack_code, ack.sets_included, ack.sets_received, ack.sets_accepted) == ("A", 1, 1, 1)
		assert ack.accepted and ack.error_codes == []
		(set_ack,) = ack.transaction_sets
		assert (set_ack.set_id, set_ack.control_number, set_ack.ack_code) == ("834", "0001", "A")
		assert set_ack.accepted and set_ack.segment_errors == []


def test_accepted_837i_with_pipe_component_separator():
	(ack,) = read_999(sample("999/emedny-accepted-pipe-component-sep.x12"))
	assert ack.control_number == "4001"
	assert (ack.functional_id, ack.group_control_number, ack.version) == ("HC", "28", "005010X223A2")
	(set_ack,) = ack.transaction_sets
	assert (set_ack.set_id, set_ack.control_number, set_ack.version, set_ack.ack_code) == (
		"837",
		"0028",
		"",
		"A",
	)
	assert ack.ack_description == "accepted"


def test_envelope_mistakes_do_not_stop_reading():
	# GS05 and IEA02 are wrong in this file (validate_file reports them); the acknowledgement reads.
	(ack,) = read_999(sample("999/accepted-bad-gs05-iea-mismatch.x12"))
	assert (ack.group_control_number, ack.ack_code, ack.transaction_sets[0].control_number) == (
		"17456",
		"A",
		"0001",
	)


def test_rejection_details():
	(ack,) = read_999(REJECTION.encode())
	assert (ack.ack_code, ack.sets_included, ack.sets_received, ack.sets_accepted) == ("P", 2, 2, 1)
	assert ack.ack_description == "partially accepted: at least one transaction set was rejected"
	rejected, accepted = ack.transaction_sets
	assert (rejected.control_number, rejected.ack_code, rejected.error_codes) == ("0001", "R", ["5"])
	assert not rejected.accepted and accepted.accepted
	assert rejected.error_descriptions == ["one or more segments are in error"]
	(segment,) = rejected.segment_errors
	assert (segment.segment_id, segment.position, segment.loop_id, segment.error_code) == (
		"CLM",
		22,
		"2300",
		"8",
	)
	assert segment.description == "segment has errors in its data elements"
	assert segment.context == ["CLM01:A1"]
	too_short, bad_code = segment.elements
	assert (too_short.element_position, too_short.component_position, too_short.reference_number) == (
		1,
		None,
		"1028",
	)
	assert (too_short.error_code, too_short.bad_value, too_short.description) == (
		"4",
		"A1",
		"data element is too short",
	)
	assert (bad_code.element_position, bad_code.component_position, bad_code.error_code) == (5, 1, "7")
	assert bad_code.context == ["SITUATIONAL TRIGGER", "CLM", "22", "5:1"]
	assert bad_code.description == "data element holds a code value that is not valid"


def test_code_meanings():
	assert describe_ack_code("R") == "rejected"
	assert describe_segment_error("I4") == "segment the implementation guide marks 'not used' is present"
	assert describe_element_error("8") == "not a valid date"
	assert describe_transaction_set_error("4") == "SE segment count does not match the number of segments"
	assert describe_group_error("5") == "GE count of transaction sets does not match the number received"
	assert describe_element_error("ZZ") == "code ZZ (not in the X12 list)"


def test_missing_ik5_is_an_error():
	data = REJECTION.replace("IK5*R*5~", "").encode()
	with pytest.raises(
		X12Error, match=r"segment 11 \(AK2\): the AK2 transaction set response at segment 5 has no IK5"
	):
		read_999(data)


def test_missing_ak9_is_an_error():
	with pytest.raises(X12Error, match=r"\(SE\): .* has no AK9"):
		read_999(REJECTION.replace("AK9*P*2*2*1~", "").encode())


def test_non_numeric_counts_and_positions():
	with pytest.raises(X12Error, match=r"segment 14 \(AK9\): AK903 transaction sets received 'two'"):
		read_999(REJECTION.replace("AK9*P*2*2*1", "AK9*P*2*two*1").encode())
	with pytest.raises(X12Error, match=r"segment 6 \(IK3\): IK302 segment position 'x'"):
		read_999(REJECTION.replace("IK3*CLM*22*", "IK3*CLM*x*").encode())


def test_ik4_without_ik3():
	with pytest.raises(X12Error, match="IK4 element error without an IK3"):
		read_999(REJECTION.replace("IK3*CLM*22*2300*8~CTX*CLM01:A1~", "").encode())


def test_not_a_999():
	with pytest.raises(X12Error, match="no 999 transaction set in this file: it holds 835"):
		read_999(sample("835/ig-tertiary-payment.x12"))
