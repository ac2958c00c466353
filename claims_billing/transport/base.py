"""The one interface every clearinghouse transport offers, its errors and its file-name rules.

A transport moves whole files: 837P batches out to the clearinghouse, 999/277CA/835 responses
back in. Both kinds (SFTP and a local folder staff move files through by hand) share the same
promises:

* uploads are atomic: the data goes to ``<name>.partial`` and is renamed to ``<name>`` only
  when complete, so the other side never picks up half a batch;
* a sent batch is never overwritten: uploading a name that exists raises ``TransportFileExists``;
* processed responses are moved to an archive folder, never deleted; a name already in the
  archive gets a ``~2``, ``~3``... suffix before its extension instead of replacing the old file.
"""

import datetime
import string
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

PARTIAL_SUFFIX = ".partial"
MAX_NAME_LENGTH = 255
MAX_ARCHIVE_COPIES = 999
SECRET_MASK = "********"


class TransportError(Exception):
	"""Anything that went wrong moving files; the message is written for billing staff."""


class TransportConfigError(TransportError):
	"""The settings cannot work as given (missing host, unreadable key, bad file name pattern)."""


class TransportUnreachable(TransportError):
	"""The server could not be reached: unknown host, connection refused, timeout, dropped link."""


class TransportAuthFailed(TransportError):
	"""The server refused the user name with the saved password or key."""


class TransportHostKeyMismatch(TransportError):
	"""The server presented a host key other than the pinned one: possibly an impostor."""


class TransportHostKeyUnknown(TransportError):
	"""No host key is pinned and the policy does not trust one on first use.

	``host_key`` holds the key the server presented (``ssh-ed25519 AAAA...``) so a settings
	screen can show its fingerprint and let staff confirm and save it.
	"""

	def __init__(self, message: str, host_key: str, fingerprint: str):
		super().__init__(message)
		self.host_key = host_key
		self.fingerprint = fingerprint


class TransportFileExists(TransportError):
	"""The target name is already taken; a sent batch is never overwritten."""


class TransportNotFound(TransportError):
	"""The file or folder asked for does not exist."""


@dataclass(frozen=True)
class RemoteFile:
	"""A file as the transport sees it. ``modified`` is timezone-aware UTC, or None if unknown."""

	name: str
	size: int
	modified: datetime.datetime | None


@dataclass(frozen=True)
class ConnectionCheck:
	"""What a "Test Connection" button shows after a successful check."""

	location: str
	outbound_folder: str
	inbound_folder: str
	outbound_file_count: int
	inbound_file_count: int
	archive_folder_exists: bool
	server_host_key: str | None = None

	def summary(self) -> str:
		archive = "exists" if self.archive_folder_exists else "will be created on first use"
		return (
			f"Connected to {self.location}. Outbound folder {self.outbound_folder}: "
			f"{self.outbound_file_count} file(s) waiting. Inbound folder {self.inbound_folder}: "
			f"{self.inbound_file_count} file(s) to download. Archive folder {archive}."
		)


class Transport(ABC):
	"""One clearinghouse connection; use as a context manager for one connection per job run."""

	def __enter__(self):
		self.open()
		return self

	def __exit__(self, exc_type, exc, traceback) -> None:
		self.close()

	@abstractmethod
	def open(self) -> None:
		"""Connect (if the transport has a connection); calling it twice is harmless."""

	@abstractmethod
	def close(self) -> None:
		"""Disconnect; calling it twice is harmless."""

	@abstractmethod
	def upload(self, name: str, data: bytes) -> RemoteFile:
		"""Write ``data`` as ``name`` in the outbound folder, atomically and never over an existing file."""

	@abstractmethod
	def list_inbound(self) -> list[RemoteFile]:
		"""Response files waiting in the inbound folder, oldest first (partial and hidden files skipped)."""

	@abstractmethod
	def download(self, name: str) -> bytes:
		"""The content of one inbound file."""

	@abstractmethod
	def archive_inbound(self, name: str) -> str:
		"""Move a processed inbound file into the archive folder; returns the name it got there."""

	@abstractmethod
	def check(self) -> ConnectionCheck:
		"""Connect and look at both folders, for a "Test Connection" button."""


