"""One file exchanged with the clearinghouse: an 837P batch we sent, or a 999/277CA/835 we received.

The exact bytes are kept as a private File attached to the record, written before an upload is
tried (so a retry sends the same bytes) and on receipt (so a file that fails to parse is kept with
its error). Records are made by the clearinghouse jobs only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

import frappe
from frappe import _
from frappe.model.document import Document

from claims_billing.core.acknowledgements import SentGroup, SentTransactionSet

FILE = "Clearinghouse File"
CONTENT_FOLDER = "clearinghouse"
OUTBOUND = "Outbound"
INBOUND = "Inbound"

PREPARED = "Prepared"
UPLOADING = "Uploading"
UPLOADED = "Uploaded"
UPLOAD_FAILED = "Upload Failed"
UPLOAD_UNCONFIRMED = "Upload Unconfirmed"
RECEIVED = "Received"
APPLIED = "Applied"
APPLIED_WITH_EXCEPTIONS = "Applied with Exceptions"
PARSE_FAILED = "Parse Failed"
WAITING_FOR_ERA_IMPORT = "Waiting for ERA Import"
IGNORED = "Ignored"

# Outbound files a send run may (re)try to upload.
UPLOADABLE = (PREPARED, UPLOAD_FAILED)
INDICATORS = {
	PREPARED: "blue",
	UPLOADING: "orange",
	UPLOADED: "green",
	UPLOAD_FAILED: "red",
	UPLOAD_UNCONFIRMED: "red",
	RECEIVED: "blue",
	APPLIED: "green",
	APPLIED_WITH_EXCEPTIONS: "orange",
	PARSE_FAILED: "red",
	WAITING_FOR_ERA_IMPORT: "yellow",
	IGNORED: "gray",
}


class ClearinghouseFile(Document):
	def validate(self):
		if self.direction == OUTBOUND and self.transaction_type != "837P":
			frappe.throw(_("Outbound files are 837P claim batches."))


def sha256(data: bytes) -> str:
	return hashlib.sha256(data).hexdigest()


def attach_content(doc, file_name: str, data: bytes) -> str:
	"""Keep ``data`` as a private File of ``doc`` and return its URL.

	The bytes go to a folder of their own (private/files/clearinghouse/<record>/), so Frappe never
	swaps them for another file with the same content that someone could delete later.
	"""
	safe_name = re.sub(r"[^A-Za-z0-9._~-]", "_", file_name) or "content"
	folder = frappe.get_site_path("private", "files", CONTENT_FOLDER, doc.name)
	os.makedirs(folder, exist_ok=True)
	with open(os.path.join(folder, safe_name), "wb") as handle:
		handle.write(data)
		handle.flush()
		os.fsync(handle.fileno())
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": safe_name,
			"file_url": f"/private/files/{CONTENT_FOLDER}/{doc.name}/{safe_name}",
			"attached_to_doctype": FILE,
			"attached_to_name": doc.name,
			"attached_to_field": "file",
			"is_private": 1,
		}
	)
	file.flags.ignore_permissions = True
	file.insert()
	doc.db_set("file", file.file_url, update_modified=False)
	return file.file_url


def stored_content(name: str) -> bytes:
	"""The exact bytes of a record, checked against the hash taken when they were stored."""
	url, expected = frappe.db.get_value(FILE, name, ["file", "content_sha256"])
	if not url:
		frappe.throw(_("Clearinghouse File {0} has no stored content.").format(name))
	file_name = frappe.db.get_value(
		"File", {"file_url": url, "attached_to_doctype": FILE, "attached_to_name": name}, "name"
	) or frappe.db.get_value("File", {"file_url": url}, "name")
	with open(frappe.get_doc("File", file_name).get_full_path(), "rb") as handle:
		data = handle.read()
	if expected and sha256(data) != expected:
		frappe.throw(
			_(
				"The stored content of Clearinghouse File {0} no longer matches its SHA-256; it was changed."
			).format(name)
		)
	return data


def sent_group_json(group: SentGroup) -> str:
	return json.dumps(
		{
			"group_control_number": group.group_control_number,
			"interchange_control_number": group.interchange_control_number,
			"version": group.version,
			"file_name": group.file_name,
			"transaction_sets": [
				{
					"control_number": sent.control_number,
					"claim_ids": list(sent.claim_ids),
					"claim_positions": list(sent.claim_positions),
				}
				for sent in group.transaction_sets
			],
		},
		separators=(",", ":"),
	)


def sent_group_from_json(text: str) -> SentGroup:
	data = json.loads(text)
	return SentGroup(
		group_control_number=data["group_control_number"],
		interchange_control_number=data.get("interchange_control_number", ""),
		version=data.get("version") or "005010X222A1",
		file_name=data.get("file_name", ""),
		transaction_sets=tuple(
			SentTransactionSet(
				control_number=sent["control_number"],
				claim_ids=tuple(sent["claim_ids"]),
				claim_positions=tuple(sent.get("claim_positions") or ()),
			)
			for sent in data["transaction_sets"]
		),
	)


def sent_groups(group_control_numbers: list[str]) -> list[tuple[str, SentGroup]]:
	"""The uploaded 837P files with these GS06 numbers, as (record name, SentGroup)."""
	numbers = sorted(
		{str(int(n)) if str(n).strip().isdigit() else str(n).strip() for n in group_control_numbers}
	)
	if not numbers:
		return []
	rows = frappe.get_all(
		FILE,
		filters={
			"direction": OUTBOUND,
			"group_control_number": ["in", numbers],
			"status": ["in", [UPLOADED, UPLOAD_UNCONFIRMED]],
		},
		fields=["name", "sent_group"],
	)
	return [(row.name, sent_group_from_json(row.sent_group)) for row in rows if row.sent_group]
