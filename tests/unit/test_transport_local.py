"""LocalFolderTransport, and the file-name rules both transports share."""

import datetime
import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims_billing.transport import base
from claims_billing.transport.base import (
	TransportConfigError,
	TransportFileExists,
	TransportNotFound,
	archive_names,
	check_file_name,
	mask_secrets,
	outbound_file_name,
)
from claims_billing.transport.local_folder import LocalFolderSettings, LocalFolderTransport


def _samples_folder() -> Path:
	beside_repo = Path(__file__).resolve().parents[3] / "shared" / "x12-samples"
	return beside_repo if beside_repo.is_dir() else Path("/work/shared/x12-samples")


SAMPLES = _samples_folder()
BATCH_837 = SAMPLES / "837p" / "eight-claims-lt-component-sep.x12"
ERA_835 = SAMPLES / "835" / "emedny-professional-with-payment.x12"
ACK_999 = SAMPLES / "999" / "emedny-accepted-pipe-component-sep.x12"
ACK_277CA = SAMPLES / "277ca" / "emedny-accepted-A1-A2.x12"


@pytest.fixture
def folders(tmp_path):
	outbound, inbound = tmp_path / "to-clearinghouse", tmp_path / "from-clearinghouse"
	outbound.mkdir()
	inbound.mkdir()
	return outbound, inbound


@pytest.fixture
def transport(folders):
	outbound, inbound = folders
	with LocalFolderTransport(LocalFolderSettings(str(outbound), str(inbound))) as opened:
		yield opened


def _place(path: Path, data: bytes, mtime: int | None = None) -> None:
	path.write_bytes(data)
	if mtime is not None:
		os.utime(path, (mtime, mtime))


# uploads


def test_upload_writes_the_batch_byte_identical(transport, folders):
	outbound, _ = folders
	data = BATCH_837.read_bytes()
	written = transport.upload("SUBMITTER1_000000001_20240501.837", data)

	on_disk = outbound / "SUBMITTER1_000000001_20240501.837"
	assert hashlib.sha256(on_disk.read_bytes()).hexdigest() == (
		"431c1014dec43b09f2629a3548d7a4d99e880b52e2016ab4cf2910bb82e89cdd"
	)
	assert (written.name, written.size) == ("SUBMITTER1_000000001_20240501.837", 4816)
	assert written.modified is not None and written.modified.tzinfo is datetime.timezone.utc
	assert [path.name for path in outbound.iterdir()] == ["SUBMITTER1_000000001_20240501.837"]


def test_upload_goes_through_a_partial_file(transport, monkeypatch):
	"""The final name appears only by a no-replace move from <name>.partial, after the data is written."""
	moves = []
	real_link = os.link

	def watching_link(source, target, *args, **kwargs):
		moves.append((Path(source).name, Path(target).name, Path(source).read_bytes()))
		return real_link(source, target, *args, **kwargs)

	monkeypatch.setattr(os, "link", watching_link)
	data = BATCH_837.read_bytes()
	transport.upload("batch-1.837", data)
	assert moves == [("batch-1.837.partial", "batch-1.837", data)]


def test_upload_refuses_a_name_that_was_already_sent(transport, folders):
	outbound, _ = folders
	_place(outbound / "batch-2.837", b"ISA*already sent~")
	with pytest.raises(TransportFileExists) as raised:
		transport.upload("batch-2.837", BATCH_837.read_bytes())
	assert "batch-2.837" in str(raised.value) and "never overwritten" in str(raised.value)
	assert (outbound / "batch-2.837").read_bytes() == b"ISA*already sent~"
	assert [path.name for path in outbound.iterdir()] == ["batch-2.837"]


def test_upload_refuses_when_the_name_appears_during_the_write(transport, folders, monkeypatch):
	"""Two runs racing for one name: the late one must not replace the early one's file."""
	outbound, _ = folders
	real_fsync = os.fsync

	def rival_writes_first(descriptor):
		real_fsync(descriptor)
		(outbound / "batch-9.837").write_bytes(b"ISA*rival~")

	monkeypatch.setattr(os, "fsync", rival_writes_first)
	with pytest.raises(TransportFileExists):
		transport.upload("batch-9.837", BATCH_837.read_bytes())
	assert (outbound / "batch-9.837").read_bytes() == b"ISA*rival~"
	assert [path.name for path in outbound.iterdir()] == ["batch-9.837"]


