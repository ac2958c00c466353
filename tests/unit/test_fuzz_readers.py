"""Fuzzing the readers: the only allowed outcomes are a proper result or X12Error, and validate_file
never raises. Inputs are arbitrary bytes and the public samples broken in every way we could think of."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims_billing.x12.document import read_document, to_json_dict
from claims_billing.x12.errors import Problem, X12Error
from claims_billing.x12.read_277ca import read_277ca
from claims_billing.x12.read_835 import read_835
from claims_billing.x12.read_837p import read_837p
from claims_billing.x12.read_999 import read_999
from claims_billing.x12.validate import validate_file
from tests.unit.samples import sample, sample_names

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The 330 KB performance sample would make each example slow without finding anything new.
SAMPLES = {name: sample(name) for name in sample_names() if "perf-" not in name}
READERS = (read_835, read_277ca, read_999, read_837p)
JUNK = st.text(alphabet="*:~^<>|\r\n \t0123456789ABCXYZé\x00", max_size=12)


def check(data: bytes) -> None:
	"""Every reader either returns a result or raises X12Error; validate_file returns Problems."""
	for reader in READERS:
		try:
			result = reader(data)
		except X12Error as error:
			assert str(error)  # a message, naming where when it can
		else:
			assert isinstance(result, list) and result
	try:
		parsed = read_document(data)
	except X12Error:
		pass
	else:
		json.dumps(to_json_dict(parsed))
	problems = validate_file(data)
	assert isinstance(problems, list)
	assert all(isinstance(problem, Problem) and problem.path and problem.message for problem in problems)


@FUZZ
@given(st.binary(max_size=600))
def test_arbitrary_bytes(data):
	check(data)


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes_after_a_valid_isa(tail):
	check(sample("999/four-st-accepted-for-834.x12")[:107] + tail)


@st.composite
def mutated_samples(draw) -> bytes:
	name = draw(st.sampled_from(sorted(SAMPLES)))
	data = SAMPLES[name]
	for _ in range(draw(st.integers(min_value=1, max_value=4))):
		segments = data.split(b"~")
		where = draw(st.integers(min_value=0, max_value=max(len(segments) - 1, 0)))
		kind = draw(
			st.sampled_from(
				["delete", "duplicate", "truncate", "element", "separators", "isa byte", "insert", "swap"]
			)
		)
		if kind == "delete":
			del segments[where]
		elif kind == "duplicate":
			segments.insert(where, segments[where])
		elif kind == "swap" and len(segments) > 1:
			other = draw(st.integers(min_value=0, max_value=len(segments) - 1))
			segments[where], segments[other] = segments[other], segments[where]
		elif kind == "element":
			elements = segments[where].split(b"*")
			index = draw(st.integers(min_value=0, max_value=len(elements)))
			junk = draw(JUNK).encode("utf-8")
			if index == len(elements):
				elements.append(junk)
			else:
				elements[index] = junk
			segments[where] = b"*".join(elements)
		joined = b"~".join(segments)
		if kind == "truncate":
			joined = joined[: draw(st.integers(min_value=0, max_value=len(joined)))]
		elif kind == "separators":
			old = draw(st.sampled_from([b"*", b"~", b":", b">", b"<", b"^"]))
			new = draw(st.sampled_from([b"|", b"!", b"\n", b"*", b"~", b":", b"A", b" "]))
			joined = joined.replace(old, new)
		elif kind == "isa byte":
			start = joined.find(b"ISA")
			index = draw(st.integers(min_value=0, max_value=110)) + max(start, 0)
			if index < len(joined):
				joined = joined[:index] + draw(st.binary(min_size=1, max_size=1)) + joined[index + 1 :]
		elif kind == "insert":
			index = draw(st.integers(min_value=0, max_value=len(joined)))
			joined = joined[:index] + draw(st.binary(max_size=20)) + joined[index:]
		data = joined
	return data


@FUZZ
@given(mutated_samples())
def test_mutated_samples(data):
	check(data)


@FUZZ
@given(st.sampled_from(sorted(SAMPLES)), st.sampled_from(["\n", "\r\n", "\n   ", "\r"]), st.booleans())
def test_formatting_does_not_change_what_is_read(name, between, bom):
	original = SAMPLES[name]
	text = original.decode("utf-8-sig").replace("\r\n", "").replace("\n", "")
	text = "~".join(piece.strip() for piece in text.split("~"))
	reformatted = ("\ufeff" if bom else "") + text.replace("~", "~" + between)
	try:
		expected = to_json_dict(read_document(original))
	except X12Error as error:
		try:
			read_document(reformatted.encode("utf-8"))
		except X12Error as again:
			assert again.reason == error.reason
		else:
			raise AssertionError(f"{name} read once reformatted but not as sent") from error
	else:
		assert to_json_dict(read_document(reformatted.encode("utf-8"))) == expected
