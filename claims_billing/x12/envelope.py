"""Walk the ISA/GS/ST envelopes of an X12 file and hand each transaction set to a reader.

``iter_transaction_sets(data)`` yields one ``TransactionSet`` per ST; its ``batches()`` (or, one at a
time, ``segments()``) yield the body - the segments between ST and SE - lazily, so a reader never
holds the whole file as segments.
Envelope order is enforced here for every reader: a segment outside any transaction set or a GS/ST
out of place raises ``X12Error``, and so does a missing SE, GE or IEA (a truncated file) unless the
caller passes ``allow_truncated=True``: then a file that ends cleanly after a whole segment simply
ends the walk, and the sets it cut short say so (``TransactionSet.complete`` is False and
``missing_trailers`` names what is missing). A file cut off in the middle of a segment always raises.
Control numbers and counts are *not* checked here; ``validate.validate_file`` reports those.

An ``observer`` (see ``EnvelopeObserver``) sees every segment in file order as the walk goes: this is
how ``document.read_and_validate`` validates a file while reading it, from one tokenization.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from claims_billing.x12.errors import Problem, X12Error
from claims_billing.x12.segments import ENVELOPE_IDS as ENVELOPE_IDS  # where it used to be defined
from claims_billing.x12.segments import Delimiters, Segments, element

# What an observer does with one body segment: ``check(position, elements)``.
Check = Callable[[int, list[str]], None]
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
	missing_trailer: Problem | None = None  # set when the file ends before the IEA (allow_truncated)


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
	missing_trailer: Problem | None = None  # set when the file ends before the GE (allow_truncated)


class EnvelopeObserver(Protocol):
	"""Sees the segments of a walk in file order, as ``iter_transaction_sets(data, observer=...)`` goes."""

	def on_envelope(self, position: int, elements: list[str]) -> None:
		"""An ISA, GS, ST, SE, GE or IEA segment, before the walk acts on it (an SE: once read)."""

	def on_body(self, first: int, run: list[list[str]]) -> None:
		"""Body segments ``first, first + 1...`` of the open transaction set, once its reader has read them
		(readers may have padded them with empty trailing elements)."""

	def segment_checks(self) -> Mapping[str, Check | None]:
		"""For a reader that runs the body checks itself (``TransactionSet.checks_for``): segment ID ->
		the check of such segments, or None; the same for an ID all through the set."""

	def current_checks(self) -> Mapping[str, Check | None]:
		"""The same, but the check of a segment at this point of the set: a check needed only in some
		loops is None elsewhere. Its content changes as the set is read."""

	def body_checker(self) -> Any:
		"""The checker of the open transaction set's body, for a reader that runs some of its checks
		inline (``TransactionSet.body_checker``)."""


def missing_se(st_position: int, control_number: str) -> Problem:
	"""The problem of a file that ends before a transaction set's SE."""
	return Problem(
		f"segment {st_position} (ST)",
		f"the file ends before the SE trailer of transaction set {control_number!r}",
		"missing-se",
	)


def missing_ge(gs_position: int, control_number: str) -> Problem:
	"""The problem of a file that ends before a functional group's GE."""
	return Problem(
		f"segment {gs_position} (GS)",
		f"the file ends before the GE trailer of group {control_number!r}",
		"missing-ge",
	)


def missing_iea(isa_position: int, control_number: str) -> Problem:
	"""The problem of a file that ends before an interchange's IEA."""
	return Problem(
		f"segment {isa_position} (ISA)",
		f"the file ends before the IEA trailer of interchange {control_number!r}",
		"missing-iea",
	)


class _Cursor:
	"""Walks the tokenizer's sections: runs of body segments, stopping at every envelope segment."""

	__slots__ = ("_sections", "ended", "last", "pending")

	def __init__(self, segments: Segments):
		self._sections = segments.sections()
		self.pending: tuple[int, list[str]] | None = None  # the envelope segment body() stopped at
		self.ended = False
		self.last = (1, "ISA")  # the last segment handed out, for end-of-file messages

	def body(self) -> Iterator[tuple[int, list[list[str]]]]:
		"""Runs of segments up to (not including) the next envelope segment or the end of the file."""
		if self.pending is not None or self.ended:
			return
		for first, section, is_envelope in self._sections:
			if is_envelope:
				self.pending = (first, section)
				return
			self.last = (first + len(section) - 1, section[-1][0])
			yield first, section
		self.ended = True

	def envelope(self) -> tuple[int, list[str]] | None:
		"""The envelope segment ``body()`` stopped at, or None at the end of the file."""
		found = self.pending
		if found is None:
			return None
		self.pending = None
		self.last = (found[0], found[1][0])
		return found


class _Walk:
	"""What the transaction sets of one walk share."""

	__slots__ = ("allow_truncated", "cursor", "observer", "segments", "strings")

	def __init__(self, segments: Segments, allow_truncated: bool, observer: EnvelopeObserver | None):
		self.segments = segments
		self.cursor = _Cursor(segments)
		self.strings = StringCache()
		self.allow_truncated = allow_truncated
		self.observer = observer

	def check_clean_end(self, inside: str) -> None:
		"""At the end of a file that lacks trailers: refuse one cut off in the middle of a segment."""
		if not self.segments.ends_on_segment_boundary():
			terminator = self.segments.delimiters.segment
			raise X12Error(
				f"the file ends in the middle of a segment (no {terminator!r} terminator after this one) inside "
				f"{inside}: truncated file?",
				*self.cursor.last,
			)


