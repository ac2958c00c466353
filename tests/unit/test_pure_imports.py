"""The pure core must import and work where Frappe is absent."""

import ast
import pathlib
import subprocess
import sys
import textwrap

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "claims_billing"
PURE_PACKAGES = ("x12", "core", "transport", "render", "stripe_client")
PURE_MODULES = ("cli.py",)
FORBIDDEN = ("frappe", "erpnext", "healthcare", "payments")


def pure_files():
	for name in PURE_PACKAGES:
		yield from sorted((PACKAGE / name).rglob("*.py"))
	for name in PURE_MODULES:
		if (PACKAGE / name).exists():
			yield PACKAGE / name


def test_no_pure_module_imports_frappe_anywhere_in_its_source():
	offenders = []
	for path in pure_files():
		tree = ast.parse(path.read_text(), filename=str(path))
		for node in ast.walk(tree):
			names = []
			if isinstance(node, ast.Import):
				names = [alias.name for alias in node.names]
			elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
				names = [node.module]
			for name in names:
				if name.split(".")[0] in FORBIDDEN:
					offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {name}")
	assert not offenders, "\n".join(offenders)


def test_pure_modules_import_with_frappe_blocked():
	"""Import every pure module in a fresh interpreter where importing Frappe raises."""
	modules = []
	for path in pure_files():
		relative = path.relative_to(PACKAGE.parent).with_suffix("")
		parts = list(relative.parts)
		if parts[-1] == "__init__":
			parts = parts[:-1]
		modules.append(".".join(parts))
	assert len(modules) > 5, "expected the pure packages to hold modules"
	script = textwrap.dedent(
		f"""
		import importlib, sys

		class BlockFrappe:
			def find_spec(self, name, path=None, target=None):
				if name.split(".")[0] in {FORBIDDEN!r}:
					raise ImportError(f"blocked: {{name}}")
				return None

		sys.meta_path.insert(0, BlockFrappe())
		for name in {modules!r}:
			importlib.import_module(name)
		leaked = [m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r}]
		assert not leaked, leaked
		print("imported", len({modules!r}))
		"""
	)
	result = subprocess.run(
		[sys.executable, "-c", script],
		cwd=PACKAGE.parent,
		capture_output=True,
		text=True,
		timeout=120,
	)
	assert result.returncode == 0, result.stderr
	assert f"imported {len(modules)}" in result.stdout
