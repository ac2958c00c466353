"""Where the shared public X12 sample files are: ``$CLAIMS_BILLING_SAMPLES``, else ``<repo>/../shared/x12-samples``.

CI always has ``shared/`` beside the repository, so a missing folder is an error here, never a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT_VARIABLE = "CLAIMS_BILLING_SAMPLES"
REPOSITORY = Path(__file__).resolve().parents[2]


def samples_dir() -> Path:
	"""The sample folder; raises ``FileNotFoundError`` (failing the test) when it is not there."""
	configured = os.environ.get(ENVIRONMENT_VARIABLE)
	folder = Path(configured) if configured else REPOSITORY.parent / "shared" / "x12-samples"
	if not (folder / "SOURCES.md").is_file():
		raise FileNotFoundError(
			f"X12 samples not found at {folder} (no SOURCES.md there): put shared/x12-samples beside the "
			f"repository or set {ENVIRONMENT_VARIABLE}"
		)
	return folder


def sample_path(relative: str) -> Path:
	"""``sample_path("835/denied-claim-multiple-svc.x12")``; raises when the file is missing."""
	path = samples_dir() / relative
	if not path.is_file():
		raise FileNotFoundError(f"X12 sample {relative} is missing from {samples_dir()}")
	return path


def sample(relative: str) -> bytes:
	"""The bytes of one sample file."""
	return sample_path(relative).read_bytes()


def sample_names(kind: str | None = None) -> list[str]:
	"""Relative names of every ``*.x12`` sample (``835/...``), optionally of one folder (``"835"``)."""
	folder = samples_dir()
	pattern = f"{kind}/*.x12" if kind else "*/*.x12"
	return sorted(path.relative_to(folder).as_posix() for path in folder.glob(pattern))
