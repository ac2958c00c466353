"""X12 engine benchmark against pyx12 on the same inputs (not a test).

	python bench/x12_benchmark.py [--megabytes 5] [--claims 10000] [--skip-pyx12]

1. A ~5 MB 835 and a ~5 MB 837P, built by repeating a public sample's transaction set (ST..SE)
   with fresh control numbers inside one ISA/GS. Each is read and validated by this engine in one
   pass (``read_and_validate``; the claim scrubber, which pyx12 has no counterpart for, is timed on
   its own), for reference also separately (``read_document`` then ``validate_file``), and by pyx12's
   ``x12valid``. Peak memory is tracemalloc's peak during our one-pass read+validate, as a multiple
   of the file size.
2. One 837P of 10,000 two-line claims built by ``write_837p``.

Both sides are timed several times and compared by their fastest run, the usual estimate for
CPU-bound code (other processes only ever add time): ``--runs`` of ours, half before and half after
pyx12's ``--pyx12-runs``, so that a slow minute on a shared machine does not fall on one side only.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claims_billing.core.scrubber import scrub_claims
from claims_billing.x12.document import read_and_validate, read_document
from claims_billing.x12.segments import Segments
from claims_billing.x12.validate import validate_file
from claims_billing.x12.write_837p import write_837p
from tests.factories import make_claims, make_envelope, make_receiver, make_submitter
from tests.pyx12_judge import parse_output, x12valid_command
from tests.unit.samples import samples_dir

SAMPLE_835 = "835/ig-multiple-claims-single-check.x12"
SAMPLE_837 = "837p/eight-claims-lt-component-sep.x12"
TODAY = datetime.date(2026, 11, 22)


def repeat_transaction(sample: bytes, target_bytes: int) -> tuple[bytes, int]:
	"""The sample's first ISA/GS, its first ST..SE repeated to about ``target_bytes``, then GE/IEA."""
	segments = Segments(sample)
	d = segments.delimiters
	texts = [d.element.join(elements) for _, elements in segments]
	ids = [text.split(d.element, 1)[0] for text in texts]
	st, se = ids.index("ST"), ids.index("SE")
	isa, gs = texts[0], texts[ids.index("GS")]
	body = texts[st + 1 : se]
	st_elements = texts[st].split(d.element)
	terminator = d.segment + "\n"
	header = isa + terminator + gs + terminator
	pieces = [header]
	size = len(header)
	count = 0
	while size < target_bytes:
		count += 1
		control = f"{count:09d}"
		st_elements[2] = control
		transaction = [
			d.element.join(st_elements),
			*body,
			d.element.join(["SE", str(len(body) + 2), control]),
		]
		chunk = terminator.join(transaction) + terminator
		pieces.append(chunk)
		size += len(chunk)
	gs_control = gs.split(d.element)[6]
	isa_control = isa.split(d.element)[13]
	pieces.append(d.element.join(["GE", str(count), gs_control]) + terminator)
	pieces.append(d.element.join(["IEA", "1", isa_control]) + terminator)
	return "".join(pieces).encode("latin-1"), count


def timings(function, data: bytes, runs: int) -> list[float]:
	"""Seconds of each of ``runs`` calls of ``function(data)``."""
	found = []
	for _ in range(runs):
		gc.collect()
		started = time.perf_counter()
		result = function(data)
		found.append(time.perf_counter() - started)
		del result
	return found


def separately(data: bytes) -> tuple:
	return read_document(data), validate_file(data)


def peak_memory(data: bytes) -> tuple[int, list, list]:
	"""tracemalloc's peak bytes during one read + validate in one pass, and its transactions and problems
	(checked to be what reading and validating separately give)."""
	gc.collect()
	tracemalloc.start()
	transactions, problems = read_and_validate(data)
	_, peak = tracemalloc.get_traced_memory()
	tracemalloc.stop()
	assert (transactions, problems) == separately(data)
	return peak, transactions, problems


