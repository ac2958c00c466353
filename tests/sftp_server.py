"""Real SFTP servers on 127.0.0.1 for the transport tests.

Two kinds, both started and stopped by the test suite itself:

* ``openssh``: Debian's ``/usr/sbin/sshd`` run as root in the foreground with a throw-away
  config, host keys and a chroot (``ForceCommand internal-sftp``) for a dedicated user
  ``cbsftp`` (created if missing; its password is random per run and locked afterwards).
  Needs root and the openssh-server package.
* ``asyncssh``: an asyncssh SFTP server in a background thread, chrooted to a temporary folder;
  the fallback where sshd cannot run.

Either kind records, for the tests, how many logins it accepted and which files were opened for
writing or renamed, so atomic uploads can be proven from the server's side.
"""

import asyncio
import contextlib
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

SERVER_KINDS = ("openssh", "asyncssh")
SSHD = "/usr/sbin/sshd"
TEST_USER = "cbsftp"
START_TIMEOUT = 15.0


class ServerUnavailable(Exception):
	"""This kind of server cannot run on this machine (reason in the message)."""


@dataclass(frozen=True)
class KeyPair:
	private_pem: str
	public_line: str  # "ssh-ed25519 AAAA..."


def make_ed25519_key(passphrase: str = "") -> KeyPair:
	key = ed25519.Ed25519PrivateKey.generate()
	return _key_pair(key, passphrase)


def make_rsa_key() -> KeyPair:
	return _key_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048), "")


def _key_pair(key, passphrase: str) -> KeyPair:
	encryption = (
		serialization.BestAvailableEncryption(passphrase.encode())
		if passphrase
		else serialization.NoEncryption()
	)
	private_pem = key.private_bytes(
		serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption
	)
	public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
	return KeyPair(private_pem.decode("ascii"), public.decode("ascii"))


@dataclass
class SftpTestServer:
	"""A running server and everything a test needs to log in and look at its disk."""

	kind: str
	description: str
	host: str
	port: int
	username: str
	password: str
	client_key: KeyPair  # authorized, unencrypted
	encrypted_client_key: KeyPair  # authorized, encrypted with client_key_passphrase
	client_key_passphrase: str
	host_keys: dict[str, str]  # key type -> public line the server presents
	root: Path  # the folder the user sees as "/"
	_uid: int = -1
	_gid: int = -1
	_events: list[tuple[str, ...]] = field(default_factory=list)
	_logins: list[str] = field(default_factory=list)
	_password_attempts: list[str] = field(default_factory=list)
	_log_path: Path | None = None
	_syslog: "_SyslogCollector | None" = None

	def make_folder(self, relative: str) -> Path:
		"""A folder under the chroot, owned by the login user, returned as a path on disk."""
		path = self.root / relative.strip("/")
		path.mkdir(parents=True, exist_ok=True)
		if self._uid >= 0:
			current = self.root
			for part in Path(relative.strip("/")).parts:
				current = current / part
				os.chown(current, self._uid, self._gid)
		return path

	def place_file(self, path: Path, data: bytes, mtime: float | None = None) -> Path:
		"""Put a file on the server's disk, as the clearinghouse would."""
		path.write_bytes(data)
		if self._uid >= 0:
			os.chown(path, self._uid, self._gid)
		if mtime is not None:
			os.utime(path, (mtime, mtime))
		return path

	def file_events(self) -> list[tuple[str, ...]]:
		"""("write", path) and ("rename", old, new) in the order the server saw them (paths as the user sees them)."""
		if self._syslog is not None:
			return _openssh_file_events(self._syslog.text())
		return list(self._events)

	def accepted_logins(self) -> list[str]:
		"""One entry per successful login, naming the method ("password" / "publickey")."""
		if self._log_path is not None:
			return re.findall(r"Accepted (\w+) for " + re.escape(self.username), self._log_path.read_text())
		return list(self._logins)

	def password_attempts(self) -> int:
		"""How many times a client sent a password, right or wrong."""
		if self._log_path is not None:
			pattern = r"(?:Accepted|Failed) password for (?:invalid user )?\S+ from"
			return len(re.findall(pattern, self._log_path.read_text(errors="replace")))
		return len(self._password_attempts)

	def log_text(self) -> str:
		if self._log_path is None:
			return "(asyncssh server: no log)"
		sftp_log = self._syslog.text() if self._syslog else ""
		return self._log_path.read_text(errors="replace") + sftp_log


