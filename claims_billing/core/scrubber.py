"""Claim scrubbing: every problem a payer or clearinghouse would reject a claim for, before it is sent.

These are the content rules a schema validator such as pyx12 cannot see: check digits, code sets,
arithmetic, dates against today, cross-references between lines, diagnoses and other payers.
Each problem carries the field path, a sentence for staff and a stable rule code (``RULE_CODES``)
that callers key on. Messages say "Service line 2" as staff count lines, and never repeat the
patient's name, member ID or date of birth.
"""

import dataclasses
import datetime
from collections.abc import Iterable
from decimal import Decimal

from claims_billing.core import code_lists, codes
from claims_billing.x12.claim import (
	FREQUENCY_ORIGINAL,
	FREQUENCY_REPLACEMENT,
	FREQUENCY_VOID,
	RESPONSIBILITY_CODES,
	Adjustment,
	Claim,
	OtherPayer,
	Provider,
	ServiceLine,
)
from claims_billing.x12.errors import Problem

MAX_LINES = 50
MAX_DIAGNOSES = 12
MAX_POINTERS = 4
MAX_MODIFIERS = 4
MAX_CLAIM_ID_LENGTH = 20
# The writer's default element, component, repetition and segment separators, plus line breaks.
X12_RESERVED_CHARACTERS = "*:^~\r\n"
PROFESSIONAL_FREQUENCIES = (FREQUENCY_ORIGINAL, FREQUENCY_REPLACEMENT, FREQUENCY_VOID)
# CAS01 group codes valid in 005010 (CR was retired with 4010).
ADJUSTMENT_GROUPS_5010 = frozenset({"CO", "OA", "PI", "PR"})
RESPONSIBILITY_NAMES = {"P": "primary", "S": "secondary", "T": "tertiary"}

RULE_CODES = frozenset(
	{
		"claim-id-missing",
		"claim-id-too-long",
		"claim-id-duplicate",
		"separator-character",
		"npi-invalid",
		"npi-check-digit",
		"member-id-missing",
		"payer-id-missing",
		"filing-indicator-invalid",
		"dob-missing",
		"dob-in-future",
		"dob-after-service",
		"diagnosis-missing",
		"diagnosis-too-many",
		"diagnosis-duplicate",
		"icd10-unknown",
		"icd10-not-billable",
		"line-missing",
		"line-too-many",
		"procedure-code-invalid",
		"modifier-invalid",
		"modifier-too-many",
		"modifier-duplicate",
		"charge-invalid",
		"charge-not-positive",
		"charge-precision",
		"units-not-positive",
		"claim-total-mismatch",
		"date-missing",
		"date-in-future",
		"service-date-end-before-start",
		"onset-after-service",
		"place-of-service-invalid",
		"pointer-missing",
		"pointer-too-many",
		"pointer-invalid",
		"pointer-missing-diagnosis",
		"pointer-duplicate",
		"telehealth-modifier-missing",
		"telehealth-place-mismatch",
		"frequency-invalid",
		"original-claim-number-missing",
		"payer-responsibility-invalid",
		"cob-responsibility-invalid",
		"cob-responsibility-duplicate",
		"cob-earlier-payer-missing",
		"cob-adjudication-missing",
		"cob-line-reference",
		"cob-paid-exceeds-charge",
		"cob-claim-unbalanced",
		"cob-line-unbalanced",
		"cob-adjustment-group-invalid",
		"cob-adjustment-reason-unknown",
		"cob-amount-invalid",
	}
)


def scrub_claims(claims: Iterable[Claim], today: datetime.date) -> list[Problem]:
	"""Every problem of every claim in a batch, paths ``claims[0]...``, plus repeated claim IDs."""
	problems: list[Problem] = []
	first_index_of_id: dict[str, int] = {}
	for index, claim in enumerate(claims):
		path = f"claims[{index}]"
		problems.extend(scrub_claim(claim, today, path))
		claim_id = claim.claim_id.strip() if isinstance(claim.claim_id, str) else ""
		if not claim_id:
			continue
		if claim_id in first_index_of_id:
			problems.append(
				Problem(
					f"{path}.claim_id",
					f"Claim ID {claim_id} is also used by claim {first_index_of_id[claim_id] + 1} of this "
					"batch; acknowledgements and payments could not be told apart",
					"claim-id-duplicate",
				)
			)
		else:
			first_index_of_id[claim_id] = index
	return problems


