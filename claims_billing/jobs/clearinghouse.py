"""Send queued claims to the clearinghouse and fetch its responses (scheduler_events in hooks.py).

Both can also be started from Claims Billing Settings and run safely side by side with a
scheduled run: claims are taken under a row lock and each file is uploaded by one worker only.
"""

from __future__ import annotations

import frappe
from frappe import _

from claims_billing.claims_billing.doctype.clearinghouse_file.clearinghouse_file import stored_content
from claims_billing.clearinghouse import inbound, outbound
from claims_billing.clearinghouse.connection import open_transport, record_error, record_success, safe_message
from claims_billing.core.batching import BatchingError
from claims_billing.transport import TransportError, TransportFileExists


def _configured() -> bool:
	settings = frappe.get_cached_doc("Claims Billing Settings")
	if (settings.get("connection_mode") or "SFTP") == "SFTP" and not (
		settings.get("sftp_host") or ""
	).strip():
		return False
	return bool((settings.get("submitter_id") or "").strip())


def send_queued_claims() -> dict:
	"""Batch the queued claims, upload each file once, mark the claims Submitted, book the receivables."""
	summary = {"files": [], "uploaded": [], "failed": [], "claims": 0, "refused": {}, "error": ""}
	if not _configured():
		summary["error"] = _("The clearinghouse connection is not set up in Claims Billing Settings.")
		return summary
	outbound.mark_stale_uploads()
	try:
		prepared = outbound.prepare_files()
	except (BatchingError, TransportError) as error:
		frappe.db.rollback()
		summary["error"] = record_error(_("Preparing 837P files"), error)
		frappe.db.commit()
		return summary
	summary.update(files=prepared.files, claims=prepared.claims, refused=prepared.refused)
	pending = outbound.uploadable_files()
	if pending:
		_upload(pending, summary)
	for name in outbound.unbooked_files():
		_book(name)
	return summary


def _upload(pending: list[str], summary: dict) -> None:
	transport = None
	try:
		transport = open_transport()
		transport.open()
	except TransportError as error:
		message = record_error(_("Connecting to upload claims"), error)
		for name in pending:
			if outbound.claim_upload(name):
				outbound.upload_failed(name, message)
				summary["failed"].append(name)
		summary["error"] = message
		frappe.db.commit()
		return
	try:
		for name in pending:
			if not outbound.claim_upload(name):
				continue  # another worker has it
			file_name = frappe.db.get_value("Clearinghouse File", name, "file_name")
			try:
				data = stored_content(name)
			except Exception as error:
				# This file cannot be sent as recorded; the others still go.
				frappe.db.rollback()
				frappe.log_error(title=_("Clearinghouse file {0} cannot be uploaded").format(name))
				outbound.upload_failed(name, _("The stored content cannot be read: {0}").format(error))
				summary["failed"].append(name)
				continue
			try:
				transport.upload(file_name, data)
			except TransportFileExists as error:
				outbound.upload_unconfirmed(name, safe_message(error))
				summary["failed"].append(name)
				continue
			except TransportError as error:
				message = record_error(_("Uploading {0}").format(file_name), error)
				outbound.upload_failed(name, message)
				summary["failed"].append(name)
				summary["error"] = message
				frappe.db.commit()
				break
			outbound.confirm_upload(name)
			summary["uploaded"].append(name)
			_book(name)
		if not summary["failed"]:
			record_success("last_send_at")
			frappe.db.commit()
	finally:
		transport.close()


def _book(name: str) -> None:
	try:
		outbound.book_receivables(name)
	except Exception:
		# The claims are sent and stay Submitted; the next run books them.
		frappe.db.rollback()
		frappe.log_error(title=_("Booking claim receivables failed for {0}").format(name))
		frappe.db.commit()


def receive_responses() -> dict:
	"""Download, store once, apply and archive every response file waiting at the clearinghouse."""
	summary = {"received": [], "duplicates": [], "applied": {}, "error": ""}
	if not _configured():
		summary["error"] = _("The clearinghouse connection is not set up in Claims Billing Settings.")
		return summary
	transport = open_transport()
	try:
		with transport:
			for remote in transport.list_inbound():
				data = transport.download(remote.name)
				name, new = inbound.store_response(remote.name, data)
				(summary["received"] if new else summary["duplicates"]).append(name)
				transport.archive_inbound(remote.name)
	except TransportError as error:
		summary["error"] = record_error(_("Fetching responses"), error)
		frappe.db.commit()
	else:
		record_success("last_receive_at")
		frappe.db.commit()
	for name in apply_received():
		summary["applied"][name] = frappe.db.get_value("Clearinghouse File", name, "status")
	return summary


def apply_received() -> list[str]:
	"""Apply stored responses not applied yet (new ones, or ones a failed run left behind)."""
	names = frappe.get_all(
		"Clearinghouse File",
		filters={"direction": "Inbound", "status": "Received"},
		order_by="received_at asc, name asc",
		pluck="name",
	)
	for name in names:
		try:
			inbound.apply_response(name)
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title=_("Applying response file {0} failed").format(name))
			frappe.db.commit()
	return names
