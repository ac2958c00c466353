"""Group queued claims into 837P files for one clearinghouse connection.

``build_batches(claims, setup, control_numbers, created)`` splits the claims by billing provider (NPI
and tax id), sorts each provider's claims by claim id and cuts them into files of at most
``setup.max_claims_per_file`` claims (5,000 by default, the TR3's recommended limit per transaction
set). The same claims always give the same files in the same order.

Each file takes one number from the control number counter and uses it as its interchange (ISA13),
group (GS06) and transaction set (ST02) control number, so one number names the file everywhere and
a 999 or 277CA can be traced back to it. ``control_numbers`` is either the next free number (the run
says which number is next, for the caller to save) or a callable that hands out the next number of a
persisted counter on each call. Numbers run from 1 to 999,999,999; a number taken for a file that
could not be written is not reused (gaps are harmless, repeats are not).

A claim the writer refuses (bad data the scrubber should have caught) is left out of its file and
reported in ``BatchRun.refused`` with the writer's reason; the other claims are still sent.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from claims_billing.core.acknowledgements import SentGroup, SentTransactionSet
from claims_billing.transport.base import outbound_file_name
from claims_billing.x12.claim import Claim, Envelope, Receiver, Submitter
from claims_billing.x12.interchange import MAX_CONTROL_NUMBER
from claims_billing.x12.write_837p import IMPLEMENTATION_GUIDE, write_837p

DEFAULT_MAX_CLAIMS_PER_FILE = 5000
# The transports' default; fields: sender, receiver, icn (9 digits), gcn, date, sequence, npi.
DEFAULT_FILE_NAME_PATTERN = "{sender}_{icn}_{date:%Y%m%d}.837"

_CLAIM_INDEX = re.compile(r"^claims\[(\d+)\]\.?")


class BatchingError(ValueError):
	"""The claims or settings cannot be batched; the message says what to fix."""


@dataclass(frozen=True)
class BatchSetup:
	"""One clearinghouse connection's envelope settings (ISA/GS) and batching limits."""

	submitter: Submitter
	receiver: Receiver
	sender_id: str  # ISA06
	receiver_id: str  # ISA08
	sender_qualifier: str = "ZZ"
	receiver_qualifier: str = "ZZ"
	application_sender_code: str = ""  # GS02, defaults to sender_id
	application_receiver_code: str = ""  # GS03, defaults to receiver_id
	usage_indicator: str = "P"  # P production, T test
	max_claims_per_file: int = DEFAULT_MAX_CLAIMS_PER_FILE
	file_name_pattern: str = DEFAULT_FILE_NAME_PATTERN


@dataclass(frozen=True)
class Batch:
	"""One 837P file ready to upload."""

	sequence: int  # 1-based position in this run
	billing_provider_npi: str
	billing_provider_tax_id: str
	claim_ids: tuple[str, ...]  # in the order the file holds them
	envelope: Envelope
	data: bytes
	sha256: str  # hex digest of ``data``
	file_name: str
	claim_positions: tuple[int, ...] = ()  # segment position of each claim's CLM in the set (ST = 1)

	@property
	def control_number(self) -> int:
		"""The file's ISA13, GS06 and ST02 (one number for all three)."""
		return self.envelope.interchange_control_number

	def sent_group(self) -> SentGroup:
		"""What ``acknowledgements.apply_999`` needs to know about this file once it is sent."""
		return SentGroup(
			group_control_number=str(self.envelope.group_control_number),
			interchange_control_number=f"{self.envelope.interchange_control_number:09d}",
			version=IMPLEMENTATION_GUIDE,
			transaction_sets=(
				SentTransactionSet(
					control_number=f"{self.envelope.transaction_set_control_number:04d}",
					claim_ids=self.claim_ids,
					claim_positions=self.claim_positions,
				),
			),
			file_name=self.file_name,
		)


@dataclass(frozen=True)
class RefusedClaim:
	"""A claim left out of every file because the writer refused its data."""

	claim_id: str
	message: str


@dataclass
class BatchRun:
	"""The files of one run, the claims refused, and the counter value to save when a start value was given."""

	batches: list[Batch] = field(default_factory=list)
	refused: list[RefusedClaim] = field(default_factory=list)
	next_control_number: int | None = None  # None when a counter callable was given


class _Counter:
	"""Hands out control numbers from a start value or a callable, refusing repeats and bad values."""

	def __init__(self, control_numbers: int | Callable[[], int]):
		self._issued: set[int] = set()
		if callable(control_numbers):
			self._next: Callable[[], int] = control_numbers
			self.next_free: int | None = None
		else:
			self._check(control_numbers, "the start control number")
			self.next_free = control_numbers
			self._next = self._from_start

	def _from_start(self) -> int:
		number = self.next_free
		if number > MAX_CONTROL_NUMBER:
			raise BatchingError(
				f"The control number counter has passed {MAX_CONTROL_NUMBER:,}, the largest ISA13 allows; "
				"ask the clearinghouse before starting it again at 1."
			)
		self.next_free = number + 1
		return number

	@staticmethod
	def _check(number, what: str) -> None:
		if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_CONTROL_NUMBER:
			raise BatchingError(
				f"{what} must be a whole number from 1 to {MAX_CONTROL_NUMBER:,}, got {number!r}."
			)

	def take(self) -> int:
		number = self._next()
		self._check(number, "A control number from the counter")
		if number in self._issued:
			raise BatchingError(
				f"The control number counter gave {number} twice in one run; control numbers must be unique."
			)
		self._issued.add(number)
		return number


