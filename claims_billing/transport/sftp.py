"""Clearinghouse transport over SFTP (paramiko).

Host key policy. A billing app must not send a password to whoever answers on port 22, so the
server's key is checked before any credential is sent:

* a pinned ``known_host_key`` (an OpenSSH public key line, ``ssh-ed25519 AAAA...``, optionally
  with a leading host name as in known_hosts) must match exactly, else TransportHostKeyMismatch;
* with no pinned key, policy ``"pinned"`` (the default) refuses with TransportHostKeyUnknown,
  which carries the presented key and its fingerprint so staff can confirm and save it;
* policy ``"trust_on_first_use"`` accepts the key when none is pinned and exposes it as
  ``SftpTransport.server_host_key`` for the caller to persist as the pin for later runs.
"""

import base64
import binascii
import datetime
import errno
import hashlib
import io
import logging
import posixpath
import socket
import stat
from dataclasses import dataclass

import paramiko

from claims_billing.transport.base import (
	PARTIAL_SUFFIX,
	SECRET_MASK,
	ConnectionCheck,
	RemoteFile,
	Transport,
	TransportAuthFailed,
	TransportConfigError,
	TransportError,
	TransportFileExists,
	TransportHostKeyMismatch,
	TransportHostKeyUnknown,
	TransportNotFound,
	TransportUnreachable,
	archive_names,
	check_file_name,
	is_listable,
	mask_secrets,
	outbound_file_name,
)

logger = logging.getLogger(__name__)

HOST_KEY_PINNED = "pinned"
HOST_KEY_TRUST_ON_FIRST_USE = "trust_on_first_use"
HOST_KEY_POLICIES = (HOST_KEY_PINNED, HOST_KEY_TRUST_ON_FIRST_USE)

# Signature algorithms a server may use to prove it holds a key of each type; restricting the
# handshake to them makes a server that also has other key types present the pinned one.
_SIGNATURE_ALGORITHMS = {
	"ssh-ed25519": ("ssh-ed25519",),
	"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"),
	"ecdsa-sha2-nistp256": ("ecdsa-sha2-nistp256",),
	"ecdsa-sha2-nistp384": ("ecdsa-sha2-nistp384",),
	"ecdsa-sha2-nistp521": ("ecdsa-sha2-nistp521",),
}
_PRIVATE_KEY_CLASSES = (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey)
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


@dataclass(frozen=True)
class SftpSettings:
	host: str
	username: str
	port: int = 22
	password: str = ""
	private_key: str = ""  # PEM / OpenSSH private key text
	private_key_passphrase: str = ""
	known_host_key: str = ""  # pinned "ssh-ed25519 AAAA..." line
	host_key_policy: str = HOST_KEY_PINNED
	outbound_folder: str = "outbound"
	inbound_folder: str = "inbound"
	archive_folder: str = ""  # empty: an "archive" folder inside the inbound folder
	file_name_pattern: str = "{sender}_{icn}_{date:%Y%m%d}.837"
	connect_timeout: float = 15.0
	operation_timeout: float = 120.0  # longest wait for one SFTP answer once connected

	def __repr__(self) -> str:
		def masked(value: str) -> str:
			return repr(SECRET_MASK) if value else "''"

		return (
			f"SftpSettings(host={self.host!r}, port={self.port!r}, username={self.username!r}, "
			f"password={masked(self.password)}, private_key={masked(self.private_key)}, "
			f"private_key_passphrase={masked(self.private_key_passphrase)}, "
			f"known_host_key={self.known_host_key!r}, host_key_policy={self.host_key_policy!r}, "
			f"outbound_folder={self.outbound_folder!r}, inbound_folder={self.inbound_folder!r}, "
			f"archive_folder={self.archive_path!r}, file_name_pattern={self.file_name_pattern!r}, "
			f"connect_timeout={self.connect_timeout!r}, operation_timeout={self.operation_timeout!r})"
		)

	@property
	def location(self) -> str:
		return f"{self.host}:{self.port}"

	@property
	def archive_path(self) -> str:
		return self.archive_folder or posixpath.join(self.inbound_folder, "archive")

	def secrets(self) -> tuple[str, ...]:
		return (self.password, self.private_key_passphrase, self.private_key)

	def outbound_file_name(self, **values) -> str:
		return outbound_file_name(self.file_name_pattern, **values)

	def validate(self) -> None:
		if not self.host:
			raise TransportConfigError("The SFTP host is not set.")
		if not self.username:
			raise TransportConfigError("The SFTP user name is not set.")
		if not isinstance(self.port, int) or not 0 < self.port < 65536:
			raise TransportConfigError(f"The SFTP port {self.port!r} is not a port number (1-65535).")
		if not self.password and not self.private_key:
			raise TransportConfigError("Neither an SFTP password nor a private key is set.")
		if self.host_key_policy not in HOST_KEY_POLICIES:
			raise TransportConfigError(
				f"Host key policy {self.host_key_policy!r} is unknown; use one of {', '.join(HOST_KEY_POLICIES)}."
			)
		for label, timeout in (("connect", self.connect_timeout), ("operation", self.operation_timeout)):
			if not isinstance(timeout, (int, float)) or timeout <= 0:
				raise TransportConfigError(
					f"The {label} timeout {timeout!r} must be a positive number of seconds."
				)
		if not self.outbound_folder or not self.inbound_folder:
			raise TransportConfigError("Both the SFTP outbound and inbound folders must be set.")
		if self.known_host_key:
			parse_host_key_line(self.known_host_key)


