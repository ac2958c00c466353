"""SftpTransport against real SFTP servers on 127.0.0.1 started by this module.

Every server-backed test runs once per server kind (OpenSSH sshd, asyncssh). A kind this machine
cannot run is skipped with its reason, but only while the other kind runs; if neither can start
the tests fail.
"""

import datetime
import hashlib
import logging
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from claims_billing.transport.base import (
	TransportAuthFailed,
	TransportConfigError,
	TransportFileExists,
	TransportHostKeyMismatch,
	TransportHostKeyUnknown,
	TransportNotFound,
	TransportUnreachable,
)
from claims_billing.transport.sftp import (
	HOST_KEY_TRUST_ON_FIRST_USE,
	SftpSettings,
	SftpTransport,
	parse_host_key_line,
)
from tests import sftp_server


def _samples_folder() -> Path:
	beside_repo = Path(__file__).resolve().parents[3] / "shared" / "x12-samples"
	return beside_repo if beside_repo.is_dir() else Path("/work/shared/x12-samples")


SAMPLES = _samples_folder()
BATCH_837 = SAMPLES / "837p" / "eight-claims-lt-component-sep.x12"
ERA_835 = SAMPLES / "835" / "emedny-professional-with-payment.x12"
ACK_999 = SAMPLES / "999" / "emedny-accepted-pipe-component-sep.x12"
ACK_277CA = SAMPLES / "277ca" / "emedny-accepted-A1-A2.x12"


def _announce(request, text: str) -> None:
	"""Say which server runs, past pytest's output capture so it shows in every run."""
	plugins = request.config.pluginmanager
	reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
	if reporter is None or capture is None:
		print(text)
		return
	with capture.global_and_fixture_disabled():
		reporter.write_line("")
		reporter.write_line(text)


@pytest.fixture(scope="module", params=sftp_server.SERVER_KINDS)
def server(request):
	kind = request.param
	reason = sftp_server.unavailable_reason(kind)
	if reason:
		usable = [other for other in sftp_server.SERVER_KINDS if not sftp_server.unavailable_reason(other)]
		if not usable:
			reasons = "; ".join(f"{k}: {sftp_server.unavailable_reason(k)}" for k in sftp_server.SERVER_KINDS)
			pytest.fail(f"No SFTP test server can run on this machine ({reasons}).")
		pytest.skip(
			f"{kind} SFTP server not usable here ({reason}); the {', '.join(usable)} server runs instead"
		)
	with sftp_server.running_server(kind) as running:
		_announce(request, f"[transport tests] SFTP test server: {running.description}")
		yield running


@dataclass
class Folders:
	outbound: str  # as the SFTP user sees them
	inbound: str
	archive: str
	disk_outbound: Path  # the same folders on the server's disk
	disk_inbound: Path
	disk_archive: Path


@pytest.fixture
def folders(server, request) -> Folders:
	base = "/" + re.sub(r"\W+", "_", request.node.name)
	return Folders(
		outbound=f"{base}/outbound",
		inbound=f"{base}/inbound",
		archive=f"{base}/inbound/archive",
		disk_outbound=server.make_folder(f"{base}/outbound"),
		disk_inbound=server.make_folder(f"{base}/inbound"),
		disk_archive=server.root / base.strip("/") / "inbound" / "archive",
	)


def settings_for(server, folders: Folders, **overrides) -> SftpSettings:
	values = {
		"host": server.host,
		"port": server.port,
		"username": server.username,
		"password": server.password,
		"known_host_key": server.host_keys["ssh-ed25519"],
		"outbound_folder": folders.outbound,
		"inbound_folder": folders.inbound,
		"connect_timeout": 5.0,
	}
	values.update(overrides)
	return SftpSettings(**values)


def _closed_port() -> int:
	with socket.socket() as probe:
		probe.bind(("127.0.0.1", 0))
		return probe.getsockname()[1]


# uploads