def _check_claims(claims: list[Claim]) -> None:
	seen: set[str] = set()
	for index, claim in enumerate(claims):
		if not isinstance(claim, Claim):
			raise BatchingError(f"claims[{index}]: expected a Claim, got {type(claim).__name__}.")
		if not claim.claim_id:
			raise BatchingError(f"claims[{index}].claim_id: every claim needs a claim id (CLM01).")
		if claim.claim_id in seen:
			raise BatchingError(
				f"claims[{index}].claim_id: claim {claim.claim_id} is queued twice; a claim goes in one file only."
			)
		seen.add(claim.claim_id)


def _check_setup(setup: BatchSetup) -> None:
	limit = setup.max_claims_per_file
	if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
		raise BatchingError(f"setup.max_claims_per_file must be a whole number of at least 1, got {limit!r}.")


def group_by_billing_provider(claims: Iterable[Claim]) -> list[tuple[tuple[str, str], list[Claim]]]:
	"""Claims per billing provider (NPI, tax id), providers and claims sorted for a stable order."""
	groups: dict[tuple[str, str], list[Claim]] = {}
	for claim in claims:
		provider = claim.billing_provider
		groups.setdefault((provider.npi, provider.tax_id), []).append(claim)
	return [(key, sorted(groups[key], key=lambda claim: claim.claim_id)) for key in sorted(groups)]


def _envelope(setup: BatchSetup, number: int, created: datetime.datetime) -> Envelope:
	return Envelope(
		sender_id=setup.sender_id,
		receiver_id=setup.receiver_id,
		interchange_control_number=number,
		group_control_number=number,
		transaction_set_control_number=number,
		created=created,
		sender_qualifier=setup.sender_qualifier,
		receiver_qualifier=setup.receiver_qualifier,
		application_sender_code=setup.application_sender_code,
		application_receiver_code=setup.application_receiver_code,
		usage_indicator=setup.usage_indicator,
	)


def _claim_positions(data: bytes, envelope: Envelope) -> tuple[list[str], list[int]]:
	"""Claim ids in file order and the position of each one's CLM counted from ST = 1."""
	text = data.decode("ascii")
	prefix = "CLM" + envelope.element_separator
	ids: list[str] = []
	positions: list[int] = []
	# Segment 1 is the ISA, 2 the GS, 3 the ST: a segment's place in the set is its place in the file - 2.
	for number, segment in enumerate(text.split(envelope.segment_terminator), start=1):
		segment = segment.strip("\r\n")
		if segment.startswith(prefix):
			ids.append(segment.split(envelope.element_separator)[1])
			positions.append(number - 2)
	return ids, positions


def _write(
	claims: list[Claim], setup: BatchSetup, envelope: Envelope, refused: list[RefusedClaim]
) -> tuple[list[Claim], bytes | None]:
	"""Write ``claims``; a claim the writer refuses is moved to ``refused`` and the rest written again."""
	remaining = list(claims)
	while remaining:
		try:
			return remaining, write_837p(remaining, setup.submitter, setup.receiver, envelope)
		except ValueError as error:
			message = str(error)
			found = _CLAIM_INDEX.match(message)
			if found is None:
				# Not about one claim: the submitter, receiver or envelope settings are wrong.
				raise BatchingError(f"The 837P file cannot be written: {message}") from None
			claim = remaining.pop(int(found.group(1)))
			refused.append(RefusedClaim(claim.claim_id, message[found.end() :] or message))
	return remaining, None


def build_batches(
	claims: Iterable[Claim],
	setup: BatchSetup,
	control_numbers: int | Callable[[], int],
	created: datetime.datetime,
) -> BatchRun:
	"""Split ``claims`` into 837P files for the connection ``setup`` describes.

	``control_numbers``: the next free control number, or a callable returning the next number of a
	persisted counter. ``created`` is the file date and time (ISA09/10, GS04/05, BHT04/05) and the
	``{date}`` of the file name. Raises ``BatchingError`` for settings or claims that cannot be batched
	(a claim id queued twice, a counter repeating a number).
	"""
	claims = list(claims)
	_check_claims(claims)
	_check_setup(setup)
	counter = _Counter(control_numbers)
	run = BatchRun()
	names: set[str] = set()
	limit = setup.max_claims_per_file
	for (npi, tax_id), provider_claims in group_by_billing_provider(claims):
		for start in range(0, len(provider_claims), limit):
			chunk = provider_claims[start : start + limit]
			number = counter.take()
			envelope = _envelope(setup, number, created)
			written, data = _write(chunk, setup, envelope, run.refused)
			if data is None:
				continue  # every claim of this chunk was refused; the number stays unused
			ids, positions = _claim_positions(data, envelope)
			if sorted(ids) != sorted(claim.claim_id for claim in written):
				raise BatchingError(
					f"File {number}: the claims found in the written 837P do not match the batch."
				)
			sequence = len(run.batches) + 1
			name = outbound_file_name(
				setup.file_name_pattern,
				sender=setup.sender_id,
				receiver=setup.receiver_id,
				icn=f"{number:09d}",
				gcn=str(number),
				date=created,
				sequence=sequence,
				npi=npi,
			)
			if name in names:
				raise BatchingError(
					f"The file name pattern {setup.file_name_pattern!r} gives two files the name {name}; "
					"include {icn} in it."
				)
			names.add(name)
			run.batches.append(
				Batch(
					sequence=sequence,
					billing_provider_npi=npi,
					billing_provider_tax_id=tax_id,
					claim_ids=tuple(ids),
					envelope=envelope,
					data=data,
					sha256=hashlib.sha256(data).hexdigest(),
					file_name=name,
					claim_positions=tuple(positions),
				)
			)
	run.next_control_number = counter.next_free
	return run
