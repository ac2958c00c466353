"""Plain data read from acknowledgements: 999 implementation acknowledgements and 277CA claim acks.

A 999 says whether each transaction set we sent was syntactically accepted (and where it was not);
a 277CA says, claim by claim, whether the payer or clearinghouse accepted the claim into its system.
Codes are kept as sent; the small tables below give the 999 codes their plain meanings, while 277CA
status codes are described by ``claims_billing.core.code_lists``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

# --- 999 ------------------------------------------------------------------------------------

# IK501 / AK901: what the receiver decided.
ACK_CODES = {
	"A": "accepted",
	"E": "accepted, but errors were noted",
	"M": "rejected: message authentication code (MAC) failed",
	"P": "partially accepted: at least one transaction set was rejected",
	"R": "rejected",
	"W": "rejected: assurance failed validity tests",
	"X": "rejected: content could not be analysed after decryption",
}
ACCEPTED_ACK_CODES = frozenset({"A", "E"})

# IK304: what is wrong with a segment.
SEGMENT_ERROR_CODES = {
	"1": "segment ID not recognised",
	"2": "segment not expected here",
	"3": "a required segment is missing",
	"4": "a loop repeats more often than allowed",
	"5": "a segment repeats more often than allowed",
	"6": "segment does not belong in this transaction set",
	"7": "segment is out of order",
	"8": "segment has errors in its data elements",
	"I4": "segment the implementation guide marks 'not used' is present",
	"I6": "segment the implementation guide requires in this situation is missing",
	"I7": "a loop occurs fewer times than the implementation guide requires",
	"I8": "a segment occurs fewer times than the implementation guide requires",
	"I9": "segment the implementation guide excludes in this situation is present",
}

# IK403: what is wrong with a data element.
ELEMENT_ERROR_CODES = {
	"1": "a required data element is missing",
	"2": "a conditionally required data element is missing",
	"3": "too many data elements",
	"4": "data element is too short",
	"5": "data element is too long",
	"6": "data element contains an invalid character",
	"7": "data element holds a code value that is not valid",
	"8": "not a valid date",
	"9": "not a valid time",
	"10": "data elements that exclude each other are both present",
	"12": "data element repeats too often",
	"13": "too many components in a composite element",
	"I6": "code value is valid in X12 but not used by this implementation guide",
	"I9": "data element the implementation guide requires in this situation is missing",
	"I10": "data element the implementation guide marks 'not used' is present",
	"I11": "data element repeats fewer times than the implementation guide requires",
	"I12": "value does not match the pattern the implementation guide requires",
	"I13": "data element the implementation guide excludes in this situation is present",
}

# IK502..IK506: why a transaction set was rejected or noted.
TRANSACTION_SET_ERROR_CODES = {
	"1": "transaction set type not supported",
	"2": "transaction set trailer (SE) missing",
	"3": "control numbers in ST and SE do not match",
	"4": "SE segment count does not match the number of segments",
	"5": "one or more segments are in error",
	"6": "transaction set identifier missing or invalid",
	"7": "transaction set control number missing or invalid",
	"8": "authentication key name unknown",
	"9": "encryption key name unknown",
	"10": "requested authentication or encryption service not available",
	"11": "security recipient unknown",
	"12": "incorrect message length (encryption only)",
	"13": "message authentication code failed",
	"15": "security originator unknown",
	"16": "syntax error in decrypted text",
	"17": "security not supported",
	"18": "transaction set not inside a functional group",
	"19": "implementation convention reference (ST03) not valid",
	"23": "transaction set control number not unique within the functional group",
	"24": "S3E security end segment missing for S3S start segment",
	"25": "S3S security start segment missing for S3E end segment",
	"26": "S4E security end segment missing for S4S start segment",
	"27": "S4S security start segment missing for S4E end segment",
	"I5": "one or more segments break the implementation guide",
	"I6": "implementation convention not supported",
}

# AK905..AK909: why a functional group was rejected or noted.
GROUP_ERROR_CODES = {
	"1": "functional group type not supported",
	"2": "functional group version not supported",
	"3": "functional group trailer (GE) missing",
	"4": "control numbers in GS and GE do not match",
	"5": "GE count of transaction sets does not match the number received",
	"6": "group control number breaks the syntax rules",
	"10": "authentication key name unknown",
	"11": "encryption key name unknown",
	"12": "requested authentication or encryption service not available",
	"13": "security recipient unknown",
	"14": "security originator unknown",
	"15": "syntax error in decrypted text",
	"16": "security not supported",
	"17": "incorrect message length (encryption only)",
	"18": "message authentication code failed",
	"19": "functional group control number not unique within the interchange",
	"23": "S3E security end segment missing for S3S start segment",
	"24": "S3S security start segment missing for S3E end segment",
	"25": "S4E security end segment missing for S4S start segment",
	"26": "S4S security start segment missing for S4E end segment",
}


def _meaning(table: dict[str, str], code: str) -> str:
	return table.get(code, f"code {code} (not in the X12 list)") if code else ""


@dataclass(slots=True)
class ElementError:
	"""IK4: one bad data element inside a segment reported by IK3."""

	element_position: int | None  # IK401-1: position in the segment
	component_position: int | None  # IK401-2: position in the composite
	repetition_position: int | None  # IK401-3
	reference_number: str  # IK402: X12 data element reference number
	error_code: str  # IK403
	bad_value: str = ""  # IK404: copy of the bad value
	context: list[str] = field(default_factory=list)  # CTX element context

	@property
	def description(self) -> str:
		return _meaning(ELEMENT_ERROR_CODES, self.error_code)


@dataclass(slots=True)
class SegmentError:
	"""IK3: one segment of our file the receiver found wrong."""

	segment_id: str  # IK301
	position: int | None  # IK302: segment position in the transaction set (ST = 1)
	loop_id: str  # IK303, e.g. 2400
	error_code: str  # IK304 ("" when only element errors follow)
	context: list[str] = field(default_factory=list)  # CTX segment/business context, as sent
	elements: list[ElementError] = field(default_factory=list)

	@property
	def description(self) -> str:
		return _meaning(SEGMENT_ERROR_CODES, self.error_code)


@dataclass(slots=True)
class TransactionSetAck:
	"""AK2..IK5: the verdict on one transaction set we sent."""

	set_id: str  # AK201, e.g. 837
	control_number: str  # AK202: our ST02
	version: str  # AK203, e.g. 005010X222A1
	ack_code: str  # IK501: A, E, M, R, W or X
	error_codes: list[str] = field(default_factory=list)  # IK502..IK506
	segment_errors: list[SegmentError] = field(default_factory=list)

	@property
	def accepted(self) -> bool:
		return self.ack_code in ACCEPTED_ACK_CODES

	@property
	def ack_description(self) -> str:
		return _meaning(ACK_CODES, self.ack_code)

	@property
	def error_descriptions(self) -> list[str]:
		return [_meaning(TRANSACTION_SET_ERROR_CODES, code) for code in self.error_codes]


@dataclass(slots=True)
class FunctionalAck:
	"""One 999 transaction set: the verdict on one functional group (GS) we sent."""

	control_number: str  # this 999's ST02
	functional_id: str  # AK101: functional id of the acknowledged group, e.g. HC
	group_control_number: str  # AK102: our GS06
	version: str  # AK103: our GS08
	ack_code: str  # AK901: A, E, P, R, M, W or X
	sets_included: int  # AK902: transaction sets in our group
	sets_received: int  # AK903
	sets_accepted: int  # AK904
	error_codes: list[str] = field(default_factory=list)  # AK905..AK909
	transaction_sets: list[TransactionSetAck] = field(default_factory=list)
	complete: bool = True  # False when the file ends before this set's SE/GE/IEA: never act on it

	@property
	def accepted(self) -> bool:
		return self.ack_code in ACCEPTED_ACK_CODES

	@property
	def ack_description(self) -> str:
		return _meaning(ACK_CODES, self.ack_code)

	@property
	def error_descriptions(self) -> list[str]:
		return [_meaning(GROUP_ERROR_CODES, code) for code in self.error_codes]


def describe_ack_code(code: str) -> str:
	"""Plain meaning of an IK501 / AK901 acknowledgement code."""
	return _meaning(ACK_CODES, code)


def describe_segment_error(code: str) -> str:
	"""Plain meaning of an IK304 segment error code."""
	return _meaning(SEGMENT_ERROR_CODES, code)


def describe_element_error(code: str) -> str:
	"""Plain meaning of an IK403 element error code."""
	return _meaning(ELEMENT_ERROR_CODES, code)


def describe_transaction_set_error(code: str) -> str:
	"""Plain meaning of an IK502..IK506 transaction set error code."""
	return _meaning(TRANSACTION_SET_ERROR_CODES, code)


def describe_group_error(code: str) -> str:
	"""Plain meaning of an AK905..AK909 functional group error code."""
	return _meaning(GROUP_ERROR_CODES, code)


# --- 277CA ----------------------------------------------------------------------------------


@dataclass(slots=True)
class StatusCode:
	"""One STC composite (STC01, STC10 or STC11)."""

	category: str  # -1: claim status category, e.g. A1 acknowledged/receipt, A3 returned as unprocessable
	status: str  # -2: claim status code
	entity: str = ""  # -3: entity the status is about, e.g. 85 billing provider, IL subscriber


@dataclass(slots=True)
class StatusInfo:
	"""One STC segment: up to three status composites, with date, action and amounts."""

	codes: list[StatusCode]  # STC01, then STC10 and STC11 when present
	effective_date: datetime.date | None  # STC02
	action_code: str = ""  # STC03: WQ accepted, U rejected
	charge: Decimal | None = None  # STC04: total claim charge
	message: str = ""  # STC12: free-form text


@dataclass(slots=True)
class ProviderAcknowledgement:
	"""2000B information receiver or 2000C billing provider level, with its own STCs if sent."""

	level: str  # "information_receiver" (HL 21) or "provider" (HL 19)
	name: str  # NM103
	id_qualifier: str  # NM108: 46 ETIN, XX NPI, FI tax id
	id: str  # NM109
	hierarchical_id: str  # HL01
	trace_number: str = ""  # TRN02
	statuses: list[StatusInfo] = field(default_factory=list)
	accepted_quantity: Decimal | None = None  # QTY*90 (receiver level) or QTY*QA (provider level)
	rejected_quantity: Decimal | None = None  # QTY*AA (receiver level) or QTY*QC (provider level)
	accepted_amount: Decimal | None = None  # AMT*YU
	rejected_amount: Decimal | None = None  # AMT*YY
	parent: ProviderAcknowledgement | None = None  # the information receiver above a provider


@dataclass(slots=True)
class ServiceLineStatus:
	"""Loop 2220D: the status of one service line of a claim."""

	procedure_code: str  # SVC01-2
	charge: Decimal | None  # SVC02
	code_qualifier: str = ""  # SVC01-1
	modifiers: list[str] = field(default_factory=list)
	units: Decimal | None = None  # SVC07
	statuses: list[StatusInfo] = field(default_factory=list)
	line_control_number: str = ""  # REF*FJ
	service_date: datetime.date | None = None  # DTP*472
	service_date_end: datetime.date | None = None


@dataclass(slots=True)
class ClaimAcknowledgement:
	"""Loop 2200D: the status of one claim we sent."""

	claim_id: str  # TRN02: our patient control number (CLM01)
	statuses: list[StatusInfo] = field(default_factory=list)
	payer_claim_number: str = ""  # REF*1K
	billing_type: str = ""  # REF*BLT (institutional)
	medical_record_number: str = ""  # REF*EA
	service_date: datetime.date | None = None  # DTP*472 (start when a range)
	service_date_end: datetime.date | None = None
	patient_last_name: str = ""  # NM1*QC
	patient_first_name: str = ""
	patient_id: str = ""  # NM109 member id
	hierarchical_id: str = ""  # HL01 of the patient level
	provider: ProviderAcknowledgement | None = None  # the 2000C billing provider it sits under
	receiver: ProviderAcknowledgement | None = None  # the 2000B information receiver above that
	lines: list[ServiceLineStatus] = field(default_factory=list)

	@property
	def codes(self) -> list[StatusCode]:
		"""Every status composite of every STC, in file order."""
		return [code for status in self.statuses for code in status.codes]

	@property
	def status_category(self) -> str:
		"""Category code of the first STC (A1, A2 ... accepted; A3, A7 ... rejected)."""
		return self.statuses[0].codes[0].category if self.statuses else ""

	@property
	def status_code(self) -> str:
		return self.statuses[0].codes[0].status if self.statuses else ""

	@property
	def status_date(self) -> datetime.date | None:
		return self.statuses[0].effective_date if self.statuses else None

	@property
	def charge(self) -> Decimal | None:
		"""Total claim charge as the acknowledger read it (STC04 of the first STC that has one)."""
		for status in self.statuses:
			if status.charge is not None:
				return status.charge
		return None

	@property
	def action_code(self) -> str:
		return self.statuses[0].action_code if self.statuses else ""


@dataclass(slots=True)
class ClaimAcknowledgementReport:
	"""One 277CA transaction set."""

	control_number: str  # ST02
	reference: str = ""  # BHT03
	created: datetime.date | None = None  # BHT04
	payer_name: str = ""  # 2100A NM1 (PR payer, AY clearinghouse...)
	payer_id: str = ""
	received_date: datetime.date | None = None  # 2200A DTP*050
	process_date: datetime.date | None = None  # 2200A DTP*009
	providers: list[ProviderAcknowledgement] = field(default_factory=list)  # 2000B and 2000C levels
	claims: list[ClaimAcknowledgement] = field(default_factory=list)
	complete: bool = True  # False when the file ends before this set's SE/GE/IEA: never act on it
