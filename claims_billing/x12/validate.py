"""Check a whole X12 file and list every problem found, in one pass.

``validate_file(data)`` never raises for bad input: it returns ``Problem`` records (path like
``segment 12 (CLM)``, a plain-English message and a short code) for

- the envelopes: ISA field widths and values, ISA13 = IEA02, GS06 = GE02, ST02 = SE02, the SE01
  segment count, the GE01 transaction set count, the IEA01 group count, GS date and time, GS01
  matching ST01, segments outside a transaction set, a missing SE/GE/IEA, invalid segment IDs;
- dates that are not real calendar dates (DTP, DTM, DMG, BHT, BPR16);
- 835: BPR first, TRN, payer and payee names, numeric amounts, and the balance BPR02 = sum of CLP04
  minus sum of PLB amounts;
- 837P (GS08 005010X222A1): BHT, submitter (1000A NM1*41), receiver (1000B NM1*40), each billing
  provider level (HL 20 with NM1*85, N3, N4 and a REF tax id), each subscriber level (HL 22 with SBR,
  NM1*IL, NM1*PR), HL ids and parent ids, each claim's HI and service lines, each line's SV1 and
  DTP*472, and CLM02 equal to the sum of the line charges;
- 999 (AK1 first, an IK5 for each AK2, AK9) and 277CA (BHT, HL levels, STC) structure.

A file that is not X12 at all gives a single problem.

``FileChecker`` runs the same checks on segments already split by a reader's walk over the file
(``document.read_and_validate``), so reading and validating need only one tokenization.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from claims_billing.x12.envelope import missing_ge, missing_iea, missing_se, paused_gc
from claims_billing.x12.errors import Problem, X12Error
from claims_billing.x12.segments import ISA_FIELD_WIDTHS, Delimiters, Segments
from claims_billing.x12.values import (
	cached_decimal,
	cached_valid_date,
	decimal_or_none,
	is_valid_date,
	is_valid_short_date,
	is_valid_time,
)

# GS01 functional identifier each transaction set type belongs under.
FUNCTIONAL_IDS = {"835": "HP", "837": "HC", "277": "HN", "999": "FA", "997": "FA", "270": "HS", "271": "HB"}
VERSION_837P = "005010X222A1"
_ISA_NAMES = (
	"authorization information qualifier",
	"authorization information",
	"security information qualifier",
	"security information",
	"sender ID qualifier",
	"sender ID",
	"receiver ID qualifier",
	"receiver ID",
	"interchange date",
	"interchange time",
	"repetition separator",
	"version number",
	"interchange control number",
	"acknowledgment requested flag",
	"usage indicator",
	"component separator",
)
_ZERO = Decimal(0)
_PADDING = ("",) * 20
# 837P HL03 level -> the level its HL02 parent must have (None: no parent).
_PARENT_LEVELS = {"20": None, "22": "20", "23": "22"}

Handler = Callable[[int, list[str]], None]


def validate_file(data: bytes) -> list[Problem]:
	"""Every problem in the X12 file ``data``; an empty list when none were found.

	Never raises for bad input (only ``TypeError`` when ``data`` is not bytes or text).
	"""
	try:
		segments = Segments(data)
	except X12Error as error:
		return [problem_from_error(error, "not-x12")]
	checker = FileChecker()
	with paused_gc():
		try:
			for first, texts in segments.texts():
				checker.scan(first, texts, segments.delimiters)
		except X12Error as error:  # a later ISA of the file is malformed: the rest cannot be split
			checker.problems.append(problem_from_error(error, "isa-malformed"))
		checker.finish()
	return checker.problems


def problem_from_error(error: X12Error, code: str) -> Problem:
	"""An ``X12Error`` as a ``Problem`` located like the others (``segment 12 (CLM)``, else ``file``)."""
	if error.segment_number is None:
		path = "file"
	else:
		path = f"segment {error.segment_number}" + (f" ({error.segment_id})" if error.segment_id else "")
	return Problem(path, error.reason, code)


def _at(position: int, segment_id: str) -> str:
	return f"segment {position} ({segment_id})"


def _get(elements: list[str], index: int) -> str:
	return elements[index] if index < len(elements) else ""


def _padded(elements: list[str], size: int) -> list[str]:
	if len(elements) < size:
		elements += _PADDING[len(elements) : size]
	return elements


def _is_segment_id(text: str) -> bool:
	return 2 <= len(text) <= 3 and text.isascii() and text.isalnum() and text.isupper()


def _when_extra_on(body: _BodyChecker, handler: Handler) -> Handler:
	def check(position: int, elements: list[str]) -> None:
		if body.extra_on:
			handler(position, elements)

	return check


class _SegmentChecks(dict):
	"""Split mode: segment ID -> the check of such segments, or None for a valid ID with nothing to check.

	An ID not seen before is looked at once: a valid one is remembered (None); an invalid one gets the
	check that reports it, every time it occurs.
	"""

	__slots__ = ("report_bad_id",)

	def __init__(self, report_bad_id: Handler):
		super().__init__()
		self.report_bad_id = report_bad_id

	def __missing__(self, segment_id: str) -> Handler | None:
		if _is_segment_id(segment_id):
			self[segment_id] = None
			return None
		return self.report_bad_id


class FileChecker:
	"""Envelope bookkeeping for the whole file; transaction bodies go to a per-type checker.

	``validate_file`` feeds it segments as text through ``scan``; only those a check needs are split into
	elements, and ``dispatch`` maps the first three characters of a segment (``"CLP"``, ``"N1*"``) to the
	check for it. With ``split=True`` it is instead an ``envelope.EnvelopeObserver``: the walk of
	``iter_transaction_sets(data, observer=checker)`` hands it every segment already split, envelope
	segments through ``on_envelope`` and body runs through ``on_body`` - or the reader runs the body
	checks itself, taken from ``segment_checks``. Either way, call ``finish()`` at the end of the file
	and read ``problems``.
	"""

	def __init__(self, split: bool = False):
		self.split = split
		self.problems: list[Problem] = []
		self.delimiters: Delimiters | None = None
		self.separator = ""
		self.envelope_dispatch: dict[str, Handler] = {}
		self.dispatch: dict[str, Handler] = {}
		self.known_heads: set[str] = set()  # prefixes of segments already found to have a valid ID
		self.interchange: tuple[int, str] | None = None  # (ISA position, ISA13)
		self.group_count = 0
		self.group: tuple[int, str, str, str] | None = None  # (GS position, GS06, GS01, GS08)
		self.set_count = 0
		self.set_numbers: set[str] = set()
		self.transaction: tuple[int, str, str] | None = None  # (ST position, ST02, ST01)
		self.body: _BodyChecker | None = None
		# One checker per transaction set type, reset for each set: building dispatch tables costs.
		self.checkers: dict[type, _BodyChecker] = {}

	def add(self, position: int, segment_id: str, message: str, code: str) -> None:
		self.problems.append(Problem(_at(position, segment_id), message, code))

	def _keys(self, handlers: dict[str, Handler]) -> dict[str, Handler]:
		"""Dispatch keys for segment IDs: ``"CLP"`` as is, ``"N1"`` as ``"N1*"`` and bare ``"N1"`` (as is
		in split mode)."""
		if self.split:
			return dict(handlers)
		keyed = {}
		for segment_id, handler in handlers.items():
			keyed[segment_id] = handler
			if len(segment_id) == 2:
				keyed[segment_id + self.separator] = handler
		return keyed

	def _body_dispatch(self) -> None:
		"""Give the open set's checker its dispatch tables, with ``use_extra`` to switch between them."""
		body = self.body
		if self.split:
			checks = body.checks = _SegmentChecks(self.report_bad_id)
			checks.update(body.handlers_after_reading())
			extra = body.extra_handlers()
			nothing = dict.fromkeys(extra)  # the same IDs, valid but with nothing to check
			# For readers, which look each check up once per set: loop-dependent ones see if they apply.
			body.fixed_checks = checks
			if extra:
				body.fixed_checks = _SegmentChecks(self.report_bad_id)
				body.fixed_checks.update(checks)
				body.fixed_checks.update({key: _when_extra_on(body, check) for key, check in extra.items()})

			def use_extra_checks(on: bool) -> None:
				body.extra_on = on
				checks.update(extra if on else nothing)

			body.use_extra = use_extra_checks
			return
		plain = {**self._keys(body.handlers()), **self.envelope_dispatch}
		extra = body.extra_handlers()
		modes = (plain, {**plain, **self._keys(extra)} if extra else plain)

		def use_extra(on: bool) -> None:
			body.extra_on = on
			self.dispatch = modes[on]

		body.use_extra = use_extra

	def scan(self, first: int, texts: list[str], delimiters: Delimiters) -> None:
		if delimiters is not self.delimiters:
			self.delimiters = delimiters
			self.separator = delimiters.element
			self.known_heads = set()
			self.checkers = {}
			self.envelope_dispatch = self._keys(
				{
					"ISA": self.on_isa,
					"IEA": self.on_iea,
					"GS": self.on_gs,
					"GE": self.on_ge,
					"ST": self.on_st,
					"SE": self.on_se,
				}
			)
			if self.body is None:
				self.dispatch = self.envelope_dispatch
			else:
				self.checkers = {type(self.body): self.body}
				self._body_dispatch()
				self.body.use_extra(False)
		separator = self.separator
		dispatch = self.dispatch
		known_heads = self.known_heads
		for position, text in enumerate(texts, first):
			head = text[:3]
			handler = dispatch.get(head)
			if handler is not None:
				elements = text.split(separator)
				if len(elements[0]) <= 3:
					handler(position, elements)
					dispatch = self.dispatch
					continue
			# A known head vouches for the ID unless the ID runs on past it ("NM1X" after "NM1").
			if head not in known_heads or (len(text) > 3 and text[3] != separator and head[2] != separator):
				segment_id = text.split(separator, 1)[0]
				if not _is_segment_id(segment_id):
					self.bad_segment_id(position, segment_id)
					continue
				known_heads.add(head)
			if self.transaction is None:
				segment_id = text.split(separator, 1)[0]
				self.add(
					position,
					segment_id,
					"segment outside any transaction set (not between ST and SE)",
					"outside-st",
				)

	def bad_segment_id(self, position: int, segment_id: str) -> None:
		shown = segment_id if len(segment_id) <= 10 else segment_id[:10] + "..."
		self.add(position, "?", f"{shown!r} is not a valid segment ID", "segment-id")

	# --- split mode -------------------------------------------------------------------------

	def on_envelope(self, position: int, elements: list[str]) -> None:
		"""An ISA, GS, ST, SE, GE or IEA segment (split mode)."""
		segment_id = elements[0]
		if segment_id == "ISA":
			self.on_isa(position, elements)
		elif segment_id == "GS":
			self.on_gs(position, elements)
		elif segment_id == "ST":
			self.on_st(position, elements)
		elif segment_id == "SE":
			self.on_se(position, elements)
		elif segment_id == "GE":
			self.on_ge(position, elements)
		else:
			self.on_iea(position, elements)

	def segment_checks(self) -> _SegmentChecks:
		"""The checks of the open transaction set's body segments, for a reader that runs them (split
		mode): a check found for an ID stays right for it all through the set."""
		return self.body.fixed_checks

	def body_checker(self) -> _BodyChecker:
		"""The checker of the open transaction set's body (split mode)."""
		return self.body

	def current_checks(self) -> _SegmentChecks:
		"""The checks of the open transaction set's body segments as of now (split mode): those of
		``extra_handlers`` are None outside the loops they apply to."""
		return self.body.checks

	def on_body(self, first: int, run: list[list[str]]) -> None:
		"""Segments ``first, first + 1...`` inside the open transaction set (split mode)."""
		checks = self.body.checks
		for position, elements in enumerate(run, first):
			handler = checks[elements[0]]
			if handler is not None:
				handler(position, elements)

	def report_bad_id(self, position: int, elements: list[str]) -> None:
		self.bad_segment_id(position, elements[0])

	# --- interchange ------------------------------------------------------------------------

	def on_isa(self, position: int, elements: list[str]) -> None:
		if self.interchange is not None:
			self.close_interchange(position, "ISA")
		count = len(elements) - 1
		if count != 16:
			self.add(position, "ISA", f"ISA has {count} elements; it must have exactly 16", "isa-elements")
		for index, (width, name) in enumerate(zip(ISA_FIELD_WIDTHS, _ISA_NAMES, strict=True), start=1):
			value = _get(elements, index)
			if len(value) != width:
				self.add(
					position,
					"ISA",
					f"ISA{index:02d} {name} is {len(value)} characters long; the ISA fixes it at {width} "
					"(pad with spaces or zeros)",
					"isa-width",
				)
		date, time = _get(elements, 9), _get(elements, 10)
		if not is_valid_short_date(date):
			self.add(
				position, "ISA", f"ISA09 interchange date {date!r} is not a valid YYMMDD date", "isa-date"
			)
		if len(time) != 4 or not is_valid_time(time):
			self.add(position, "ISA", f"ISA10 interchange time {time!r} is not a valid HHMM time", "isa-time")
		control = _get(elements, 13)
		if not (control.isascii() and control.isdigit()):
			self.add(
				position,
				"ISA",
				f"ISA13 interchange control number {control!r} must be 9 digits",
				"isa-control",
			)
		if _get(elements, 14) not in ("0", "1"):
			self.add(position, "ISA", "ISA14 acknowledgment requested flag must be 0 or 1", "isa-ack-flag")
		if _get(elements, 15) not in ("P", "T", "I"):
			self.add(position, "ISA", "ISA15 usage indicator must be P (production) or T (test)", "isa-usage")
		self.interchange = (position, control)
		self.group_count = 0

	def on_iea(self, position: int, elements: list[str]) -> None:
		if self.interchange is None:
			self.add(position, "IEA", "IEA interchange trailer without an ISA header", "iea-without-isa")
			return
		if self.group is not None:
			self.close_group(position, "IEA")
		isa_position, control = self.interchange
		count = _get(elements, 1)
		if count.lstrip("0") != str(self.group_count).lstrip("0"):
			self.add(
				position,
				"IEA",
				f"IEA01 says {count!r} functional groups but the interchange has {self.group_count}",
				"iea-count",
			)
		if _get(elements, 2) != control:
			self.add(
				position,
				"IEA",
				f"IEA02 control number {_get(elements, 2)!r} does not match ISA13 {control!r} "
				f"(ISA at segment {isa_position})",
				"iea-control",
			)
		self.interchange = None

	def close_interchange(self, position: int, segment_id: str) -> None:
		isa_position, control = self.interchange
		if self.group is not None:
			self.close_group(position, segment_id)
		self.add(
			isa_position,
			"ISA",
			f"interchange {control!r} has no IEA trailer (the next {segment_id} is at segment {position})",
			"missing-iea",
		)
		self.interchange = None

	# --- functional group -------------------------------------------------------------------

	def on_gs(self, position: int, elements: list[str]) -> None:
		if self.group is not None:
			self.close_group(position, "GS")
		if self.interchange is None:
			self.add(
				position,
				"GS",
				"GS functional group header outside an interchange (no ISA before it)",
				"gs-outside-isa",
			)
		else:
			self.group_count += 1
		date, time, control = _get(elements, 4), _get(elements, 5), _get(elements, 6)
		if not is_valid_date(date):
			self.add(position, "GS", f"GS04 date {date!r} is not a valid CCYYMMDD date", "gs-date")
		if not is_valid_time(time):
			self.add(
				position,
				"GS",
				f"GS05 time {time!r} is not a valid time (HHMM, HHMMSS or HHMMSSD with hours 00-23, "
				"minutes and seconds 00-59)",
				"gs-time",
			)
		if not (control.isascii() and control.isdigit() and 1 <= len(control) <= 9):
			self.add(
				position, "GS", f"GS06 group control number {control!r} must be 1 to 9 digits", "gs-control"
			)
		if not _get(elements, 8):
			self.add(position, "GS", "GS08 version / implementation guide is missing", "gs-version")
		self.group = (position, control, _get(elements, 1), _get(elements, 8))
		self.set_count = 0
		self.set_numbers = set()

	def on_ge(self, position: int, elements: list[str]) -> None:
		if self.group is None:
			self.add(position, "GE", "GE functional group trailer without a GS header", "ge-without-gs")
			return
		if self.transaction is not None:
			self.close_transaction(position, "GE")
		gs_position, control, _, _ = self.group
		count = _get(elements, 1)
		if count.lstrip("0") != str(self.set_count).lstrip("0"):
			self.add(
				position,
				"GE",
				f"GE01 says {count!r} transaction sets but the group has {self.set_count}",
				"ge-count",
			)
		if _get(elements, 2) != control:
			self.add(
				position,
				"GE",
				f"GE02 control number {_get(elements, 2)!r} does not match GS06 {control!r} "
				f"(GS at segment {gs_position})",
				"ge-control",
			)
		self.group = None

	def close_group(self, position: int, segment_id: str) -> None:
		if self.transaction is not None:
			self.close_transaction(position, segment_id)
		gs_position, control, _, _ = self.group
		self.add(
			gs_position,
			"GS",
			f"functional group {control!r} has no GE trailer (the next {segment_id} is at segment {position})",
			"missing-ge",
		)
		self.group = None

	# --- transaction set --------------------------------------------------------------------

	def on_st(self, position: int, elements: list[str]) -> None:
		if self.transaction is not None:
			self.close_transaction(position, "ST")
		set_id, control, version = _get(elements, 1), _get(elements, 2), _get(elements, 3)
		if self.group is None:
			self.add(
				position,
				"ST",
				"ST transaction set header outside a functional group (no GS before it)",
				"st-outside-gs",
			)
		else:
			self.set_count += 1
			functional_id, group_version = self.group[2], self.group[3]
			version = version or group_version
			expected = FUNCTIONAL_IDS.get(set_id)
			if expected and functional_id != expected:
				self.add(
					position,
					"ST",
					f"a {set_id} transaction set belongs in a GS01={expected} group, not {functional_id!r}",
					"st-functional-id",
				)
			if control in self.set_numbers:
				self.add(
					position,
					"ST",
					f"ST02 control number {control!r} is used twice in this group",
					"st-control-duplicate",
				)
			self.set_numbers.add(control)
			if set_id == "837" and group_version != VERSION_837P:
				kind = " (837I institutional, not read here)" if "X223" in group_version else ""
				self.add(
					position,
					"ST",
					f"GS08 version {group_version!r}{kind} is not {VERSION_837P}, the 837P professional guide",
					"837-version",
				)
		if not (4 <= len(control) <= 9):
			self.add(
				position, "ST", f"ST02 control number {control!r} must be 4 to 9 characters", "st-control"
			)
		checker_class = _BODY_CHECKERS.get(set_id, _BodyChecker)
		if checker_class is _BodyChecker:
			self.add(
				position,
				"ST",
				f"transaction set type {set_id!r} is not one this app reads (835, 277CA, 999, 837P)",
				"unsupported-transaction",
			)
		elif set_id == "837" and "X222" not in version:
			checker_class = _BodyChecker  # an 837I or other guide: only envelope and date checks
		if set_id == "277" and "X214" not in version:
			self.add(
				position,
				"ST",
				f"277 version {version!r} is not the 277CA claim acknowledgement (X214)",
				"277-version",
			)
		self.transaction = (position, control, set_id)
		body = self.checkers.get(checker_class)
		if body is None:
			self.body = self.checkers[checker_class] = checker_class(self.problems, position)
			self._body_dispatch()
		else:
			self.body = body
			body.__init__(self.problems, position)
		self.body.use_extra(False)

	def on_se(self, position: int, elements: list[str]) -> None:
		if self.transaction is None:
			self.add(position, "SE", "SE transaction set trailer without an ST header", "se-without-st")
			return
		st_position, control, _ = self.transaction
		self.body.finish(position)
		count = position - st_position + 1
		if _get(elements, 1) != str(count):
			self.add(
				position,
				"SE",
				f"SE01 says {_get(elements, 1)!r} segments but the transaction set has {count} (ST to SE)",
				"se-count",
			)
		if _get(elements, 2) != control:
			self.add(
				position,
				"SE",
				f"SE02 control number {_get(elements, 2)!r} does not match ST02 {control!r} "
				f"(ST at segment {st_position})",
				"se-control",
			)
		self.end_transaction()

	def close_transaction(self, position: int, segment_id: str) -> None:
		st_position, control, _ = self.transaction
		self.body.finish(None)
		self.add(
			st_position,
			"ST",
			f"transaction set {control!r} has no SE trailer (the next {segment_id} is at segment {position})",
			"missing-se",
		)
		self.end_transaction()

	def end_transaction(self) -> None:
		self.transaction = None
		self.body = None
		self.dispatch = self.envelope_dispatch

	def finish(self) -> None:
		"""The end of the file: report the trailers it lacks."""
		if self.transaction is not None:
			st_position, control, _ = self.transaction
			self.body.finish(None)
			self.problems.append(missing_se(st_position, control))
		if self.group is not None:
			self.problems.append(missing_ge(self.group[0], self.group[1]))
		if self.interchange is not None:
			self.problems.append(missing_iea(*self.interchange))


