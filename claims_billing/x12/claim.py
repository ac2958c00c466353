"""Plain data describing professional claims (the input of the 837P writer and the scrubber).

Amounts are ``Decimal``; dates are ``datetime.date``. ``from_dict`` builds these objects from
the JSON form documented in the README (``claims-billing x12 build-837``), where amounts are
strings and dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# Claim frequency codes (CLM05-3) this app sends.
FREQUENCY_ORIGINAL = "1"
FREQUENCY_REPLACEMENT = "7"
FREQUENCY_VOID = "8"

# Payer responsibility sequence (SBR01) by position.
RESPONSIBILITY_CODES = ("P", "S", "T")

# Patient relationship to the insured (PAT01 / SBR02 / 2320 SBR02).
RELATIONSHIP_SELF = "18"


@dataclass
class Address:
	line1: str
	city: str
	state: str
	postal_code: str
	line2: str = ""
	country: str = ""


@dataclass
class Submitter:
	"""Loop 1000A: who sends the file (the practice or its billing service)."""

	name: str
	id: str
	contact_name: str = ""
	phone: str = ""
	email: str = ""


@dataclass
class Receiver:
	"""Loop 1000B: the clearinghouse."""

	name: str
	id: str


@dataclass
class BillingProvider:
	"""Loop 2010AA. An organisation unless ``first_name`` is set (then a solo practitioner)."""

	name: str
	npi: str
	tax_id: str
	address: Address
	taxonomy: str = ""
	first_name: str = ""
	tax_id_qualifier: str = "EI"  # EI = EIN, SY = SSN
	contact_name: str = ""
	phone: str = ""


@dataclass
class Provider:
	"""A rendering (2310B) or referring (2310A) provider: a person."""

	last_name: str
	first_name: str
	npi: str
	taxonomy: str = ""
	middle_name: str = ""


@dataclass
class Payer:
	name: str
	payer_id: str
	address: Address | None = None


@dataclass
class Subscriber:
	"""The insured person of a policy (loop 2010BA)."""

	last_name: str
	first_name: str
	member_id: str
	middle_name: str = ""
	suffix: str = ""
	date_of_birth: datetime.date | None = None
	sex: str = "U"  # M, F or U
	address: Address | None = None
	group_number: str = ""
	group_name: str = ""
	filing_indicator: str = "CI"  # SBR09, e.g. CI commercial, MB Medicare Part B, MC Medicaid


@dataclass
class Patient:
	"""The patient when not the subscriber (loop 2000C/2010CA)."""

	last_name: str
	first_name: str
	relationship: str  # PAT01: 01 spouse, 19 child, 20 employee, 21 unknown, 53 life partner, G8 other
	date_of_birth: datetime.date
	sex: str
	address: Address
	middle_name: str = ""
	suffix: str = ""


@dataclass
class Adjustment:
	"""One CAS triplet: group (CO, PR, OA, PI, CR), reason (CARC) and amount."""

	group: str
	reason: str
	amount: Decimal
	quantity: Decimal | None = None


@dataclass
class LineAdjudication:
	"""How an earlier payer adjudicated one service line (loop 2430)."""

	line_number: int  # 1-based position of the line on this claim
	paid: Decimal
	procedure_code: str
	modifiers: list[str] = field(default_factory=list)
	units: Decimal = Decimal(1)
	adjudication_date: datetime.date | None = None
	adjustments: list[Adjustment] = field(default_factory=list)
	remaining_patient_liability: Decimal | None = None


@dataclass
class OtherPayer:
	"""An earlier (or later) payer of this claim, for coordination of benefits (2320/2330A/2330B)."""

	responsibility: str  # P, S or T: this payer's place in the order
	payer: Payer
	subscriber: Subscriber
	relationship: str = RELATIONSHIP_SELF  # patient's relationship to this payer's insured
	paid: Decimal | None = None  # AMT*D; None when this payer has not adjudicated yet
	adjudication_date: datetime.date | None = None
	payer_claim_number: str = ""
	adjustments: list[Adjustment] = field(default_factory=list)
	remaining_patient_liability: Decimal | None = None
	line_adjudications: list[LineAdjudication] = field(default_factory=list)


@dataclass
class Attachment:
	"""A PWK paperwork segment: report type (e.g. 03 report, OZ support data) and transmission code."""

	report_type: str
	transmission_code: str  # AA available on request, BM by mail, EL electronic, FX fax, FT file transfer
	control_number: str = ""


@dataclass
class ServiceLine:
	procedure_code: str
	charge: Decimal
	service_date: datetime.date
	diagnosis_pointers: list[int]  # 1-based positions in Claim.diagnoses, up to 4
	modifiers: list[str] = field(default_factory=list)
	units: Decimal = Decimal(1)
	unit_code: str = "UN"  # UN units, MJ minutes
	place_of_service: str = ""  # only when it differs from the claim's
	line_control_number: str = ""  # REF*6R, echoed back on the 835
	service_date_end: datetime.date | None = None
	rendering_provider: Provider | None = None


@dataclass
class Claim:
	claim_id: str  # patient control number, CLM01, at most 20 characters
	billing_provider: BillingProvider
	subscriber: Subscriber
	payer: Payer
	place_of_service: str
	diagnoses: list[str]  # ICD-10-CM codes, principal first; with or without the dot
	lines: list[ServiceLine]
	patient: Patient | None = None  # None when the patient is the subscriber
	payer_responsibility: str = "P"  # SBR01 of the payer this claim goes to
	frequency: str = FREQUENCY_ORIGINAL
	original_claim_number: str = ""  # payer claim control number, required for 7 and 8
	rendering_provider: Provider | None = None
	referring_provider: Provider | None = None
	prior_authorization: str = ""
	onset_date: datetime.date | None = None  # date of current illness
	attachments: list[Attachment] = field(default_factory=list)
	other_payers: list[OtherPayer] = field(default_factory=list)
	provider_signature_on_file: bool = True
	assignment_of_benefits: bool = True
	release_of_information: str = "Y"  # Y or I (informed consent)
	accept_assignment: str = "A"  # A assigned, B lab services, C not assigned
	# CLM02 as declared in a file that was read; None for claims built here (total_charge is sent).
	declared_charge: Decimal | None = None

	@property
	def total_charge(self) -> Decimal:
		return sum((line.charge for line in self.lines), Decimal(0))


@dataclass
class Envelope:
	"""ISA/GS/ST settings for one 837P file. Control numbers come from the caller and must be unique."""

	sender_id: str
	receiver_id: str
	interchange_control_number: int
	group_control_number: int
	created: datetime.datetime
	transaction_set_control_number: int = 1
	sender_qualifier: str = "ZZ"
	receiver_qualifier: str = "ZZ"
	application_sender_code: str = ""  # GS02; defaults to sender_id
	application_receiver_code: str = ""  # GS03; defaults to receiver_id
	usage_indicator: str = "P"  # ISA15: P production, T test
	reference_id: str = ""  # BHT03; defaults to the transaction set control number
	element_separator: str = "*"
	component_separator: str = ":"
	repetition_separator: str = "^"
	segment_terminator: str = "~"
	line_break: bool = False  # a newline after each segment terminator


# --- JSON form -------------------------------------------------------------------------------


class ClaimDataError(ValueError):
	"""The JSON form of a claim has a missing or malformed field; the message names the path."""


def from_dict(cls: type, data: typing.Any, path: str = ""):
	"""Build dataclass ``cls`` from JSON-like ``data``; errors name the field path."""
	hints = typing.get_type_hints(cls)
	if not isinstance(data, dict):
		raise ClaimDataError(f"{path or cls.__name__}: expected an object, got {type(data).__name__}")
	known = {f.name: f for f in dataclasses.fields(cls)}
	unknown = sorted(set(data) - set(known))
	if unknown:
		raise ClaimDataError(f"{path or cls.__name__}: unknown field(s) {', '.join(unknown)}")
	kwargs = {}
	for name, f in known.items():
		sub_path = f"{path}.{name}" if path else name
		if name not in data:
			if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
				raise ClaimDataError(f"{sub_path}: required field is missing")
			continue
		kwargs[name] = _convert(hints[name], data[name], sub_path)
	return cls(**kwargs)


def _convert(hint, value, path):
	origin = typing.get_origin(hint)
	if origin in (typing.Union, types.UnionType):
		args = [a for a in typing.get_args(hint) if a is not type(None)]
		if value is None:
			return None
		return _convert(args[0], value, path)
	if origin is list:
		if not isinstance(value, list):
			raise ClaimDataError(f"{path}: expected a list")
		(item_hint,) = typing.get_args(hint)
		return [_convert(item_hint, item, f"{path}[{i}]") for i, item in enumerate(value)]
	if dataclasses.is_dataclass(hint):
		return from_dict(hint, value, path)
	if hint is Decimal:
		if isinstance(value, float):
			raise ClaimDataError(f'{path}: give amounts as strings such as "125.00", not floats')
		try:
			amount = Decimal(str(value))
		except InvalidOperation:
			raise ClaimDataError(f"{path}: {value!r} is not a number") from None
		if not amount.is_finite():
			raise ClaimDataError(f"{path}: {value!r} is not a finite number")
		return amount
	if hint is datetime.date:
		try:
			return datetime.date.fromisoformat(str(value))
		except ValueError:
			raise ClaimDataError(f"{path}: {value!r} is not a date (YYYY-MM-DD)") from None
	if hint is datetime.datetime:
		try:
			return datetime.datetime.fromisoformat(str(value))
		except ValueError:
			raise ClaimDataError(f"{path}: {value!r} is not a date-time (YYYY-MM-DDTHH:MM)") from None
	if hint is bool:
		if not isinstance(value, bool):
			raise ClaimDataError(f"{path}: expected true or false")
		return value
	if hint is int:
		if isinstance(value, bool) or not isinstance(value, int):
			raise ClaimDataError(f"{path}: expected a whole number")
		return value
	if hint is str:
		if not isinstance(value, str | int):
			raise ClaimDataError(f"{path}: expected text")
		return str(value)
	return value


def to_dict(obj) -> typing.Any:
	"""The JSON form of a dataclass tree: Decimals and dates become strings."""
	if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
		return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
	if isinstance(obj, list | tuple):
		return [to_dict(v) for v in obj]
	if isinstance(obj, dict):
		return {k: to_dict(v) for k, v in obj.items()}
	if isinstance(obj, Decimal):
		return str(obj)
	if isinstance(obj, datetime.date | datetime.datetime):
		return obj.isoformat()
	return obj