@dataclass(frozen=True)
class HostKey:
	key_type: str
	blob: bytes

	@property
	def line(self) -> str:
		return f"{self.key_type} {base64.b64encode(self.blob).decode('ascii')}"

	@property
	def fingerprint(self) -> str:
		digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode("ascii").rstrip("=")
		return f"SHA256:{digest}"


def parse_host_key_line(line: str) -> HostKey:
	"""Read ``[host] key-type base64 [comment]`` as written by ssh-keyscan or in a .pub file."""
	words = line.split()
	for position, word in enumerate(words[:-1]):
		if word in _SIGNATURE_ALGORITHMS:
			try:
				blob = base64.b64decode(words[position + 1], validate=True)
			except (binascii.Error, ValueError):
				break
			return HostKey(word, blob)
	supported = ", ".join(_SIGNATURE_ALGORITHMS)
	raise TransportConfigError(
		f"The pinned host key is not an OpenSSH public key line like 'ssh-ed25519 AAAA...' (types: {supported})."
	)


def load_private_key(text: str, passphrase: str = "") -> paramiko.PKey:
	"""Parse private key text of any supported type; errors never repeat the key or passphrase."""
	needs_passphrase = False
	for key_class in _PRIVATE_KEY_CLASSES:
		try:
			return key_class.from_private_key(io.StringIO(text), password=passphrase or None)
		except paramiko.PasswordRequiredException:
			needs_passphrase = True
		except (paramiko.SSHException, ValueError, TypeError, IndexError):
			continue
	if needs_passphrase and not passphrase:
		raise TransportConfigError("The SFTP private key is encrypted and no passphrase is set.")
	raise TransportConfigError(
		"The SFTP private key could not be read: it is not an Ed25519, ECDSA or RSA key in PEM/OpenSSH "
		"format, or the passphrase is wrong."
	)