class _BodyChecker:
	"""Checks inside a transaction set of any type: real dates. Subclasses add their own."""

	def __init__(self, problems: list[Problem], st_position: int):
		self.problems = problems
		self.st_position = st_position

	def handlers(self) -> dict[str, Handler]:
		"""The checks by segment ID; segments of other IDs are only counted."""
		return {"DTP": self.on_dtp, "DTM": self.on_dtm, "DMG": self.on_dmg}

	def handlers_after_reading(self) -> dict[str, Handler]:
		"""Split mode (``document.read_and_validate``): the checks still needed when this set's reader reads
		the same segments. Checks it makes itself can go: when it refuses a segment, raising
		``X12Error``, the whole file is validated on its own instead. A check may see a segment before
		the reader does, so none may fail on any."""
		return self.handlers()

	def extra_handlers(self) -> dict[str, Handler]:
		"""Checks needed only in some loops; the checker turns them on with ``use_extra(True)``."""
		return {}

	extra_on = False  # whether ``extra_handlers`` are on; checked before calling use_extra, which costs
	checks: _SegmentChecks  # split mode: set by the file checker, switched by use_extra
	fixed_checks: _SegmentChecks  # split mode: the same, never switched

	def use_extra(self, on: bool) -> None:
		"""Replaced by the file checker: switch ``extra_handlers`` on or off."""

	def add(self, position: int, segment_id: str, message: str, code: str) -> None:
		self.problems.append(Problem(_at(position, segment_id), message, code))

	def on_dtp(self, position: int, elements: list[str]) -> None:
		qualifier, value = _get(elements, 2), _get(elements, 3)
		if qualifier == "D8":
			self.check_date(position, "DTP", "DTP03", value)
		elif qualifier == "RD8":
			first, _, last = value.partition("-")
			self.check_date(position, "DTP", "DTP03 start", first)
			self.check_date(position, "DTP", "DTP03 end", last)

	def on_dtm(self, position: int, elements: list[str]) -> None:
		if len(elements) > 2 and cached_valid_date(elements[2]) is None:
			self.check_date(position, "DTM", "DTM02", elements[2])
		elif len(elements) <= 2:
			self.check_date(position, "DTM", "DTM02", "")

	def on_dmg(self, position: int, elements: list[str]) -> None:
		if (
			len(elements) > 2
			and elements[1] == "D8"
			and elements[2]
			and cached_valid_date(elements[2]) is None
		):
			self.check_date(position, "DMG", "DMG02 birth date", elements[2])

	def check_date(self, position: int, segment_id: str, name: str, value: str) -> None:
		if not is_valid_date(value):
			self.add(
				position, segment_id, f"{name} {value[:20]!r} is not a valid CCYYMMDD date", "invalid-date"
			)

	def check_amount(
		self, position: int, segment_id: str, name: str, value: str, required: bool = True
	) -> Decimal | None:
		if not value:
			if required:
				self.add(position, segment_id, f"{name} is missing", "missing-element")
			return None
		number = decimal_or_none(value)
		if number is None:
			self.add(position, segment_id, f"{name} {value[:20]!r} is not a number", "invalid-amount")
		return number

	def check_first(self, found_at: int, segment_id: str, what: str, code: str, se_position: int) -> None:
		"""The transaction set must begin with ``segment_id``."""
		if not found_at:
			self.add(se_position, "SE", f"the transaction set has no {segment_id} {what}", code)
		elif found_at != self.st_position + 1:
			self.add(found_at, segment_id, f"the {segment_id} {what} must come right after the ST", code)

	def finish(self, se_position: int | None) -> None:
		"""The SE was reached (``se_position``) or the set ended without one (None)."""