def test_upload_lands_byte_identical_on_the_server_disk(server, folders):
	data = BATCH_837.read_bytes()
	with SftpTransport(settings_for(server, folders)) as transport:
		uploaded = transport.upload("SUBMITTER1_000000001_20240501.837", data)

	on_disk = folders.disk_outbound / "SUBMITTER1_000000001_20240501.837"
	assert on_disk.read_bytes() == data
	assert hashlib.sha256(on_disk.read_bytes()).hexdigest() == (
		"431c1014dec43b09f2629a3548d7a4d99e880b52e2016ab4cf2910bb82e89cdd"
	)
	assert uploaded.name == "SUBMITTER1_000000001_20240501.837"
	assert uploaded.size == 4816
	assert uploaded.modified is not None and uploaded.modified.tzinfo is datetime.timezone.utc
	assert sorted(path.name for path in folders.disk_outbound.iterdir()) == [
		"SUBMITTER1_000000001_20240501.837"
	]


def test_upload_writes_a_partial_file_and_renames_it(server, folders):
	with SftpTransport(settings_for(server, folders)) as transport:
		transport.upload("batch-1.837", BATCH_837.read_bytes())

	final = f"{folders.outbound}/batch-1.837"
	mine = [event for event in server.file_events() if event[1].startswith(folders.outbound)]
	assert mine == [("write", final + ".partial"), ("rename", final + ".partial", final)]


def test_upload_refuses_a_name_that_was_already_sent(server, folders):
	server.place_file(folders.disk_outbound / "batch-2.837", b"ISA*already sent~")
	with SftpTransport(settings_for(server, folders)) as transport:
		with pytest.raises(TransportFileExists) as raised:
			transport.upload("batch-2.837", BATCH_837.read_bytes())

	assert "batch-2.837" in str(raised.value)
	assert "never overwritten" in str(raised.value)
	assert (folders.disk_outbound / "batch-2.837").read_bytes() == b"ISA*already sent~"
	assert sorted(path.name for path in folders.disk_outbound.iterdir()) == ["batch-2.837"]


def test_upload_refuses_when_the_name_appears_during_the_write(server, folders):
	"""Two runs racing for one name: the server's rename must not replace the early run's file."""
	with SftpTransport(settings_for(server, folders)) as transport:
		sftp = transport._sftp
		real_putfo = sftp.putfo

		def rival_writes_first(*args, **kwargs):
			result = real_putfo(*args, **kwargs)
			server.place_file(folders.disk_outbound / "batch-9.837", b"ISA*rival~")
			return result

		sftp.putfo = rival_writes_first
		with pytest.raises(TransportFileExists):
			transport.upload("batch-9.837", BATCH_837.read_bytes())

	assert (folders.disk_outbound / "batch-9.837").read_bytes() == b"ISA*rival~"
	assert sorted(path.name for path in folders.disk_outbound.iterdir()) == ["batch-9.837"]


def test_upload_replaces_a_stale_partial_left_by_a_crashed_run(server, folders):
	server.place_file(folders.disk_outbound / "batch-3.837.partial", b"ISA*half a fi")
	data = BATCH_837.read_bytes()
	with SftpTransport(settings_for(server, folders)) as transport:
		transport.upload("batch-3.837", data)

	assert (folders.disk_outbound / "batch-3.837").read_bytes() == data
	assert sorted(path.name for path in folders.disk_outbound.iterdir()) == ["batch-3.837"]


def test_upload_rejects_a_name_with_a_folder_part(server, folders):
	with SftpTransport(settings_for(server, folders)) as transport:
		with pytest.raises(TransportConfigError, match="path separator"):
			transport.upload("../inbound/evil.837", b"x")
	assert list(folders.disk_inbound.iterdir()) == []


def test_upload_into_a_missing_outbound_folder_names_the_folder(server, folders):
	settings = settings_for(server, folders, outbound_folder=folders.outbound + "/missing")
	with SftpTransport(settings) as transport:
		with pytest.raises(TransportNotFound, match=re.escape(folders.outbound + "/missing")):
			transport.upload("batch-4.837", b"ISA~")


# inbound: list, download, archive


