"""How fast superbill and statement PDFs render (not a test: figures vary with the machine).

Run from the repository root:  python3 bench/render_benchmark.py [--warm 20] [--batch 100]

Reports the cold first render (fresh interpreter: imports, template, CSS and font set-up), the
median warm one-page superbill and statement, a batch of distinct superbills in one process,
and peak RSS. Wall and CPU time are both shown: on a shared machine CPU time is the steadier.
"""

import argparse
import dataclasses
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import textwrap
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing the app
	sys.path.insert(0, str(ROOT))

from claims_billing.render import examples
from claims_billing.render.statement import render_statement_pdf
from claims_billing.render.superbill import render_superbill_pdf

WARM_TARGET_MS = 200.0

COLD_SCRIPT = textwrap.dedent(
	"""
	import json, sys, time
	sys.path.insert(0, sys.argv[1])
	started = time.perf_counter()
	from claims_billing.render import examples
	from claims_billing.render.superbill import render_superbill_pdf
	imported = time.perf_counter()
	render_superbill_pdf(examples.example_superbill())
	rendered = time.perf_counter()
	print(json.dumps({"import": imported - started, "first_render": rendered - imported}))
	"""
)


def timed(function) -> tuple[float, float]:
	"""Wall and CPU seconds of one call."""
	wall, cpu = time.perf_counter(), time.process_time()
	function()
	return time.perf_counter() - wall, time.process_time() - cpu


def median_ms(samples: list[tuple[float, float]]) -> tuple[float, float]:
	return (
		statistics.median(wall for wall, _cpu in samples) * 1000,
		statistics.median(cpu for _wall, cpu in samples) * 1000,
	)


def cold_render() -> dict:
	import json

	result = subprocess.run(
		[sys.executable, "-c", COLD_SCRIPT, str(ROOT)], capture_output=True, text=True, check=True
	)
	return json.loads(result.stdout)


def distinct_superbills(count: int) -> list:
	"""``count`` one-page superbills that differ in patient, number and services."""
	base = examples.example_superbill()
	superbills = []
	for index in range(count):
		patient = dataclasses.replace(
			base.patient, name=f"Patient {index:03d} Testwell", account_number=f"PT-{index:05d}"
		)
		services = examples.example_superbill(service_count=1 + index % 8).services
		superbills.append(
			dataclasses.replace(base, patient=patient, number=f"SB-2026-{index:04d}", services=services)
		)
	return superbills


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--warm", type=int, default=20, help="renders for each warm median")
	parser.add_argument("--batch", type=int, default=100, help="superbills in the batch run")
	arguments = parser.parse_args()

	cold = cold_render()

	superbill = examples.example_superbill()
	statement = examples.example_statement()
	render_superbill_pdf(superbill)  # warm up this process
	render_statement_pdf(statement)
	warm_superbill = median_ms(
		[timed(lambda: render_superbill_pdf(superbill)) for _ in range(arguments.warm)]
	)
	warm_statement = median_ms(
		[timed(lambda: render_statement_pdf(statement)) for _ in range(arguments.warm)]
	)

	batch = distinct_superbills(arguments.batch)
	batch_wall, batch_cpu = timed(lambda: [render_superbill_pdf(data) for data in batch])

	peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB

	rows = [
		("cold: import render modules", f"{cold['import'] * 1000:8.0f} ms", ""),
		("cold: first superbill render", f"{cold['first_render'] * 1000:8.0f} ms", ""),
		(
			f"warm superbill, 1 page (median of {arguments.warm})",
			f"{warm_superbill[0]:8.1f} ms",
			f"{warm_superbill[1]:8.1f} ms",
		),
		(
			f"warm statement, 1 page (median of {arguments.warm})",
			f"{warm_statement[0]:8.1f} ms",
			f"{warm_statement[1]:8.1f} ms",
		),
		(f"{arguments.batch} superbills, total", f"{batch_wall:8.2f} s ", f"{batch_cpu:8.2f} s "),
		(
			f"{arguments.batch} superbills, per PDF",
			f"{batch_wall / arguments.batch * 1000:8.1f} ms",
			f"{batch_cpu / arguments.batch * 1000:8.1f} ms",
		),
		("peak RSS", f"{peak_rss_mb:8.0f} MB", ""),
	]
	width = max(len(label) for label, _wall, _cpu in rows)
	print(f"{'measure':<{width}}  {'wall':>11}  {'cpu':>11}")
	for label, wall, cpu in rows:
		print(f"{label:<{width}}  {wall:>11}  {cpu:>11}")
	load = os.getloadavg()[0]
	print(
		f"\n{os.cpu_count()} CPUs, 1-minute load average {load:.2f} (other work on the machine inflates wall time)"
	)
	verdict = "meets" if warm_superbill[0] <= WARM_TARGET_MS else "MISSES"
	print(
		f"warm one-page superbill {verdict} the {WARM_TARGET_MS:.0f} ms target (wall {warm_superbill[0]:.1f} ms)"
	)


if __name__ == "__main__":
	main()