class _Checker835(_BodyChecker):
	def __init__(self, problems: list[Problem], st_position: int):
		super().__init__(problems, st_position)
		self.payment: Decimal | None = None
		self.bpr_position = 0
		self.has_trn = False
		self.parties: set[str] = set()
		self.paid = _ZERO
		self.adjusted = _ZERO
		self.balanced = True  # false once an amount could not be read

	def handlers(self) -> dict[str, Handler]:
		return {
			"DTM": self.on_dtm,
			"CAS": self.on_cas,
			"SVC": self.on_svc,
			"CLP": self.on_clp,
			"PLB": self.on_plb,
			"N1": self.on_n1,
			"TRN": self.on_trn,
			"BPR": self.on_bpr,
		}

	def handlers_after_reading(self) -> dict[str, Handler]:
		# read_835 refuses a missing or malformed CLP01-05, SVC02-03, CAS amount or BPR02: of those
		# segments, only the totals for the balance check remain to be taken.
		handlers = self.handlers()
		del handlers["CAS"], handlers["SVC"]
		handlers["CLP"] = self.add_claim_payment
		return handlers

	def add_claim_payment(self, position: int, elements: list[str]) -> None:
		paid = decimal_or_none(elements[4]) if len(elements) > 4 else None
		if paid is None:  # read_835 refuses such a CLP (and validate_file is run instead)
			self.balanced = False
		else:
			self.paid += paid

	def on_clp(self, position: int, elements: list[str]) -> None:
		_padded(elements, 6)
		if not elements[1]:
			self.add(position, "CLP", "CLP01 claim id (patient control number) is missing", "missing-element")
		if not elements[2]:
			self.add(position, "CLP", "CLP02 claim status code is missing", "missing-element")
		self.check_amount(position, "CLP", "CLP03 claim charge", elements[3])
		paid = self.check_amount(position, "CLP", "CLP04 claim payment", elements[4])
		self.check_amount(position, "CLP", "CLP05 patient responsibility", elements[5], required=False)
		if paid is None:
			self.balanced = False
		else:
			self.paid += paid

	def on_svc(self, position: int, elements: list[str]) -> None:
		if (
			len(elements) > 3
			and cached_decimal(elements[2]) is not None
			and cached_decimal(elements[3]) is not None
		):
			return  # amounts already known to be good
		_padded(elements, 4)
		self.check_amount(position, "SVC", "SVC02 line charge", elements[2])
		self.check_amount(position, "SVC", "SVC03 line payment", elements[3])

	def on_cas(self, position: int, elements: list[str]) -> None:
		if len(elements) == 4 and cached_decimal(elements[3]) is not None:
			return  # the usual single triplet with an amount already known to be good
		_padded(elements, 20)
		for start in range(3, 20, 3):
			if elements[start] or elements[start - 1]:
				self.check_amount(position, "CAS", f"CAS{start:02d} adjustment amount", elements[start])

	def on_plb(self, position: int, elements: list[str]) -> None:
		_padded(elements, 15)
		for start in range(4, 15, 2):
			if elements[start] or elements[start - 1]:
				value = self.check_amount(
					position, "PLB", f"PLB{start:02d} adjustment amount", elements[start]
				)
				if value is None:
					self.balanced = False
				else:
					self.adjusted += value

	def on_n1(self, position: int, elements: list[str]) -> None:
		self.parties.add(_get(elements, 1))

	def on_trn(self, position: int, elements: list[str]) -> None:
		self.has_trn = True

	def on_bpr(self, position: int, elements: list[str]) -> None:
		self.bpr_position = position
		self.payment = self.check_amount(position, "BPR", "BPR02 payment amount", _get(elements, 2))
		if _get(elements, 16):
			self.check_date(position, "BPR", "BPR16 payment date", elements[16])

	def finish(self, se_position: int | None) -> None:
		if se_position is None:
			return
		self.check_first(self.bpr_position, "BPR", "financial information segment", "835-bpr", se_position)
		if not self.has_trn:
			self.add(se_position, "SE", "the 835 has no TRN reassociation trace number", "835-trn")
		if "PR" not in self.parties:
			self.add(se_position, "SE", "the 835 has no payer identification (loop 1000A N1*PR)", "835-payer")
		if "PE" not in self.parties:
			self.add(se_position, "SE", "the 835 has no payee identification (loop 1000B N1*PE)", "835-payee")
		if self.balanced and self.payment is not None and self.payment != self.paid - self.adjusted:
			self.add(
				self.bpr_position,
				"BPR",
				f"BPR02 payment {self.payment} does not equal the claim payments (sum of CLP04) {self.paid} minus "
				f"the provider adjustments (sum of PLB amounts) {self.adjusted}",
				"835-unbalanced",
			)