def scrub_claim(claim: Claim, today: datetime.date, path: str = "claim") -> list[Problem]:
	"""Every problem found in ``claim``; an empty list means it is ready to send."""
	scrub = _Scrub(claim, today, path)
	scrub.run()
	return scrub.problems


def _is_amount(value) -> bool:
	return isinstance(value, Decimal) and value.is_finite()


def _as_date(value) -> datetime.date | None:
	"""A date, also from a datetime (which will not compare with a date); None for anything else."""
	if isinstance(value, datetime.datetime):
		return value.date()
	return value if isinstance(value, datetime.date) else None


def _text(value) -> str:
	return value if isinstance(value, str) else ""


def _decimal_places(amount: Decimal) -> int:
	exponent = amount.normalize().as_tuple().exponent
	return max(0, -exponent) if isinstance(exponent, int) else 0


def _money(amount: Decimal) -> str:
	return f"{amount:.2f}"


def _label(path: str) -> str:
	"""The last field name of a path in words: ``claim.billing_provider.npi`` -> ``npi``."""
	last = path.rsplit(".", 1)[-1].split("[", 1)[0]
	return last.replace("_", " ")


class _Scrub:
	"""One pass over one claim; each ``_check_*`` method adds the problems of one rule family."""

	def __init__(self, claim: Claim, today: datetime.date, path: str):
		self.claim = claim
		self.today = _as_date(today)
		if self.today is None:
			raise TypeError("scrub_claim needs today as a datetime.date")
		self.path = path
		self.problems: list[Problem] = []
		self.lines: list[ServiceLine] = list(claim.lines or [])
		self.diagnoses: list = list(claim.diagnoses or [])

	def add(self, path: str, code: str, message: str) -> None:
		assert code in RULE_CODES, code
		self.problems.append(Problem(path, message, code))

	def run(self) -> None:
		self._check_claim_id()
		self._check_separators(self.claim, self.path)
		self._check_providers()
		self._check_subscriber_and_payer()
		self._check_patient()
		self._check_diagnoses()
		self._check_line_count()
		for index, line in enumerate(self.lines):
			self._check_line(index, line)
		self._check_total()
		self._check_claim_dates()
		self._check_place_of_service()
		self._check_telehealth()
		self._check_frequency()
		self._check_coordination_of_benefits()

	# --- identity ---------------------------------------------------------------------------

	def _check_claim_id(self) -> None:
		claim_id = _text(self.claim.claim_id)
		where = f"{self.path}.claim_id"
		if not claim_id.strip():
			self.add(where, "claim-id-missing", "The claim ID (patient control number) is missing")
		elif len(claim_id) > MAX_CLAIM_ID_LENGTH:
			self.add(
				where,
				"claim-id-too-long",
				f"The claim ID has {len(claim_id)} characters; at most {MAX_CLAIM_ID_LENGTH} fit on a claim",
			)

	def _check_separators(self, value, path: str) -> None:
		"""No text anywhere in the claim may contain a character X12 uses to split the file."""
		if isinstance(value, str):
			found = sorted({char for char in value if char in X12_RESERVED_CHARACTERS})
			if found:
				shown = ", ".join("a line break" if char in "\r\n" else f"'{char}'" for char in found)
				self.add(
					path,
					"separator-character",
					f"The {_label(path)} contains {shown}, which X12 reserves as a separator; remove it",
				)
		elif dataclasses.is_dataclass(value) and not isinstance(value, type):
			for field in dataclasses.fields(value):
				self._check_separators(getattr(value, field.name), f"{path}.{field.name}")
		elif isinstance(value, list | tuple):
			for index, item in enumerate(value):
				self._check_separators(item, f"{path}[{index}]")

	# --- parties ----------------------------------------------------------------------------

	def _check_npi(self, npi, path: str, whose: str) -> None:
		message = codes.npi_problem(npi)
		if message is None:
			return
		ten_digits = isinstance(npi, str) and len(npi) == codes.NPI_LENGTH and npi.isascii() and npi.isdigit()
		code = "npi-check-digit" if ten_digits else "npi-invalid"
		self.add(path, code, f"{whose}: {message}")

	def _check_providers(self) -> None:
		claim = self.claim
		self._check_npi(claim.billing_provider.npi, f"{self.path}.billing_provider.npi", "Billing provider")
		for attribute, whose in (
			("rendering_provider", "Rendering provider"),
			("referring_provider", "Referring provider"),
		):
			provider: Provider | None = getattr(claim, attribute)
			if provider is not None:
				self._check_npi(provider.npi, f"{self.path}.{attribute}.npi", whose)
		for index, line in enumerate(self.lines):
			if line.rendering_provider is not None:
				self._check_npi(
					line.rendering_provider.npi,
					f"{self.path}.lines[{index}].rendering_provider.npi",
					f"Service line {index + 1} rendering provider",
				)

	def _check_insured(self, subscriber, payer, path: str, whose: str) -> None:
		if not _text(subscriber.member_id).strip():
			self.add(
				f"{path}.subscriber.member_id", "member-id-missing", f"{whose}: the member ID is missing"
			)
		if not _text(payer.payer_id).strip():
			self.add(f"{path}.payer.payer_id", "payer-id-missing", f"{whose}: the payer ID is missing")
		indicator = _text(subscriber.filing_indicator)
		if (
			code_lists.describe_claim_filing_indicator(indicator) is None
			or indicator != indicator.strip().upper()
		):
			self.add(
				f"{path}.subscriber.filing_indicator",
				"filing-indicator-invalid",
				f"{whose}: claim filing indicator '{indicator}' is not an X12 code (e.g. CI commercial, "
				"MB Medicare Part B, MC Medicaid)",
			)

	def _check_subscriber_and_payer(self) -> None:
		self._check_insured(self.claim.subscriber, self.claim.payer, self.path, "Subscriber")

	def _first_service_date(self) -> datetime.date | None:
		dates = [_as_date(line.service_date) for line in self.lines]
		dates = [date for date in dates if date is not None]
		return min(dates) if dates else None

	def _check_birth_date(self, born, path: str, whose: str) -> None:
		born = _as_date(born)
		if born is None:
			self.add(path, "dob-missing", f"The {whose}'s date of birth is missing")
			return
		first_service = self._first_service_date()
		if born > self.today:
			self.add(path, "dob-in-future", f"The {whose}'s date of birth is in the future")
		elif first_service is not None and born > first_service:
			self.add(
				path, "dob-after-service", f"The {whose}'s date of birth is after the first date of service"
			)

	def _check_patient(self) -> None:
		patient = self.claim.patient
		if patient is not None:
			self._check_birth_date(patient.date_of_birth, f"{self.path}.patient.date_of_birth", "patient")
		else:
			# The subscriber is the patient, so the claim must carry their birth date (2010BA DMG).
			self._check_birth_date(
				self.claim.subscriber.date_of_birth,
				f"{self.path}.subscriber.date_of_birth",
				"patient (subscriber)",
			)

	# --- diagnoses --------------------------------------------------------------------------

	def _check_diagnoses(self) -> None:
		where = f"{self.path}.diagnoses"
		if not self.diagnoses:
			self.add(
				where, "diagnosis-missing", "The claim has no diagnosis; add at least one ICD-10-CM code"
			)
			return
		if len(self.diagnoses) > MAX_DIAGNOSES:
			self.add(
				where,
				"diagnosis-too-many",
				f"The claim has {len(self.diagnoses)} diagnoses; at most {MAX_DIAGNOSES} fit on one claim",
			)
		first_position: dict[str, int] = {}
		for index, diagnosis in enumerate(self.diagnoses):
			item_path = f"{where}[{index}]"
			message = codes.icd10_problem(diagnosis)
			if message is not None:
				known = isinstance(diagnosis, str) and codes.describe_icd10(diagnosis) is not None
				self.add(
					item_path,
					"icd10-not-billable" if known else "icd10-unknown",
					f"Diagnosis {index + 1}: {message}",
				)
			if not isinstance(diagnosis, str) or not diagnosis.strip():
				continue
			normalized = codes.normalize_icd10(diagnosis)
			if normalized in first_position:
				self.add(
					item_path,
					"diagnosis-duplicate",
					f"Diagnosis {index + 1} ({normalized}) repeats diagnosis {first_position[normalized] + 1}",
				)
			else:
				first_position[normalized] = index

	# --- service lines ----------------------------------------------------------------------

	def _check_line_count(self) -> None:
		where = f"{self.path}.lines"
		if not self.lines:
			self.add(where, "line-missing", "The claim has no service lines")
		elif len(self.lines) > MAX_LINES:
			self.add(
				where,
				"line-too-many",
				f"The claim has {len(self.lines)} service lines; at most {MAX_LINES} fit on one claim, "
				"so split it into several claims",
			)

	def _check_line(self, index: int, line: ServiceLine) -> None:
		where = f"{self.path}.lines[{index}]"
		label = f"Service line {index + 1}"
		message = codes.procedure_code_problem(line.procedure_code)
		if message is not None:
			self.add(f"{where}.procedure_code", "procedure-code-invalid", f"{label}: {message}")
		self._check_modifiers(where, label, list(line.modifiers or []))
		self._check_charge_and_units(where, label, line)
		self._check_line_dates(where, label, line)
		self._check_pointers(where, label, line.diagnosis_pointers)

	def _check_modifiers(self, where: str, label: str, modifiers: list) -> None:
		if len(modifiers) > MAX_MODIFIERS:
			self.add(
				f"{where}.modifiers",
				"modifier-too-many",
				f"{label} has {len(modifiers)} modifiers; at most {MAX_MODIFIERS} fit on a service line",
			)
		seen: set[str] = set()
		for position, modifier in enumerate(modifiers):
			message = codes.modifier_problem(modifier)
			if message is not None:
				self.add(f"{where}.modifiers[{position}]", "modifier-invalid", f"{label}: {message}")
				continue
			if modifier in seen:
				self.add(
					f"{where}.modifiers[{position}]",
					"modifier-duplicate",
					f"{label}: modifier {modifier} appears twice",
				)
			seen.add(modifier)

	def _check_charge_and_units(self, where: str, label: str, line: ServiceLine) -> None:
		charge = line.charge
		if not _is_amount(charge):
			self.add(f"{where}.charge", "charge-invalid", f"{label}: the charge is missing or not an amount")
		elif charge <= 0:
			self.add(f"{where}.charge", "charge-not-positive", f"{label}: the charge must be more than 0.00")
		elif _decimal_places(charge) > 2:
			self.add(
				f"{where}.charge",
				"charge-precision",
				f"{label}: the charge {charge} has more than 2 decimals",
			)
		if not _is_amount(line.units) or line.units <= 0:
			self.add(f"{where}.units", "units-not-positive", f"{label}: the units must be a number above 0")

	def _check_line_dates(self, where: str, label: str, line: ServiceLine) -> None:
		start, end = _as_date(line.service_date), _as_date(line.service_date_end)
		if start is None:
			self.add(f"{where}.service_date", "date-missing", f"{label}: the date of service is missing")
		elif start > self.today:
			self.add(
				f"{where}.service_date",
				"date-in-future",
				f"{label}: the date of service {start} is in the future",
			)
		if end is None:
			return
		if end > self.today:
			self.add(
				f"{where}.service_date_end", "date-in-future", f"{label}: the end date {end} is in the future"
			)
		if start is not None and end < start:
			self.add(
				f"{where}.service_date_end",
				"service-date-end-before-start",
				f"{label}: the end date {end} is before the date of service {start}",
			)

	def _check_pointers(self, where: str, label: str, pointers) -> None:
		where = f"{where}.diagnosis_pointers"
		pointers = list(pointers or [])
		if not pointers:
			self.add(where, "pointer-missing", f"{label}: point to at least one diagnosis")
			return
		if len(pointers) > MAX_POINTERS:
			self.add(
				where,
				"pointer-too-many",
				f"{label} points to {len(pointers)} diagnoses; at most {MAX_POINTERS} fit on a service line",
			)
		seen: set[int] = set()
		for pointer in pointers:
			if isinstance(pointer, bool) or not isinstance(pointer, int) or pointer < 1:
				self.add(
					where,
					"pointer-invalid",
					f"{label}: diagnosis pointer {pointer!r} is not a diagnosis number (1 to {MAX_DIAGNOSES})",
				)
				continue
			if pointer > len(self.diagnoses):
				self.add(
					where,
					"pointer-missing-diagnosis",
					f"{label}: diagnosis pointer {pointer} has no diagnosis",
				)
			if pointer in seen:
				self.add(where, "pointer-duplicate", f"{label}: diagnosis pointer {pointer} appears twice")
			seen.add(pointer)

	def _check_total(self) -> None:
		declared = self.claim.declared_charge
		if declared is None:
			return
		charges = [line.charge for line in self.lines]
		if not all(_is_amount(charge) for charge in charges):
			return  # the line itself is already reported
		total = sum(charges, Decimal(0))
		if not _is_amount(declared) or declared != total:
			self.add(
				f"{self.path}.declared_charge",
				"claim-total-mismatch",
				f"The claim total {declared} does not equal the sum of its service lines, {_money(total)}",
			)

	# --- claim-level dates, places, telehealth, frequency -----------------------------------

	def _check_claim_dates(self) -> None:
		onset = _as_date(self.claim.onset_date)
		if onset is None:
			return
		where = f"{self.path}.onset_date"
		first_service = self._first_service_date()
		if onset > self.today:
			self.add(where, "date-in-future", f"The onset date {onset} is in the future")
		elif first_service is not None and onset > first_service:
			self.add(
				where,
				"onset-after-service",
				f"The onset date {onset} is after the first date of service {first_service}",
			)

	def _check_place_of_service(self) -> None:
		message = codes.place_of_service_problem(self.claim.place_of_service)
		if message is not None:
			self.add(f"{self.path}.place_of_service", "place-of-service-invalid", message)
		for index, line in enumerate(self.lines):
			if line.place_of_service:
				message = codes.place_of_service_problem(line.place_of_service)
				if message is not None:
					self.add(
						f"{self.path}.lines[{index}].place_of_service",
						"place-of-service-invalid",
						f"Service line {index + 1}: {message}",
					)

	def _line_place(self, line: ServiceLine) -> str:
		return line.place_of_service or self.claim.place_of_service

	def _check_telehealth(self) -> None:
		marking = codes.TELEHEALTH_MODIFIERS | codes.TELEHEALTH_RELATED_MODIFIERS
		# A telehealth place of service needs a telehealth modifier on at least one of its lines.
		for place in sorted(codes.TELEHEALTH_PLACES_OF_SERVICE):
			indexes = [index for index, line in enumerate(self.lines) if self._line_place(line) == place]
			if not indexes or any(marking & set(self.lines[index].modifiers or []) for index in indexes):
				continue
			if place == self.claim.place_of_service:
				where = f"{self.path}.place_of_service"
			else:
				where = f"{self.path}.lines[{indexes[0]}].place_of_service"
			self.add(
				where,
				"telehealth-modifier-missing",
				f"Place of service {place} means telehealth, but no service line carries a telehealth modifier "
				"(95 or GT; 93 for audio-only)",
			)
		# A 95/GT modifier says telehealth; the place of service must agree.
		for index, line in enumerate(self.lines):
			place = self._line_place(line)
			if place in codes.TELEHEALTH_PLACES_OF_SERVICE:
				continue
			for modifier in sorted(codes.TELEHEALTH_MODIFIERS & set(line.modifiers or [])):
				name = code_lists.describe_place_of_service(place)
				shown = f"{place} ({name})" if name else f"'{place}'"
				self.add(
					f"{self.path}.lines[{index}].modifiers",
					"telehealth-place-mismatch",
					f"Service line {index + 1}: modifier {modifier} says the visit was telehealth, but the place "
					f"of service is {shown}; use 02 or 10 for telehealth, or remove the modifier",
				)

	def _check_frequency(self) -> None:
		frequency = self.claim.frequency
		if frequency not in PROFESSIONAL_FREQUENCIES:
			name = code_lists.describe_claim_frequency(frequency)
			shown = f"{frequency} ({name.lower()})" if name else f"'{frequency}'"
			self.add(
				f"{self.path}.frequency",
				"frequency-invalid",
				f"Claim frequency {shown} is not used on professional claims; "
				"use 1 (original), 7 (replacement) or 8 (void)",
			)
		elif frequency != FREQUENCY_ORIGINAL and not _text(self.claim.original_claim_number).strip():
			action = "replaces" if frequency == FREQUENCY_REPLACEMENT else "voids"
			self.add(
				f"{self.path}.original_claim_number",
				"original-claim-number-missing",
				f"This claim {action} an earlier one, so it needs the payer's claim number of the original",
			)

	# --- coordination of benefits -----------------------------------------------------------

	def _check_coordination_of_benefits(self) -> None:
		responsibility = self.claim.payer_responsibility
		if responsibility not in RESPONSIBILITY_CODES:
			self.add(
				f"{self.path}.payer_responsibility",
				"payer-responsibility-invalid",
				f"Payer responsibility '{responsibility}' must be P (primary), S (secondary) or T (tertiary)",
			)
		taken = {responsibility: "the payer this claim goes to"}
		for index, other in enumerate(self.claim.other_payers or []):
			self._check_other_payer(index, other, taken)
		if responsibility not in RESPONSIBILITY_CODES:
			return
		earlier = RESPONSIBILITY_CODES[: RESPONSIBILITY_CODES.index(responsibility)]
		for needed in earlier:
			matches = [
				(index, other)
				for index, other in enumerate(self.claim.other_payers or [])
				if other.responsibility == needed
			]
			if not matches:
				self.add(
					f"{self.path}.other_payers",
					"cob-earlier-payer-missing",
					f"A {RESPONSIBILITY_NAMES[responsibility]} claim must list the "
					f"{RESPONSIBILITY_NAMES[needed]} payer (responsibility {needed}) and how it paid the claim",
				)
				continue
			index, other = matches[0]
			self._check_adjudicated(index, other)

	def _check_other_payer(self, index: int, other: OtherPayer, taken: dict[str, str]) -> None:
		where = f"{self.path}.other_payers[{index}]"
		label = f"Other payer {index + 1}"
		if other.responsibility not in RESPONSIBILITY_CODES:
			self.add(
				f"{where}.responsibility",
				"cob-responsibility-invalid",
				f"{label}: responsibility '{other.responsibility}' must be P, S or T",
			)
		elif other.responsibility in taken:
			self.add(
				f"{where}.responsibility",
				"cob-responsibility-duplicate",
				f"{label} is {RESPONSIBILITY_NAMES[other.responsibility]} (responsibility "
				f"{other.responsibility}), the same as {taken[other.responsibility]}",
			)
		else:
			taken[other.responsibility] = label.lower()
		self._check_insured(other.subscriber, other.payer, where, label)
		if other.paid is not None and not _is_amount(other.paid):
			self.add(f"{where}.paid", "cob-amount-invalid", f"{label}: the paid amount is not a number")
		adjudicated = _as_date(other.adjudication_date)
		if adjudicated is not None and adjudicated > self.today:
			self.add(
				f"{where}.adjudication_date",
				"date-in-future",
				f"{label}: the adjudication date {adjudicated} is in the future",
			)
		self._check_adjustments(other.adjustments, f"{where}.adjustments", label)
		for position, adjudication in enumerate(other.line_adjudications or []):
			self._check_line_adjudication(where, label, position, adjudication)
		self._check_balance(where, label, other)

	def _check_line_adjudication(self, where: str, label: str, position: int, adjudication) -> None:
		item = f"{where}.line_adjudications[{position}]"
		number = adjudication.line_number
		line_label = f"{label}, service line {number}"
		if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(self.lines):
			self.add(
				f"{item}.line_number",
				"cob-line-reference",
				f"{label}: adjudication {position + 1} refers to service line {number}, "
				f"but the claim has {len(self.lines)} lines",
			)
			line = None
		else:
			line = self.lines[number - 1]
		if not _is_amount(adjudication.paid):
			self.add(f"{item}.paid", "cob-amount-invalid", f"{line_label}: the paid amount is not a number")
		elif line is not None and _is_amount(line.charge) and adjudication.paid > line.charge:
			self.add(
				f"{item}.paid",
				"cob-paid-exceeds-charge",
				f"{line_label}: paid {_money(adjudication.paid)} is more than the line charge {_money(line.charge)}",
			)
		adjudicated = _as_date(adjudication.adjudication_date)
		if adjudicated is not None and adjudicated > self.today:
			self.add(
				f"{item}.adjudication_date",
				"date-in-future",
				f"{line_label}: the adjudication date {adjudicated} is in the future",
			)
		self._check_adjustments(adjudication.adjustments, f"{item}.adjustments", line_label)

	def _check_adjustments(self, adjustments: list[Adjustment], where: str, label: str) -> None:
		for index, adjustment in enumerate(adjustments or []):
			item = f"{where}[{index}]"
			if adjustment.group not in ADJUSTMENT_GROUPS_5010:
				self.add(
					f"{item}.group",
					"cob-adjustment-group-invalid",
					f"{label}: adjustment group '{adjustment.group}' must be CO, OA, PI or PR",
				)
			reason = _text(adjustment.reason)
			if code_lists.describe_carc(reason) is None or reason != reason.strip().upper():
				self.add(
					f"{item}.reason",
					"cob-adjustment-reason-unknown",
					f"{label}: adjustment reason '{adjustment.reason}' is not a claim adjustment reason code (CARC)",
				)
			if not _is_amount(adjustment.amount):
				self.add(
					f"{item}.amount", "cob-amount-invalid", f"{label}: the adjustment amount is not a number"
				)

	def _check_adjudicated(self, index: int, other: OtherPayer) -> None:
		"""An earlier payer must have adjudicated the claim: what it paid and when."""
		where = f"{self.path}.other_payers[{index}]"
		whose = f"Other payer {index + 1} ({RESPONSIBILITY_NAMES[other.responsibility]})"
		if other.paid is None:
			self.add(
				f"{where}.paid",
				"cob-adjudication-missing",
				f"{whose}: the amount it paid is missing; enter 0.00 if it paid nothing",
			)
		line_dates = [
			_as_date(adjudication.adjudication_date) for adjudication in other.line_adjudications or []
		]
		if _as_date(other.adjudication_date) is None and not (line_dates and all(line_dates)):
			self.add(
				f"{where}.adjudication_date",
				"cob-adjudication-missing",
				f"{whose}: the date it adjudicated the claim is missing (see its remittance)",
			)

	def _check_balance(self, where: str, label: str, other: OtherPayer) -> None:
		"""The TR3 balancing rules: for this payer, charge = paid + adjustments, per line and per claim."""
		if not _is_amount(other.paid) or not all(_is_amount(line.charge) for line in self.lines):
			return
		adjudications = list(other.line_adjudications or [])
		amounts = [adjustment.amount for adjustment in other.adjustments or []]
		for adjudication in adjudications:
			amounts.extend(adjustment.amount for adjustment in adjudication.adjustments or [])
			amounts.append(adjudication.paid)
		if not all(_is_amount(amount) for amount in amounts):
			return  # already reported as cob-amount-invalid
		total = sum((line.charge for line in self.lines), Decimal(0))
		if other.paid > total:
			self.add(
				f"{where}.paid",
				"cob-paid-exceeds-charge",
				f"{label}: paid {_money(other.paid)} is more than the claim charge {_money(total)}",
			)
		by_line: dict[int, list] = {}
		for adjudication in adjudications:
			if isinstance(adjudication.line_number, int) and 1 <= adjudication.line_number <= len(self.lines):
				by_line.setdefault(adjudication.line_number, []).append(adjudication)
		for number, group in sorted(by_line.items()):
			charge = self.lines[number - 1].charge
			paid = sum((adjudication.paid for adjudication in group), Decimal(0))
			adjusted = sum(
				(
					adjustment.amount
					for adjudication in group
					for adjustment in adjudication.adjustments or []
				),
				Decimal(0),
			)
			if charge - paid - adjusted != 0:
				self.add(
					f"{where}.line_adjudications",
					"cob-line-unbalanced",
					f"{label}, service line {number}: charge {_money(charge)} minus paid {_money(paid)} minus "
					f"adjustments {_money(adjusted)} leaves {_money(charge - paid - adjusted)} unexplained",
				)
		adjusted = sum((adjustment.amount for adjustment in other.adjustments or []), Decimal(0)) + sum(
			(
				adjustment.amount
				for adjudication in adjudications
				for adjustment in adjudication.adjustments or []
			),
			Decimal(0),
		)
		if total - other.paid - adjusted != 0:
			self.add(
				f"{where}.paid",
				"cob-claim-unbalanced",
				f"{label}: claim charge {_money(total)} minus paid {_money(other.paid)} minus adjustments "
				f"{_money(adjusted)} leaves {_money(total - other.paid - adjusted)} unexplained",
			)