def test_list_download_and_archive_inbound_files(server, folders):
	era, ack = ERA_835.read_bytes(), ACK_999.read_bytes()
	server.place_file(folders.disk_inbound / "era-0001.835", era, mtime=1_714_550_400)  # 2024-05-01 08:00 UTC
	server.place_file(folders.disk_inbound / "ack-0001.999", ack, mtime=1_714_636_800)  # 2024-05-02 08:00 UTC
	server.place_file(folders.disk_inbound / "upload-in-progress.835.partial", b"ISA")
	server.place_file(folders.disk_inbound / ".hidden", b"x")
	server.make_folder(folders.inbound + "/subfolder")

	with SftpTransport(settings_for(server, folders)) as transport:
		listed = transport.list_inbound()
		assert [(file.name, file.size) for file in listed] == [("era-0001.835", 1813), ("ack-0001.999", 284)]
		assert listed[0].modified == datetime.datetime(2024, 5, 1, 8, 0, tzinfo=datetime.timezone.utc)
		assert listed[1].modified == datetime.datetime(2024, 5, 2, 8, 0, tzinfo=datetime.timezone.utc)

		assert transport.download("era-0001.835") == era
		assert transport.download("ack-0001.999") == ack

		assert transport.archive_inbound("era-0001.835") == "era-0001.835"
		assert [file.name for file in transport.list_inbound()] == ["ack-0001.999"]

	assert not (folders.disk_inbound / "era-0001.835").exists()
	assert (folders.disk_archive / "era-0001.835").read_bytes() == era


def test_archive_never_replaces_an_earlier_file_of_the_same_name(server, folders):
	first, second = ERA_835.read_bytes(), ACK_277CA.read_bytes()
	with SftpTransport(settings_for(server, folders)) as transport:
		server.place_file(folders.disk_inbound / "response.x12", first)
		assert transport.archive_inbound("response.x12") == "response.x12"
		server.place_file(folders.disk_inbound / "response.x12", second)
		assert transport.archive_inbound("response.x12") == "response~2.x12"

	assert (folders.disk_archive / "response.x12").read_bytes() == first
	assert (folders.disk_archive / "response~2.x12").read_bytes() == second
	assert list(folders.disk_inbound.glob("*.x12")) == []


def test_download_and_archive_of_a_missing_file_say_which_file(server, folders):
	with SftpTransport(settings_for(server, folders)) as transport:
		with pytest.raises(TransportNotFound, match=r"nothing-here\.835"):
			transport.download("nothing-here.835")
		with pytest.raises(TransportNotFound, match=r"nothing-here\.835"):
			transport.archive_inbound("nothing-here.835")


def test_one_job_run_uses_one_login(server, folders):
	server.place_file(folders.disk_inbound / "era-0002.835", ERA_835.read_bytes())
	before = len(server.accepted_logins())
	with SftpTransport(settings_for(server, folders)) as transport:
		transport.upload("batch-5.837", BATCH_837.read_bytes())
		for file in transport.list_inbound():
			transport.download(file.name)
			transport.archive_inbound(file.name)
		transport.check()
	assert len(server.accepted_logins()) - before == 1


def test_check_counts_files_and_reports_the_host_key(server, folders):
	server.place_file(folders.disk_inbound / "era-0003.835", ERA_835.read_bytes())
	server.place_file(folders.disk_inbound / "ack-0003.999", ACK_999.read_bytes())
	server.place_file(folders.disk_outbound / "batch-6.837", BATCH_837.read_bytes())
	with SftpTransport(settings_for(server, folders)) as transport:
		result = transport.check()

	assert (result.outbound_file_count, result.inbound_file_count) == (1, 2)
	assert result.archive_folder_exists is False
	assert result.server_host_key == " ".join(server.host_keys["ssh-ed25519"].split()[:2])
	assert "2 file(s) to download" in result.summary()


def test_check_names_a_missing_inbound_folder(server, folders):
	settings = settings_for(server, folders, inbound_folder="/no/such/inbound")
	with SftpTransport(settings) as transport:
		with pytest.raises(TransportNotFound, match="/no/such/inbound"):
			transport.check()


# connection failures


def test_a_dropped_connection_is_unreachable_and_the_next_call_reconnects(server, folders):
	server.place_file(folders.disk_inbound / "era-0004.835", ERA_835.read_bytes())
	logins_before = len(server.accepted_logins())
	with SftpTransport(settings_for(server, folders)) as transport:
		transport._connection.close()  # the network goes away under an open session
		with pytest.raises(TransportUnreachable, match=r"Lost the connection to 127\.0\.0\.1"):
			transport.list_inbound()
		assert [file.name for file in transport.list_inbound()] == ["era-0004.835"]
	assert len(server.accepted_logins()) - logins_before == 2


