"""pyx12 as an independent judge of our X12 output.

``judge(data)`` runs pyx12's ``x12valid`` on the bytes and returns ``(ok, errors)``. x12valid
exits 0 whatever it finds, so the verdict comes from its output: one line ``<file>: OK`` or
``<file>: Failure`` per file, preceded by that file's ``... ERROR ...`` log lines. ``judge_many``
checks several files in one x12valid run (its start-up is most of the cost).

pyx12 picks its map from GS08, so an 837P must say ``005010X222A1`` there or it would be judged
against the wrong rules; ``judge`` refuses such input instead of reporting a meaningless OK.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tempfile
from pathlib import Path

EXPECTED_VERSION = b"005010X222A1"
TIMEOUT_SECONDS = 600
_ERROR_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ERROR (.*)$")


def x12valid_command() -> list[str]:
	"""x12valid from the Python environment running the tests."""
	if importlib.util.find_spec("pyx12.scripts.x12valid") is not None:
		return [sys.executable, "-m", "pyx12.scripts.x12valid"]
	script = Path(sys.executable).with_name("x12valid")
	if script.exists():
		return [str(script)]
	raise RuntimeError(f"pyx12 is not installed for {sys.executable}; install the test extras (pyx12==4.0.0)")


def judge(data: bytes, version: bytes = EXPECTED_VERSION) -> tuple[bool, list[str]]:
	"""pyx12's verdict on one interchange: (no errors and verdict OK, the ERROR messages)."""
	return judge_many([data], version)[0]


def judge_many(files: list[bytes], version: bytes = EXPECTED_VERSION) -> list[tuple[bool, list[str]]]:
	"""pyx12's verdict on each of ``files``, in one x12valid run."""
	for i, data in enumerate(files):
		if gs08(data) != version:
			raise ValueError(f"file {i}: GS08 is not {version.decode()}; pyx12 would use another map")
	with tempfile.TemporaryDirectory(prefix="pyx12-judge-") as folder:
		paths = []
		for i, data in enumerate(files):
			path = Path(folder) / f"file{i:04d}.x12"
			path.write_bytes(data)
			paths.append(str(path))
		completed = subprocess.run(
			[*x12valid_command(), *paths],
			capture_output=True,
			text=True,
			timeout=TIMEOUT_SECONDS,
			cwd=folder,
		)
	return parse_output(completed.stdout + completed.stderr, paths)


def gs08(data: bytes) -> bytes:
	"""GS08 (the implementation guide) of the first functional group, using the ISA's separators."""
	start = data.find(b"ISA")
	if start < 0 or len(data) < start + 106:
		return b""
	element, terminator = data[start + 3 : start + 4], data[start + 105 : start + 106]
	for segment in data[start:].split(terminator):
		fields = segment.strip().split(element)
		if fields[0] == b"GS":
			return fields[8] if len(fields) > 8 else b""
	return b""


def parse_output(output: str, paths: list[str]) -> list[tuple[bool, list[str]]]:
	"""Split x12valid's log into one (ok, errors) per file: errors come before the file's verdict."""
	verdicts: dict[str, tuple[bool, list[str]]] = {}
	pending: list[str] = []
	for line in output.splitlines():
		found = _ERROR_LINE.match(line)
		if found:
			pending.append(found.group(1))
			continue
		for path in paths:
			if line == f"{path}: OK" or line == f"{path}: Failure":
				verdicts[path] = (line.endswith(": OK") and not pending, pending)
				pending = []
				break
	results = []
	for path in paths:
		if path in verdicts:
			results.append(verdicts[path])
		else:
			tail = output.strip().splitlines()[-5:]
			results.append((False, ["x12valid gave no verdict for this file", *tail]))
	return results
