"""The clearinghouse connection as Claims Billing Settings describe it, and its last error.

SFTP secrets live in Password fields and are read with ``get_password``; they never reach logs or
the error shown in the settings (the transports mask them, and ``mask_secrets`` runs again here).
"""

from __future__ import annotations

import os
import re
import textwrap

import frappe
from frappe import _
from frappe.utils import cint, get_site_path, now_datetime

from claims_billing.transport import (
	LocalFolderSettings,
	SftpSettings,
	Transport,
	TransportConfigError,
	TransportError,
	transport_for,
)
from claims_billing.transport.base import mask_secrets, outbound_file_name
from claims_billing.transport.sftp import parse_host_key_line

SETTINGS = "Claims Billing Settings"
MODE_SFTP = "SFTP"
MODE_LOCAL = "Local Folder"
LOCAL_FOLDER_NAME = "claims_clearinghouse"
_PEM = re.compile(r"^\s*(-----BEGIN [A-Z0-9 ]+-----)\s*(.*?)\s*(-----END [A-Z0-9 ]+-----)\s*$", re.S)


def _settings():
	return frappe.get_cached_doc(SETTINGS)


def _password(settings, fieldname: str) -> str:
	return settings.get_password(fieldname, raise_exception=False) or ""


def normalize_private_key(text: str) -> str:
	"""Key text pasted into a one-line password box loses its line breaks; put them back."""
	found = _PEM.match(text or "")
	if not found or "\n" in found.group(2).strip():
		return (text or "").strip()
	header, body, footer = found.groups()
	body = "".join(body.split())
	return "\n".join([header, *textwrap.wrap(body, 70), footer]) + "\n"


def local_folder_root(settings=None) -> str:
	settings = settings or _settings()
	return (settings.get("local_folder") or "").strip() or get_site_path(
		"private", "files", LOCAL_FOLDER_NAME
	)


def transport_settings(settings=None) -> SftpSettings | LocalFolderSettings:
	settings = settings or _settings()
	pattern = (settings.get("file_name_pattern") or "").strip() or "{sender}_{icn}_{date:%Y%m%d}.837"
	if (settings.get("connection_mode") or MODE_SFTP) == MODE_LOCAL:
		root = local_folder_root(settings)
		outbound, inbound = os.path.join(root, "outbound"), os.path.join(root, "inbound")
		for folder in (outbound, inbound):
			os.makedirs(folder, exist_ok=True)
		return LocalFolderSettings(
			outbound_folder=outbound, inbound_folder=inbound, file_name_pattern=pattern
		)
	return SftpSettings(
		host=(settings.get("sftp_host") or "").strip(),
		port=cint(settings.get("sftp_port")) or 22,
		username=(settings.get("sftp_user") or "").strip(),
		password=_password(settings, "sftp_password"),
		private_key=normalize_private_key(_password(settings, "sftp_private_key")),
		private_key_passphrase=_password(settings, "sftp_private_key_passphrase"),
		known_host_key=(settings.get("sftp_host_key") or "").strip(),
		outbound_folder=(settings.get("outbound_folder") or "").strip() or "outbound",
		inbound_folder=(settings.get("inbound_folder") or "").strip() or "inbound",
		archive_folder=(settings.get("archive_folder") or "").strip(),
		file_name_pattern=pattern,
	)


def open_transport(settings=None) -> Transport:
	"""A transport for the configured connection (not yet connected)."""
	return transport_for(transport_settings(settings))


def describe(settings=None) -> str:
	"""Where files go, for the Clearinghouse File record (no secrets)."""
	described = transport_settings(settings)
	if isinstance(described, SftpSettings):
		return f"SFTP {described.username}@{described.location}"
	return f"Local folder {os.path.dirname(described.outbound_folder)}"


def safe_message(error: BaseException, settings=None) -> str:
	text = str(error) or type(error).__name__
	try:
		described = transport_settings(settings)
	except TransportError:
		return text
	secrets = described.secrets() if isinstance(described, SftpSettings) else ()
	return mask_secrets(text, secrets)


def record_error(what: str, error: BaseException) -> str:
	"""Show the error in Claims Billing Settings and the Error Log; returns the message shown."""
	message = f"{what}: {safe_message(error)}"
	now = now_datetime()
	frappe.db.set_single_value(SETTINGS, {"last_transport_error": message, "last_transport_error_at": now})
	frappe.log_error(title=_("Clearinghouse connection failed"), message=message)
	frappe.clear_document_cache(SETTINGS, SETTINGS)
	return message


def record_success(fieldname: str) -> None:
	"""A run that reached the clearinghouse clears the error shown in the settings."""
	frappe.db.set_single_value(
		SETTINGS, {fieldname: now_datetime(), "last_transport_error": "", "last_transport_error_at": None}
	)
	frappe.clear_document_cache(SETTINGS, SETTINGS)


def settings_problems(settings) -> list[str]:
	"""What is wrong with the connection settings as entered (for the settings form).

	Only what is wrong, not what is missing: staff may save a half-filled connection and finish it
	later; Test Connection and the send job say what is still missing.
	"""
	problems = []
	port = settings.get("sftp_port")
	if port not in (None, "") and not 0 < cint(port) < 65536:
		problems.append(_("The SFTP port {0} is not a port number (1-65535).").format(port))
	host_key = (settings.get("sftp_host_key") or "").strip()
	try:
		if host_key:
			parse_host_key_line(host_key)
		outbound_file_name(
			(settings.get("file_name_pattern") or "").strip() or "{sender}_{icn}_{date:%Y%m%d}.837",
			sender="SENDER",
			receiver="RECEIVER",
			icn="000000001",
			gcn="1",
			date=now_datetime(),
			sequence=1,
			npi="1234567893",
		)
	except TransportConfigError as error:
		problems.append(str(error))
	return problems
