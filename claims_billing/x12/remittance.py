"""Plain data read from an 835 health care claim payment/advice (ERA).

One ``Remittance`` per ST/SE transaction set, i.e. per BPR/TRN payment. Amounts are ``Decimal``;
a CAS triplet is the same ``Adjustment`` the 837P's COB loops carry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from claims_billing.x12.claim import Adjustment

# CLP02 values that matter to posting.
CLAIM_STATUS_PRIMARY = "1"
CLAIM_STATUS_SECONDARY = "2"
CLAIM_STATUS_TERTIARY = "3"
CLAIM_STATUS_DENIED = "4"
CLAIM_STATUS_PRIMARY_FORWARDED = "19"
CLAIM_STATUS_SECONDARY_FORWARDED = "20"
CLAIM_STATUS_TERTIARY_FORWARDED = "21"
CLAIM_STATUS_REVERSAL = "22"
CLAIM_STATUS_NOT_OUR_CLAIM = "23"
CLAIM_STATUS_PREDETERMINATION = "25"
FORWARDED_STATUSES = frozenset({"19", "20", "21"})


@dataclass(slots=True)
class PartyName:
	"""An NM1 person or organisation on a claim payment (QC patient, IL insured, 74 corrected...)."""

	last_name: str = ""
	first_name: str = ""
	middle_name: str = ""
	id_qualifier: str = ""
	id: str = ""


@dataclass(slots=True)
class ServicePayment:
	"""Loop 2110: one SVC service line."""

	procedure_code: str
	charge: Decimal
	paid: Decimal
	code_qualifier: str = "HC"
	modifiers: list[str] = field(default_factory=list)
	revenue_code: str = ""  # SVC04 (institutional)
	units: Decimal | None = None  # SVC05, paid units (1 when absent)
	submitted_procedure_code: str = ""  # SVC06 when the payer changed the code
	submitted_modifiers: list[str] = field(default_factory=list)
	submitted_units: Decimal | None = None  # SVC07
	service_date: datetime.date | None = None  # DTM*472, or DTM*150 start
	service_date_end: datetime.date | None = None  # DTM*151
	line_control_number: str = ""  # REF*6R
	adjustments: list[Adjustment] = field(default_factory=list)
	allowed: Decimal | None = None  # AMT*B6
	remark_codes: list[str] = field(default_factory=list)  # LQ*HE


@dataclass(slots=True)
class ClaimPayment:
	"""Loop 2100: one CLP claim payment."""

	claim_id: str  # CLP01: our patient control number
	status_code: str  # CLP02
	charge: Decimal  # CLP03
	paid: Decimal  # CLP04
	patient_responsibility: Decimal  # CLP05 (0 when absent)
	filing_indicator: str = ""  # CLP06
	payer_claim_number: str = ""  # CLP07
	facility_type: str = ""  # CLP08
	frequency: str = ""  # CLP09
	adjustments: list[Adjustment] = field(default_factory=list)  # claim-level CAS
	patient: PartyName | None = None  # NM1*QC
	insured: PartyName | None = None  # NM1*IL
	corrected_patient: PartyName | None = None  # NM1*74
	rendering_provider: PartyName | None = None  # NM1*82
	crossover_payer_name: str = ""  # NM1*TT: the payer the claim was forwarded to
	crossover_payer_id: str = ""
	corrected_payer_name: str = ""  # NM1*PR in 2100
	statement_from: datetime.date | None = None  # DTM*232
	statement_to: datetime.date | None = None  # DTM*233
	received_date: datetime.date | None = None  # DTM*050
	coverage_amount: Decimal | None = None  # AMT*AU
	remark_codes: list[str] = field(default_factory=list)  # MIA/MOA remark codes
	services: list[ServicePayment] = field(default_factory=list)

	@property
	def is_reversal(self) -> bool:
		return self.status_code == CLAIM_STATUS_REVERSAL

	@property
	def is_forwarded(self) -> bool:
		return self.status_code in FORWARDED_STATUSES or bool(self.crossover_payer_name)


@dataclass(slots=True)
class ProviderAdjustment:
	"""One PLB adjustment: reason (e.g. L6 interest, WO overpayment recovery, FB forwarding balance)."""

	provider_id: str
	fiscal_period_date: datetime.date | None
	reason_code: str
	reference: str
	amount: Decimal  # as sent: positive reduces the payment, negative increases it


@dataclass(slots=True)
class Remittance:
	"""One 835 transaction set: one payment (BPR/TRN) and its claims."""

	control_number: str  # ST02
	handling_code: str  # BPR01: I remittance+payment, H notification only...
	amount: Decimal  # BPR02
	credit_debit: str  # BPR03: C or D
	method: str  # BPR04: ACH, CHK, BOP, FWT, NON
	payment_date: datetime.date | None  # BPR16
	trace_number: str  # TRN02: check or EFT number
	originator_id: str = ""  # TRN03
	payer_name: str = ""  # N1*PR
	payer_id: str = ""  # REF*2U, else N1*PR id, else TRN03
	payee_name: str = ""  # N1*PE
	payee_id_qualifier: str = ""
	payee_id: str = ""  # N1*PE04 (NPI when XX)
	production_date: datetime.date | None = None  # DTM*405
	claims: list[ClaimPayment] = field(default_factory=list)
	provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
	complete: bool = True  # False when the file ends before this set's SE/GE/IEA: never act on it
