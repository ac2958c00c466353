"""The tokenizer: delimiters from the ISA, real-world formatting, positions, and element values."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest

from claims_billing.x12.errors import X12Error
from claims_billing.x12.segments import ENVELOPE_IDS, Delimiters, Segments, decode, element
from claims_billing.x12.values import (
	amount,
	date_or_none,
	date_range,
	decimal_or_none,
	is_valid_time,
	whole_number,
)
from tests.unit.samples import sample

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~"
SMALL = (
	ISA + "GS*FA*S*R*20240101*1200*1*X*005010X231A1~ST*999*0001~AK1*HC*1~SE*3*0001~GE*1*1~IEA*1*000000001~"
)


def segments_of(data) -> list[tuple[int, list[str]]]:
	return list(Segments(data))


def test_delimiters_come_from_the_isa_of_each_sample():
	cases = {
		"837p/eight-claims-lt-component-sep.x12": Delimiters("*", "<", "^", "~"),
		"835/deidentified-3st-56-claims-bom-indented.x12": Delimiters("*", ">", "^", "~"),
		"999/emedny-accepted-pipe-component-sep.x12": Delimiters("*", "|", "^", "~"),
		"837p/ig-cob-primary-claim-to-payer-a.x12": Delimiters("*", ":", "`", "~"),
		"835/ig-secondary-payments.x12": Delimiters("*", ":", ">", "~"),
		# ISA11 'U' is the 4010 standards id, not a repetition separator.
		"837p/perf-820-claims-one-st.x12": Delimiters("*", ":", "", "~"),
	}
	for name, expected in cases.items():
		assert Segments(sample(name)).delimiters == expected, name


def test_every_segment_is_numbered_from_one_in_file_order():
	found = segments_of(sample("837p/perf-820-claims-one-st.x12"))
	assert [position for position, _ in found] == list(range(1, 11491))  # the file has 11490 '~'
	assert found[0][1][0] == "ISA"
	assert found[-1][1] == ["IEA", "1", "000000905"]
	assert sum(1 for _, elements in found if elements[0] == "CLM") == 820


def test_bom_indentation_and_line_breaks_are_not_part_of_segments():
	found = segments_of(sample("835/deidentified-3st-56-claims-bom-indented.x12"))
	assert len(found) == 789
	assert found[0][1][:2] == ["ISA", "00"]
	assert found[1][1][0] == "GS"  # indented by two spaces in the file
	assert found[2][1] == ["ST", "835", "8001"]
	ids = {elements[0] for _, elements in found}
	assert all(segment_id == segment_id.strip() and "\n" not in segment_id for segment_id in ids)
	assert sum(1 for _, elements in found if elements[0] == "ISA") == 3


def test_same_segments_whatever_goes_between_them():
	plain = segments_of(SMALL.encode())
	for between in ("\n", "\r\n", "\r", "\n    ", "\r\n\t"):
		assert segments_of(SMALL.replace("~", "~" + between).encode()) == plain, repr(between)


def test_any_declared_separators_are_used():
	text = SMALL.replace("*", "|").replace("~", "!\n")
	text = text.replace("|^|00501", "|~|00501").replace("|T|:!", "|T|>!")
	segments = Segments(text.encode())
	assert segments.delimiters == Delimiters("|", ">", "~", "!")
	found = list(segments)
	assert [elements[0] for _, elements in found] == ["ISA", "GS", "ST", "AK1", "SE", "GE", "IEA"]
	assert found[3][1] == ["AK1", "HC", "1"]


def test_each_interchange_brings_its_own_delimiters():
	second = (
		SMALL.replace("*", "|").replace("~", "\n").replace("|T|:", "|T|^").replace("000000001", "000000002")
	)
	segments = Segments((SMALL + "\r\n" + second).encode())
	seen = []
	for position, elements in segments:
		if elements[0] == "AK1":
			seen.append((position, elements, segments.delimiters.element))
	assert seen == [(4, ["AK1", "HC", "1"], "*"), (11, ["AK1", "HC", "1"], "|")]


def test_trailing_empty_elements_are_kept():
	text = SMALL.replace("AK1*HC*1~", "AK1*HC*1**~")
	found = dict(segments_of(text.encode()))
	assert found[4] == ["AK1", "HC", "1", "", ""]


def test_input_that_is_not_x12_is_refused_clearly():
	for data in (b"", b"   \n", b"hello world", b"\xef\xbb\xbfGS*HP*X~", b"%PDF-1.7 binary"):
		with pytest.raises(X12Error, match="not an X12 file"):
			Segments(data)


def test_a_short_isa_is_refused_clearly():
	for data in (b"ISA", b"ISA*00*", ISA[:60].encode(), ISA[:-2].encode()):
		with pytest.raises(X12Error, match="ISA") as caught:
			Segments(data)
		assert caught.value.segment_number == 1


def test_letters_cannot_be_separators():
	with pytest.raises(X12Error, match="element separator"):
		Segments(b"ISAX00X" + b"x" * 120)


def test_bytes_that_are_not_utf8_decode_as_latin1():
	text = SMALL.replace("AK1*HC*1", "AK1*HC*Jos\xe9").encode("latin-1")
	found = dict(segments_of(text))
	assert found[4] == ["AK1", "HC", "José"]
	assert decode(text).count("José") == 1


def test_utf8_text_is_read_as_utf8():
	text = SMALL.replace("AK1*HC*1", "AK1*HC*Zoë").encode("utf-8")
	assert dict(segments_of(text))[4] == ["AK1", "HC", "Zoë"]


def test_element_reads_missing_elements_as_empty():
	assert element(["CLP", "A1", "1"], 2) == "1"
	assert element(["CLP", "A1", "1"], 7) == ""


def test_amounts_are_exact_decimals_as_written():
	assert amount("150.00", 1, "CLP", "CLP03") == Decimal("150.00")
	assert str(amount("150.00", 1, "CLP", "CLP03")) == "150.00"
	assert amount("-37617.33", 1, "CLP", "CLP03") == Decimal("-37617.33")
	assert amount(".75", 1, "HCP", "HCP03") == Decimal("0.75")


def test_text_that_decimal_would_take_but_x12_does_not_is_refused():
	for text in ("NaN", "Infinity", "1e5", "1_000", " 12", "12 ", "+5", "1.2.3", "-", ".", "١٢"):
		assert decimal_or_none(text) is None, text
		with pytest.raises(X12Error, match="CLP03 charge") as caught:
			amount(text, 14, "CLP", "CLP03 charge")
		assert str(caught.value).startswith("segment 14 (CLP): ")
	with pytest.raises(X12Error, match="is missing"):
		amount("", 14, "CLP", "CLP03 charge")


def test_dates_and_times():
	assert date_or_none("20240229") == datetime.date(2024, 2, 29)
	assert date_or_none("20230229") is None
	assert date_or_none("20002316") is None  # BPR16 of managed-care-ach.x12
	assert date_or_none("2024011") is None
	assert date_range("RD8", "20050314-20050325") == (datetime.date(2005, 3, 14), datetime.date(2005, 3, 25))
	assert date_range("D8", "20050314") == (datetime.date(2005, 3, 14), None)
	assert is_valid_time("1705") and is_valid_time("07294900") and is_valid_time("235959")
	assert not is_valid_time("102497")  # GS05 of accepted-bad-gs05-iea-mismatch.x12: 97 seconds
	assert not is_valid_time("2400") and not is_valid_time("12")


def test_whole_numbers():
	assert whole_number("24", 3, "IK3", "IK302") == 24
	for text in ("", "x", "-1", "1.5", "²"):
		with pytest.raises(X12Error, match="IK302"):
			whole_number(text, 3, "IK3", "IK302")


def _reference_segments(data: bytes) -> list[list[str]]:
	"""Every segment the slow, obvious way: split on the terminator, strip, drop the empty, split."""
	text = decode(data)
	blank = " \t\r\n\x0b\x0c\x00"
	return [piece.strip(blank).split("*") for piece in text.split("~") if piece.strip(blank)]


def test_large_files_read_the_same_with_or_without_whitespace_quirks():
	"""Tidy chunks (no whitespace next to a terminator) take a faster path than the others: a file of
	many chunks, tidy or with a quirk here and there, reads exactly as the obvious way reads it."""
	texts = ["*".join(elements) for _, elements in segments_of(sample("837p/perf-820-claims-one-st.x12"))]
	tidy = "~\n".join(texts) + "~\n"
	quirks = ("  {}", "{} ", "\r{}", "{}\t", "{}~", "\n{}", "{}~\n\n", "{}~\n")
	rng = random.Random(20261122)
	variants = [tidy, tidy.replace("~\n", "~")]
	for count in (1, 5, 40):
		pieces = tidy.split("~\n")
		for index in rng.sample(range(1, len(pieces) - 2), count):
			pieces[index] = rng.choice(quirks).format(pieces[index])
		variants.append("~\n".join(pieces))
	# An envelope segment with no elements right after a boundary, and an ST indented in a tidy file.
	variants.append(tidy.replace("~\nSE*", "~\nSE~\nSE*", 1))
	variants.append(tidy.replace("~\nST*", "~\n ST*", 1))
	# A small transaction set over and over with one control number: identical envelope segments, several
	# of them in each chunk.
	small = [
		"*".join(elements) for _, elements in segments_of(sample("835/ig-multiple-claims-single-check.x12"))
	]
	ids = [text.split("*", 1)[0] for text in small]
	st, se = ids.index("ST"), ids.index("SE")
	variants.append("~\n".join(small[:st] + small[st : se + 1] * 12 + small[se + 1 :]) + "~\n")
	for variant in variants:
		data = variant.encode()
		expected = _reference_segments(data)
		assert [elements for _, elements in segments_of(data)] == expected
		assert [position for position, _ in segments_of(data)] == list(range(1, len(expected) + 1))
		handed_out = []
		for position, found, is_envelope in Segments(data).sections():
			run = [found] if is_envelope else found
			assert position == len(handed_out) + 1
			assert all((elements[0] in ENVELOPE_IDS) == is_envelope for elements in run)
			handed_out.extend(run)
		assert handed_out == expected
