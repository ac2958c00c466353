"""Sending queued claims: batch them into 837P files, upload each file exactly once, mark and book them.

Exactly once, step by step (each step commits before the next starts):

1. ``prepare_files`` takes the send lock (a row lock on the control number counter, ``SELECT ...
   FOR UPDATE``), picks the Queued claims no file holds yet, builds the files (core.batching), and
   records each one with its exact bytes as a Prepared Clearinghouse File that holds its claims.
   A second worker waits for the lock, then finds those claims taken.
2. ``claim_upload`` turns one Prepared (or Upload Failed) file into Uploading under a row lock:
   only one worker ever gets to upload a given file.
3. The caller uploads the stored bytes. On success ``confirm_upload`` marks the file Uploaded and
   its claims Submitted; on a transport error ``upload_failed`` puts the file back to Upload Failed
   (its claims stay Queued) and the next run retries the same bytes under the same name.
4. ``book_receivables`` books the receivable of confirmed claims (accounting.claims), once.

A file left Uploading by a worker that died is never re-sent blindly: after ``STALE_UPLOAD_MINUTES``
it becomes Upload Unconfirmed for staff to check with the clearinghouse.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

import frappe
from frappe import _
from frappe.utils import add_to_date, now_datetime

from claims_billing.accounting import claims as claim_accounting
from claims_billing.claims.claim_data import batch_setup, money
from claims_billing.claims_billing.doctype.clearinghouse_file import clearinghouse_file as files
from claims_billing.claims_billing.doctype.insurance_claim.insurance_claim import (
	apply_status_changes,
	current_statuses,
)
from claims_billing.clearinghouse.connection import describe
from claims_billing.core import claim_status
from claims_billing.core.batching import build_batches
from claims_billing.x12.claim import Claim, from_dict

CLAIM = "Insurance Claim"
COUNTER = "claims_billing.icn"  # tabSeries row: last control number used; its row lock is the send lock
STALE_UPLOAD_MINUTES = 15
JOB_REFERENCE = "send_queued_claims"


@dataclass
class PreparedRun:
	files: list[str] = field(default_factory=list)
	claims: int = 0
	refused: dict[str, str] = field(default_factory=dict)


def take_lock(key: str) -> int:
	"""Lock the ``tabSeries`` row ``key`` until the transaction ends; return its ``current`` value.

	The transaction is ended first, so the lock is its first statement: under REPEATABLE READ a
	transaction that had read before waiting would go on seeing the rows as they were before the
	previous lock holder committed (and send its claims again). Nor may taking the lock start with
	an INSERT: two workers' INSERT IGNOREs of an existing row both hold a shared lock on it, and
	both waiting to upgrade it is a deadlock. The row is created once, on its own.
	"""
	if not frappe.db.sql("select name from `tabSeries` where name = %s", key):
		frappe.db.sql("insert ignore into `tabSeries` (name, current) values (%s, 0)", key)
	frappe.db.commit()
	return int(frappe.db.sql("select current from `tabSeries` where name = %s for update", key)[0][0])


def lock_counter() -> int:
	"""Take the send lock (held until commit) and return the last control number used."""
	return take_lock(COUNTER)


def queued_claims() -> list[str]:
	"""Queued claims no file holds yet and the writer has not refused (a locking read: the latest rows)."""
	return [
		row[0]
		for row in frappe.db.sql(
			"""select name from `tabInsurance Claim`
			where docstatus = 1 and status = %s and ifnull(clearinghouse_file, '') = ''
				and ifnull(problems, '') = ''
			order by name for update""",
			claim_status.QUEUED,
		)
	]


def load_snapshots(names: list[str]) -> list[Claim]:
	claims = []
	for start in range(0, len(names), 1000):
		rows = frappe.get_all(
			CLAIM, filters={"name": ["in", names[start : start + 1000]]}, fields=["name", "x12_snapshot"]
		)
		for row in rows:
			claims.append(from_dict(Claim, json.loads(row.x12_snapshot), f"claim {row.name}"))
	return claims


def prepare_files(created: datetime.datetime | None = None) -> PreparedRun:
	"""Step 1: the Queued claims as Prepared 837P files. Commits."""
	run = PreparedRun()
	last_number = lock_counter()
	names = queued_claims()
	if not names:
		frappe.db.commit()
		return run
	settings = frappe.get_cached_doc("Claims Billing Settings")
	numbers = iter(range(last_number + 1, 1_000_000_000))
	issued: list[int] = []

	def next_number() -> int:
		issued.append(next(numbers))
		return issued[-1]

	created = created or now_datetime()
	batches = build_batches(load_snapshots(names), batch_setup(settings), next_number, created)
	if issued:
		frappe.db.sql("update `tabSeries` set current = %s where name = %s", (max(issued), COUNTER))
	connection = describe(settings)
	charges = dict(
		frappe.get_all(CLAIM, filters={"name": ["in", names]}, fields=["name", "total_charge"], as_list=True)
	)
	for batch in batches.batches:
		doc = frappe.get_doc(
			{
				"doctype": files.FILE,
				"direction": files.OUTBOUND,
				"transaction_type": "837P",
				"status": files.PREPARED,
				"file_name": batch.file_name,
				"claim_count": len(batch.claim_ids),
				"total_charge": sum((money(charges.get(name)) for name in batch.claim_ids), money(0)),
				"transport": connection,
				"sender_id": batch.envelope.sender_id,
				"receiver_id": batch.envelope.receiver_id,
				"interchange_control_number": f"{batch.control_number:09d}",
				"group_control_number": str(batch.envelope.group_control_number),
				"transaction_set_control_numbers": f"{batch.envelope.transaction_set_control_number:04d}",
				"content_sha256": batch.sha256,
				"size": len(batch.data),
				"prepared_at": created,
				"sent_group": files.sent_group_json(batch.sent_group()),
			}
		)
		doc.insert(ignore_permissions=True)
		files.attach_content(doc, batch.file_name, batch.data)
		for start in range(0, len(batch.claim_ids), 1000):
			frappe.db.set_value(
				CLAIM,
				{"name": ["in", list(batch.claim_ids[start : start + 1000])]},
				"clearinghouse_file",
				doc.name,
				update_modified=False,
			)
		run.files.append(doc.name)
		run.claims += len(batch.claim_ids)
	for refused in batches.refused:
		# The scrubber should have caught it; keep it out of later runs until staff fix it.
		message = _(
			"The 837P writer refused this claim: {0}. Cancel it, correct it and queue it again."
		).format(refused.message)
		frappe.db.set_value(
			CLAIM, refused.claim_id, {"problems": message, "needs_attention": 1, "last_response": message}
		)
		run.refused[refused.claim_id] = message
	frappe.db.commit()
	return run


def mark_stale_uploads() -> list[str]:
	"""Files left Uploading by a worker that died: unknown whether they arrived. Commits."""
	cutoff = add_to_date(now_datetime(), minutes=-STALE_UPLOAD_MINUTES)
	stale = frappe.get_all(
		files.FILE, filters={"status": files.UPLOADING, "modified": ["<", cutoff]}, pluck="name"
	)
	for name in stale:
		frappe.db.set_value(
			files.FILE,
			name,
			{
				"status": files.UPLOAD_UNCONFIRMED,
				"error": _(
					"The upload was started but never confirmed (the job stopped). Ask the clearinghouse whether "
					"{0} arrived, then confirm it or upload it again."
				).format(frappe.db.get_value(files.FILE, name, "file_name")),
			},
		)
	frappe.db.commit()
	return stale


def uploadable_files() -> list[str]:
	return frappe.get_all(
		files.FILE,
		filters={"direction": files.OUTBOUND, "status": ["in", list(files.UPLOADABLE)]},
		order_by="name asc",
		pluck="name",
	)


def claim_upload(name: str) -> bool:
	"""Step 2: make ``name`` this worker's upload, or return False when another worker has it. Commits."""
	row = frappe.db.sql(
		"select status, attempts from `tabClearinghouse File` where name = %s for update", name, as_dict=True
	)
	if not row or row[0].status not in files.UPLOADABLE:
		frappe.db.commit()
		return False
	frappe.db.set_value(files.FILE, name, {"status": files.UPLOADING, "attempts": (row[0].attempts or 0) + 1})
	frappe.db.commit()
	return True