def openssh_unavailable_reason() -> str | None:
	if not hasattr(os, "geteuid") or os.geteuid() != 0:
		return "not running as root, which sshd with ChrootDirectory needs"
	if not os.access(SSHD, os.X_OK):
		return f"{SSHD} is missing (apt-get install openssh-server)"
	return None


def asyncssh_unavailable_reason() -> str | None:
	try:
		import asyncssh  # noqa: F401
	except ImportError:
		return "the asyncssh package is not installed (pip install asyncssh)"
	return None


def unavailable_reason(kind: str) -> str | None:
	return openssh_unavailable_reason() if kind == "openssh" else asyncssh_unavailable_reason()


@contextlib.contextmanager
def running_server(kind: str) -> Iterator[SftpTestServer]:
	"""Start a server of ``kind``; raise ServerUnavailable if this machine cannot run it."""
	reason = unavailable_reason(kind)
	if reason:
		raise ServerUnavailable(f"{kind} SFTP server unavailable: {reason}")
	starter = _run_openssh if kind == "openssh" else _run_asyncssh
	with starter() as server:
		yield server


# OpenSSH


def _root_owned_base() -> Path:
	"""A parent for the chroot whose every component is root-owned and not group/world
	writable, as sshd demands; /tmp (mode 1777) is not one."""
	for candidate in ("/run", "/var/lib", "/srv", "/opt"):
		path = Path(candidate)
		if path.is_dir() and _safe_for_chroot(path):
			return path
	raise ServerUnavailable("no root-owned, non-writable folder (like /run) to hold the sshd chroot")


def _safe_for_chroot(path: Path) -> bool:
	for component in [path, *path.parents]:
		info = component.stat()
		if info.st_uid != 0 or info.st_mode & 0o022:
			return False
	return True


def _ensure_test_user(password: str) -> pwd.struct_passwd:
	try:
		pwd.getpwnam(TEST_USER)
	except KeyError:
		subprocess.run(
			[
				"useradd",
				"--system",
				"--no-create-home",
				"--home-dir",
				"/nonexistent",
				"--shell",
				"/usr/sbin/nologin",
				TEST_USER,
			],
			check=True,
			capture_output=True,
		)
	subprocess.run(
		["chpasswd"], input=f"{TEST_USER}:{password}\n", text=True, check=True, capture_output=True
	)
	return pwd.getpwnam(TEST_USER)


def _lock_test_user() -> None:
	subprocess.run(["usermod", "--lock", TEST_USER], capture_output=True)


def _free_port() -> int:
	with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
		probe.bind(("127.0.0.1", 0))
		return probe.getsockname()[1]


def _wait_for_banner(port: int, process: subprocess.Popen | None, deadline: float) -> None:
	while time.monotonic() < deadline:
		if process is not None and process.poll() is not None:
			raise RuntimeError(f"sshd exited with code {process.returncode} before accepting connections")
		try:
			with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
				if sock.recv(4).startswith(b"SSH-"):
					return
		except OSError:
			time.sleep(0.05)
	raise RuntimeError(f"no SSH banner on 127.0.0.1:{port} within {START_TIMEOUT:g} seconds")


_SSHD_CONFIG = """\
ListenAddress 127.0.0.1
Port {port}
HostKey {workdir}/etc/ssh_host_ed25519_key
HostKey {workdir}/etc/ssh_host_rsa_key
PidFile {workdir}/sshd.pid
UsePAM no
PasswordAuthentication yes
PubkeyAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers {user}
AuthorizedKeysFile {workdir}/keys/%u
StrictModes yes
MaxAuthTries 4
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTunnel no
LogLevel VERBOSE
Subsystem sftp internal-sftp -l INFO
ChrootDirectory {workdir}/chroot
ForceCommand internal-sftp -l INFO
"""


