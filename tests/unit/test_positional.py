"""check_positions: readers build data objects positionally, so a moved field must fail loudly."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from claims_billing.x12.claim import Adjustment, ServiceLine
from claims_billing.x12.positional import check_positions


@dataclass
class _Moved:
	reason: str
	group: str
	amount: int = 0


def test_the_classes_the_readers_build_still_begin_as_they_assume():
	check_positions(Adjustment, "group", "reason", "amount", "quantity")
	check_positions(ServiceLine, "procedure_code", "charge", "service_date", "diagnosis_pointers")


def test_a_field_moved_or_renamed_is_an_error_naming_both_orders():
	with pytest.raises(
		TypeError, match=r"_Moved now begins with the fields \('reason', 'group'\), not \('group', 'reason'\)"
	):
		check_positions(_Moved, "group", "reason")
	with pytest.raises(TypeError, match="not \\('reason', 'group', 'quantity'\\)"):
		check_positions(_Moved, "reason", "group", "quantity")
