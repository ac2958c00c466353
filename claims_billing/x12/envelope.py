"""Walk the ISA/GS/ST envelopes of an X12 file and hand each transaction set to a reader.

``iter_transaction_sets(data)`` yields one ``TransactionSet`` per ST; its ``batches()`` (or, one at a
time, ``segments()``) yield the body - the segments between ST and SE - lazily, so a reader never
holds the whole file as segments.
Envelope order is enforced here for every reader: a missing SE, GE or IEA (a truncated file), a
segment outside any transaction set, or a GS/ST out of place raises ``X12Error``. Control numbers
and counts are *not* checked here; ``validate.validate_file`` reports those.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from claims_billing.x12.errors import X12Error
from claims_billing.x12.segments import Delimiters, Segments, element

ENVELOPE_IDS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
# Readers share equal strings through ``TransactionSet.keep``; past this size the cache starts over.
STRING_CACHE_LIMIT = 1 << 16


class StringCache(dict):
	"""Equal strings read from one file share one object: ``cache[text]`` is the first ``text`` seen.

	Codes, names and dates repeat a lot in claim files; sharing them keeps large results small.
	"""

	def __missing__(self, key: str) -> str:
		if len(self) >= STRING_CACHE_LIMIT:
			self.clear()  # mostly unique values: sharing would cost more than it saves
		self[key] = key
		return key


@contextmanager
def paused_gc():
	"""Pause the cyclic garbage collector while a file is read.

	Reading builds hundreds of thousands of small objects with no reference cycles; left running, the
	collector rescans them over and over and makes reading several times slower. Reference counting
	still frees everything as usual, and the collector's previous state is restored afterwards.
	"""
	was_enabled = gc.isenabled()
	gc.disable()
	try:
		yield
	finally:
		if was_enabled:
			if gc.get_freeze_count() == 0:
				# Hand what was built straight to the oldest generation (freeze, then unfreeze: no
				# traversal). It holds no cycles, so the young-generation pass that would otherwise
				# follow would walk every new object once for nothing. Skipped when the process
				# itself uses gc.freeze(), so as not to undo that.
				gc.freeze()
				gc.unfreeze()
			gc.enable()


@dataclass(slots=True)
class Interchange:
	"""One ISA/IEA envelope."""

	position: int  # segment number of the ISA
	control_number: str  # ISA13
	sender_id: str  # ISA06, padding removed
	receiver_id: str  # ISA08, padding removed
	usage_indicator: str  # ISA15: P production, T test


@dataclass(slots=True)
class FunctionalGroup:
	"""One GS/GE functional group."""

	position: int  # segment number of the GS
	functional_id: str  # GS01: HP 835, HC 837, HN 277, FA 999
	sender_code: str  # GS02
	receiver_code: str  # GS03
	control_number: str  # GS06
	version: str  # GS08, e.g. 005010X221A1
	interchange: Interchange


class _Cursor:
	"""Walks the tokenizer's batches, stopping at every envelope segment (ISA, GS, ST, SE, GE, IEA)."""

	__slots__ = ("_batches", "batch", "first", "index", "last", "mark", "marks")

	def __init__(self, segments: Segments):
		self._batches = segments.batches()
		self.batch: list[list[str]] = []
		self.first = 1  # position of batch[0]
		self.index = 0  # next segment to hand out
		self.marks: list[int] = []  # indexes of the envelope segments in batch
		self.mark = 0  # next entry of marks
		self.last = (1, "ISA")  # the last segment handed out, for end-of-file messages

	def _load(self) -> bool:
		for first, batch in self._batches:
			self.first, self.batch, self.index, self.mark = first, batch, 0, 0
			self.marks = [i for i, elements in enumerate(batch) if elements[0] in ENVELOPE_IDS]
			return True
		return False

	def body(self) -> Iterator[tuple[int, list[list[str]]]]:
		"""Runs of segments up to (not including) the next envelope segment or the end of the file."""
		while True:
			if self.index >= len(self.batch) and not self._load():
				return
			batch, index = self.batch, self.index
			at_mark = self.mark < len(self.marks)
			stop = self.marks[self.mark] if at_mark else len(batch)
			if stop > index:
				self.index = stop
				self.last = (self.first + stop - 1, batch[stop - 1][0])
				yield self.first + index, batch if index == 0 and stop == len(batch) else batch[index:stop]
			if at_mark:
				return

	def envelope(self) -> tuple[int, list[str]] | None:
		"""The envelope segment ``body()`` stopped at, or None at the end of the file."""
		if self.index >= len(self.batch) and not self._load():
			return None
		elements = self.batch[self.index]
		position = self.first + self.index
		self.index += 1
		self.mark += 1
		self.last = (position, elements[0])
		return position, elements