def test_upload_replaces_a_stale_partial_left_by_a_crashed_run(transport, folders):
	outbound, _ = folders
	_place(outbound / "batch-3.837.partial", b"ISA*half a fi")
	transport.upload("batch-3.837", BATCH_837.read_bytes())
	assert (outbound / "batch-3.837").read_bytes() == BATCH_837.read_bytes()
	assert [path.name for path in outbound.iterdir()] == ["batch-3.837"]


@pytest.mark.parametrize("bad_name", ["../evil.837", "sub/evil.837", "evil\\837", ".hidden", "x.partial", ""])
def test_upload_rejects_names_that_could_escape_or_confuse(transport, folders, bad_name):
	with pytest.raises(TransportConfigError):
		transport.upload(bad_name, b"ISA~")
	outbound, inbound = folders
	assert list(outbound.iterdir()) == [] and list(inbound.iterdir()) == []


def test_upload_into_a_missing_outbound_folder_names_the_folder(tmp_path):
	missing = tmp_path / "not-there"
	transport = LocalFolderTransport(LocalFolderSettings(str(missing), str(tmp_path)))
	with pytest.raises(TransportNotFound, match="not-there"):
		transport.upload("batch-4.837", b"ISA~")
	assert not missing.exists()


# inbound


def test_list_download_and_archive_inbound_files(transport, folders):
	_, inbound = folders
	era, ack = ERA_835.read_bytes(), ACK_999.read_bytes()
	_place(inbound / "era-0001.835", era, mtime=1_714_550_400)
	_place(inbound / "ack-0001.999", ack, mtime=1_714_636_800)
	_place(inbound / "still-downloading.835.partial", b"ISA")
	_place(inbound / ".DS_Store", b"x")
	(inbound / "subfolder").mkdir()

	listed = transport.list_inbound()
	assert [(file.name, file.size) for file in listed] == [("era-0001.835", 1813), ("ack-0001.999", 284)]
	assert listed[0].modified == datetime.datetime(2024, 5, 1, 8, 0, tzinfo=datetime.timezone.utc)
	assert transport.download("era-0001.835") == era
	assert transport.download("ack-0001.999") == ack

	assert transport.archive_inbound("era-0001.835") == "era-0001.835"
	assert [file.name for file in transport.list_inbound()] == ["ack-0001.999"]
	assert not (inbound / "era-0001.835").exists()
	assert (inbound / "archive" / "era-0001.835").read_bytes() == era


def test_archive_never_replaces_an_earlier_file_of_the_same_name(transport, folders):
	_, inbound = folders
	first, second, third = ERA_835.read_bytes(), ACK_277CA.read_bytes(), ACK_999.read_bytes()
	for data, expected in ((first, "response.x12"), (second, "response~2.x12"), (third, "response~3.x12")):
		_place(inbound / "response.x12", data)
		assert transport.archive_inbound("response.x12") == expected
	archive = inbound / "archive"
	assert (archive / "response.x12").read_bytes() == first
	assert (archive / "response~2.x12").read_bytes() == second
	assert (archive / "response~3.x12").read_bytes() == third


def test_a_separate_archive_folder_is_created_when_needed(folders, tmp_path):
	outbound, inbound = folders
	archive = tmp_path / "processed" / "2024"
	settings = LocalFolderSettings(str(outbound), str(inbound), archive_folder=str(archive))
	_place(inbound / "era-0002.835", ERA_835.read_bytes())
	LocalFolderTransport(settings).archive_inbound("era-0002.835")
	assert (archive / "era-0002.835").read_bytes() == ERA_835.read_bytes()


def test_download_and_archive_of_a_missing_file_say_which_file(transport):
	with pytest.raises(TransportNotFound, match=r"nothing-here\.835"):
		transport.download("nothing-here.835")
	with pytest.raises(TransportNotFound, match=r"nothing-here\.835"):
		transport.archive_inbound("nothing-here.835")


def test_check_counts_files(transport, folders):
	outbound, inbound = folders
	_place(inbound / "era-0003.835", ERA_835.read_bytes())
	_place(inbound / "ack-0003.999", ACK_999.read_bytes())
	_place(outbound / "batch-6.837", BATCH_837.read_bytes())
	result = transport.check()
	assert (result.outbound_file_count, result.inbound_file_count) == (1, 2)
	assert result.archive_folder_exists is False
	assert "1 file(s) waiting" in result.summary()