class _Checker837(_BodyChecker):
	def __init__(self, problems: list[Problem], st_position: int):
		super().__init__(problems, st_position)
		self.bht_position = 0
		self.seen: set[str] = set()  # NM1*41, NM1*40, HL20, CLM
		self.levels: dict[str, str] = {}  # HL01 -> HL03
		self.block: dict | None = None  # the current HL level and what it has
		self.claim: dict | None = None
		self.line: dict | None = None

	def handlers(self) -> dict[str, Handler]:
		return {
			"DTP": self.on_dtp,
			"SV1": self.on_sv1,
			"LX": self.on_lx,
			"NM1": self.on_nm1,
			"HL": self.on_hl,
			"CLM": self.on_clm,
			"HI": self.on_hi,
			"SBR": self.on_sbr,
			"DMG": self.on_dmg,
			"BHT": self.on_bht,
		}

	def extra_handlers(self) -> dict[str, Handler]:
		# Only the billing provider's own N3, N4 and REF are checked (loop 2010AA).
		return {"N3": self.on_address, "N4": self.on_address, "REF": self.on_ref}

	def on_dtp(self, position: int, elements: list[str]) -> None:
		if len(elements) < 4 or elements[2] != "D8" or cached_valid_date(elements[3]) is None:
			super().on_dtp(position, elements)
		if self.line is not None and len(elements) > 1 and elements[1] == "472":
			self.line["dtp472"] = True

	def on_sv1(self, position: int, elements: list[str]) -> None:
		if self.line is None:
			self.add(
				position, "SV1", "SV1 without an LX service line number before it", "837-sv1-outside-line"
			)
			return
		self.line["sv1"] = True
		_padded(elements, 3)
		if not elements[1]:
			self.add(position, "SV1", "SV101 procedure code is missing", "missing-element")
		charge = cached_decimal(elements[2])  # a line charge already read as a number, else the checks
		if charge is None:
			charge = self.check_amount(position, "SV1", "SV102 line charge", elements[2])
		claim = self.claim
		if charge is None:
			claim["line_total"] = None
		elif claim["line_total"] is not None:
			claim["line_total"] += charge

	def on_lx(self, position: int, elements: list[str]) -> None:
		self.finish_line()
		if self.claim is None:
			self.add(
				position, "LX", "LX service line outside a claim (no CLM before it)", "837-lx-outside-claim"
			)
			return
		self.claim["lines"] += 1
		self.line = {"position": position, "sv1": False, "dtp472": False}

	def on_address(self, position: int, elements: list[str]) -> None:
		self.block[elements[0]] = True

	def on_ref(self, position: int, elements: list[str]) -> None:
		if _get(elements, 1) in ("EI", "SY"):
			self.block["tax_id"] = True

	def on_hi(self, position: int, elements: list[str]) -> None:
		if self.claim is not None:
			self.claim["hi"] = True

	def on_sbr(self, position: int, elements: list[str]) -> None:
		if self.claim is None and self.block is not None and self.block["level"] == "22":
			self.block["SBR"] = True
		if self.extra_on:
			self.use_extra(False)

	def on_bht(self, position: int, elements: list[str]) -> None:
		self.bht_position = self.bht_position or position
		if _get(elements, 4):
			self.check_date(position, "BHT", "BHT04 creation date", elements[4])

	def on_nm1(self, position: int, elements: list[str]) -> None:
		if self.claim is not None and self.block is not None:  # a name inside a claim: nothing to note
			if self.extra_on:
				self.use_extra(False)
			return
		entity = elements[1] if len(elements) > 1 else ""
		in_2010aa = False
		if entity == "41" or entity == "40":
			if self.block is None:
				self.seen.add("NM1*" + entity)
		elif self.block is not None and self.claim is None:
			block = self.block
			if entity == "85" and block["level"] == "20":
				block["85"] = True
				in_2010aa = True
			elif (entity == "IL" or entity == "PR") and block["level"] == "22":
				block[entity] = True
		if in_2010aa is not self.extra_on:
			self.use_extra(in_2010aa)

	def on_hl(self, position: int, elements: list[str]) -> None:
		self.finish_block()
		if self.extra_on:
			self.use_extra(False)
		if len(elements) < 4:
			elements += _PADDING[len(elements) : 4]
		hierarchical_id, parent, level = elements[1], elements[2], elements[3]
		levels = self.levels
		expected_parent = _PARENT_LEVELS.get(level, "?")
		if (
			hierarchical_id
			and hierarchical_id not in levels
			and (
				not parent
				if expected_parent is None
				else expected_parent != "?" and levels.get(parent) == expected_parent
			)
		):
			levels[hierarchical_id] = level  # the usual: a new id under a parent of the right level
		else:
			self.check_hierarchy(position, hierarchical_id, parent, level)
		if level == "20":
			self.seen.add("HL20")
		self.block = {"level": level, "position": position}

	def check_hierarchy(self, position: int, hierarchical_id: str, parent: str, level: str) -> None:
		"""The problems of an HL's id, parent id and level, and its id noted when new."""
		if not hierarchical_id:
			self.add(position, "HL", "HL01 hierarchical id is missing", "837-hl-id")
		elif hierarchical_id in self.levels:
			self.add(
				position, "HL", f"HL01 id {hierarchical_id!r} is used by an earlier HL", "837-hl-duplicate"
			)
		expected_parent = _PARENT_LEVELS.get(level, "?")
		if expected_parent == "?":
			self.add(
				position,
				"HL",
				f"HL03 level code {level!r} is not one an 837P uses (20, 22, 23)",
				"837-hl-level",
			)
		elif expected_parent is None:
			if parent:
				self.add(
					position,
					"HL",
					"a billing provider level (HL03 20) must not name a parent in HL02",
					"837-hl-parent",
				)
		elif not parent:
			self.add(
				position,
				"HL",
				f"HL02 parent id is missing (a level {level} HL needs a level {expected_parent} parent)",
				"837-hl-parent",
			)
		elif parent not in self.levels:
			self.add(
				position, "HL", f"HL02 parent id {parent!r} is not the id of an earlier HL", "837-hl-parent"
			)
		elif self.levels[parent] != expected_parent:
			self.add(
				position,
				"HL",
				f"HL02 parent {parent!r} is a level {self.levels[parent]} HL; a level {level} HL needs a level "
				f"{expected_parent} parent",
				"837-hl-parent",
			)
		if hierarchical_id and hierarchical_id not in self.levels:
			self.levels[hierarchical_id] = level

	def on_clm(self, position: int, elements: list[str]) -> None:
		if self.claim is not None or self.line is not None:
			self.finish_claim()
		if self.extra_on:
			self.use_extra(False)
		self.seen.add("CLM")
		_padded(elements, 6)
		if not elements[1]:
			self.add(position, "CLM", "CLM01 patient control number (claim id) is missing", "missing-element")
		charge = cached_decimal(elements[2])  # a charge already read as a number, else the checks
		if charge is None:
			charge = self.check_amount(position, "CLM", "CLM02 total claim charge", elements[2])
		if not elements[5]:
			self.add(
				position, "CLM", "CLM05 place of service / frequency composite is missing", "missing-element"
			)
		if self.block is None or self.block["level"] not in ("22", "23"):
			self.add(position, "CLM", "CLM outside a subscriber or patient level (HL 22/23)", "837-clm-level")
		self.claim = {"position": position, "charge": charge, "line_total": _ZERO, "hi": False, "lines": 0}

	def finish_line(self) -> None:
		line = self.line
		if line is None:
			return
		if line["sv1"] and line["dtp472"]:
			self.line = None  # the usual: nothing missing
			return
		if not line["sv1"]:
			self.add(
				line["position"], "LX", "service line (loop 2400) has no SV1 professional service", "837-sv1"
			)
		if not line["dtp472"]:
			self.add(
				line["position"],
				"LX",
				"service line (loop 2400) has no DTP*472 service date",
				"837-service-date",
			)
		self.line = None

	def finish_claim(self) -> None:
		self.finish_line()
		claim = self.claim
		if claim is None:
			return
		charge = claim["charge"]
		if claim["hi"] and claim["lines"] and (charge is None or charge == claim["line_total"]):
			self.claim = None  # the usual: nothing missing
			return
		position = claim["position"]
		if not claim["hi"]:
			self.add(position, "CLM", "claim has no HI health care diagnosis code segment", "837-hi")
		if not claim["lines"]:
			self.add(position, "CLM", "claim has no service lines (loop 2400 LX/SV1)", "837-lines")
		elif (
			claim["charge"] is not None
			and claim["line_total"] is not None
			and claim["charge"] != claim["line_total"]
		):
			self.add(
				position,
				"CLM",
				f"CLM02 total charge {claim['charge']} does not equal the sum of the line charges (SV102) "
				f"{claim['line_total']}",
				"837-charge-total",
			)
		self.claim = None

	def finish_block(self) -> None:
		if self.claim is not None or self.line is not None:
			self.finish_claim()
		block = self.block
		if block is None:
			return
		level = block["level"]
		get = block.get
		if (
			get("SBR") and get("IL") and get("PR")
			if level == "22"
			else level != "20" or (get("85") and get("N3") and get("N4") and get("tax_id"))
		):
			self.block = None  # the usual: nothing missing
			return
		position = block["position"]
		if block["level"] == "20":
			if not block.get("85"):
				self.add(
					position,
					"HL",
					"billing provider level has no NM1*85 billing provider name (loop 2010AA)",
					"837-2010AA",
				)
			else:
				for key, what in (
					("N3", "N3 address"),
					("N4", "N4 city/state/ZIP"),
					("tax_id", "REF*EI or REF*SY tax id"),
				):
					if not block.get(key):
						self.add(
							position, "HL", f"billing provider (loop 2010AA) has no {what}", "837-2010AA"
						)
		elif block["level"] == "22":
			if not block.get("SBR"):
				self.add(
					position,
					"HL",
					"subscriber level (loop 2000B) has no SBR subscriber information",
					"837-sbr",
				)
			if not block.get("IL"):
				self.add(
					position,
					"HL",
					"subscriber level has no NM1*IL subscriber name (loop 2010BA)",
					"837-2010BA",
				)
			if not block.get("PR"):
				self.add(
					position, "HL", "subscriber level has no NM1*PR payer name (loop 2010BB)", "837-2010BB"
				)
		self.block = None

	def finish(self, se_position: int | None) -> None:
		self.finish_block()
		if se_position is None:
			return
		self.check_first(
			self.bht_position, "BHT", "beginning of hierarchical transaction", "837-bht", se_position
		)
		for key, what, code in (
			("NM1*41", "submitter name (loop 1000A NM1*41)", "837-1000A"),
			("NM1*40", "receiver name (loop 1000B NM1*40)", "837-1000B"),
			("HL20", "billing provider level (HL 20)", "837-2000A"),
			("CLM", "claim (CLM)", "837-no-claims"),
		):
			if key not in self.seen:
				self.add(se_position, "SE", f"the 837 has no {what}", code)