class SftpTransport(Transport):
	def __init__(self, settings: SftpSettings):
		settings.validate()
		self.settings = settings
		self.server_host_key: str | None = None
		self._connection: paramiko.Transport | None = None
		self._sftp: paramiko.SFTPClient | None = None

	def __repr__(self) -> str:
		state = "connected" if self._sftp is not None else "not connected"
		return f"SftpTransport({self.settings.username}@{self.settings.location}, {state})"

	# connection

	def open(self) -> None:
		if self._sftp is not None:
			return
		settings = self.settings
		pinned = parse_host_key_line(settings.known_host_key) if settings.known_host_key else None
		private_key = (
			load_private_key(settings.private_key, settings.private_key_passphrase)
			if settings.private_key
			else None
		)
		connection = self._handshake(pinned)
		try:
			self._verify_host_key(connection, pinned)
			self._authenticate(connection, private_key)
			self._sftp = paramiko.SFTPClient.from_transport(connection)
			self._sftp.get_channel().settimeout(settings.operation_timeout)
		except TransportError:
			connection.close()
			raise
		except (paramiko.SSHException, EOFError, OSError) as exc:
			connection.close()
			raise TransportUnreachable(
				self._safe(f"Lost the connection to {settings.location}: {exc}")
			) from None
		self._connection = connection
		logger.info("Connected to %s as %s", settings.location, settings.username)

	def close(self) -> None:
		sftp, connection = self._sftp, self._connection
		self._sftp = self._connection = None
		if sftp is not None:
			sftp.close()
		if connection is not None:
			connection.close()

	def _handshake(self, pinned: HostKey | None) -> paramiko.Transport:
		settings = self.settings
		timeout = settings.connect_timeout
		where = f"Could not reach {settings.location}"
		try:
			sock = socket.create_connection((settings.host, settings.port), timeout=timeout)
		except socket.gaierror:
			raise TransportUnreachable(f"{where}: the host name could not be resolved.") from None
		except ConnectionRefusedError:
			raise TransportUnreachable(f"{where}: connection refused.") from None
		except TimeoutError:
			raise TransportUnreachable(f"{where}: no answer within {timeout:g} seconds.") from None
		except OSError as exc:
			raise TransportUnreachable(f"{where}: {exc.strerror or exc}.") from None
		connection = paramiko.Transport(sock)
		connection.banner_timeout = connection.handshake_timeout = connection.auth_timeout = timeout
		if pinned is not None:
			# Ask only for the pinned key's type, so a server with several keys shows that one.
			offered = connection.get_security_options().key_types
			connection.get_security_options().key_types = [
				name for name in _SIGNATURE_ALGORITHMS[pinned.key_type] if name in offered
			]
		try:
			connection.start_client(timeout=timeout)
		except paramiko.SSHException as exc:
			connection.close()
			text = str(exc)
			if pinned is not None and "host key" in text.lower():
				raise TransportHostKeyMismatch(
					f"{settings.location} has no {pinned.key_type} host key, but one is pinned in the settings: "
					"the server may have been replaced or this is not the clearinghouse. Nothing was sent."
				) from None
			if "banner" in text.lower() or "timed out" in text.lower():
				raise TransportUnreachable(f"{where}: no SSH answer within {timeout:g} seconds.") from None
			raise TransportUnreachable(self._safe(f"{where}: the SSH handshake failed ({text}).")) from None
		except (EOFError, OSError):
			connection.close()
			raise TransportUnreachable(
				f"{where}: the connection was closed during the SSH handshake."
			) from None
		if not connection.is_active() or not connection.initial_kex_done:
			# start_client returns quietly when its timeout runs out mid-handshake.
			connection.close()
			raise TransportUnreachable(f"{where}: no SSH answer within {timeout:g} seconds.")
		return connection

	def _verify_host_key(self, connection: paramiko.Transport, pinned: HostKey | None) -> None:
		key = connection.get_remote_server_key()
		presented = HostKey(key.get_name(), key.asbytes())
		self.server_host_key = presented.line
		location = self.settings.location
		if pinned is not None:
			if presented != pinned:
				raise TransportHostKeyMismatch(
					f"{location} presented host key {presented.fingerprint}, but {pinned.fingerprint} is pinned "
					"in the settings: the server may have been replaced or this is not the clearinghouse. "
					"Nothing was sent. Confirm the new key with the clearinghouse before changing the pin."
				)
			return
		if self.settings.host_key_policy == HOST_KEY_TRUST_ON_FIRST_USE:
			logger.warning("Trusting %s host key %s on first use", location, presented.fingerprint)
			return
		raise TransportHostKeyUnknown(
			f"{location} presented host key {presented.fingerprint} ({presented.key_type}), and no host key is "
			"pinned in the settings. Confirm the fingerprint with the clearinghouse, then save the key.",
			host_key=presented.line,
			fingerprint=presented.fingerprint,
		)

	def _authenticate(self, connection: paramiko.Transport, private_key: paramiko.PKey | None) -> None:
		settings = self.settings
		tried = []
		refusal = "refused"
		if private_key is not None:
			tried.append("private key")
			try:
				connection.auth_publickey(settings.username, private_key)
			except paramiko.BadAuthenticationType as exc:
				refusal = f"does not accept it (allows: {', '.join(exc.allowed_types) or 'nothing'})"
			except paramiko.AuthenticationException:
				pass
		if not connection.is_authenticated() and settings.password:
			tried.append("password")
			try:
				connection.auth_password(settings.username, settings.password)
			except paramiko.BadAuthenticationType as exc:
				refusal = f"does not accept it (allows: {', '.join(exc.allowed_types) or 'nothing'})"
			except paramiko.AuthenticationException:
				pass
		if not connection.is_authenticated():
			raise TransportAuthFailed(
				f"{settings.location} {refusal} the login for user {settings.username!r} with the saved "
				f"{' and '.join(tried)}."
			)

	def _client(self) -> paramiko.SFTPClient:
		self.open()
		assert self._sftp is not None
		return self._sftp

	# file operations

	def upload(self, name: str, data: bytes) -> RemoteFile:
		check_file_name(name)
		if not isinstance(data, (bytes, bytearray, memoryview)):
			raise TypeError(f"upload data for {name} must be bytes, not {type(data).__name__}")
		sftp = self._client()
		folder = self.settings.outbound_folder
		final = posixpath.join(folder, name)
		partial = final + PARTIAL_SUFFIX
		exists_message = (
			f"{name} is already in outbound folder {folder} on {self.settings.location}; "
			"a sent batch is never overwritten."
		)
		with self._errors(f"upload {name} to outbound folder {folder}", folder=folder):
			if self._stat(final) is not None:
				raise TransportFileExists(exists_message)
			# confirm=True compares the written size with len(data) before we rename.
			sftp.putfo(io.BytesIO(data), partial, file_size=len(data), confirm=True)
			try:
				sftp.rename(partial, final)  # SFTP rename refuses to replace an existing file
			except OSError:
				taken = self._stat(final) is not None
				self._remove_quietly(partial)
				if taken:
					raise TransportFileExists(exists_message) from None
				raise
			attributes = sftp.stat(final)
		logger.info("Uploaded %s (%d bytes) to %s:%s", name, len(data), self.settings.location, folder)
		return _remote_file(name, attributes)

	def list_inbound(self) -> list[RemoteFile]:
		folder = self.settings.inbound_folder
		with self._errors(f"list inbound folder {folder}", folder=folder):
			entries = self._client().listdir_attr(folder)
		files = [
			_remote_file(entry.filename, entry)
			for entry in entries
			if is_listable(entry.filename) and (entry.st_mode is None or stat.S_ISREG(entry.st_mode))
		]
		return sorted(files, key=lambda file: (file.modified or _EPOCH, file.name))

	def download(self, name: str) -> bytes:
		check_file_name(name)
		path = posixpath.join(self.settings.inbound_folder, name)
		buffer = io.BytesIO()
		with self._errors(f"download {name} from inbound folder {self.settings.inbound_folder}", path=path):
			self._client().getfo(path, buffer, prefetch=True)
		return buffer.getvalue()

	def archive_inbound(self, name: str) -> str:
		check_file_name(name)
		sftp = self._client()
		source = posixpath.join(self.settings.inbound_folder, name)
		archive = self.settings.archive_path
		with self._errors(f"archive {name} into {archive}", path=source):
			if self._stat(source) is None:
				raise TransportNotFound(
					f"{name} is not in inbound folder {self.settings.inbound_folder} on {self.settings.location}; "
					"nothing to archive."
				)
			if self._stat(archive) is None:
				with self._errors(
					f"create archive folder {archive}", folder=posixpath.dirname(archive) or "."
				):
					sftp.mkdir(archive)
			for candidate in archive_names(name):
				target = posixpath.join(archive, candidate)
				if self._stat(target) is not None:
					continue
				try:
					sftp.rename(source, target)
				except OSError:
					if self._stat(target) is not None:
						continue  # someone took the name between our look and the rename
					raise
				logger.info("Archived inbound %s as %s on %s", name, target, self.settings.location)
				return candidate
		raise TransportFileExists(f"Archive folder {archive} already holds too many copies of {name}.")

	def check(self) -> ConnectionCheck:
		sftp = self._client()
		settings = self.settings
		counts = {}
		for what, folder in (("outbound", settings.outbound_folder), ("inbound", settings.inbound_folder)):
			with self._errors(f"list {what} folder {folder}", folder=folder):
				counts[what] = sum(
					1
					for entry in sftp.listdir_attr(folder)
					if is_listable(entry.filename) and (entry.st_mode is None or stat.S_ISREG(entry.st_mode))
				)
		with self._errors(f"look for archive folder {settings.archive_path}"):
			archive_exists = self._stat(settings.archive_path) is not None
		return ConnectionCheck(
			location=f"{settings.username}@{settings.location}",
			outbound_folder=settings.outbound_folder,
			inbound_folder=settings.inbound_folder,
			outbound_file_count=counts["outbound"],
			inbound_file_count=counts["inbound"],
			archive_folder_exists=archive_exists,
			server_host_key=self.server_host_key,
		)

	# helpers

	def _stat(self, path: str) -> paramiko.SFTPAttributes | None:
		assert self._sftp is not None
		try:
			return self._sftp.stat(path)
		except FileNotFoundError:
			return None
		except OSError as exc:
			if exc.errno == errno.ENOENT:
				return None
			raise

	def _remove_quietly(self, path: str) -> None:
		assert self._sftp is not None
		try:
			self._sftp.remove(path)
		except OSError:
			logger.warning("Could not remove unfinished upload %s on %s", path, self.settings.location)

	def _safe(self, text: str) -> str:
		return mask_secrets(text, self.settings.secrets())

	def _errors(self, action: str, folder: str | None = None, path: str | None = None) -> "_SftpErrors":
		return _SftpErrors(self, action, folder, path)


