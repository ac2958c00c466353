"""Print the app's declared runtime requirements that this Python environment does not satisfy.

run.sh runs it with the bench's Python: an editable install records the requirements of the
day it ran, so a dependency added or raised later in pyproject.toml (WeasyPrint, stripe,
Jinja2) would otherwise go unnoticed until an import fails on the site.

	python check_requirements.py path/to/pyproject.toml   (exit 1 and one line per miss)
"""

import importlib.metadata
import sys

import tomllib
from packaging.requirements import Requirement


def unsatisfied(pyproject_path: str) -> list[str]:
	with open(pyproject_path, "rb") as handle:
		declared = tomllib.load(handle)["project"].get("dependencies", [])
	missing = []
	for line in declared:
		requirement = Requirement(line)
		if requirement.marker and not requirement.marker.evaluate():
			continue
		try:
			installed = importlib.metadata.version(requirement.name)
		except importlib.metadata.PackageNotFoundError:
			missing.append(f"{line} (not installed)")
			continue
		if installed not in requirement.specifier:
			missing.append(f"{line} (installed {installed})")
	return missing


if __name__ == "__main__":
	problems = unsatisfied(sys.argv[1])
	for problem in problems:
		print(problem)
	sys.exit(1 if problems else 0)