class _Checker999(_BodyChecker):
	def __init__(self, problems: list[Problem], st_position: int):
		super().__init__(problems, st_position)
		self.ak1_position = 0
		self.open_set = 0  # position of an AK2 still waiting for its IK5
		self.has_ak9 = False

	def handlers(self) -> dict[str, Handler]:
		return {"AK1": self.on_ak1, "AK2": self.on_ak2, "IK5": self.on_ik5, "AK9": self.on_ak9}

	def on_ak1(self, position: int, elements: list[str]) -> None:
		self.ak1_position = self.ak1_position or position

	def on_ak2(self, position: int, elements: list[str]) -> None:
		self.check_open()
		self.open_set = position

	def on_ik5(self, position: int, elements: list[str]) -> None:
		if not self.open_set:
			self.add(position, "IK5", "IK5 without an AK2 before it", "999-ik5")
		if not _get(elements, 1):
			self.add(
				position, "IK5", "IK501 transaction set acknowledgement code is missing", "missing-element"
			)
		self.open_set = 0

	def on_ak9(self, position: int, elements: list[str]) -> None:
		self.check_open()
		self.has_ak9 = True
		if not _get(elements, 1):
			self.add(
				position, "AK9", "AK901 functional group acknowledgement code is missing", "missing-element"
			)
		for index in (2, 3, 4):
			value = _get(elements, index)
			if not (value.isascii() and value.isdigit()):
				self.add(
					position,
					"AK9",
					f"AK9{index:02d} transaction set count {value!r} is not a whole number",
					"999-ak9",
				)

	def check_open(self) -> None:
		if self.open_set:
			self.add(self.open_set, "AK2", "AK2 transaction set response has no IK5 verdict", "999-ik5")
			self.open_set = 0

	def finish(self, se_position: int | None) -> None:
		if se_position is None:
			return
		self.check_open()
		self.check_first(self.ak1_position, "AK1", "functional group response", "999-ak1", se_position)
		if not self.has_ak9:
			self.add(se_position, "SE", "the 999 has no AK9 functional group response trailer", "999-ak9")