class TransactionSet:
	"""One ST/SE transaction set; read its body once with ``batches()`` or ``segments()``."""

	__slots__ = (
		"_cursor",
		"_state",
		"control_number",
		"delimiters",
		"group",
		"keep",
		"position",
		"set_id",
		"trailer",
		"version",
	)

	def __init__(
		self,
		position: int,
		elements: list[str],
		group: FunctionalGroup,
		delimiters: Delimiters,
		cursor: _Cursor,
		strings: StringCache,
	):
		self.position = position  # segment number of the ST
		self.set_id = element(elements, 1)  # ST01: 835, 837, 277, 999
		self.control_number = element(elements, 2)  # ST02
		self.version = element(elements, 3) or group.version  # ST03, else GS08
		self.group = group
		self.delimiters = delimiters
		self.trailer: tuple[int, list[str]] | None = None  # (position, elements) of SE once read
		# ``keep(text)``: the shared copy of ``text``; readers keep strings they store through it.
		self.keep = strings.__getitem__
		self._cursor = cursor
		self._state = "new"

	def __repr__(self) -> str:
		return f"<TransactionSet {self.set_id} {self.control_number} at segment {self.position}>"

	def describe(self) -> str:
		"""How messages name this set: ``transaction set 835 '0001' (ST at segment 3)``."""
		return f"transaction set {self.set_id} {self.control_number!r} (ST at segment {self.position})"

	def missing(self, what: str) -> X12Error:
		"""The error for something the whole body lacks, located at the SE: ``missing("no BPR segment")``."""
		position = self.trailer[0] if self.trailer else None
		return X12Error(f"{self.describe()} has {what}", position, "SE")

	def batches(self) -> Iterator[tuple[int, list[list[str]]]]:
		"""The body in runs: ``(position of the first, [elements, ...])``; read them with
		``for position, elements in enumerate(batch, first)``. Raises ``X12Error`` when SE is missing."""
		if self._state != "new":
			raise RuntimeError(f"{self.describe()} has already been read")
		self._state = "reading"
		yield from self._cursor.body()
		self._close()

	def segments(self) -> Iterator[tuple[int, list[str]]]:
		"""The body one ``(position, elements)`` pair at a time."""
		for first, batch in self.batches():
			yield from enumerate(batch, first)

	def skip(self) -> None:
		"""Read past the rest of the body, up to and including SE."""
		if self._state == "done":
			return
		for _ in self._cursor.body():
			pass
		self._close()

	def _close(self) -> None:
		found = self._cursor.envelope()
		if found is None:
			raise X12Error(
				f"the file ends inside {self.describe()}: its SE trailer is missing (truncated file?)",
				*self._cursor.last,
			)
		position, elements = found
		if elements[0] != "SE":
			raise X12Error(
				f"{self.describe()} has no SE trailer before this {elements[0]}", position, elements[0]
			)
		self.trailer = found
		self._state = "done"


def iter_transaction_sets(data: bytes | str) -> Iterator[TransactionSet]:
	"""Each transaction set of ``data`` in file order, envelopes checked for order and completeness.

	A consumer that does not read a set's body to the end need not: the walk skips the rest.
	Raises ``X12Error`` for input that is not X12 or whose envelopes are broken or truncated.
	"""
	segments = Segments(data)
	cursor = _Cursor(segments)
	strings = StringCache()
	interchange: Interchange | None = None
	group: FunctionalGroup | None = None
	while True:
		for first, batch in cursor.body():
			segment_id = batch[0][0]
			raise X12Error(
				f"{segment_id} segment outside any transaction set (not between ST and SE)", first, segment_id
			)
		found = cursor.envelope()
		if found is None:
			break
		position, elements = found
		segment_id = elements[0]
		last = (position, segment_id)
		if segment_id == "ST":
			if group is None:
				raise X12Error(
					"ST transaction set header outside a functional group (no GS before it)", *last
				)
			transaction = TransactionSet(position, elements, group, segments.delimiters, cursor, strings)
			yield transaction
			transaction.skip()
		elif segment_id == "GS":
			if interchange is None:
				raise X12Error("GS functional group header outside an interchange (no ISA before it)", *last)
			if group is not None:
				raise X12Error(
					f"functional group {group.control_number!r} (GS at segment {group.position}) has no GE trailer "
					"before this GS",
					*last,
				)
			group = FunctionalGroup(
				position=position,
				functional_id=element(elements, 1),
				sender_code=element(elements, 2),
				receiver_code=element(elements, 3),
				control_number=element(elements, 6),
				version=element(elements, 8),
				interchange=interchange,
			)
		elif segment_id == "GE":
			if group is None:
				raise X12Error("GE functional group trailer without a GS header", *last)
			group = None
		elif segment_id == "ISA":
			if interchange is not None:
				raise X12Error(
					f"interchange {interchange.control_number!r} (ISA at segment {interchange.position}) has no IEA "
					"trailer before this ISA",
					*last,
				)
			interchange = Interchange(
				position=position,
				control_number=element(elements, 13),
				sender_id=element(elements, 6).strip(),
				receiver_id=element(elements, 8).strip(),
				usage_indicator=element(elements, 15),
			)
		elif segment_id == "IEA":
			if interchange is None:
				raise X12Error("IEA interchange trailer without an ISA header", *last)
			if group is not None:
				raise X12Error(
					f"functional group {group.control_number!r} (GS at segment {group.position}) has no GE trailer "
					"before this IEA",
					*last,
				)
			interchange = None
		else:  # SE: a transaction set's own SE is consumed with its body
			raise X12Error("SE transaction set trailer without an ST header", *last)
	last = cursor.last
	if group is not None:
		raise X12Error(
			f"the file ends inside functional group {group.control_number!r} (GS at segment {group.position}): "
			"its GE trailer is missing (truncated file?)",
			*last,
		)
	if interchange is not None:
		raise X12Error(
			f"the file ends inside interchange {interchange.control_number!r} (ISA at segment "
			f"{interchange.position}): its IEA trailer is missing (truncated file?)",
			*last,
		)
