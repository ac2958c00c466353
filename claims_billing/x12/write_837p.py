"""Write professional claims as one 837P file (ASC X12 005010X222A1).

``write_837p(claims, submitter, receiver, envelope)`` returns the interchange as ASCII bytes:
ISA/GS/ST, the 1000A/1000B names, then one 2000A billing-provider level per distinct billing
provider, 2000B subscriber levels under it, 2000C patient levels when the patient is not the
subscriber, and the claims (2300) with their service lines (2400) and coordination-of-benefits
loops (2320/2330A/2330B/2430). Output depends only on the arguments: the same input gives the
same bytes.

Data that would break the file (a separator inside a value, a character that is not printable
ASCII, a missing required value) raises ``ValueError`` naming the field, e.g.
``claims[3].lines[0].procedure_code: contains ':', the component separator of this file``.
Messages name fields, never echo their values (they may be patient data).
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

from claims_billing.x12.claim import (
	FREQUENCY_REPLACEMENT,
	FREQUENCY_VOID,
	RELATIONSHIP_SELF,
	Address,
	Adjustment,
	BillingProvider,
	Claim,
	Envelope,
	OtherPayer,
	Provider,
	Receiver,
	ServiceLine,
	Submitter,
)
from claims_billing.x12.interchange import SEPARATOR_NAMES, check_envelope, finish, header

IMPLEMENTATION_GUIDE = "005010X222A1"
MAX_CLAIM_ID_LENGTH = 20  # CLM01: the TR3 asks receivers to keep only 20 characters
MAX_DIAGNOSES = 12
MAX_DIAGNOSIS_POINTERS = 4
MAX_MODIFIERS = 4
MAX_LINES = 50
MAX_OTHER_PAYERS = 10  # loop 2320 repeat
MAX_LINE_ADJUDICATIONS = 15  # loop 2430 repeat
MAX_CLAIMS_PER_LEVEL = 100  # loop 2300 repeat under one 2000B/2000C; more claims open a new level
MAX_CAS_TRIPLETS = 6
MAX_CAS_SEGMENTS = 5
ADJUSTMENT_GROUPS = frozenset({"CO", "CR", "OA", "PI", "PR"})
# PWK02 values that promise paperwork the payer must be able to match: PWK05/06 are required.
TRANSMISSIONS_NEEDING_CONTROL_NUMBER = frozenset({"BM", "EL", "EM", "FT", "FX"})
US_COUNTRY_CODES = frozenset({"", "US", "USA"})
UNIT_CODES = frozenset({"UN", "MJ"})
_CENT = Decimal("0.01")
_ENVELOPE_TEXT_FIELDS = (
	"sender_id",
	"receiver_id",
	"sender_qualifier",
	"receiver_qualifier",
	"application_sender_code",
	"application_receiver_code",
	"reference_id",
)

_SEPARATOR_NAMES = SEPARATOR_NAMES


def write_837p(claims: list[Claim], submitter: Submitter, receiver: Receiver, envelope: Envelope) -> bytes:
	"""The 837P interchange for ``claims`` as ASCII bytes (one ISA, one GS, one ST)."""
	return _Writer(envelope).write(claims, submitter, receiver)


def format_decimal(value: Decimal) -> str:
	"""X12 numeric text: plain digits, no exponent, no insignificant zeros (``150``, ``150.5``)."""
	text = format(value, "f")
	if "." in text:
		text = text.rstrip("0").rstrip(".")
	if text == "-0":
		return "0"
	return text


def _date(value) -> str:
	return value.isoformat().replace("-", "")


# --- grouping claims into the HL hierarchy -----------------------------------------------------


@dataclasses.dataclass
class _PatientLevel:
	claims: list[Claim] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _SubscriberLevel:
	first_claim: Claim
	self_claims: list[Claim] = dataclasses.field(default_factory=list)
	patients: dict[tuple, _PatientLevel] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class _ProviderLevel:
	provider: BillingProvider
	subscribers: dict[tuple, _SubscriberLevel] = dataclasses.field(default_factory=dict)


def _address_key(address: Address | None) -> tuple:
	if address is None:
		return ()
	return (address.line1, address.line2, address.city, address.state, address.postal_code, address.country)


def _group(claims: list[Claim]) -> list[_ProviderLevel]:
	"""Providers, their subscribers and patients, each in order of first appearance.

	A level is written from the first claim that opened it: claims agreeing on the key (billing
	NPI + tax id + address; subscriber + payer + responsibility; patient) share its segments.
	"""
	providers: dict[tuple, _ProviderLevel] = {}
	for claim in claims:
		bp = claim.billing_provider
		provider_key = (bp.npi, bp.tax_id, *_address_key(bp.address))
		level = providers.get(provider_key)
		if level is None:
			level = providers[provider_key] = _ProviderLevel(bp)
		sub = claim.subscriber
		payer = claim.payer
		patient = claim.patient
		subscriber_key = (
			payer.payer_id,
			payer.name,
			claim.payer_responsibility,
			sub.member_id,
			sub.last_name,
			sub.first_name,
			sub.middle_name,
			sub.suffix,
			sub.date_of_birth,
			sub.sex,
			sub.group_number,
			sub.group_name,
			sub.filing_indicator,
			_address_key(sub.address),
			patient is None,  # self claims and dependents' claims need different SBR02
		)
		sub_level = level.subscribers.get(subscriber_key)
		if sub_level is None:
			sub_level = level.subscribers[subscriber_key] = _SubscriberLevel(claim)
		if patient is None:
			sub_level.self_claims.append(claim)
		else:
			patient_key = (
				patient.last_name,
				patient.first_name,
				patient.middle_name,
				patient.suffix,
				patient.date_of_birth,
				patient.sex,
				patient.relationship,
				_address_key(patient.address),
			)
			patient_level = sub_level.patients.get(patient_key)
			if patient_level is None:
				patient_level = sub_level.patients[patient_key] = _PatientLevel()
			patient_level.claims.append(claim)
	return list(providers.values())


def _chunks(items: list, size: int) -> list[list]:
	return [items[start : start + size] for start in range(0, len(items), size)]


# --- the writer --------------------------------------------------------------------------------


class _Writer:
	def __init__(self, envelope: Envelope):
		self.envelope = envelope
		self._check_envelope(envelope)
		self.e = envelope.element_separator
		self.c = envelope.component_separator
		separators = {
			envelope.element_separator: "element_separator",
			envelope.component_separator: "component_separator",
			envelope.repetition_separator: "repetition_separator",
			envelope.segment_terminator: "segment_terminator",
		}
		self._separator_field = separators
		# Anything outside printable ASCII, or one of this file's separators, cannot be sent as data.
		self._bad_text = re.compile("[^\x20-\x7e]|[" + re.escape("".join(separators)) + "]")
		self._provider_cache: dict[tuple[int, str], list[str]] = {}
		self._clean_objects: set[int] = set()  # ids of objects whose text passed the check

	# --- checks ---

	def _check_envelope(self, envelope: Envelope) -> None:
		check_envelope(
			envelope, ("interchange_control_number", "group_control_number", "transaction_set_control_number")
		)
		if len(envelope.reference_id) > 50:
			raise ValueError("envelope.reference_id: at most 50 characters (BHT03)")

	def _check_text(self, obj, path: str) -> None:
		"""Refuse separators and non-printable characters anywhere in ``obj``'s text fields."""
		visited: list[int] = []
		if isinstance(obj, str):
			text = obj
		else:
			texts: list[str] = []
			_collect_text(obj, texts, visited, self._clean_objects)
			text = " ".join(texts)
		if not self._bad_text.search(text):
			# Providers, subscribers and payers are shared between claims: check each only once.
			self._clean_objects.update(visited)
		else:
			field_path, char = self._locate_bad_text(obj, path)
			field_name = self._separator_field.get(char)
			if field_name:
				reason = f"contains {char!r}, the {_SEPARATOR_NAMES[field_name]} of this file"
			else:
				reason = f"contains the character {char!r}, which X12 cannot carry (printable ASCII only)"
			raise ValueError(f"{field_path}: {reason}")

	def _locate_bad_text(self, obj, path: str) -> tuple[str, str]:
		if isinstance(obj, str):
			found = self._bad_text.search(obj)
			return (path, found.group()) if found else ("", "")
		if isinstance(obj, list):
			for i, item in enumerate(obj):
				hit = self._locate_bad_text(item, f"{path}[{i}]")
				if hit[0]:
					return hit
		elif dataclasses.is_dataclass(obj):
			for f in dataclasses.fields(obj):
				hit = self._locate_bad_text(getattr(obj, f.name), f"{path}.{f.name}" if path else f.name)
				if hit[0]:
					return hit
		return ("", "")

	def _check_claim(self, claim: Claim, index: int) -> None:
		path = f"claims[{index}]"
		self._check_text(claim, path)
		if not claim.claim_id:
			raise ValueError(f"{path}.claim_id: required (CLM01)")
		if len(claim.claim_id) > MAX_CLAIM_ID_LENGTH:
			raise ValueError(f"{path}.claim_id: at most {MAX_CLAIM_ID_LENGTH} characters (CLM01)")
		if not claim.place_of_service:
			raise ValueError(f"{path}.place_of_service: required (CLM05-1)")
		if claim.frequency in (FREQUENCY_REPLACEMENT, FREQUENCY_VOID) and not claim.original_claim_number:
			raise ValueError(
				f"{path}.original_claim_number: required when frequency is {claim.frequency} "
				"(REF*F8 payer claim control number)"
			)
		if not claim.diagnoses:
			raise ValueError(f"{path}.diagnoses: at least one diagnosis is required (HI)")
		if len(claim.diagnoses) > MAX_DIAGNOSES:
			raise ValueError(
				f"{path}.diagnoses: at most {MAX_DIAGNOSES} diagnoses, got {len(claim.diagnoses)}"
			)
		if not claim.lines:
			raise ValueError(f"{path}.lines: at least one service line is required")
		if len(claim.lines) > MAX_LINES:
			raise ValueError(f"{path}.lines: at most {MAX_LINES} service lines, got {len(claim.lines)}")
		self._check_parties(claim, path)
		if claim.patient is None:
			if claim.subscriber.date_of_birth is None:
				raise ValueError(
					f"{path}.subscriber.date_of_birth: required when the subscriber is the patient (DMG)"
				)
			if claim.subscriber.address is None:
				raise ValueError(
					f"{path}.subscriber.address: required when the subscriber is the patient (N3/N4)"
				)
		diagnosis_count = len(claim.diagnoses)
		for j, line in enumerate(claim.lines):
			line_path = f"{path}.lines[{j}]"
			if not line.procedure_code:
				raise ValueError(f"{line_path}.procedure_code: required (SV101-2)")
			if len(line.modifiers) > MAX_MODIFIERS:
				raise ValueError(f"{line_path}.modifiers: at most {MAX_MODIFIERS}")
			_check_money(line.charge, f"{line_path}.charge")
			if line.charge < 0:
				raise ValueError(f"{line_path}.charge: cannot be negative")
			if not line.units.is_finite() or line.units <= 0:
				raise ValueError(f"{line_path}.units: must be a positive number")
			if line.unit_code not in UNIT_CODES:
				raise ValueError(f"{line_path}.unit_code: must be UN (units) or MJ (minutes)")
			if line.service_date_end is not None and line.service_date_end < line.service_date:
				raise ValueError(f"{line_path}.service_date_end: before service_date")
			if line.rendering_provider is not None:
				if not line.rendering_provider.last_name or not line.rendering_provider.npi:
					raise ValueError(f"{line_path}.rendering_provider: last_name and npi are required")
			pointers = line.diagnosis_pointers
			if not pointers or len(pointers) > MAX_DIAGNOSIS_POINTERS:
				raise ValueError(
					f"{line_path}.diagnosis_pointers: 1 to {MAX_DIAGNOSIS_POINTERS} pointers required"
				)
			for pointer in pointers:
				if (
					isinstance(pointer, bool)
					or not isinstance(pointer, int)
					or not 1 <= pointer <= diagnosis_count
				):
					raise ValueError(
						f"{line_path}.diagnosis_pointers: {pointer!r} does not point at one of the "
						f"claim's {diagnosis_count} diagnoses"
					)
		for k, attachment in enumerate(claim.attachments):
			if (
				attachment.transmission_code in TRANSMISSIONS_NEEDING_CONTROL_NUMBER
				and not attachment.control_number
			):
				raise ValueError(
					f"{path}.attachments[{k}].control_number: required when transmission_code is "
					f"{attachment.transmission_code} (PWK06)"
				)
		if len(claim.other_payers) > MAX_OTHER_PAYERS:
			raise ValueError(f"{path}.other_payers: at most {MAX_OTHER_PAYERS}")
		adjudications_per_line = [0] * len(claim.lines)
		for k, other in enumerate(claim.other_payers):
			other_path = f"{path}.other_payers[{k}]"
			for value, field_path in (
				(other.payer.name, "payer.name"),
				(other.payer.payer_id, "payer.payer_id"),
				(other.subscriber.last_name, "subscriber.last_name"),
				(other.subscriber.member_id, "subscriber.member_id"),
				(other.relationship, "relationship"),
			):
				if not value:
					raise ValueError(f"{other_path}.{field_path}: required")
			if other.paid is not None:
				_check_money(other.paid, f"{other_path}.paid")
			if other.remaining_patient_liability is not None:
				_check_money(other.remaining_patient_liability, f"{other_path}.remaining_patient_liability")
			_check_adjustments(other.adjustments, f"{other_path}.adjustments")
			for m, adjudication in enumerate(other.line_adjudications):
				adj_path = f"{other_path}.line_adjudications[{m}]"
				number = adjudication.line_number
				if (
					isinstance(number, bool)
					or not isinstance(number, int)
					or not 1 <= number <= len(claim.lines)
				):
					raise ValueError(f"{adj_path}.line_number: {number!r} is not a line of this claim")
				adjudications_per_line[number - 1] += 1
				if len(adjudication.modifiers) > MAX_MODIFIERS:
					raise ValueError(f"{adj_path}.modifiers: at most {MAX_MODIFIERS}")
				_check_money(adjudication.paid, f"{adj_path}.paid")
				if adjudication.remaining_patient_liability is not None:
					_check_money(
						adjudication.remaining_patient_liability, f"{adj_path}.remaining_patient_liability"
					)
				_check_adjustments(adjudication.adjustments, f"{adj_path}.adjustments")
				if adjudication.adjudication_date is None and other.adjudication_date is None:
					raise ValueError(
						f"{adj_path}.adjudication_date: required (2430 DTP*573), here or on the other payer"
					)
		for j, count in enumerate(adjudications_per_line):
			if count > MAX_LINE_ADJUDICATIONS:
				raise ValueError(f"{path}.lines[{j}]: at most {MAX_LINE_ADJUDICATIONS} line adjudications")

	def _check_parties(self, claim: Claim, path: str) -> None:
		"""Values the TR3 requires of the people and organisations on a claim."""
		bp = claim.billing_provider
		required = [
			(bp.name, "billing_provider.name"),
			(bp.npi, "billing_provider.npi"),
			(bp.tax_id, "billing_provider.tax_id"),
			(bp.address.line1, "billing_provider.address.line1"),
			(bp.address.city, "billing_provider.address.city"),
			(claim.subscriber.last_name, "subscriber.last_name"),
			(claim.subscriber.member_id, "subscriber.member_id"),
			(claim.payer.name, "payer.name"),
			(claim.payer.payer_id, "payer.payer_id"),
		]
		if claim.patient is not None:
			required += [
				(claim.patient.last_name, "patient.last_name"),
				(claim.patient.relationship, "patient.relationship"),
				(claim.patient.address.line1, "patient.address.line1"),
				(claim.patient.address.city, "patient.address.city"),
			]
		for provider, where in (
			(claim.rendering_provider, "rendering_provider"),
			(claim.referring_provider, "referring_provider"),
		):
			if provider is not None:
				required += [(provider.last_name, f"{where}.last_name"), (provider.npi, f"{where}.npi")]
		for value, field_path in required:
			if not value:
				raise ValueError(f"{path}.{field_path}: required")

	# --- file ---

	def write(self, claims: list[Claim], submitter: Submitter, receiver: Receiver) -> bytes:
		if not claims:
			raise ValueError("claims: at least one claim is required")
		self._check_text(submitter, "submitter")
		self._check_text(receiver, "receiver")
		for name in _ENVELOPE_TEXT_FIELDS:
			self._check_text(getattr(self.envelope, name), f"envelope.{name}")
		for index, claim in enumerate(claims):
			self._check_claim(claim, index)

		env = self.envelope
		e = self.e
		out: list[str] = header(env, "HC", IMPLEMENTATION_GUIDE)
		created = env.created
		bht_date = f"{created.year:04d}{created.month:02d}{created.day:02d}"
		bht_time = f"{created.hour:02d}{created.minute:02d}"
		st_index = len(out)
		st_control = f"{env.transaction_set_control_number:04d}"
		out.append(e.join(("ST", "837", st_control, IMPLEMENTATION_GUIDE)))
		out.append(e.join(("BHT", "0019", "00", env.reference_id or st_control, bht_date, bht_time, "CH")))
		self._submitter(out, submitter)
		out.append(
			e.join(
				(
					"NM1",
					"40",
					"2",
					_required(receiver.name, "receiver.name"),
					"",
					"",
					"",
					"",
					"46",
					_required(receiver.id, "receiver.id"),
				)
			)
		)

		hl = 0
		for provider_level in _group(claims):
			hl += 1
			provider_hl = hl
			out.append(e.join(("HL", str(provider_hl), "", "20", "1")))
			self._billing_provider(out, provider_level.provider)
			for sub_level in provider_level.subscribers.values():
				if sub_level.self_claims:
					for chunk in _chunks(sub_level.self_claims, MAX_CLAIMS_PER_LEVEL):
						hl += 1
						out.append(e.join(("HL", str(hl), str(provider_hl), "22", "0")))
						self._subscriber(out, sub_level.first_claim, patient_is_subscriber=True)
						for claim in chunk:
							self._claim(out, claim)
					continue
				hl += 1
				subscriber_hl = hl
				out.append(e.join(("HL", str(subscriber_hl), str(provider_hl), "22", "1")))
				self._subscriber(out, sub_level.first_claim, patient_is_subscriber=False)
				for patient_level in sub_level.patients.values():
					for chunk in _chunks(patient_level.claims, MAX_CLAIMS_PER_LEVEL):
						hl += 1
						out.append(e.join(("HL", str(hl), str(subscriber_hl), "23", "0")))
						self._patient(out, chunk[0])
						for claim in chunk:
							self._claim(out, claim)

		out.append(e.join(("SE", str(len(out) - st_index + 1), st_control)))
		return finish(out, env, transaction_sets=1)

	# --- header loops ---

	def _submitter(self, out: list[str], submitter: Submitter) -> None:
		e = self.e
		out.append(
			e.join(
				(
					"NM1",
					"41",
					"2",
					_required(submitter.name, "submitter.name"),
					"",
					"",
					"",
					"",
					"46",
					_required(submitter.id, "submitter.id"),
				)
			)
		)
		contact = []
		if submitter.phone:
			contact += ("TE", submitter.phone)
		if submitter.email:
			contact += ("EM", submitter.email)
		if not contact:
			raise ValueError("submitter: a phone or an email is required (1000A PER)")
		out.append(e.join(("PER", "IC", submitter.contact_name, *contact)))

	def _billing_provider(self, out: list[str], bp: BillingProvider) -> None:
		e = self.e
		if bp.taxonomy:
			out.append(e.join(("PRV", "BI", "PXC", bp.taxonomy)))
		if bp.first_name:
			out.append(e.join(("NM1", "85", "1", bp.name, bp.first_name, "", "", "", "XX", bp.npi)))
		else:
			out.append(e.join(("NM1", "85", "2", bp.name, "", "", "", "", "XX", bp.npi)))
		self._address(out, bp.address)
		out.append(e.join(("REF", bp.tax_id_qualifier, bp.tax_id)))
		if bp.phone:
			out.append(e.join(("PER", "IC", bp.contact_name, "TE", bp.phone)))

	def _address(self, out: list[str], address: Address) -> None:
		e = self.e
		out.append(e.join(("N3", address.line1, address.line2)).rstrip(e))
		country = address.country if address.country not in US_COUNTRY_CODES else ""
		out.append(e.join(("N4", address.city, address.state, address.postal_code, country)).rstrip(e))

	def _subscriber(self, out: list[str], claim: Claim, patient_is_subscriber: bool) -> None:
		e = self.e
		sub = claim.subscriber
		out.append(
			e.join(
				(
					"SBR",
					claim.payer_responsibility,
					RELATIONSHIP_SELF if patient_is_subscriber else "",
					sub.group_number,
					"" if sub.group_number else sub.group_name,
					"",
					"",
					"",
					"",
					sub.filing_indicator,
				)
			).rstrip(e)
		)
		out.append(
			self._person_nm1(
				"IL", sub.last_name, sub.first_name, sub.middle_name, sub.suffix, "MI", sub.member_id
			)
		)
		# The TR3 wants the subscriber's address only when the subscriber is the patient.
		if patient_is_subscriber and sub.address is not None:
			self._address(out, sub.address)
		if sub.date_of_birth is not None:
			out.append(e.join(("DMG", "D8", _date(sub.date_of_birth), sub.sex)))
		payer = claim.payer
		out.append(e.join(("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.payer_id)))
		if payer.address is not None:
			self._address(out, payer.address)

	def _patient(self, out: list[str], claim: Claim) -> None:
		e = self.e
		patient = claim.patient
		out.append(e.join(("PAT", patient.relationship)))
		out.append(
			self._person_nm1(
				"QC", patient.last_name, patient.first_name, patient.middle_name, patient.suffix, "", ""
			)
		)
		self._address(out, patient.address)
		out.append(e.join(("DMG", "D8", _date(patient.date_of_birth), patient.sex)))

	def _person_nm1(self, entity, last, first, middle, suffix, id_qualifier, identifier) -> str:
		e = self.e
		return e.join(("NM1", entity, "1", last, first, middle, "", suffix, id_qualifier, identifier)).rstrip(
			e
		)

	def _provider(self, entity: str, specialty: str, provider: Provider) -> list[str]:
		"""NM1 (+PRV) of a person provider: 2310A referring, 2310B and 2420A rendering."""
		key = (id(provider), entity)
		cached = self._provider_cache.get(key)
		if cached is not None:
			return cached
		e = self.e
		segments = [
			e.join(
				(
					"NM1",
					entity,
					"1",
					provider.last_name,
					provider.first_name,
					provider.middle_name,
					"",
					"",
					"XX",
					provider.npi,
				)
			)
		]
		if specialty and provider.taxonomy:
			segments.append(e.join(("PRV", specialty, "PXC", provider.taxonomy)))
		self._provider_cache[key] = segments
		return segments

	# --- claim ---

	def _claim(self, out: list[str], claim: Claim) -> None:
		e = self.e
		c = self.c
		out.append(
			e.join(
				(
					"CLM",
					claim.claim_id,
					format_decimal(claim.total_charge),
					"",
					"",
					c.join((claim.place_of_service, "B", claim.frequency)),
					"Y" if claim.provider_signature_on_file else "N",
					claim.accept_assignment,
					"Y" if claim.assignment_of_benefits else "N",
					claim.release_of_information,
				)
			)
		)
		if claim.onset_date is not None:
			out.append(e.join(("DTP", "431", "D8", _date(claim.onset_date))))
		for attachment in claim.attachments:
			if attachment.control_number:
				out.append(
					e.join(
						(
							"PWK",
							attachment.report_type,
							attachment.transmission_code,
							"",
							"",
							"AC",
							attachment.control_number,
						)
					)
				)
			else:
				out.append(e.join(("PWK", attachment.report_type, attachment.transmission_code)))
		if claim.prior_authorization:
			out.append(e.join(("REF", "G1", claim.prior_authorization)))
		if claim.frequency in (FREQUENCY_REPLACEMENT, FREQUENCY_VOID):
			out.append(e.join(("REF", "F8", claim.original_claim_number)))
		codes = [code.replace(".", "").upper() for code in claim.diagnoses]
		out.append(e.join(("HI", "ABK" + c + codes[0], *["ABF" + c + code for code in codes[1:]])))
		if claim.referring_provider is not None:
			out.extend(self._provider("DN", "", claim.referring_provider))
		if claim.rendering_provider is not None:
			out.extend(self._provider("82", "PE", claim.rendering_provider))
		for other in claim.other_payers:
			self._other_payer(out, claim, other)
		for number, line in enumerate(claim.lines, 1):
			self._line(out, claim, number, line)

	def _other_payer(self, out: list[str], claim: Claim, other: OtherPayer) -> None:
		"""Loops 2320, 2330A and 2330B for one other payer."""
		e = self.e
		sub = other.subscriber
		out.append(
			e.join(
				(
					"SBR",
					other.responsibility,
					other.relationship,
					sub.group_number,
					"" if sub.group_number else sub.group_name,
					"",
					"",
					"",
					"",
					sub.filing_indicator,
				)
			).rstrip(e)
		)
		out.extend(self._cas(other.adjustments))
		if other.paid is not None:
			out.append(e.join(("AMT", "D", format_decimal(other.paid))))
		if other.remaining_patient_liability is not None:
			out.append(e.join(("AMT", "EAF", format_decimal(other.remaining_patient_liability))))
		out.append(
			e.join(
				(
					"OI",
					"",
					"",
					"Y" if claim.assignment_of_benefits else "N",
					"",
					"",
					claim.release_of_information,
				)
			)
		)
		out.append(
			self._person_nm1(
				"IL", sub.last_name, sub.first_name, sub.middle_name, sub.suffix, "MI", sub.member_id
			)
		)
		if sub.address is not None:
			self._address(out, sub.address)
		payer = other.payer
		out.append(e.join(("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.payer_id)))
		if payer.address is not None:
			self._address(out, payer.address)
		if other.paid is not None and other.adjudication_date is not None:
			out.append(e.join(("DTP", "573", "D8", _date(other.adjudication_date))))
		if other.payer_claim_number:
			out.append(e.join(("REF", "F8", other.payer_claim_number)))

	def _cas(self, adjustments: list[Adjustment]) -> list[str]:
		"""CAS segments: one group code each, at most six reason/amount/quantity triplets."""
		if not adjustments:
			return []
		e = self.e
		by_group: dict[str, list[Adjustment]] = {}
		for adjustment in adjustments:
			by_group.setdefault(adjustment.group, []).append(adjustment)
		segments = []
		for group, items in by_group.items():
			for chunk in _chunks(items, MAX_CAS_TRIPLETS):
				elements = ["CAS", group]
				for adjustment in chunk:
					quantity = "" if adjustment.quantity is None else format_decimal(adjustment.quantity)
					elements += (adjustment.reason, format_decimal(adjustment.amount), quantity)
				segments.append(e.join(elements).rstrip(e))
		return segments

	def _procedure(self, code: str, modifiers: list[str]) -> str:
		if modifiers:
			return self.c.join(("HC", code, *modifiers))
		return "HC" + self.c + code

	def _line(self, out: list[str], claim: Claim, number: int, line: ServiceLine) -> None:
		e = self.e
		place = line.place_of_service if line.place_of_service != claim.place_of_service else ""
		out.append(e.join(("LX", str(number))))
		out.append(
			e.join(
				(
					"SV1",
					self._procedure(line.procedure_code, line.modifiers),
					format_decimal(line.charge),
					line.unit_code,
					format_decimal(line.units),
					place,
					"",
					self.c.join([str(pointer) for pointer in line.diagnosis_pointers]),
				)
			)
		)
		if line.service_date_end is not None and line.service_date_end != line.service_date:
			out.append(
				e.join(("DTP", "472", "RD8", _date(line.service_date) + "-" + _date(line.service_date_end)))
			)
		else:
			out.append(e.join(("DTP", "472", "D8", _date(line.service_date))))
		if line.line_control_number:
			out.append(e.join(("REF", "6R", line.line_control_number)))
		if line.rendering_provider is not None:
			out.extend(self._provider("82", "PE", line.rendering_provider))
		if claim.other_payers:
			self._line_adjudications(out, claim, number)

	def _line_adjudications(self, out: list[str], claim: Claim, number: int) -> None:
		"""Loop 2430 for each other payer's adjudication of line ``number``."""
		e = self.e
		for other in claim.other_payers:
			for adjudication in other.line_adjudications:
				if adjudication.line_number != number:
					continue
				out.append(
					e.join(
						(
							"SVD",
							other.payer.payer_id,
							format_decimal(adjudication.paid),
							self._procedure(adjudication.procedure_code, adjudication.modifiers),
							"",
							format_decimal(adjudication.units),
						)
					)
				)
				out.extend(self._cas(adjudication.adjustments))
				date = adjudication.adjudication_date or other.adjudication_date
				out.append(e.join(("DTP", "573", "D8", _date(date))))
				if adjudication.remaining_patient_liability is not None:
					out.append(
						e.join(("AMT", "EAF", format_decimal(adjudication.remaining_patient_liability)))
					)


# --- helpers -----------------------------------------------------------------------------------


def _collect_text(obj, texts: list[str], visited: list[int], skip: set[int]) -> None:
	"""Every string in a tree of plain dataclasses, except under objects in ``skip``.

	Fast on purpose: reads ``__dict__`` directly instead of ``dataclasses.fields``.
	"""
	visited.append(id(obj))
	for value in vars(obj).values():
		kind = value.__class__
		if kind is str:
			texts.append(value)
		elif kind is list:
			for item in value:
				if item.__class__ is str:
					texts.append(item)
				elif hasattr(item, "__dict__") and id(item) not in skip:
					_collect_text(item, texts, visited, skip)
		elif hasattr(value, "__dict__") and id(value) not in skip and not isinstance(value, type):
			_collect_text(value, texts, visited, skip)


def _required(value: str, path: str) -> str:
	if not value:
		raise ValueError(f"{path}: required")
	return value


def _check_money(value: Decimal, path: str) -> None:
	if not isinstance(value, Decimal) or not value.is_finite():
		raise ValueError(f"{path}: must be a finite Decimal amount")
	if value.as_tuple().exponent < -2 and value != value.quantize(_CENT):
		raise ValueError(f"{path}: amounts are whole cents (at most 2 decimal places)")


def _check_adjustments(adjustments: list[Adjustment], path: str) -> None:
	groups: dict[str, int] = {}
	for n, adjustment in enumerate(adjustments):
		if adjustment.group not in ADJUSTMENT_GROUPS:
			raise ValueError(
				f"{path}[{n}].group: {adjustment.group!r} is not one of {', '.join(sorted(ADJUSTMENT_GROUPS))}"
			)
		if not adjustment.reason:
			raise ValueError(f"{path}[{n}].reason: required (CARC)")
		_check_money(adjustment.amount, f"{path}[{n}].amount")
		groups[adjustment.group] = groups.get(adjustment.group, 0) + 1
	segments = sum(-(-count // MAX_CAS_TRIPLETS) for count in groups.values())
	if segments > MAX_CAS_SEGMENTS:
		raise ValueError(f"{path}: needs {segments} CAS segments, at most {MAX_CAS_SEGMENTS} are allowed")
