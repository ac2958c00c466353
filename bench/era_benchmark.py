"""ERA import and posting benchmark on a real site (not a test).

	cd /opt/frappe-bench/sites && ../env/bin/python /opt/frappe-bench/apps/claims_billing/bench/era_benchmark.py \
		[--site claims.test] [--sizes 200,500,1000,2000] [--naive 200]

For each size: that many one-line claims are put on the site as sent and booked (one Sales
Invoice, as the send job books a file), an 835 for them is written (a third paid in full, a third
with a contractual reduction and coinsurance, a third with a deductible and copay: patient
responsibility transfers and write-offs), then timed: ``import_era`` (read, match, Insurance
Payment) and posting (the Journal Entry, claim balances, statuses and history). The books are
checked after each size (every claim balanced; ERPNext's receivable of the payer = open claims).

The naive path, in the same run: one Payment Entry from the payer allocating ``--naive`` invoices
(one per claim) with a write-off deduction, as ERPNext's own payment reconciliation would post it.

Everything is rolled back at the end: the site keeps nothing.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time
from decimal import Decimal

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "frappe"))
sys.path.insert(0, str(REPO / "tests"))

D = Decimal
PROFILE = bool(os.environ.get("ERA_BENCHMARK_PROFILE"))


def decisions(names):
	from claims_billing.x12.write_835 import ClaimDecision, LineDecision

	result = []
	for number, name in enumerate(names):
		kind = number % 3
		if kind == 0:
			result.append(ClaimDecision(name))
		elif kind == 1:
			result.append(
				ClaimDecision(name, lines=[LineDecision(allowed=D("150.00"), coinsurance=D("30.00"))])
			)
		else:
			result.append(
				ClaimDecision(
					name, lines=[LineDecision(allowed=D("160.00"), deductible=D("40.00"), copay=D("20.00"))]
				)
			)
	return result


def timed_era(size: int) -> dict:
	import frappe
	from era_records import check_books, era_for, sent_claims

	from claims_billing.remittance import era_import, posting

	started = time.perf_counter()
	sent = sent_claims(size, lines=(("90837", "180.00"),), patients=min(size, 50))
	setup = time.perf_counter() - started
	data, _remittance = era_for(sent, decisions(sent.names))
	started = time.perf_counter()
	result = era_import.import_era(data, file_name=f"bench-{size}.835", auto_post=False)
	imported = time.perf_counter()
	if PROFILE:
		import cProfile
		import pstats

		profiler = cProfile.Profile()
		profiler.enable()
	posting.submit_payment(result.payments[0])
	posted = time.perf_counter()
	if PROFILE:
		profiler.disable()
		pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
	payment = frappe.get_doc("Insurance Payment", result.payments[0])
	assert payment.status == "Posted", payment.problems
	check_books(sent.names)
	total = posted - started
	return {
		"size": size,
		"setup_s": round(setup, 2),
		"import_s": round(imported - started, 2),
		"post_s": round(posted - imported, 2),
		"total_s": round(total, 2),
		"claims_per_s": round(size / total, 1),
		"journal_rows": len(frappe.get_doc("Journal Entry", payment.journal_entry).accounts),
	}


def naive_payment_entry(count: int) -> dict:
	"""One Payment Entry allocating ``count`` invoices (one per claim) with a write-off deduction."""
	import frappe
	from era_records import sent_claims

	from claims_billing.accounting import claims as claim_accounting

	sent = sent_claims(count, lines=(("90837", "180.00"),), patients=min(count, 50), book=False)
	for name in sent.names:
		claim_accounting.book_sent_claims([name])
	settings = frappe.get_cached_doc("Claims Billing Settings")
	customer = frappe.db.get_value("Insurance Payer", sent.payer.name, "customer")
	invoices = frappe.get_all("Insurance Claim", filters={"name": ["in", sent.names]}, pluck="sales_invoice")
	company = settings.company
	bank = frappe.get_cached_value("Company", company, "default_bank_account")
	# Each claim: paid 150, written off 30.
	paid = 150 * count
	started = time.perf_counter()
	entry = frappe.get_doc(
		{
			"doctype": "Payment Entry",
			"payment_type": "Receive",
			"company": company,
			"posting_date": frappe.utils.today(),
			"party_type": "Customer",
			"party": customer,
			"paid_from": settings.insurance_receivable_account,
			"paid_to": bank,
			"paid_amount": paid,
			"received_amount": paid,
			"source_exchange_rate": 1,
			"target_exchange_rate": 1,
			"reference_no": "NAIVE",
			"reference_date": frappe.utils.today(),
			"references": [
				{"reference_doctype": "Sales Invoice", "reference_name": invoice, "allocated_amount": 180}
				for invoice in invoices
			],
			"deductions": [
				{
					"account": settings.contractual_adjustment_account,
					"cost_center": settings.cost_center,
					"amount": 30 * count,
				}
			],
		}
	)
	entry.insert(ignore_permissions=True)
	entry.submit()
	elapsed = time.perf_counter() - started
	return {"size": count, "total_s": round(elapsed, 2), "claims_per_s": round(count / elapsed, 1)}


def main() -> None:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--site", default="claims.test")
	parser.add_argument("--sizes", default="200,500,1000,2000")
	parser.add_argument("--naive", type=int, default=200)
	args = parser.parse_args()
	import frappe

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		rows = []
		for size in [int(s) for s in args.sizes.split(",")]:
			row = timed_era(size)
			rows.append(row)
			print(row, flush=True)
		naive = naive_payment_entry(args.naive) if args.naive else None
		print({"naive_payment_entry": naive}, flush=True)
		print()
		print("| claims | import (s) | post (s) | total (s) | claims/s | journal rows |")
		print("|---:|---:|---:|---:|---:|---:|")
		for row in rows:
			print(
				f"| {row['size']} | {row['import_s']} | {row['post_s']} | {row['total_s']} | "
				f"{row['claims_per_s']} | {row['journal_rows']} |"
			)
		if naive:
			largest = rows[-1]
			print(
				f"\nnaive one-Payment-Entry path: {naive['size']} claims in {naive['total_s']} s = "
				f"{naive['claims_per_s']} claims/s; ERA path at {largest['size']}: {largest['claims_per_s']} claims/s "
				f"= {largest['claims_per_s'] / naive['claims_per_s']:.1f}x"
			)
			per_claim = [row["total_s"] / row["size"] * 1000 for row in rows]
			print(
				"ms per claim by size:",
				", ".join(f"{row['size']}: {ms:.1f}" for row, ms in zip(rows, per_claim, strict=True)),
			)
	finally:
		frappe.db.rollback()
		frappe.destroy()


if __name__ == "__main__":
	main()