def check_file_name(name: str, what: str = "file name") -> str:
	"""Return ``name`` if it is a plain file name, else raise TransportConfigError saying why.

	Plain means: no folder part, not hidden, no control characters, and not our own
	``.partial`` suffix, so a name can never escape its folder or look like an unfinished upload.
	"""
	if not isinstance(name, str) or not name:
		raise TransportConfigError(f"The {what} is empty.")
	if "/" in name or "\\" in name:
		raise TransportConfigError(
			f"The {what} {name!r} contains a path separator; only a plain name is allowed."
		)
	if name.startswith("."):
		raise TransportConfigError(f"The {what} {name!r} starts with a dot (hidden or parent folder).")
	if any(ord(char) < 32 or ord(char) == 127 for char in name):
		raise TransportConfigError(f"The {what} {name!r} contains control characters.")
	if name.endswith(PARTIAL_SUFFIX):
		raise TransportConfigError(
			f"The {what} {name!r} ends with {PARTIAL_SUFFIX}, which marks unfinished uploads."
		)
	if len(name) > MAX_NAME_LENGTH:
		raise TransportConfigError(
			f"The {what} is {len(name)} characters long; at most {MAX_NAME_LENGTH} work."
		)
	return name


def is_listable(name: str) -> bool:
	"""Whether an inbound entry is a finished, visible file worth downloading."""
	return bool(name) and not name.startswith(".") and not name.endswith(PARTIAL_SUFFIX)


def archive_names(name: str) -> Iterator[str]:
	"""Candidate names in the archive: ``era.835``, then ``era~2.835``, ``era~3.835``..."""
	yield name
	stem, dot, extension = name.rpartition(".")
	if not stem:
		stem, dot, extension = name, "", ""
	for copy in range(2, MAX_ARCHIVE_COPIES + 1):
		yield f"{stem}~{copy}{dot}{extension}"


def outbound_file_name(pattern: str, **values) -> str:
	"""Render a clearinghouse file name such as ``{sender}_{icn}_{date:%Y%m%d}.837``.

	Only plain named fields are allowed (no ``{a.b}`` or ``{a[0]}``); each value and the result
	must be a plain file name, so a value like ``../x`` cannot steer where the file goes.
	"""
	if not pattern:
		raise TransportConfigError("The file name pattern is empty.")
	parts = []
	try:
		parsed = list(string.Formatter().parse(pattern))
	except ValueError as exc:
		raise TransportConfigError(f"The file name pattern {pattern!r} is not valid: {exc}.") from None
	for literal, field, spec, conversion in parsed:
		parts.append(literal)
		if field is None:
			continue
		if not field.isidentifier():
			raise TransportConfigError(
				f"The file name pattern {pattern!r} has field {{{field}}}; only plain names like {{icn}} work."
			)
		if conversion:
			raise TransportConfigError(f"The file name pattern {pattern!r} uses a !{conversion} conversion.")
		if field not in values:
			known = ", ".join(sorted(values)) or "none"
			raise TransportConfigError(
				f"The file name pattern {pattern!r} needs a value for {{{field}}} (given: {known})."
			)
		try:
			rendered = format(values[field], spec or "")
		except (ValueError, TypeError) as exc:
			raise TransportConfigError(
				f"The file name pattern {pattern!r} cannot format {{{field}}} with {spec!r}: {exc}."
			) from None
		if "/" in rendered or "\\" in rendered or rendered in (".", ".."):
			raise TransportConfigError(f"The value for {{{field}}} ({rendered!r}) contains a path separator.")
		parts.append(rendered)
	return check_file_name("".join(parts), "file name made from the pattern")


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
	"""Replace every secret (and each long line of a multi-line one, like a PEM key) in ``text``."""
	for secret in secrets:
		if not secret:
			continue
		pieces = [secret, *(line.strip() for line in secret.splitlines() if len(line.strip()) >= 8)]
		for piece in sorted(set(pieces), key=len, reverse=True):
			text = text.replace(piece, SECRET_MASK)
	return text