class TransactionSet:
	"""One ST/SE transaction set; read its body once with ``batches()`` or ``segments()``.

	``complete`` is False when the file ends before this set's SE, its group's GE or its interchange's
	IEA (only with ``allow_truncated``; final once the walk is over): ``missing_trailers`` then holds one
	``Problem`` per missing trailer. A reader's result for an incomplete set is what the file holds, no
	more: callers that act on a response must refuse it.
	"""

	__slots__ = (
		"_checked_by_reader",
		"_runs",
		"_state",
		"_walk",
		"control_number",
		"delimiters",
		"end",
		"group",
		"keep",
		"missing_se",
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
		walk: _Walk,
	):
		self.position = position  # segment number of the ST
		self.set_id = element(elements, 1)  # ST01: 835, 837, 277, 999
		self.control_number = element(elements, 2)  # ST02
		self.version = element(elements, 3) or group.version  # ST03, else GS08
		self.group = group
		self.delimiters = delimiters
		self.trailer: tuple[int, list[str]] | None = None  # (position, elements) of SE once read
		self.end = (position, "ST")  # (position, segment ID) of the last body segment once read
		self.missing_se: Problem | None = None  # set when the file ends before the SE (allow_truncated)
		# ``keep(text)``: the shared copy of ``text``; readers keep strings they store through it.
		self.keep = walk.strings.__getitem__
		self._walk = walk
		self._runs: Iterator[tuple[int, list[list[str]]]] | None = None
		self._state = "new"
		self._checked_by_reader = False

	def __repr__(self) -> str:
		return f"<TransactionSet {self.set_id} {self.control_number} at segment {self.position}>"

	@property
	def missing_trailers(self) -> list[Problem]:
		"""One ``Problem`` for each trailer the file ends before: this set's SE, its group's GE, its IEA."""
		return missing_trailers(self.group, self.missing_se)

	@property
	def complete(self) -> bool:
		return not self.missing_trailers

	def describe(self) -> str:
		"""How messages name this set: ``transaction set 835 '0001' (ST at segment 3)``."""
		return f"transaction set {self.set_id} {self.control_number!r} (ST at segment {self.position})"

	def missing(self, what: str) -> X12Error:
		"""The error for something the whole body lacks, located at the SE (or, when the file ends before
		it, at the last segment): ``missing("no BPR segment")``."""
		position, segment_id = (self.trailer[0], "SE") if self.trailer else self.end
		return X12Error(f"{self.describe()} has {what}", position, segment_id)

	def batches(self) -> Iterator[tuple[int, list[list[str]]]]:
		"""The body in runs: ``(position of the first, [elements, ...])``; read them with
		``for position, elements in enumerate(batch, first)``. Raises ``X12Error`` when SE is missing
		(unless the walk allows a truncated file)."""
		if self._state != "new":
			raise RuntimeError(f"{self.describe()} has already been read")
		self._state = "reading"
		self._runs = runs = self._body()
		yield from runs
		self._close()

	def checks_for(
		self, segment_ids: tuple[str, ...]
	) -> tuple[tuple[Check | None, ...], Callable[[str], Check | None] | None]:
		"""For a reader that runs the walk's checks of body segments in its own loop, which spares the walk
		a second pass over them (in a large file that pass costs as much as the checks): the check of
		each ID of ``segment_ids`` (None when there is nothing to check), and ``check_of(segment_id)``,
		the check of a segment of any ID at this point of the set, to look up as each segment comes
		(it is None where a check applies only in other loops); ``check_of`` is None when the walk has
		no observer.

		Called before reading the body, it makes the reader responsible: for every body segment, in
		order, before reading it, the reader calls its check (when not None) as ``check(position,
		elements)``. Checks never raise, whatever the segment holds.
		"""
		observer = self._walk.observer
		if observer is None:
			return (None,) * len(segment_ids), None
		fixed = observer.segment_checks()
		self._checked_by_reader = True
		return tuple(map(fixed.__getitem__, segment_ids)), observer.current_checks().__getitem__

	def body_checker(self) -> Any:
		"""The walk's checker of this set's body (``validate._Checker837`` for an 837P), None when the
		walk has no observer: for a reader that runs the checks itself, as with ``checks_for``, and for
		speed runs the usual case of some inline, on the checker's own state."""
		observer = self._walk.observer
		if observer is None:
			return None
		self._checked_by_reader = True
		return observer.body_checker()

	def segments(self) -> Iterator[tuple[int, list[str]]]:
		"""The body one ``(position, elements)`` pair at a time."""
		for first, batch in self.batches():
			yield from enumerate(batch, first)

	def skip(self) -> None:
		"""Read past the rest of the body, up to and including SE."""
		if self._state == "done":
			return
		self._checked_by_reader = False  # what the reader did not read, it did not check either
		runs = self._runs if self._runs is not None else self._body()
		for _ in runs:
			pass
		self._close()

	def _body(self) -> Iterator[tuple[int, list[list[str]]]]:
		walk = self._walk
		observer = walk.observer
		if observer is None:
			yield from walk.cursor.body()
			return
		for first, run in walk.cursor.body():
			yield first, run
			if not self._checked_by_reader:
				observer.on_body(first, run)  # after the reader: the checks count on its having read them

	def _close(self) -> None:
		walk = self._walk
		cursor = walk.cursor
		self.end = cursor.last
		self._runs = None
		found = cursor.envelope()
		if found is None:
			if not walk.allow_truncated:
				raise X12Error(
					f"the file ends inside {self.describe()}: its SE trailer is missing (truncated file?)",
					*cursor.last,
				)
			walk.check_clean_end(self.describe())
			self.missing_se = missing_se(self.position, self.control_number)
			self._state = "done"
			return
		position, elements = found
		if elements[0] != "SE":
			raise X12Error(
				f"{self.describe()} has no SE trailer before this {elements[0]}", position, elements[0]
			)
		self.trailer = found
		self._state = "done"
		if walk.observer is not None:
			walk.observer.on_envelope(position, elements)


