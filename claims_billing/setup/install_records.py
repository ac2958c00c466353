"""What install created (accounts, code systems), kept on the settings so uninstall removes only that."""

import json

RECORDS_FIELD = "installed_records"


def remembered(settings, kind: str) -> list[str]:
	try:
		records = json.loads(settings.get(RECORDS_FIELD) or "{}")
	except ValueError:
		return []
	return list(records.get(kind) or [])


def remember(settings, kind: str, name: str) -> None:
	try:
		records = json.loads(settings.get(RECORDS_FIELD) or "{}")
	except ValueError:
		records = {}
	names = records.setdefault(kind, [])
	if name not in names:
		names.append(name)
	settings.set(RECORDS_FIELD, json.dumps(records, sort_keys=True))
