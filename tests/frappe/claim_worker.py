"""One send worker in its own process, for the concurrency test (test_claim_concurrency.py).

    python claim_worker.py SITE SITES_PATH START_AT DELAY

Waits until the wall-clock time START_AT, then runs the send job with its lock and its upload each
held DELAY seconds longer than usual, so that two workers started together overlap in both.
Prints the job's summary as JSON on the last line.
"""

import json
import sys
import time

import frappe


def main() -> None:
	site, sites_path, start_at, delay = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	from claims_billing.clearinghouse import outbound
	from claims_billing.jobs.clearinghouse import send_queued_claims
	from claims_billing.transport.sftp import SftpTransport

	take_lock = outbound.lock_counter
	upload = SftpTransport.upload

	def slow_lock():
		number = take_lock()
		time.sleep(delay)
		return number

	def slow_upload(self, name, data):
		time.sleep(delay)
		return upload(self, name, data)

	outbound.lock_counter = slow_lock
	SftpTransport.upload = slow_upload
	while time.time() < start_at:
		time.sleep(0.005)
	started = time.time()
	summary = send_queued_claims()
	summary["seconds"] = round(time.time() - started, 2)
	frappe.db.commit()
	frappe.destroy()
	print(json.dumps(summary, default=str))


if __name__ == "__main__":
	main()
