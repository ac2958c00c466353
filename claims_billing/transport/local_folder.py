"""Clearinghouse transport over two folders on disk, for practices whose staff upload and
download files by hand on the clearinghouse's website.

The outbound folder holds batches waiting for staff to upload; the inbound folder is where
staff drop the responses they downloaded. Same promises as SFTP: atomic, never-overwriting
writes and archive-instead-of-delete.
"""

import datetime
import errno
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from claims_billing.transport.base import (
	PARTIAL_SUFFIX,
	ConnectionCheck,
	RemoteFile,
	Transport,
	TransportConfigError,
	TransportError,
	TransportFileExists,
	TransportNotFound,
	archive_names,
	check_file_name,
	is_listable,
	outbound_file_name,
)

logger = logging.getLogger(__name__)

# Where hard links are not supported, fall back to check-then-rename.
_NO_HARD_LINKS = {errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK}


@dataclass(frozen=True)
class LocalFolderSettings:
	outbound_folder: str
	inbound_folder: str
	archive_folder: str = ""  # empty: an "archive" folder inside the inbound folder
	file_name_pattern: str = "{sender}_{icn}_{date:%Y%m%d}.837"

	def validate(self) -> None:
		if not self.outbound_folder:
			raise TransportConfigError("The outbound folder is not set.")
		if not self.inbound_folder:
			raise TransportConfigError("The inbound folder is not set.")

	@property
	def archive_path(self) -> Path:
		return Path(self.archive_folder) if self.archive_folder else Path(self.inbound_folder) / "archive"

	def outbound_file_name(self, **values) -> str:
		return outbound_file_name(self.file_name_pattern, **values)


class LocalFolderTransport(Transport):
	def __init__(self, settings: LocalFolderSettings):
		settings.validate()
		self.settings = settings
		self.outbound = Path(settings.outbound_folder)
		self.inbound = Path(settings.inbound_folder)
		self.archive = settings.archive_path

	def __repr__(self) -> str:
		return f"LocalFolderTransport(outbound={str(self.outbound)!r}, inbound={str(self.inbound)!r})"

	def open(self) -> None:
		pass

	def close(self) -> None:
		pass

	def upload(self, name: str, data: bytes) -> RemoteFile:
		check_file_name(name)
		self._require_folder(self.outbound, "outbound")
		final = self.outbound / name
		partial = self.outbound / (name + PARTIAL_SUFFIX)
		if final.exists():
			raise TransportFileExists(self._exists_message(name))
		try:
			with open(partial, "wb") as handle:
				handle.write(data)
				handle.flush()
				os.fsync(handle.fileno())
			_move_without_replacing(partial, final)
		except FileExistsError:
			partial.unlink(missing_ok=True)
			raise TransportFileExists(self._exists_message(name)) from None
		except OSError as exc:
			partial.unlink(missing_ok=True)
			raise TransportError(
				f"Could not write {name} to outbound folder {self.outbound}: {_reason(exc)}."
			) from None
		_sync_folder(self.outbound)
		logger.info("Wrote %s (%d bytes) to outbound folder %s", name, len(data), self.outbound)
		return _remote_file(final)

	def list_inbound(self) -> list[RemoteFile]:
		files = []
		for entry in self._scan(self.inbound, "inbound"):
			if is_listable(entry.name) and entry.is_file(follow_symlinks=False):
				files.append(_remote_file(Path(entry.path)))
		return sorted(files, key=lambda file: (file.modified, file.name))

	def download(self, name: str) -> bytes:
		check_file_name(name)
		path = self.inbound / name
		try:
			if not path.is_file():
				raise FileNotFoundError(name)
			return path.read_bytes()
		except FileNotFoundError:
			raise TransportNotFound(f"{name} is not in inbound folder {self.inbound}.") from None
		except OSError as exc:
			raise TransportError(
				f"Could not read {name} from inbound folder {self.inbound}: {_reason(exc)}."
			) from None

	def archive_inbound(self, name: str) -> str:
		check_file_name(name)
		source = self.inbound / name
		if not source.is_file():
			raise TransportNotFound(f"{name} is not in inbound folder {self.inbound}; nothing to archive.")
		try:
			self.archive.mkdir(parents=True, exist_ok=True)
		except OSError as exc:
			raise TransportError(f"Could not create archive folder {self.archive}: {_reason(exc)}.") from None
		for candidate in archive_names(name):
			try:
				_move_without_replacing(source, self.archive / candidate)
			except FileExistsError:
				continue
			except OSError as exc:
				raise TransportError(
					f"Could not archive {name} into {self.archive}: {_reason(exc)}."
				) from None
			logger.info("Archived inbound %s as %s in %s", name, candidate, self.archive)
			return candidate
		raise TransportFileExists(f"Archive folder {self.archive} already holds too many copies of {name}.")

	def check(self) -> ConnectionCheck:
		self._require_folder(self.outbound, "outbound")
		if not os.access(self.outbound, os.W_OK):
			raise TransportError(f"Outbound folder {self.outbound} is not writable.")
		outbound_count = sum(
			1
			for entry in self._scan(self.outbound, "outbound")
			if is_listable(entry.name) and entry.is_file()
		)
		return ConnectionCheck(
			location="local folders",
			outbound_folder=str(self.outbound),
			inbound_folder=str(self.inbound),
			outbound_file_count=outbound_count,
			inbound_file_count=len(self.list_inbound()),
			archive_folder_exists=self.archive.is_dir(),
		)

	def _exists_message(self, name: str) -> str:
		return f"{name} is already in outbound folder {self.outbound}; a sent batch is never overwritten."

	def _require_folder(self, folder: Path, what: str) -> None:
		if not folder.is_dir():
			raise TransportNotFound(f"The {what} folder {folder} does not exist.")

	def _scan(self, folder: Path, what: str) -> list[os.DirEntry]:
		try:
			with os.scandir(folder) as entries:
				return list(entries)
		except (FileNotFoundError, NotADirectoryError):
			raise TransportNotFound(f"The {what} folder {folder} does not exist.") from None
		except OSError as exc:
			raise TransportError(f"Could not read the {what} folder {folder}: {_reason(exc)}.") from None


def _move_without_replacing(source: Path, target: Path) -> None:
	"""Rename that raises FileExistsError instead of replacing ``target``, atomically where possible."""
	try:
		os.link(source, target)
	except FileExistsError:
		raise
	except OSError as exc:
		if exc.errno not in _NO_HARD_LINKS:
			raise
		if target.exists():
			raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
		shutil.move(source, target)
		return
	source.unlink()


def _sync_folder(folder: Path) -> None:
	"""Make the rename durable; some filesystems cannot fsync a directory, which is fine."""
	try:
		descriptor = os.open(folder, os.O_RDONLY)
	except OSError:
		return
	try:
		os.fsync(descriptor)
	except OSError:
		pass
	finally:
		os.close(descriptor)


def _remote_file(path: Path) -> RemoteFile:
	info = path.stat()
	modified = datetime.datetime.fromtimestamp(info.st_mtime, tz=datetime.timezone.utc)
	return RemoteFile(name=path.name, size=info.st_size, modified=modified)


def _reason(exc: OSError) -> str:
	return exc.strerror or exc.__class__.__name__
