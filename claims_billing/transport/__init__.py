"""Clearinghouse transports (SFTP, local folder) behind one interface; see base.py for the promises."""

from claims_billing.transport.base import (
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
	outbound_file_name,
)
from claims_billing.transport.local_folder import LocalFolderSettings, LocalFolderTransport
from claims_billing.transport.sftp import SftpSettings, SftpTransport


def transport_for(settings: SftpSettings | LocalFolderSettings) -> Transport:
	"""The transport that fits the settings given."""
	if isinstance(settings, SftpSettings):
		return SftpTransport(settings)
	if isinstance(settings, LocalFolderSettings):
		return LocalFolderTransport(settings)
	raise TransportConfigError(f"No clearinghouse transport for settings of type {type(settings).__name__}.")


__all__ = [
	"ConnectionCheck",
	"LocalFolderSettings",
	"LocalFolderTransport",
	"RemoteFile",
	"SftpSettings",
	"SftpTransport",
	"Transport",
	"TransportAuthFailed",
	"TransportConfigError",
	"TransportError",
	"TransportFileExists",
	"TransportHostKeyMismatch",
	"TransportHostKeyUnknown",
	"TransportNotFound",
	"TransportUnreachable",
	"outbound_file_name",
	"transport_for",
]