class _SftpErrors:
	"""Turns paramiko and socket errors inside one file operation into staff-readable TransportErrors."""

	def __init__(self, transport: SftpTransport, action: str, folder: str | None, path: str | None):
		self.transport = transport
		self.action = action
		self.folder = folder
		self.path = path

	def __enter__(self) -> None:
		return None

	def __exit__(self, exc_type, exc, traceback) -> bool:
		if not isinstance(exc, (OSError, EOFError, paramiko.SSHException, paramiko.SFTPError)):
			return False  # TransportErrors and programming errors pass through unchanged
		transport = self.transport
		location = transport.settings.location
		connection = transport._connection
		dropped = connection is None or not connection.is_active()
		if dropped or not _is_sftp_status(exc):
			transport.close()
			raise TransportUnreachable(
				transport._safe(f"Lost the connection to {location} while trying to {self.action}: {exc}.")
			) from None
		if isinstance(exc, OSError):
			if exc.errno == errno.ENOENT:
				missing = f"folder {self.folder}" if self.folder else self.path or "the file"
				raise TransportNotFound(
					f"Could not {self.action} on {location}: {missing} does not exist."
				) from None
			if exc.errno == errno.EACCES:
				raise TransportError(f"Could not {self.action} on {location}: permission denied.") from None
			reason = exc.strerror or (exc.args[0] if exc.args else type(exc).__name__)
			raise TransportError(
				transport._safe(f"Could not {self.action} on {location}: {reason}.")
			) from None
		if isinstance(exc, paramiko.SFTPError):
			raise TransportError(
				transport._safe(f"Could not {self.action} on {location}: unexpected SFTP answer ({exc}).")
			) from None
		return False


def _is_sftp_status(exc: BaseException) -> bool:
	"""paramiko reports an SFTP status (no such file, failure...) as a plain OSError or its errno
	subclass; timeouts, resets and other socket trouble are different OSError subclasses."""
	return type(exc) in (OSError, FileNotFoundError, PermissionError) or isinstance(exc, paramiko.SFTPError)


def _remote_file(name: str, attributes: paramiko.SFTPAttributes) -> RemoteFile:
	modified = None
	if attributes.st_mtime is not None:
		modified = datetime.datetime.fromtimestamp(attributes.st_mtime, tz=datetime.timezone.utc)
	return RemoteFile(name=name, size=attributes.st_size or 0, modified=modified)