def scrub_seconds(transactions) -> tuple[float, int]:
	"""The claim scrubber over every claim read from an 837P (content rules pyx12 does not check)."""
	claims = [claim for transaction in transactions for claim in transaction.content.claims]
	started = time.perf_counter()
	problems = scrub_claims(claims, TODAY)
	return time.perf_counter() - started, len(problems)


def pyx12_seconds(data: bytes) -> tuple[float, str]:
	"""Wall seconds of one x12valid run on ``data``, and its verdict (read from its log, not its exit code)."""
	with tempfile.TemporaryDirectory(prefix="x12-bench-") as folder:
		path = Path(folder) / "input.x12"
		path.write_bytes(data)
		started = time.perf_counter()
		completed = subprocess.run(
			[*x12valid_command(), str(path)], capture_output=True, text=True, cwd=folder, timeout=1800
		)
		elapsed = time.perf_counter() - started
	((ok, errors),) = parse_output(completed.stdout + completed.stderr, [str(path)])
	return elapsed, "OK" if ok else f"Failure, {len(errors)} ERROR lines"


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--megabytes", type=float, default=5.0)
	parser.add_argument("--claims", type=int, default=10_000)
	parser.add_argument("--runs", type=int, default=8, help="timed runs of ours per file (default 8)")
	parser.add_argument("--pyx12-runs", type=int, default=2, help="x12valid runs per file (default 2)")
	parser.add_argument("--skip-pyx12", action="store_true", help="skip the (slow) pyx12 runs")
	args = parser.parse_args()
	samples = samples_dir()
	target = int(args.megabytes * 1024 * 1024)
	for kind, sample in (("835", SAMPLE_835), ("837P", SAMPLE_837)):
		data, copies = repeat_transaction((samples / sample).read_bytes(), target)
		peak, transactions, problems = peak_memory(data)
		claims = sum(len(t.content.claims) for t in transactions)
		print(
			f"{kind}: {len(data) / 1e6:.2f} MB, {copies} x {Path(sample).name}, {claims} claims\n"
			f"  ours: peak memory {peak / len(data):.2f}x file size, {len(problems)} file problems",
			flush=True,
		)
		if kind == "837P":
			scrub_s, scrub_problems = scrub_seconds(transactions)
			print(
				f"  claim scrubber on its own: {scrub_s:.3f} s for {claims} claims ({scrub_problems} problems)"
			)
		del transactions
		ours_s = timings(read_and_validate, data, (args.runs + 1) // 2)
		pyx12_s = []
		if not args.skip_pyx12:
			for _ in range(args.pyx12_runs):
				elapsed, verdict = pyx12_seconds(data)
				pyx12_s.append(elapsed)
				print(f"  pyx12 x12valid: {elapsed:.1f} s ({verdict})", flush=True)
		ours_s += timings(read_and_validate, data, args.runs // 2)
		two_passes = min(timings(separately, data, 3))
		best = min(ours_s)
		print(
			f"  ours: {best:.3f} s read+validate in one pass, fastest of {len(ours_s)} "
			f"({len(data) / 1e6 / best:.1f} MB/s; median {statistics.median(ours_s):.3f} s, slowest "
			f"{max(ours_s):.3f} s); separately {two_passes:.3f} s",
			flush=True,
		)
		if pyx12_s:
			print(f"  ours is {min(pyx12_s) / best:.0f}x faster than pyx12's fastest ({min(pyx12_s):.1f} s)")

	claims = make_claims(args.claims)
	submitter, receiver, envelope = make_submitter(), make_receiver(), make_envelope()
	build_s = []
	for _ in range(5):
		gc.collect()
		started = time.perf_counter()
		output = write_837p(claims, submitter, receiver, envelope)
		build_s.append(time.perf_counter() - started)
	print(
		f"837P build: {args.claims} claims ({2 * args.claims} lines), {len(output) / 1e6:.2f} MB: "
		f"median {statistics.median(build_s):.3f} s, best {min(build_s):.3f} s",
		flush=True,
	)


if __name__ == "__main__":
	main()
