"""Split X12 bytes into numbered segments of elements.

Real files come with a UTF-8 BOM, CR/LF/CRLF after each segment terminator, indentation before
segment IDs, any delimiters their ISA header declares, and several interchanges one after the other.
``Segments`` accepts all of that and yields ``(position, elements)`` pairs lazily, where ``position``
is the 1-based number of the segment in the file and ``elements[0]`` is the segment ID::

        segments = Segments(data)
        for position, elements in segments:
            if elements[0] == "CLP":
                claim_id = element(elements, 1)

Composite elements stay joined; split them with ``segments.delimiters.component`` (the delimiters of
the interchange being read change when a later ISA declares others).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice, repeat

from claims_billing.x12.errors import X12Error

# Segment IDs of the envelopes around transaction sets.
ENVELOPE_IDS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
_ENVELOPE_INITIALS = "IGS"
# What follows a boundary when an envelope segment starts there: ST and SE, or an ID starting G or I.
_ENVELOPE_PREFIXES = ("ST", "SE", "G", "I")
# Widths of ISA01..ISA16: the ISA is a fixed-length record.
ISA_FIELD_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)

_WHITESPACE = " \t\r\n\x0b\x0c\x00"
_WHITESPACE_BYTES = _WHITESPACE.encode("ascii")
# Decode and split this many bytes at a time: C speed, without the whole file as text in memory.
_CHUNK_SIZE = 1 << 14
# An ISA is 106 characters; allow for unpadded or over-long fields before giving up.
_ISA_SCAN_LIMIT = 1024
# Where an IEA may be: the regular expression engine finds it in a large file twice as fast as bytes.find.
_IEA = re.compile(b"IEA")


@dataclass(frozen=True, slots=True)
class Delimiters:
	"""The separators one ISA header declares."""

	element: str
	component: str
	repetition: str  # "" when ISA11 is not a separator (the legacy "U" of 4010)
	segment: str


def as_bytes(data: bytes | bytearray | memoryview | str) -> bytes:
	"""``data`` as bytes; text is encoded as UTF-8 and a UTF-16 file (with its BOM) is converted."""
	if isinstance(data, bytes):
		raw = data
	elif isinstance(data, bytearray | memoryview):
		raw = bytes(data)
	elif isinstance(data, str):
		raw = data.encode("utf-8", "replace")
	else:
		raise TypeError(f"X12 input must be bytes, not {type(data).__name__}")
	if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
		try:
			raw = raw.decode("utf-16").encode("utf-8", "replace")
		except UnicodeDecodeError:
			pass
	return raw


def decode(data: bytes | bytearray | memoryview | str) -> str:
	"""The text of ``data``: UTF-8 (BOM removed), else Latin-1, so decoding never fails."""
	raw = as_bytes(data)
	if raw.startswith(codecs.BOM_UTF8):
		raw = raw[3:]
	try:
		return raw.decode("utf-8")
	except UnicodeDecodeError:
		return raw.decode("latin-1")


def element(elements: list[str], index: int) -> str:
	"""Element ``index`` of a segment (1-based like ``CLP01``), or "" when the segment is shorter."""
	return elements[index] if index < len(elements) else ""


def _skip_whitespace(raw: bytes, index: int) -> int:
	end = len(raw)
	while index < end and raw[index] in _WHITESPACE_BYTES:
		index += 1
	return index


def read_isa(raw: bytes, start: int, position: int) -> tuple[Delimiters, list[str], int]:
	"""Parse the ISA beginning at ``raw[start]``: its delimiters, its elements and where its body starts.

	``position`` is the ISA's segment number, used in error messages.
	"""
	# Latin-1 keeps one character per byte, so indexes below are byte offsets too.
	text = raw[start : start + _ISA_SCAN_LIMIT].decode("latin-1")
	if not text.startswith("ISA"):
		shown = repr(text[:12]) if text else "nothing"
		raise X12Error(
			f"this is not an X12 file: it must start with an ISA interchange header, found {shown}",
			position,
			None,
		)
	if len(text) < 4:
		raise X12Error("the ISA interchange header is too short to hold its 16 elements", position, "ISA")
	separator = text[3]
	if separator.isalnum() or separator in _WHITESPACE:
		raise X12Error(
			f"the ISA element separator {separator!r} (the character after 'ISA') is a letter, digit or space",
			position,
			"ISA",
		)
	index = 3
	for _ in range(15):
		index = text.find(separator, index + 1)
		if index < 0:
			raise X12Error(
				f"the ISA interchange header is too short: it needs 16 elements separated by {separator!r}",
				position,
				"ISA",
			)
	if index + 2 >= len(text):
		raise X12Error(
			"the ISA interchange header is too short: ISA16 and the segment terminator are missing",
			position,
			"ISA",
		)
	component = text[index + 1]
	terminator = text[index + 2]
	if terminator.isalnum() or terminator in (separator, component) or terminator == " ":
		raise X12Error(
			f"the ISA header is malformed: the character after ISA16 ({terminator!r}) cannot be a segment terminator",
			position,
			"ISA",
		)
	if component.isalnum() or component == separator or component in _WHITESPACE:
		raise X12Error(f"ISA16 component separator {component!r} is not a usable separator", position, "ISA")
	elements = text[: index + 2].split(separator)
	repetition = elements[11]
	if len(repetition) != 1 or repetition.isalnum() or repetition in (separator, component, terminator, " "):
		repetition = ""
	return Delimiters(separator, component, repetition, terminator), elements, start + index + 3


class Segments:
	"""The segments of an X12 file, read lazily.

	Construction checks the first ISA (raising ``X12Error`` when the input is not X12). Iterating
	yields ``(position, elements)``; ``batches()`` yields the same segments a few thousand at a time,
	which is what the readers use in their hot loops. A malformed later ISA raises ``X12Error``. The
	bytes are decoded a chunk at a time (UTF-8, else Latin-1, so decoding never fails).
	``delimiters`` are those of the interchange the last yielded segment belongs to.
	"""

	__slots__ = ("_next_position", "_raw", "_start", "delimiters")

	def __init__(self, data: bytes | bytearray | memoryview | str):
		raw = as_bytes(data)
		start = 3 if raw.startswith(codecs.BOM_UTF8) else 0
		self._raw = raw
		self._start = _skip_whitespace(raw, start)
		self.delimiters, _, _ = read_isa(raw, self._start, 1)
		self._next_position = 1  # of the segment after those handed out: readers keep it up to date

	def ends_on_segment_boundary(self) -> bool:
		"""Whether the input ends with a segment terminator (trailing whitespace aside).

		A file cut off in the middle of a segment does not; used once the segments have been read, when
		``delimiters`` are those of the last interchange.
		"""
		raw = self._raw
		delimiters = self.delimiters
		used = (delimiters.element, delimiters.component, delimiters.segment)
		blank = bytes(ord(c) for c in _WHITESPACE if c not in used)
		end = len(raw)
		while end > self._start and raw[end - 1] in blank:
			end -= 1
		return raw[end - 1 : end] == delimiters.segment.encode("latin-1")

	def __iter__(self) -> Iterator[tuple[int, list[str]]]:
		for first, batch in self.batches():
			yield from enumerate(batch, first)

	def batches(self) -> Iterator[tuple[int, list[list[str]]]]:
		"""``(position of the first segment, [elements, ...])`` for consecutive runs of segments.

		An ISA always comes alone in its batch, so ``delimiters`` are current for every batch.
		"""
		position = 1
		for isa, pieces, separator, strip, *_ in self._chunks():
			if isa is not None:
				yield position, [isa]
				position += 1
			else:
				run = [text.split(separator) for piece in pieces if (text := piece.strip(strip))]
				if run:
					yield position, run
					position += len(run)
			self._next_position = position

	def texts(self) -> Iterator[tuple[int, list[str]]]:
		"""Like ``batches()`` but each segment is its text, not yet split into elements; for scans
		that look inside only a few segment types."""
		position = 1
		for isa, pieces, _, strip, *_ in self._chunks():
			if isa is not None:
				yield position, [self.delimiters.element.join(isa)]
				position += 1
			else:
				run = [text for piece in pieces if (text := piece.strip(strip))]
				if run:
					yield position, run
					position += len(run)
			self._next_position = position

	def sections(self) -> Iterator[tuple[int, list, bool]]:
		"""The segments as the envelope walker wants them: ``(position, elements, True)`` for each ISA,
		IEA, GS, GE, ST or SE segment and ``(position of the first, [elements, ...], False)`` for the runs
		of other segments between them (a long run comes in several)."""
		envelope_ids = ENVELOPE_IDS
		envelope_initials = _ENVELOPE_INITIALS
		split_segment = str.split
		position = 1
		for isa, pieces, separator, strip, chunk, boundary, inside in self._chunks():
			if isa is not None:
				yield position, isa, True
				position += 1
				self._next_position = position
				continue
			envelopes = _tidy_chunk_envelopes(chunk, pieces, boundary, inside, separator, strip)
			if envelopes is not None:
				# Every piece is a segment's text as it is: split in C with no Python code run per segment, a run
				# at a time as it is handed out (only one is held at once).
				start = 0
				for index in envelopes:
					if index > start:
						run = list(map(split_segment, islice(pieces, start, index), repeat(separator)))
						yield position + start, run, False
					yield position + index, pieces[index].split(separator), True
					start = index + 1
				if start < len(pieces):
					run = list(map(split_segment, islice(pieces, start, None), repeat(separator)))
					yield position + start, run, False
				position += len(pieces)
				self._next_position = position
				continue
			run: list[list[str]] = []
			append = run.append
			first = position  # of run[0]
			for piece in pieces:
				text = piece.strip(strip)
				if text:
					elements = text.split(separator)
					# Its first character rules out most segments without hashing their ID.
					if text[0] in envelope_initials and elements[0] in envelope_ids:
						position = first + len(run)
						if run:
							yield first, run, False
							run = []
							append = run.append
						yield position, elements, True
						first = position + 1
					else:
						append(elements)
			if run:
				yield first, run, False
			position = first + len(run)
			self._next_position = position

	def _chunks(self) -> Iterator[tuple[list[str] | None, list[str], str, str, str, str, str | None]]:
		"""The input a piece at a time: ``(isa_elements, [], separator, "", "", "", None)`` for each ISA,
		then ``(None, pieces, separator, strip, chunk, boundary, inside)`` for the text after it, a chunk
		of whole segments at a time split on ``boundary``: the segment terminator, with the line break
		after it when every terminator of the chunk has one (``inside`` is then the pieces but the first
		and last joined, else None). Strip each piece of the ``strip`` characters to get a segment's
		text, or nothing for an empty piece.
		"""
		raw = self._raw
		view = memoryview(raw)
		length = len(raw)
		start = self._start
		find = raw.find
		while start < length:
			if raw.startswith(b"ISA", start):
				delimiters, isa_elements, start = read_isa(raw, start, self._next_position)
				self.delimiters = delimiters
				yield isa_elements, [], delimiters.element, "", "", "", None
			else:
				delimiters = self.delimiters
			end = _interchange_end(raw, start, delimiters)
			terminator = delimiters.segment
			terminator_byte = terminator.encode("latin-1")
			separator = delimiters.element
			delimiter_chars = (separator, delimiters.component, terminator)
			strip = "".join(c for c in _WHITESPACE if c not in delimiter_chars)
			# Delimiters outside ASCII would not survive UTF-8 decoding: read such files as Latin-1.
			encoding = "utf-8" if all(c < "\x80" for c in delimiter_chars) else "latin-1"
			# Most files put a line break after every terminator. Split on both and the pieces are the same
			# once stripped, but most then have nothing to strip, which spares a copy of each.
			line_break = _line_break(raw, start, strip)
			terminator_and_break = terminator + line_break
			while start < end:
				cut = find(terminator_byte, start + _CHUNK_SIZE, end)
				stop = end if cut < 0 else cut
				try:
					chunk = str(view[start:stop], encoding)
				except UnicodeDecodeError:
					chunk = str(view[start:stop], "latin-1")
				start = stop + 1
				boundary = terminator
				inside = None
				if line_break:
					pieces = chunk.split(terminator_and_break)
					# The pieces between the first and the last, as one text: memchr finds a character in it
					# faster than a count over the chunk.
					inside = "".join(pieces[1:-1])
					if terminator in inside or terminator in pieces[0] or terminator in pieces[-1]:
						pieces = chunk.split(terminator)  # not every terminator has the break
						inside = None
					else:
						boundary = terminator_and_break
				else:
					pieces = chunk.split(terminator)
				yield None, pieces, separator, strip, chunk, boundary, inside
			start = _skip_whitespace(raw, end)


def _tidy_chunk_envelopes(
	chunk: str, pieces: list[str], boundary: str, inside: str | None, separator: str, strip: str
) -> list[int] | None:
	"""For a tidy chunk, the indexes in ``pieces`` of its envelope segments (ISA, IEA, GS, GE, ST, SE), in
	order, once its first and last pieces are stripped and dropped when empty (``pieces`` is changed
	so). None for any other chunk, ``pieces`` unchanged, for the loop that strips every piece.

	Tidy, as nearly every real file is: no whitespace next to a ``boundary`` and no empty piece between
	two of them, so every piece but the first and last is a segment's text as it is. A few C-speed
	searches of the text tell. Those for several characters search backwards: ``rfind`` tests a
	needle's first character, here the terminator, which is rarer in the text than whatever a forward
	search tests, and so it skips ahead more often and takes half the time.
	"""
	boundaries = len(pieces) - 1
	rfind = chunk.rfind
	if rfind(boundary + boundary) >= 0:  # an empty piece between two boundaries
		return None
	for character in strip:
		if character in chunk:
			if character in boundary:
				# A line break: in no piece but the first and last, which are stripped anyway.
				if character in inside:
					return None
			elif rfind(boundary + character) >= 0 or rfind(character + boundary) >= 0:
				return None
	# Envelope segments among the middle pieces start right after a boundary with ST, SE, G or I.
	found = []
	for prefix in _ENVELOPE_PREFIXES:
		needle = boundary + prefix
		offset = rfind(needle)
		while offset >= 0:
			found.append(offset)
			offset = rfind(needle, 0, offset)
	indexes = []
	if found:
		found.sort()
		width = len(boundary)
		index = 0
		for offset in found:
			start = offset + width
			end = chunk.find(boundary, start)
			if end < 0:
				continue  # the last piece, looked at below once stripped
			# The piece after this boundary. An equal piece earlier on would follow a boundary found
			# earlier, so the first one after the last found is this one: the list compares lengths
			# first and finds it faster than counting the boundaries before it in the text.
			index = pieces.index(chunk[start:end], index + 1)
			if _is_envelope(pieces[index], separator):
				indexes.append(index)
	first = pieces[0] = pieces[0].strip(strip)
	if boundaries:
		last = pieces[-1] = pieces[-1].strip(strip)
		if last:
			if _is_envelope(last, separator):
				indexes.append(boundaries)
		else:
			pieces.pop()
	if first:
		if _is_envelope(first, separator):
			indexes.insert(0, 0)
	else:
		del pieces[0]
		indexes = [index - 1 for index in indexes]
	return indexes


def _is_envelope(text: str, separator: str) -> bool:
	"""Whether the segment ``text`` is an ISA, IEA, GS, GE, ST or SE."""
	return text.split(separator, 1)[0] in ENVELOPE_IDS


def _line_break(raw: bytes, start: int, strip: str) -> str:
	"""The line break after the ISA's terminator (the body starts at ``start``): the whitespace there,
	such as "\\n" or "\\r\\n", when segments are stripped of all of it; else ""."""
	index = start
	while index < len(raw) and index - start < 4 and chr(raw[index]) in strip:
		index += 1
	return raw[start:index].decode("latin-1")


def _interchange_end(raw: bytes, start: int, delimiters: Delimiters) -> int:
	"""Index just past the IEA segment of the interchange whose body starts at ``start`` (else the end).

	The IEA starts right after a segment terminator (whitespace aside) and its ID is followed by an
	element separator, a segment terminator or the end of the input.
	"""
	terminator = ord(delimiters.segment.encode("latin-1"))
	separator = ord(delimiters.element.encode("latin-1"))
	lowest = max(start - 1, 0)  # where the terminator before the IEA may be
	length = len(raw)
	index = lowest
	search = _IEA.search
	while True:
		found = search(raw, index)
		if found is None:
			return length
		index = found.start()
		after = index + 3
		if after == length or raw[after] in (separator, terminator) or raw[after:] == b"\n":
			before = index - 1
			while before >= lowest and raw[before] != terminator and raw[before] in _WHITESPACE_BYTES:
				before -= 1
			if before >= lowest and raw[before] == terminator:
				end = raw.find(bytes((terminator,)), after)
				return length if end < 0 else end + 1
		index = after