def iter_transaction_sets(
	data: bytes | str, *, allow_truncated: bool = False, observer: EnvelopeObserver | None = None
) -> Iterator[TransactionSet]:
	"""Each transaction set of ``data`` in file order, envelopes checked for order and completeness.

	A consumer that does not read a set's body to the end need not: the walk skips the rest.
	Raises ``X12Error`` for input that is not X12 or whose envelopes are broken or truncated; with
	``allow_truncated``, a file that ends cleanly after a whole segment but before its SE, GE or IEA
	trailers ends the walk instead, and the sets it leaves open get ``complete = False`` (see
	``TransactionSet``). ``observer`` sees every segment as the walk goes.
	"""
	segments = Segments(data)
	walk = _Walk(segments, allow_truncated, observer)
	cursor = walk.cursor
	on_envelope = observer.on_envelope if observer is not None else None
	interchange: Interchange | None = None
	group: FunctionalGroup | None = None
	cut_short: TransactionSet | None = None  # the set whose SE the file ends before
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
		if on_envelope is not None:
			on_envelope(position, elements)
		if segment_id == "ST":
			if group is None:
				raise X12Error(
					"ST transaction set header outside a functional group (no GS before it)", *last
				)
			transaction = TransactionSet(position, elements, group, segments.delimiters, walk)
			yield transaction
			transaction.skip()
			if transaction.missing_se is not None:
				cut_short = transaction
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
	if interchange is None:
		return
	if not allow_truncated:
		if group is not None:
			raise X12Error(
				f"the file ends inside functional group {group.control_number!r} (GS at segment {group.position}): "
				"its GE trailer is missing (truncated file?)",
				*cursor.last,
			)
		raise X12Error(
			f"the file ends inside interchange {interchange.control_number!r} (ISA at segment "
			f"{interchange.position}): its IEA trailer is missing (truncated file?)",
			*cursor.last,
		)
	if cut_short is None:
		if group is not None:
			walk.check_clean_end(
				f"functional group {group.control_number!r} (GS at segment {group.position})"
			)
		else:
			walk.check_clean_end(
				f"interchange {interchange.control_number!r} (ISA at segment {interchange.position})"
			)
	# The sets read from the open group and interchange see these through their ``group``.
	if group is not None:
		group.missing_trailer = missing_ge(group.position, group.control_number)
	interchange.missing_trailer = missing_iea(interchange.position, interchange.control_number)


def missing_trailers(group: FunctionalGroup, missing_se: Problem | None = None) -> list[Problem]:
	"""The trailers the file ends before, for a transaction set of ``group``: its SE (when
	``missing_se`` is given), the group's GE and the interchange's IEA."""
	found = [missing_se, group.missing_trailer, group.interchange.missing_trailer]
	return [problem for problem in found if problem is not None]


def read_sets(
	data: bytes | str, set_id: str, read: Callable[[TransactionSet], Any]
) -> tuple[list, list[str]]:
	"""``read(transaction)`` for every ``set_id`` (ST01) transaction set of ``data``, and the ST01 of the others.

	A file that ends cleanly before its trailers reads (see ``iter_transaction_sets``); each result's
	``complete`` attribute is then set from its transaction set's.
	"""
	results = []
	groups = []  # not the sets themselves: holding every set until the end would cost memory
	others = []
	last = None
	with paused_gc():
		for transaction in iter_transaction_sets(data, allow_truncated=True):
			if transaction.set_id == set_id:
				results.append(read(transaction))
				groups.append(transaction.group)
				last = transaction
			else:
				others.append(transaction.set_id)
	for index, (result, group) in enumerate(zip(results, groups, strict=True)):
		if missing_trailers(group, last.missing_se if index == len(results) - 1 else None):
			result.complete = False
	return results, others