def test_check_names_a_missing_inbound_folder(folders, tmp_path):
	outbound, _ = folders
	transport = LocalFolderTransport(LocalFolderSettings(str(outbound), str(tmp_path / "no-inbound")))
	with pytest.raises(TransportNotFound, match="no-inbound"):
		transport.check()


def test_settings_need_both_folders():
	with pytest.raises(TransportConfigError, match="inbound folder"):
		LocalFolderTransport(LocalFolderSettings("/srv/out", ""))


# shared file-name rules


def test_outbound_file_name_renders_the_pattern():
	name = outbound_file_name(
		"{sender}_{icn:0>9}_{date:%Y%m%d}.837", sender="CLINIC01", icn=42, date=datetime.date(2024, 5, 1)
	)
	assert name == "CLINIC01_000000042_20240501.837"
	settings = LocalFolderSettings("/out", "/in", file_name_pattern="{sender}-{icn}.x12")
	assert settings.outbound_file_name(sender="A", icn="7") == "A-7.x12"


@pytest.mark.parametrize(
	("pattern", "values", "complaint"),
	[
		("{sender}_{icn}.837", {"sender": "../etc", "icn": "1"}, "path separator"),
		("{sender}_{icn}.837", {"sender": "a/b", "icn": "1"}, "path separator"),
		("{sender}_{icn}.837", {"sender": "A"}, "needs a value for {icn}"),
		("{sender.__class__}.837", {"sender": "A"}, "only plain names"),
		("{sender[0]}.837", {"sender": "A"}, "only plain names"),
		("{sender!r}.837", {"sender": "A"}, "conversion"),
		("{sender", {"sender": "A"}, "not valid"),
		("{date:%Y%m%d}.837", {"date": "2024-05-01"}, "cannot format {date}"),
		("{sender}.837.partial", {"sender": "A"}, "unfinished uploads"),
		("", {}, "empty"),
	],
)
def test_outbound_file_name_refuses_bad_patterns_and_values(pattern, values, complaint):
	with pytest.raises(TransportConfigError) as raised:
		outbound_file_name(pattern, **values)
	assert complaint in str(raised.value)


def test_check_file_name_limits_length():
	assert check_file_name("a" * base.MAX_NAME_LENGTH) == "a" * base.MAX_NAME_LENGTH
	with pytest.raises(TransportConfigError, match="at most 255"):
		check_file_name("a" * (base.MAX_NAME_LENGTH + 1))
	with pytest.raises(TransportConfigError, match="control characters"):
		check_file_name("era\n.835")


def test_archive_names_keep_the_extension():
	names = archive_names("era.835")
	assert [next(names) for _ in range(3)] == ["era.835", "era~2.835", "era~3.835"]
	assert list(archive_names("README"))[:2] == ["README", "README~2"]


def test_mask_secrets_hides_whole_secrets_and_key_lines():
	key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nQyNTUxOQAAACBnotreal\n-----END"
	text = "login failed for pw=hunter2-hunter2 with b3BlbnNzaC1rZXktdjEAAAAA in the key"
	masked = mask_secrets(text, ["hunter2-hunter2", key, ""])
	assert "hunter2" not in masked and "b3BlbnNzaC1rZXktdjEAAAAA" not in masked
	assert masked == "login failed for pw=******** with ******** in the key"


def test_transport_for_picks_the_transport_from_the_settings(folders):
	from claims_billing.transport import SftpSettings, SftpTransport, transport_for

	outbound, inbound = folders
	assert isinstance(transport_for(LocalFolderSettings(str(outbound), str(inbound))), LocalFolderTransport)
	sftp = transport_for(SftpSettings(host="sftp.example.com", username="clinic", password="x"))
	assert isinstance(sftp, SftpTransport) and "not connected" in repr(sftp)
	with pytest.raises(TransportConfigError, match="dict"):
		transport_for({"host": "sftp.example.com"})


@given(sender=st.text(max_size=40), icn=st.text(max_size=20))
def test_outbound_file_name_never_yields_a_path(sender, icn):
	"""Whatever the values, the result is a plain name inside the folder, or a clear refusal."""
	try:
		name = outbound_file_name("{sender}_{icn}.837", sender=sender, icn=icn)
	except TransportConfigError:
		return
	assert name == f"{sender}_{icn}.837"
	assert "/" not in name and "\\" not in name and not name.startswith(".")
	assert all(ord(char) >= 32 and ord(char) != 127 for char in name)