def test_a_closed_port_is_unreachable_within_the_timeout():
	port = _closed_port()
	settings = SftpSettings(host="127.0.0.1", port=port, username="u", password="pw", connect_timeout=3)
	started = time.monotonic()
	with pytest.raises(TransportUnreachable) as raised:
		SftpTransport(settings).open()
	assert time.monotonic() - started < 3
	assert str(raised.value) == f"Could not reach 127.0.0.1:{port}: connection refused."


def test_a_server_that_never_speaks_ssh_times_out():
	with socket.socket() as silent:
		silent.bind(("127.0.0.1", 0))
		silent.listen(1)  # the kernel completes the TCP handshake; nothing ever answers
		port = silent.getsockname()[1]
		settings = SftpSettings(host="127.0.0.1", port=port, username="u", password="pw", connect_timeout=1)
		started = time.monotonic()
		with pytest.raises(TransportUnreachable, match="no SSH answer within 1 seconds"):
			SftpTransport(settings).open()
		assert time.monotonic() - started < 10


def test_wrong_password_is_an_auth_failure(server, folders):
	settings = settings_for(server, folders, password="not-the-password-123")
	with pytest.raises(TransportAuthFailed) as raised:
		SftpTransport(settings).open()
	message = str(raised.value)
	assert f"user '{server.username}'" in message
	assert "saved password" in message
	assert "not-the-password-123" not in message


def test_key_authentication_without_a_password(server, folders):
	settings = settings_for(server, folders, password="", private_key=server.client_key.private_pem)
	with SftpTransport(settings) as transport:
		transport.upload("batch-7.837", BATCH_837.read_bytes())
	assert server.accepted_logins()[-1] == "publickey"
	assert (folders.disk_outbound / "batch-7.837").read_bytes() == BATCH_837.read_bytes()


def test_an_encrypted_key_works_with_its_passphrase(server, folders):
	settings = settings_for(
		server,
		folders,
		password="",
		private_key=server.encrypted_client_key.private_pem,
		private_key_passphrase=server.client_key_passphrase,
	)
	with SftpTransport(settings) as transport:
		assert transport.list_inbound() == []
	assert server.accepted_logins()[-1] == "publickey"


def test_an_encrypted_key_without_or_with_a_wrong_passphrase_is_a_settings_error(server, folders):
	encrypted = server.encrypted_client_key.private_pem
	without = settings_for(server, folders, password="", private_key=encrypted)
	with pytest.raises(TransportConfigError, match="encrypted and no passphrase"):
		SftpTransport(without).open()
	wrong = settings_for(
		server, folders, password="", private_key=encrypted, private_key_passphrase="nope-nope"
	)
	with pytest.raises(TransportConfigError, match="could not be read") as raised:
		SftpTransport(wrong).open()
	assert "nope-nope" not in str(raised.value)


def test_an_unauthorized_key_is_an_auth_failure(server, folders):
	stranger = sftp_server.make_ed25519_key()
	settings = settings_for(server, folders, password="", private_key=stranger.private_pem)
	with pytest.raises(TransportAuthFailed, match="saved private key"):
		SftpTransport(settings).open()


# host keys


def test_a_different_pinned_host_key_is_refused_before_any_password_is_sent(server, folders):
	attempts_before = server.password_attempts()
	impostor_pin = sftp_server.make_ed25519_key().public_line
	with pytest.raises(TransportHostKeyMismatch) as raised:
		SftpTransport(settings_for(server, folders, known_host_key=impostor_pin)).open()
	assert parse_host_key_line(impostor_pin).fingerprint in str(raised.value)
	assert parse_host_key_line(server.host_keys["ssh-ed25519"]).fingerprint in str(raised.value)
	assert server.password_attempts() == attempts_before