@contextlib.contextmanager
def _run_openssh() -> Iterator[SftpTestServer]:
	password = secrets.token_urlsafe(18)
	user = _ensure_test_user(password)
	# sshd refuses to start without its privilege separation folder; containers often lack it.
	Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
	workdir = Path(tempfile.mkdtemp(prefix="claims-billing-sftp-", dir=_root_owned_base()))
	process = None
	log_handle = None
	syslog = None
	try:
		os.chmod(workdir, 0o755)
		(workdir / "etc").mkdir(mode=0o700)
		(workdir / "keys").mkdir(mode=0o755)
		chroot = workdir / "chroot"
		chroot.mkdir(mode=0o755)
		# The chrooted internal-sftp logs file operations to syslog: give it a /dev/log to talk to.
		(chroot / "dev").mkdir(mode=0o755)
		syslog = _SyslogCollector(chroot / "dev" / "log")
		host_ed25519, host_rsa = make_ed25519_key(), make_rsa_key()
		for name, pair in (("ssh_host_ed25519_key", host_ed25519), ("ssh_host_rsa_key", host_rsa)):
			key_path = workdir / "etc" / name
			key_path.write_text(pair.private_pem)
			key_path.chmod(0o600)
		client_key = make_ed25519_key()
		passphrase = secrets.token_urlsafe(12)
		encrypted_client_key = make_ed25519_key(passphrase)
		authorized = workdir / "keys" / TEST_USER
		authorized.write_text(f"{client_key.public_line}\n{encrypted_client_key.public_line}\n")
		authorized.chmod(0o644)
		version = subprocess.run([SSHD, "-V"], capture_output=True, text=True).stderr.strip().split(",")[0]
		log_path = workdir / "sshd.log"
		for _attempt in range(3):
			port = _free_port()
			config = workdir / "sshd_config"
			config.write_text(_SSHD_CONFIG.format(port=port, workdir=workdir, user=TEST_USER))
			log_handle = open(log_path, "ab")
			process = subprocess.Popen(
				[SSHD, "-D", "-e", "-f", str(config)], stdout=log_handle, stderr=subprocess.STDOUT
			)
			try:
				_wait_for_banner(port, process, time.monotonic() + START_TIMEOUT)
				break
			except RuntimeError as exc:
				failure = exc
				_stop_process(process)
				process = None
				log_handle.close()
		if process is None:
			raise RuntimeError(f"sshd did not start: {failure}\n{log_path.read_text(errors='replace')}")
		yield SftpTestServer(
			kind="openssh",
			description=f"{version} sshd as root on 127.0.0.1:{port}, chroot {chroot}, user {TEST_USER}",
			host="127.0.0.1",
			port=port,
			username=TEST_USER,
			password=password,
			client_key=client_key,
			encrypted_client_key=encrypted_client_key,
			client_key_passphrase=passphrase,
			host_keys={"ssh-ed25519": host_ed25519.public_line, "ssh-rsa": host_rsa.public_line},
			root=chroot,
			_uid=user.pw_uid,
			_gid=user.pw_gid,
			_log_path=log_path,
			_syslog=syslog,
		)
	finally:
		if syslog is not None:
			syslog.stop()
		if process is not None:
			_stop_process(process)
		if log_handle is not None:
			log_handle.close()
		_lock_test_user()
		shutil.rmtree(workdir, ignore_errors=True)


class _SyslogCollector:
	"""A tiny syslog receiver on a Unix datagram socket, drained by a thread so senders never block."""

	def __init__(self, path: Path):
		self._lines: list[str] = []
		self._lock = threading.Lock()
		self._stopping = threading.Event()
		self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
		self._socket.bind(str(path))
		os.chmod(path, 0o666)
		self._socket.settimeout(0.2)
		self._thread = threading.Thread(target=self._receive, name="sftp-syslog", daemon=True)
		self._thread.start()

	def _receive(self) -> None:
		while not self._stopping.is_set():
			try:
				message = self._socket.recv(65536)
			except TimeoutError:
				continue
			except OSError:
				return
			with self._lock:
				self._lines.append(message.decode("utf-8", "replace"))

	def text(self, settle: float = 0.3) -> str:
		"""Everything received so far, after a short pause for datagrams still in flight."""
		time.sleep(settle)
		with self._lock:
			return "\n".join(self._lines) + "\n"

	def stop(self) -> None:
		self._stopping.set()
		self._thread.join(timeout=5)
		self._socket.close()


def _stop_process(process: subprocess.Popen) -> None:
	process.terminate()
	try:
		process.wait(timeout=10)
	except subprocess.TimeoutExpired:
		process.kill()
		process.wait(timeout=10)


_OPEN_FOR_WRITE = re.compile(r'open "(?P<path>[^"]+)" flags (?P<flags>\S+)')
_RENAME = re.compile(r'(?:posix-)?rename old "(?P<old>[^"]+)" new "(?P<new>[^"]+)"')


_FAILURE = re.compile(r"sent status (?!Success)")


