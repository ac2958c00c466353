"""Readers build their data objects with positional arguments: in a loop over a large file that is
much faster than by keyword. ``check_positions`` makes that safe: called at import for every class a
module builds that way, it fails at once (not with values silently in the wrong fields) if a class
no longer starts with the fields the module passes, in that order.
"""

from __future__ import annotations

import dataclasses


def check_positions(cls: type, *names: str) -> None:
	"""Raise ``TypeError`` unless dataclass ``cls``'s first fields are ``names``, in this order."""
	found = tuple(field.name for field in dataclasses.fields(cls))[: len(names)]
	if found != names:
		raise TypeError(
			f"{cls.__name__} now begins with the fields {found}, not {names}: update the positional calls "
			"that build it"
		)