def test_a_pinned_rsa_key_is_matched_even_though_the_server_also_has_ed25519(server, folders):
	rsa_line = server.host_keys["ssh-rsa"]
	with SftpTransport(settings_for(server, folders, known_host_key=rsa_line)) as transport:
		assert transport.server_host_key == " ".join(rsa_line.split()[:2])
		assert transport.list_inbound() == []


def test_a_pinned_key_type_the_server_lacks_is_a_mismatch(server, folders):
	ecdsa_pin = (
		ec.generate_private_key(ec.SECP256R1())
		.public_key()
		.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
		.decode()
	)
	attempts_before = server.password_attempts()
	with pytest.raises(TransportHostKeyMismatch, match="has no ecdsa-sha2-nistp256 host key"):
		SftpTransport(settings_for(server, folders, known_host_key=ecdsa_pin)).open()
	assert server.password_attempts() == attempts_before


def test_a_pin_in_known_hosts_format_is_accepted(server, folders):
	line = f"[127.0.0.1]:{server.port} {server.host_keys['ssh-ed25519']}"
	with SftpTransport(settings_for(server, folders, known_host_key=line)) as transport:
		assert transport.list_inbound() == []


def test_without_a_pin_the_default_policy_refuses_and_shows_the_key(server, folders):
	attempts_before = server.password_attempts()
	with pytest.raises(TransportHostKeyUnknown) as raised:
		SftpTransport(settings_for(server, folders, known_host_key="")).open()
	expected = parse_host_key_line(server.host_keys["ssh-ed25519"])
	assert raised.value.host_key == expected.line
	assert raised.value.fingerprint == expected.fingerprint
	assert expected.fingerprint in str(raised.value)
	assert server.password_attempts() == attempts_before


def test_trust_on_first_use_returns_the_key_to_pin_next_time(server, folders):
	first_run = settings_for(server, folders, known_host_key="", host_key_policy=HOST_KEY_TRUST_ON_FIRST_USE)
	with SftpTransport(first_run) as transport:
		transport.list_inbound()
		learned = transport.server_host_key
	assert learned == parse_host_key_line(server.host_keys["ssh-ed25519"]).line
	with SftpTransport(settings_for(server, folders, known_host_key=learned)) as transport:
		assert transport.list_inbound() == []


def test_trust_on_first_use_still_refuses_a_pinned_mismatch(server, folders):
	settings = settings_for(
		server,
		folders,
		known_host_key=sftp_server.make_ed25519_key().public_line,
		host_key_policy=HOST_KEY_TRUST_ON_FIRST_USE,
	)
	with pytest.raises(TransportHostKeyMismatch):
		SftpTransport(settings).open()


# secrets


def test_secrets_never_appear_in_reprs_errors_or_logs(server, folders, caplog):
	key = server.encrypted_client_key
	settings = settings_for(
		server,
		folders,
		password="Pa55word-that-must-not-leak",
		private_key=key.private_pem,
		private_key_passphrase=server.client_key_passphrase,
	)
	secrets = [settings.password, settings.private_key_passphrase] + [
		line for line in key.private_pem.splitlines() if "PRIVATE KEY" not in line and line.strip()
	]
	texts = [repr(settings), str(settings), repr(SftpTransport(settings))]
	caplog.set_level(logging.DEBUG)
	with SftpTransport(settings) as transport:
		transport.upload("batch-8.837", BATCH_837.read_bytes())
		texts.append(repr(transport))
	failing = [
		settings_for(server, folders, password="Pa55word-that-must-not-leak", private_key=""),
		settings_for(
			server,
			folders,
			password=settings.password,
			known_host_key=sftp_server.make_ed25519_key().public_line,
		),
		SftpSettings(host="127.0.0.1", port=_closed_port(), username="u", password=settings.password),
		settings_for(server, folders, private_key=key.private_pem, private_key_passphrase="wrong-Pa55phrase"),
	]
	for failing_settings in failing:
		with pytest.raises(Exception) as raised:
			SftpTransport(failing_settings).open()
		texts.append(str(raised.value))
		texts.append(repr(raised.value))
	texts.append(caplog.text)

	assert "********" in repr(settings)
	for text in texts:
		for secret in [*secrets, "wrong-Pa55phrase"]:
			assert secret not in text, f"a secret leaked into: {text[:200]}"