def _openssh_file_events(log: str) -> list[tuple[str, ...]]:
	"""internal-sftp logs each request, then "sent status ..." right after it only when it failed."""
	events: list[tuple[str, ...]] = []
	for line in log.splitlines():
		if match := _OPEN_FOR_WRITE.search(line):
			if "WRITE" in match["flags"]:
				events.append(("write", match["path"]))
		elif match := _RENAME.search(line):
			events.append(("rename", match["old"], match["new"]))
		elif _FAILURE.search(line) and events and events[-1][0] in ("write", "rename"):
			events[-1] = (events[-1][0] + "-failed", *events[-1][1:])
	return events


# asyncssh


@contextlib.contextmanager
def _run_asyncssh() -> Iterator[SftpTestServer]:
	import asyncssh

	root = Path(tempfile.mkdtemp(prefix="claims-billing-sftp-asyncssh-"))
	password = secrets.token_urlsafe(18)
	host_ed25519, host_rsa = make_ed25519_key(), make_rsa_key()
	client_key = make_ed25519_key()
	passphrase = secrets.token_urlsafe(12)
	encrypted_client_key = make_ed25519_key(passphrase)
	events: list[tuple[str, ...]] = []
	logins: list[str] = []
	password_attempts: list[str] = []

	class RecordingSFTPServer(asyncssh.SFTPServer):
		def __init__(self, chan):
			super().__init__(chan, chroot=str(root).encode())

		def open(self, path, pflags, attrs):
			if pflags & asyncssh.FXF_WRITE:
				events.append(("write", path.decode()))
			return super().open(path, pflags, attrs)

		def rename(self, oldpath, newpath):
			try:
				result = super().rename(oldpath, newpath)
			except Exception:
				events.append(("rename-failed", oldpath.decode(), newpath.decode()))
				raise
			events.append(("rename", oldpath.decode(), newpath.decode()))
			return result

	authorized_keys = {
		asyncssh.import_public_key(pair.public_line).public_data
		for pair in (client_key, encrypted_client_key)
	}

	class PasswordOrKeyServer(asyncssh.SSHServer):
		method = ""

		def begin_auth(self, username):
			return True

		def password_auth_supported(self):
			return True

		def validate_password(self, username, given):
			password_attempts.append(username)
			accepted = username == TEST_USER and secrets.compare_digest(given, password)
			self.method = "password" if accepted else self.method
			return accepted

		def public_key_auth_supported(self):
			return True

		def validate_public_key(self, username, key):
			# asyncssh checks the signature itself; this only says whether the key is authorized.
			accepted = username == TEST_USER and key.public_data in authorized_keys
			self.method = "publickey" if accepted else self.method
			return accepted

		def auth_completed(self):
			logins.append(self.method)

	async def start():
		return await asyncssh.listen(
			"127.0.0.1",
			0,
			server_host_keys=[
				asyncssh.import_private_key(host_ed25519.private_pem),
				asyncssh.import_private_key(host_rsa.private_pem),
			],
			server_factory=PasswordOrKeyServer,
			sftp_factory=RecordingSFTPServer,
			allow_scp=False,
		)

	loop = asyncio.new_event_loop()
	thread = threading.Thread(target=loop.run_forever, name="asyncssh-sftp-test-server", daemon=True)
	thread.start()
	listener = None
	try:
		listener = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=START_TIMEOUT)
		port = listener.sockets[0].getsockname()[1]
		yield SftpTestServer(
			kind="asyncssh",
			description=f"asyncssh {asyncssh.__version__} SFTP server on 127.0.0.1:{port}, chroot {root}",
			host="127.0.0.1",
			port=port,
			username=TEST_USER,
			password=password,
			client_key=client_key,
			encrypted_client_key=encrypted_client_key,
			client_key_passphrase=passphrase,
			host_keys={"ssh-ed25519": host_ed25519.public_line, "ssh-rsa": host_rsa.public_line},
			root=root,
			_events=events,
			_logins=logins,
			_password_attempts=password_attempts,
		)
	finally:
		if listener is not None:

			async def shut_down():
				listener.close()
				await listener.wait_closed()
				# Sessions a test left open would otherwise die noisily with the loop.
				others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
				for task in others:
					task.cancel()
				await asyncio.gather(*others, return_exceptions=True)

			asyncio.run_coroutine_threadsafe(shut_down(), loop).result(timeout=START_TIMEOUT)
		loop.call_soon_threadsafe(loop.stop)
		thread.join(timeout=START_TIMEOUT)
		loop.close()
		shutil.rmtree(root, ignore_errors=True)