def upload_failed(name: str, message: str) -> None:
	"""The upload did not happen: the file waits for the next run; its claims stay Queued. Commits."""
	frappe.db.set_value(files.FILE, name, {"status": files.UPLOAD_FAILED, "error": message})
	frappe.db.commit()


def upload_unconfirmed(name: str, message: str) -> None:
	frappe.db.set_value(files.FILE, name, {"status": files.UPLOAD_UNCONFIRMED, "error": message})
	frappe.db.commit()


def confirm_upload(name: str, when: datetime.datetime | None = None) -> list[str]:
	"""Step 3: the file arrived. It becomes Uploaded and its claims Submitted. Commits; returns the claims."""
	when = when or now_datetime()
	doc = frappe.get_doc(files.FILE, name)
	claims = frappe.get_all(
		CLAIM, filters={"clearinghouse_file": name, "docstatus": 1}, order_by="name asc", pluck="name"
	)
	statuses = current_statuses(claims)
	source = claim_status.StatusSource(
		claim_status.SOURCE_JOB,
		f"{JOB_REFERENCE}: {doc.file_name}",
		_("Sent to the clearinghouse in {0} (ISA13 {1}).").format(
			doc.file_name, doc.interchange_control_number
		),
	)
	changes = []
	for claim in claims:
		if statuses.get(claim) == claim_status.QUEUED:
			changes.append(
				(claim, claim_status.change_status(claim_status.QUEUED, claim_status.SUBMITTED, source, when))
			)
	apply_status_changes(
		changes,
		clearinghouse_file=name,
		extra={claim: {"submitted_on": when} for claim, _change in changes},
	)
	settle_originals(claims, name, when)
	doc.db_set({"status": files.UPLOADED, "uploaded_at": when, "error": ""})
	frappe.db.commit()
	return claims


