"""Superbills on a real site: issuing one (book, mark, render, attach) and 100 in one batch run.

Not a test: figures vary with the machine. Run with the bench's Python from its sites folder:

	cd /opt/frappe-bench/sites && ../env/bin/python /path/to/repo/bench/superbill_benchmark.py \
		[--site claims.test] [--warm 10] [--batch 100]

Everything happens in one database transaction that is rolled back at the end (Frappe also
deletes the PDF files it wrote), so the site is left as it was. The pure renderer alone is
measured by bench/render_benchmark.py.
"""

import argparse
import os
import statistics
import sys
import time


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", default=os.environ.get("CLAIMS_BILLING_SITE", "claims.test"))
	parser.add_argument("--warm", type=int, default=10, help="single superbills for the median")
	parser.add_argument("--batch", type=int, default=100, help="superbills in the batch run")
	arguments = parser.parse_args()
	try:
		import frappe
	except ImportError:
		sys.exit("Run this with the bench's Python (../env/bin/python) from the bench's sites folder.")

	frappe.init(site=arguments.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		run(frappe, arguments)
	finally:
		frappe.db.rollback()
		frappe.destroy()


def run(frappe, arguments) -> None:
	from claims_billing.patient.api import issue_superbills_for_services, new_superbill

	world = World(frappe)
	# Warm up this process (imports, fonts, templates, the first File write).
	issue(frappe, new_superbill, world, world.services_for_new_patient(2))
	single = []
	for _ in range(arguments.warm):
		services = world.services_for_new_patient(2)
		started = time.perf_counter()
		issue(frappe, new_superbill, world, services)
		single.append(time.perf_counter() - started)

	last = frappe.get_last_doc("Superbill")
	render_only = []
	for _ in range(arguments.warm):
		started = time.perf_counter()
		last.render_pdf()
		render_only.append(time.perf_counter() - started)

	batch_services = [name for _ in range(arguments.batch) for name in world.services_for_new_patient(3)]
	started = time.perf_counter()
	result = issue_superbills_for_services(batch_services)
	batch_seconds = time.perf_counter() - started
	if result["failed"] or len(result["issued"]) != arguments.batch:
		sys.exit(f"batch did not issue every superbill: {result['failed'][:3]}")
	pages = {frappe.db.get_value("Superbill", name, "pdf") for name in result["issued"]}
	print(f"site {arguments.site}, {os.cpu_count()} CPUs, 1-minute load {os.getloadavg()[0]:.2f}")
	print(
		f"one superbill issued (2 services: book, mark, render, attach), median of {arguments.warm}: "
		f"{statistics.median(single) * 1000:.0f} ms"
	)
	print(
		f"of which rendering the PDF from the site's records, median of {arguments.warm}: "
		f"{statistics.median(render_only) * 1000:.0f} ms"
	)
	print(
		f"{arguments.batch} superbills (3 services each) in one batch: {batch_seconds:.1f} s, "
		f"{batch_seconds / arguments.batch * 1000:.0f} ms each, {len(pages)} PDFs attached"
	)


def issue(frappe, new_superbill, world, services) -> None:
	superbill = new_superbill("Patient", world.patient_of[services[0]], world.practitioner, services)
	superbill.submit()


class World:
	"""A practice, a practitioner and patients with private-pay services, inside the transaction."""

	def __init__(self, frappe):
		from claims_billing.core.codes import npi_check_digit

		self.frappe = frappe
		settings = frappe.get_single("Claims Billing Settings")
		for field, value in {
			"billing_provider_name": "Benchmark Therapy Group",
			"billing_provider_npi": "1456789019",
			"billing_provider_tax_id": "91-0000417",
			"billing_provider_address_line1": "200 Commerce Way",
			"billing_provider_city": "Portland",
			"billing_provider_state": "ME",
			"billing_provider_zip_code": "04101",
		}.items():
			frappe.db.set_single_value("Claims Billing Settings", field, value)
		frappe.clear_document_cache(settings.doctype, settings.name)
		first_nine = "1" + frappe.generate_hash(length=20).translate(str.maketrans("abcdef", "012345"))[:8]
		self.practitioner = (
			frappe.get_doc(
				{
					"doctype": "Billing Practitioner",
					"first_name": "Bench",
					"last_name": "Marker",
					"npi": first_nine + npi_check_digit(first_nine),
					"taxonomy_code": "1041C0700X",
					"license_number": "LC-1",
				}
			)
			.insert()
			.name
		)
		self.patient_of: dict[str, str] = {}
		self.count = 0

	def services_for_new_patient(self, count: int) -> list[str]:
		frappe = self.frappe
		self.count += 1
		patient = frappe.get_doc(
			{
				"doctype": "Patient",
				"first_name": "Bench",
				"last_name": f"Patient {self.count:04d}",
				"sex": "Female",
				"dob": "1980-01-01",
			}
		).insert()
		names = []
		for index, (code, rate, diagnosis) in enumerate(
			[("90837", 180, "F41.1"), ("90834", 140, "F33.1"), ("97110", 45.5, "M54.50")][:count]
		):
			service = frappe.get_doc(
				{
					"doctype": "Billable Service",
					"patient_doctype": "Patient",
					"patient": patient.name,
					"practitioner": self.practitioner,
					"date_of_service": frappe.utils.add_days(frappe.utils.getdate(), -(index + 1)),
					"procedure_code": code,
					"rate": rate,
					"units": 1,
					"billing_route": "Private Pay",
					"diagnoses": [{"icd10_code": diagnosis}],
				}
			).insert()
			self.patient_of[service.name] = patient.name
			names.append(service.name)
		return names


if __name__ == "__main__":
	main()