class _Checker277(_BodyChecker):
	def __init__(self, problems: list[Problem], st_position: int):
		super().__init__(problems, st_position)
		self.bht_position = 0
		self.has_hl = False

	def handlers(self) -> dict[str, Handler]:
		return {"BHT": self.on_bht, "HL": self.on_hl, "STC": self.on_stc, "DTP": self.on_dtp}

	def on_bht(self, position: int, elements: list[str]) -> None:
		self.bht_position = self.bht_position or position

	def on_hl(self, position: int, elements: list[str]) -> None:
		self.has_hl = True
		if _get(elements, 3) not in ("20", "21", "19", "PT"):
			self.add(
				position,
				"HL",
				f"HL03 level code {_get(elements, 3)!r} is not one a 277CA uses",
				"277-hl-level",
			)

	def on_stc(self, position: int, elements: list[str]) -> None:
		if not _get(elements, 1):
			self.add(position, "STC", "STC01 claim status composite is missing", "missing-element")
		self.check_amount(position, "STC", "STC04 total claim charge", _get(elements, 4), required=False)

	def finish(self, se_position: int | None) -> None:
		if se_position is None:
			return
		self.check_first(
			self.bht_position, "BHT", "beginning of hierarchical transaction", "277-bht", se_position
		)
		if not self.has_hl:
			self.add(se_position, "SE", "the 277 has no HL hierarchical levels", "277-hl")


_BODY_CHECKERS: dict[str, type[_BodyChecker]] = {
	"835": _Checker835,
	"837": _Checker837,
	"999": _Checker999,
	"277": _Checker277,
}