def settle_originals(claims: list[str], file_name: str, when: datetime.datetime) -> None:
	"""Corrected claims close their originals; voids void theirs (and free their services)."""
	rows = frappe.get_all(
		CLAIM,
		filters={"name": ["in", claims or [""]], "original_claim": ["is", "set"]},
		fields=["name", "frequency", "original_claim"],
	)
	if not rows:
		return
	statuses = current_statuses([row.original_claim for row in rows])
	changes = []
	notes = defaultdict(list)
	for row in rows:
		current = statuses.get(row.original_claim)
		if row.frequency == "Void":
			target, reason = claim_status.VOID, _("Voided by claim {0} (frequency 8), sent in {1}.")
		else:
			target, reason = claim_status.CLOSED, _("Replaced by corrected claim {0}, sent in {1}.")
		source = claim_status.StatusSource(
			claim_status.SOURCE_JOB, JOB_REFERENCE, reason.format(row.name, file_name)
		)
		if current and claim_status.is_allowed(current, target, source):
			changes.append((row.original_claim, claim_status.change_status(current, target, source, when)))
		elif current:
			notes[row.original_claim].append(
				claim_status.StatusChange(
					current, current, when, source.kind, source.reference, source.reason
				)
			)
		if row.frequency == "Void":
			for service in frappe.get_all(
				"Billable Service",
				filters={"billed_by_doctype": CLAIM, "billed_by": row.original_claim},
				pluck="name",
			):
				frappe.get_doc("Billable Service", service).release_from_billing()
	apply_status_changes(
		changes + [(claim, note) for claim, items in notes.items() for note in items], file_name
	)


def book_receivables(name: str) -> dict[str, str]:
	"""Step 4: book the receivables of a confirmed file's claims (once). Commits."""
	claims = frappe.get_all(
		CLAIM,
		filters={"clearinghouse_file": name, "docstatus": 1, "sales_invoice": ["is", "not set"]},
		fields=["name", "frequency", "original_claim"],
		order_by="name asc",
	)
	if not claims:
		return {}
	booked = {}
	for row in claims:
		if row.original_claim:
			kind = (
				claim_accounting.BOOKING_VOID
				if row.frequency == "Void"
				else claim_accounting.BOOKING_CORRECTION
			)
			note = claim_accounting.reverse_claim(row.original_claim, row.name, kind)
			if row.frequency == "Void":
				# A void owes nothing itself; its record points at the credit note that reversed the original.
				frappe.db.set_value(
					CLAIM, row.name, {"sales_invoice": note, "balance": 0}, update_modified=False
				)
				booked[row.name] = note
	regular = [row.name for row in claims if row.frequency != "Void"]
	booked.update(claim_accounting.book_sent_claims(regular, name))
	frappe.db.commit()
	return booked


def unbooked_files() -> list[str]:
	"""Uploaded files with claims whose receivable is not booked yet (a booking failed earlier)."""
	return frappe.get_all(
		CLAIM,
		filters={
			"docstatus": 1,
			"sales_invoice": ["is", "not set"],
			"clearinghouse_file": ["is", "set"],
			"status": ["not in", [claim_status.QUEUED, claim_status.DRAFT]],
		},
		pluck="clearinghouse_file",
		distinct=True,
	)
