"""Write 835 health care claim payment/advice files (ASC X12 005010X221A1) from ``Remittance`` objects.

``write_835(remittance, envelope, details)`` returns one interchange (ISA/GS*HP/ST*835...SE/GE/IEA)
as ASCII bytes: BPR, TRN, DTM*405, the payer (N1*PR, N3/N4, REF*2U, PER*BL) and payee (N1*PE, N3/N4,
REF*TJ), then LX and each claim payment (CLP, CAS, NM1*QC/IL/74/82/TT, MOA, DTM*232/233/050, AMT*AU)
with its service payments (SVC, DTM, CAS, REF*6R, AMT*B6, LQ*HE), and the PLB provider
adjustments. What a ``Remittance`` does not hold (addresses, the payer contact, bank accounts) comes
from ``EraDetails``. Reading the output with ``read_835`` gives the remittance back.

It exists so tests and the Frappe tier can produce realistic ERAs for claims they submitted:
``remittance_for(claims, decisions)`` builds the ``Remittance`` a payer would send for our claims
from simple adjudication decisions (paid in full, contractual reduction with deductible, coinsurance
and copay, denials, reversal and correction, crossover to the next payer).

Data the file cannot carry raises ``ValueError`` naming the field, e.g.
``claims[2].services[0].procedure_code: contains '*', the element separator of this file``; messages
never echo values (they may be patient data).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from claims_billing.x12.claim import Address, Adjustment, Claim, Envelope, Payer
from claims_billing.x12.interchange import SEPARATOR_NAMES, check_envelope, finish, header
from claims_billing.x12.remittance import (
	CLAIM_STATUS_DENIED,
	CLAIM_STATUS_REVERSAL,
	ClaimPayment,
	PartyName,
	ProviderAdjustment,
	Remittance,
	ServicePayment,
)
from claims_billing.x12.write_837p import format_decimal

IMPLEMENTATION_GUIDE = "005010X221A1"
MAX_CAS_TRIPLETS = 6
MAX_CAS_SEGMENTS = 99  # per claim or service loop
MAX_MOA_REMARKS = 5
MAX_MODIFIERS = 4
MAX_PLB_PAIRS = 6
# CAS01 groups of 005010 (CR was retired after 4010).
ADJUSTMENT_GROUPS = frozenset({"CO", "OA", "PI", "PR"})
# BPR04 methods that move money electronically and need the bank fields BPR05-BPR15.
ELECTRONIC_METHODS = frozenset({"ACH", "BOP", "FWT"})
PAYMENT_METHODS = ELECTRONIC_METHODS | {"CHK", "NON"}
HANDLING_CODES = frozenset({"C", "D", "H", "I", "P", "U", "X"})
# CLP06 values of 005010X221A1; an 837P SBR09 outside them is reported as below.
CLAIM_FILING_INDICATORS = frozenset(
	{
		"12",
		"13",
		"14",
		"15",
		"16",
		"17",
		"AM",
		"CH",
		"DS",
		"HM",
		"LM",
		"MA",
		"MB",
		"MC",
		"OF",
		"TV",
		"VA",
		"WC",
		"ZZ",
	}
)
_FILING_INDICATOR_FROM_837 = {"CI": "12", "BL": "12", "11": "ZZ", "09": "ZZ", "10": "ZZ", "FI": "OF"}
_CENT = Decimal("0.01")

_SEPARATOR_NAMES = SEPARATOR_NAMES


@dataclass
class EraDetails:
	"""What an 835 needs beyond the ``Remittance``: addresses, the payer's contact, bank accounts."""

	payer_address: Address  # 1000A N3/N4 (required)
	payer_contact_phone: str = ""  # PER*BL: at least one of phone, email or website is required
	payer_contact_email: str = ""
	payer_contact_website: str = ""
	payer_contact_name: str = ""
	payee_address: Address | None = None  # 1000B N3/N4
	payee_tax_id: str = ""  # REF*TJ
	receiver_id: str = ""  # REF*EV: who receives the file when it is not the payee
	payment_format: str = "CCP"  # BPR05 for ACH/BOP/FWT: CCP (cash concentration) or CTX
	payer_bank_routing_number: str = ""  # BPR07 (ABA routing number)
	payer_bank_account: str = ""  # BPR09
	payee_bank_routing_number: str = ""  # BPR13
	payee_bank_account: str = ""  # BPR15


def write_835(
	remittances: Remittance | Sequence[Remittance], envelope: Envelope, details: EraDetails
) -> bytes:
	"""One interchange holding one 835 transaction set per remittance (ST02 = its control number)."""
	if isinstance(remittances, Remittance):
		remittances = [remittances]
	if not remittances:
		raise ValueError("remittances: at least one remittance is required")
	return _Writer(envelope, details).write(list(remittances))


def _date(value: datetime.date) -> str:
	return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _chunks(items: list, size: int) -> list[list]:
	return [items[start : start + size] for start in range(0, len(items), size)]


def _money(value: Decimal, path: str) -> str:
	if not isinstance(value, Decimal) or not value.is_finite():
		raise ValueError(f"{path}: must be a finite Decimal amount")
	if value != value.quantize(_CENT):
		raise ValueError(f"{path}: amounts are whole cents (at most 2 decimal places)")
	return format_decimal(value)


def _quantity(value: Decimal, path: str) -> str:
	if not isinstance(value, Decimal) or not value.is_finite():
		raise ValueError(f"{path}: must be a finite Decimal number")
	return format_decimal(value)


class _Writer:
	def __init__(self, envelope: Envelope, details: EraDetails):
		self.envelope = envelope
		self.details = details
		separators = check_envelope(envelope, ("interchange_control_number", "group_control_number"))
		self._separators = separators
		self._bad_text = re.compile("[^\x20-\x7e]|[" + re.escape("".join(separators)) + "]")
		self.e = envelope.element_separator
		self.c = envelope.component_separator
		self._check_envelope()

	# --- checks ---

	def _check_envelope(self) -> None:
		env = self.envelope
		for name in ("sender_id", "receiver_id", "application_sender_code", "application_receiver_code"):
			self._text(getattr(env, name), f"envelope.{name}")

	def _text(self, value: str, path: str, required: bool = False, max_length: int = 0) -> str:
		"""``value`` when the file can carry it; raises naming ``path`` (never the value) otherwise."""
		if not isinstance(value, str):
			raise ValueError(f"{path}: must be text")
		if required and not value:
			raise ValueError(f"{path}: required")
		found = self._bad_text.search(value)
		if found:
			char = found.group()
			name = self._separators.get(char)
			if name:
				raise ValueError(f"{path}: contains {char!r}, the {_SEPARATOR_NAMES[name]} of this file")
			raise ValueError(
				f"{path}: contains the character {char!r}, which X12 cannot carry (printable ASCII)"
			)
		if max_length and len(value) > max_length:
			raise ValueError(f"{path}: at most {max_length} characters")
		return value

	def _segment(self, *elements: str) -> str:
		return self.e.join(elements).rstrip(self.e)

	# --- the interchange ---

	def write(self, remittances: list[Remittance]) -> bytes:
		env = self.envelope
		out = header(env, "HP", IMPLEMENTATION_GUIDE)
		seen = set()
		for index, remittance in enumerate(remittances):
			path = f"remittances[{index}]" if len(remittances) > 1 else "remittance"
			control = self._text(remittance.control_number, f"{path}.control_number", required=True)
			if not 4 <= len(control) <= 9:
				raise ValueError(f"{path}.control_number: must be 4 to 9 characters (ST02)")
			if control in seen:
				raise ValueError(f"{path}.control_number: used by an earlier remittance in this file (ST02)")
			seen.add(control)
			start = len(out)
			out.append(self._segment("ST", "835", control))
			self._transaction(out, remittance, path)
			out.append(self._segment("SE", str(len(out) - start + 1), control))
		return finish(out, env, transaction_sets=len(remittances))

	# --- header ---

	def _transaction(self, out: list[str], remittance: Remittance, path: str) -> None:
		details = self.details
		out.append(self._bpr(remittance, path))
		originator = self._text(remittance.originator_id, f"{path}.originator_id", required=True)
		if len(originator) != 10:
			raise ValueError(f"{path}.originator_id: must be 10 characters, '1' and the payer's EIN (TRN03)")
		out.append(
			self._segment(
				"TRN",
				"1",
				self._text(remittance.trace_number, f"{path}.trace_number", required=True, max_length=50),
				originator,
			)
		)
		if details.receiver_id:
			out.append(self._segment("REF", "EV", self._text(details.receiver_id, "details.receiver_id")))
		if remittance.production_date is not None:
			out.append(self._segment("DTM", "405", _date(remittance.production_date)))

		out.append(
			self._segment(
				"N1",
				"PR",
				self._text(remittance.payer_name, f"{path}.payer_name", required=True, max_length=60),
			)
		)
		self._address(out, details.payer_address, "details.payer_address")
		if remittance.payer_id:
			out.append(
				self._segment("REF", "2U", self._text(remittance.payer_id, f"{path}.payer_id", max_length=50))
			)
		out.append(self._payer_contact())

		qualifier = self._text(remittance.payee_id_qualifier, f"{path}.payee_id_qualifier", required=True)
		if qualifier not in ("FI", "XV", "XX"):
			raise ValueError(f"{path}.payee_id_qualifier: must be XX (NPI), FI (tax id) or XV (N103)")
		out.append(
			self._segment(
				"N1",
				"PE",
				self._text(remittance.payee_name, f"{path}.payee_name", required=True, max_length=60),
				qualifier,
				self._text(remittance.payee_id, f"{path}.payee_id", required=True, max_length=80),
			)
		)
		if details.payee_address is not None:
			self._address(out, details.payee_address, "details.payee_address")
		if details.payee_tax_id:
			out.append(self._segment("REF", "TJ", self._text(details.payee_tax_id, "details.payee_tax_id")))

		if remittance.claims:
			out.append(self._segment("LX", "1"))
		for k, claim in enumerate(remittance.claims):
			self._claim(out, claim, f"{path}.claims[{k}]")
		self._provider_adjustments(out, remittance, path)

	def _bpr(self, remittance: Remittance, path: str) -> str:
		details = self.details
		handling = remittance.handling_code
		if handling not in HANDLING_CODES:
			raise ValueError(
				f"{path}.handling_code: must be one of {', '.join(sorted(HANDLING_CODES))} (BPR01)"
			)
		amount = _money(remittance.amount, f"{path}.amount")
		if remittance.amount < 0:
			raise ValueError(
				f"{path}.amount: cannot be negative; say D in credit_debit for a debit (BPR02/BPR03)"
			)
		if remittance.credit_debit not in ("C", "D"):
			raise ValueError(f"{path}.credit_debit: must be C (credit) or D (debit) (BPR03)")
		method = remittance.method
		if method not in PAYMENT_METHODS:
			raise ValueError(f"{path}.method: must be one of {', '.join(sorted(PAYMENT_METHODS))} (BPR04)")
		if remittance.payment_date is None:
			raise ValueError(f"{path}.payment_date: required (BPR16 check issue or EFT effective date)")
		bank = [""] * 11  # BPR05-BPR15
		if method in ELECTRONIC_METHODS:
			for name in (
				"payer_bank_routing_number",
				"payer_bank_account",
				"payee_bank_routing_number",
				"payee_bank_account",
			):
				self._text(getattr(details, name), f"details.{name}", required=True, max_length=35)
			if details.payment_format not in ("CCP", "CTX"):
				raise ValueError("details.payment_format: must be CCP or CTX (BPR05)")
			bank = [
				details.payment_format,
				"01",  # ABA routing number
				details.payer_bank_routing_number,
				"DA",  # demand deposit account
				details.payer_bank_account,
				remittance.originator_id,
				"",
				"01",
				details.payee_bank_routing_number,
				"DA",
				details.payee_bank_account,
			]
		return self._segment(
			"BPR", handling, amount, remittance.credit_debit, method, *bank, _date(remittance.payment_date)
		)

	def _address(self, out: list[str], address: Address | None, path: str) -> None:
		if address is None:
			raise ValueError(f"{path}: required (N3/N4)")
		lines = [self._text(address.line1, f"{path}.line1", required=True, max_length=55)]
		if address.line2:
			lines.append(self._text(address.line2, f"{path}.line2", max_length=55))
		out.append(self._segment("N3", *lines))
		out.append(
			self._segment(
				"N4",
				self._text(address.city, f"{path}.city", required=True, max_length=30),
				self._text(address.state, f"{path}.state"),
				self._text(address.postal_code, f"{path}.postal_code"),
				""
				if address.country in ("", "US", "USA")
				else self._text(address.country, f"{path}.country"),
			)
		)

	def _payer_contact(self) -> str:
		details = self.details
		numbers = []
		for qualifier, name in (
			("TE", "payer_contact_phone"),
			("EM", "payer_contact_email"),
			("UR", "payer_contact_website"),
		):
			value = getattr(details, name)
			if value:
				numbers += [qualifier, self._text(value, f"details.{name}", max_length=256)]
		if not numbers:
			raise ValueError(
				"details.payer_contact_phone: the payer's technical contact (PER*BL) needs a phone, email or website"
			)
		name = self._text(details.payer_contact_name, "details.payer_contact_name", max_length=60)
		return self._segment("PER", "BL", name, *numbers[:6])

	# --- claims ---

	def _cas(self, out: list[str], adjustments: list[Adjustment], path: str) -> None:
		"""CAS segments: one group each (in order of first appearance), at most six triplets."""
		by_group: dict[str, list[tuple[int, Adjustment]]] = {}
		for n, adjustment in enumerate(adjustments):
			if adjustment.group not in ADJUSTMENT_GROUPS:
				raise ValueError(
					f"{path}[{n}].group: {adjustment.group!r} is not one of {', '.join(sorted(ADJUSTMENT_GROUPS))}"
				)
			by_group.setdefault(adjustment.group, []).append((n, adjustment))
		segments = []
		for group, items in by_group.items():
			for chunk in _chunks(items, MAX_CAS_TRIPLETS):
				elements = ["CAS", group]
				for n, adjustment in chunk:
					elements += (
						self._text(adjustment.reason, f"{path}[{n}].reason", required=True, max_length=5),
						_money(adjustment.amount, f"{path}[{n}].amount"),
						""
						if adjustment.quantity is None
						else _quantity(adjustment.quantity, f"{path}[{n}].quantity"),
					)
				segments.append(self._segment(*elements))
		if len(segments) > MAX_CAS_SEGMENTS:
			raise ValueError(
				f"{path}: needs {len(segments)} CAS segments, at most {MAX_CAS_SEGMENTS} are allowed"
			)
		out.extend(segments)

	def _person(
		self, entity: str, party: PartyName, path: str, required_id: bool, entity_type: str = "1"
	) -> str:
		identifier = self._text(party.id, f"{path}.id", max_length=80)
		qualifier = self._text(party.id_qualifier, f"{path}.id_qualifier", max_length=3)
		if required_id and not (identifier and qualifier):
			raise ValueError(f"{path}: id and id_qualifier are required (NM108/NM109 of NM1*{entity})")
		if bool(identifier) != bool(qualifier):
			raise ValueError(
				f"{path}: give both id and id_qualifier, or neither (NM108/NM109 of NM1*{entity})"
			)
		return self._segment(
			"NM1",
			entity,
			entity_type,
			self._text(party.last_name, f"{path}.last_name", max_length=60),
			self._text(party.first_name, f"{path}.first_name", max_length=35),
			self._text(party.middle_name, f"{path}.middle_name", max_length=25),
			"",
			"",
			qualifier,
			identifier,
		)

	def _claim(self, out: list[str], claim: ClaimPayment, path: str) -> None:
		status = self._text(claim.status_code, f"{path}.status_code", required=True)
		filing = self._text(claim.filing_indicator, f"{path}.filing_indicator", required=True)
		if filing not in CLAIM_FILING_INDICATORS:
			raise ValueError(f"{path}.filing_indicator: {filing!r} is not a CLP06 claim filing indicator")
		out.append(
			self._segment(
				"CLP",
				self._text(claim.claim_id, f"{path}.claim_id", required=True, max_length=38),
				status,
				_money(claim.charge, f"{path}.charge"),
				_money(claim.paid, f"{path}.paid"),
				_money(claim.patient_responsibility, f"{path}.patient_responsibility")
				if claim.patient_responsibility
				else "",
				filing,
				self._text(
					claim.payer_claim_number, f"{path}.payer_claim_number", required=True, max_length=50
				),
				self._text(claim.facility_type, f"{path}.facility_type", max_length=2),
				self._text(claim.frequency, f"{path}.frequency", max_length=1),
			)
		)
		self._cas(out, claim.adjustments, f"{path}.adjustments")
		if claim.patient is None:
			raise ValueError(f"{path}.patient: required (NM1*QC patient name)")
		out.append(self._person("QC", claim.patient, f"{path}.patient", required_id=False))
		if claim.insured is not None:
			out.append(self._person("IL", claim.insured, f"{path}.insured", required_id=True))
		if claim.corrected_patient is not None:
			if claim.corrected_patient.id_qualifier not in ("", "C"):
				raise ValueError(f"{path}.corrected_patient.id_qualifier: must be C (NM1*74 NM108) or empty")
			out.append(
				self._person("74", claim.corrected_patient, f"{path}.corrected_patient", required_id=False)
			)
		if claim.rendering_provider is not None:
			provider = claim.rendering_provider
			entity_type = "1" if provider.first_name else "2"
			out.append(
				self._person(
					"82", provider, f"{path}.rendering_provider", required_id=True, entity_type=entity_type
				)
			)
		if claim.crossover_payer_name:
			out.append(
				self._segment(
					"NM1",
					"TT",
					"2",
					self._text(claim.crossover_payer_name, f"{path}.crossover_payer_name", max_length=60),
					"",
					"",
					"",
					"",
					"PI",
					self._text(
						claim.crossover_payer_id, f"{path}.crossover_payer_id", required=True, max_length=80
					),
				)
			)
		if claim.corrected_payer_name:
			raise ValueError(
				f"{path}.corrected_payer_name: not written: NM1*PR needs the payer's id, which the remittance lacks"
			)
		if claim.remark_codes:
			if len(claim.remark_codes) > MAX_MOA_REMARKS:
				raise ValueError(f"{path}.remark_codes: at most {MAX_MOA_REMARKS} (MOA03-MOA07)")
			remarks = [
				self._text(code, f"{path}.remark_codes[{n}]", required=True, max_length=30)
				for n, code in enumerate(claim.remark_codes)
			]
			out.append(self._segment("MOA", "", "", *remarks))
		if claim.statement_from is not None:
			out.append(self._segment("DTM", "232", _date(claim.statement_from)))
		if claim.statement_to is not None:
			out.append(self._segment("DTM", "233", _date(claim.statement_to)))
		if claim.received_date is not None:
			out.append(self._segment("DTM", "050", _date(claim.received_date)))
		if claim.coverage_amount is not None:
			out.append(self._segment("AMT", "AU", _money(claim.coverage_amount, f"{path}.coverage_amount")))
		for k, service in enumerate(claim.services):
			self._service(out, service, f"{path}.services[{k}]")

	def _procedure(self, qualifier: str, code: str, modifiers: list[str], path: str, field_name: str) -> str:
		if len(modifiers) > MAX_MODIFIERS:
			raise ValueError(
				f"{path}.{field_name.replace('procedure_code', 'modifiers')}: at most {MAX_MODIFIERS}"
			)
		parts = [
			self._text(qualifier, f"{path}.code_qualifier", required=True, max_length=2),
			self._text(code, f"{path}.{field_name}", required=True, max_length=48),
		]
		for n, modifier in enumerate(modifiers):
			parts.append(self._text(modifier, f"{path}.modifiers[{n}]", required=True, max_length=2))
		return self.c.join(parts)

	def _service(self, out: list[str], service: ServicePayment, path: str) -> None:
		original = ""
		if service.submitted_procedure_code:
			original = self._procedure(
				service.code_qualifier,
				service.submitted_procedure_code,
				service.submitted_modifiers,
				path,
				"submitted_procedure_code",
			)
		elif service.submitted_modifiers:
			raise ValueError(f"{path}.submitted_modifiers: only with submitted_procedure_code (SVC06)")
		out.append(
			self._segment(
				"SVC",
				self._procedure(
					service.code_qualifier, service.procedure_code, service.modifiers, path, "procedure_code"
				),
				_money(service.charge, f"{path}.charge"),
				_money(service.paid, f"{path}.paid"),
				self._text(service.revenue_code, f"{path}.revenue_code", max_length=48),
				"" if service.units is None else _quantity(service.units, f"{path}.units"),
				original,
				""
				if service.submitted_units is None
				else _quantity(service.submitted_units, f"{path}.submitted_units"),
			)
		)
		if service.service_date_end is not None:
			if service.service_date is None:
				raise ValueError(f"{path}.service_date: required with service_date_end (DTM*150/151)")
			out.append(self._segment("DTM", "150", _date(service.service_date)))
			out.append(self._segment("DTM", "151", _date(service.service_date_end)))
		elif service.service_date is not None:
			out.append(self._segment("DTM", "472", _date(service.service_date)))
		self._cas(out, service.adjustments, f"{path}.adjustments")
		if service.line_control_number:
			number = self._text(service.line_control_number, f"{path}.line_control_number", max_length=50)
			out.append(self._segment("REF", "6R", number))
		if service.allowed is not None:
			out.append(self._segment("AMT", "B6", _money(service.allowed, f"{path}.allowed")))
		for n, code in enumerate(service.remark_codes):
			out.append(
				self._segment(
					"LQ", "HE", self._text(code, f"{path}.remark_codes[{n}]", required=True, max_length=30)
				)
			)

	def _provider_adjustments(self, out: list[str], remittance: Remittance, path: str) -> None:
		"""PLB segments: consecutive adjustments of one provider and date share a PLB, six at most."""
		groups: list[tuple[tuple[str, datetime.date], list[tuple[int, ProviderAdjustment]]]] = []
		for n, adjustment in enumerate(remittance.provider_adjustments):
			where = f"{path}.provider_adjustments[{n}]"
			self._text(adjustment.provider_id, f"{where}.provider_id", required=True, max_length=50)
			if adjustment.fiscal_period_date is None:
				raise ValueError(f"{where}.fiscal_period_date: required (PLB02)")
			reason = self._text(adjustment.reason_code, f"{where}.reason_code", required=True)
			if len(reason) != 2:
				raise ValueError(f"{where}.reason_code: must be a 2-character PLB reason code (PLB03-1)")
			key = (adjustment.provider_id, adjustment.fiscal_period_date)
			if groups and groups[-1][0] == key and len(groups[-1][1]) < MAX_PLB_PAIRS:
				groups[-1][1].append((n, adjustment))
			else:
				groups.append((key, [(n, adjustment)]))
		for (provider_id, date), items in groups:
			elements = ["PLB", provider_id, _date(date)]
			for n, adjustment in items:
				where = f"{path}.provider_adjustments[{n}]"
				reference = self._text(adjustment.reference, f"{where}.reference", max_length=50)
				composite = adjustment.reason_code + (self.c + reference if reference else "")
				elements += (composite, _money(adjustment.amount, f"{where}.amount"))
			out.append(self._segment(*elements))


# --- remittances for our own claims --------------------------------------------------------------


@dataclass
class LineDecision:
	"""How the payer adjudicates one of our claim lines.

	By default the whole charge is allowed and paid. ``allowed`` below the charge gives a CO-45
	contractual reduction; deductible, coinsurance and copay (PR-1/2/3) come out of the allowed
	amount, as do ``other_adjustments``; the payer pays the rest. ``denial`` = (group, CARC), e.g.
	("CO", "50") or ("PR", "204"), adjusts the whole charge and pays nothing.
	"""

	allowed: Decimal | None = None
	deductible: Decimal = Decimal(0)
	coinsurance: Decimal = Decimal(0)
	copay: Decimal = Decimal(0)
	denial: tuple[str, str] | None = None
	other_adjustments: list[Adjustment] = field(default_factory=list)
	remark_codes: list[str] = field(default_factory=list)  # LQ*HE
	adjudicated_procedure_code: str = ""  # the payer paid another code; SVC06 then carries ours
	adjudicated_modifiers: list[str] | None = None  # None: as sent; fewer when the payer drops some
	echo_line_control_number: bool = True  # REF*6R


@dataclass
class ClaimDecision:
	"""How the payer adjudicates one of our claims (``claim_id``).

	``lines``: one decision per claim line, in order; empty pays every line in full.
	``forward_to``: the payer forwarded the claim to this next payer (CLP02 19/20/21, NM1*TT).
	``reverses``: an earlier claim payment the payer takes back first (a CLP02 22 reversal
	precedes this decision's corrected payment); ``reversal_only`` sends just the reversal.
	"""

	claim_id: str
	lines: list[LineDecision] = field(default_factory=list)
	status_code: str = ""  # default: 1/2/3 by the claim's payer responsibility, 4 when all denied
	payer_claim_number: str = ""  # CLP07; default: the trace number and the claim's position
	claim_adjustments: list[Adjustment] = field(default_factory=list)  # claim-level CAS, reduce the payment
	remark_codes: list[str] = field(default_factory=list)  # MOA
	forward_to: Payer | None = None
	reverses: ClaimPayment | None = None
	reversal_only: bool = False
	received_date: datetime.date | None = None  # DTM*050


def reversal_of(payment: ClaimPayment) -> ClaimPayment:
	"""The CLP02 22 reversal of an earlier claim payment: the same claim with every amount negated."""
	reversal = copy.deepcopy(payment)
	reversal.status_code = CLAIM_STATUS_REVERSAL
	reversal.charge = -payment.charge
	reversal.paid = -payment.paid
	reversal.patient_responsibility = -payment.patient_responsibility
	if payment.coverage_amount is not None:
		reversal.coverage_amount = -payment.coverage_amount
	reversal.crossover_payer_name = ""
	reversal.crossover_payer_id = ""
	reversal.adjustments = [dataclasses.replace(a, amount=-a.amount) for a in payment.adjustments]
	for service in reversal.services:
		service.charge = -service.charge
		service.paid = -service.paid
		if service.allowed is not None:
			service.allowed = -service.allowed
		service.adjustments = [dataclasses.replace(a, amount=-a.amount) for a in service.adjustments]
	return reversal


_FORWARDED_STATUS = {"P": "19", "S": "20", "T": "21"}
_PROCESSED_STATUS = {"P": "1", "S": "2", "T": "3"}


def _filing_indicator(code: str) -> str:
	if code in CLAIM_FILING_INDICATORS:
		return code
	return _FILING_INDICATOR_FROM_837.get(code, "ZZ")


def _party(last: str, first: str, middle: str = "", qualifier: str = "", identifier: str = "") -> PartyName:
	return PartyName(last, first, middle, qualifier if identifier else "", identifier)


def _service_payment(claim: Claim, number: int, decision: LineDecision) -> ServicePayment:
	line = claim.lines[number]
	where = f"claim {claim.claim_id} line {number + 1}"
	adjustments: list[Adjustment] = []
	allowed: Decimal | None
	if decision.denial is not None:
		group, reason = decision.denial
		adjustments.append(Adjustment(group, reason, line.charge))
		allowed = None
		paid = Decimal(0)
	else:
		allowed = line.charge if decision.allowed is None else decision.allowed
		if allowed > line.charge:
			raise ValueError(f"{where}: allowed {allowed} is more than the charge {line.charge}")
		if allowed < line.charge:
			adjustments.append(Adjustment("CO", "45", line.charge - allowed))
		for reason, value in (("1", decision.deductible), ("2", decision.coinsurance), ("3", decision.copay)):
			if value:
				adjustments.append(Adjustment("PR", reason, value))
		adjustments += [dataclasses.replace(a) for a in decision.other_adjustments]
		paid = line.charge - sum((a.amount for a in adjustments), Decimal(0))
		if paid < 0:
			raise ValueError(f"{where}: patient responsibility and adjustments exceed the allowed {allowed}")
	procedure = decision.adjudicated_procedure_code or line.procedure_code
	modifiers = (
		list(line.modifiers)
		if decision.adjudicated_modifiers is None
		else list(decision.adjudicated_modifiers)
	)
	service = ServicePayment(
		procedure_code=procedure,
		charge=line.charge,
		paid=paid,
		modifiers=modifiers,
		units=line.units,
		service_date=line.service_date,
		service_date_end=line.service_date_end
		if line.service_date_end is not None and line.service_date_end != line.service_date
		else None,
		line_control_number=line.line_control_number if decision.echo_line_control_number else "",
		adjustments=adjustments,
		allowed=allowed,
		remark_codes=list(decision.remark_codes),
	)
	if decision.adjudicated_procedure_code:
		service.submitted_procedure_code = line.procedure_code
		service.submitted_modifiers = list(line.modifiers)
	return service


def claim_payment_for(claim: Claim, decision: ClaimDecision, payer_claim_number: str) -> ClaimPayment:
	"""The CLP loop a payer sends for ``claim`` adjudicated as ``decision``."""
	if decision.claim_id != claim.claim_id:
		raise ValueError(f"decision for claim {decision.claim_id} given for claim {claim.claim_id}")
	decisions = decision.lines or [LineDecision() for _ in claim.lines]
	if len(decisions) != len(claim.lines):
		raise ValueError(
			f"claim {claim.claim_id}: {len(decisions)} line decisions for {len(claim.lines)} lines; give one per line"
		)
	services = [_service_payment(claim, n, d) for n, d in enumerate(decisions)]
	claim_adjustments = [dataclasses.replace(a) for a in decision.claim_adjustments]
	paid = sum((s.paid for s in services), Decimal(0)) - sum(
		(a.amount for a in claim_adjustments), Decimal(0)
	)
	if paid < 0:
		raise ValueError(f"claim {claim.claim_id}: claim adjustments exceed the line payments")
	every_adjustment = claim_adjustments + [a for s in services for a in s.adjustments]
	patient_responsibility = sum((a.amount for a in every_adjustment if a.group == "PR"), Decimal(0))
	responsibility = claim.payer_responsibility
	status = decision.status_code
	if not status:
		if decision.forward_to is not None:
			status = _FORWARDED_STATUS.get(responsibility, "19")
		elif all(d.denial is not None for d in decisions) and not patient_responsibility:
			status = CLAIM_STATUS_DENIED
		else:
			status = _PROCESSED_STATUS.get(responsibility, "1")
	subscriber = claim.subscriber
	if claim.patient is None:
		patient = _party(
			subscriber.last_name, subscriber.first_name, subscriber.middle_name, "MI", subscriber.member_id
		)
		insured = None
	else:
		patient = _party(claim.patient.last_name, claim.patient.first_name, claim.patient.middle_name)
		insured = _party(
			subscriber.last_name, subscriber.first_name, subscriber.middle_name, "MI", subscriber.member_id
		)
	rendering = None
	if claim.rendering_provider is not None:
		provider = claim.rendering_provider
		rendering = _party(provider.last_name, provider.first_name, provider.middle_name, "XX", provider.npi)
	dates = [line.service_date for line in claim.lines]
	dates += [line.service_date_end for line in claim.lines if line.service_date_end is not None]
	return ClaimPayment(
		claim_id=claim.claim_id,
		status_code=status,
		charge=claim.total_charge,
		paid=paid,
		patient_responsibility=patient_responsibility,
		filing_indicator=_filing_indicator(subscriber.filing_indicator),
		payer_claim_number=decision.payer_claim_number or payer_claim_number,
		facility_type=claim.place_of_service,
		frequency=claim.frequency,
		adjustments=claim_adjustments,
		patient=patient,
		insured=insured,
		rendering_provider=rendering,
		crossover_payer_name=decision.forward_to.name if decision.forward_to is not None else "",
		crossover_payer_id=decision.forward_to.payer_id if decision.forward_to is not None else "",
		statement_from=min(dates),
		statement_to=max(dates),
		received_date=decision.received_date,
		remark_codes=list(decision.remark_codes),
		services=services,
	)


def remittance_for(
	claims: Sequence[Claim],
	decisions: Sequence[ClaimDecision] | None = None,
	*,
	trace_number: str,
	payment_date: datetime.date,
	method: str = "CHK",
	provider_adjustments: Sequence[ProviderAdjustment] = (),
	originator_id: str = "",
	control_number: str = "0001",
	production_date: datetime.date | None = None,
) -> Remittance:
	"""The remittance one payer sends for ``claims`` adjudicated as ``decisions`` (default: all paid in full).

	Claims appear in the order of ``decisions`` (a reversal just before its correction); every claim
	must have the same payer and billing provider. BPR02 is sum(CLP04) - sum(PLB); a zero payment is
	a notification (BPR01 H, BPR04 NON), a negative one a debit (BPR03 D). ``originator_id`` (TRN03)
	defaults to '1' and the payer id padded to nine digits.
	"""
	if not claims:
		raise ValueError("claims: at least one claim is required")
	by_id = {claim.claim_id: claim for claim in claims}
	if decisions is None:
		decisions = [ClaimDecision(claim.claim_id) for claim in claims]
	first = claims[0]
	for claim in claims[1:]:
		if claim.payer.payer_id != first.payer.payer_id:
			raise ValueError(
				f"claim {claim.claim_id}: another payer than claim {first.claim_id}; one payer per remittance"
			)
		if claim.billing_provider.npi != first.billing_provider.npi:
			raise ValueError(
				f"claim {claim.claim_id}: another billing provider than claim {first.claim_id}; one payee per remittance"
			)
	payments: list[ClaimPayment] = []
	for n, decision in enumerate(decisions):
		claim = by_id.get(decision.claim_id)
		if claim is None:
			raise ValueError(f"decisions[{n}].claim_id: {decision.claim_id} is not one of the claims given")
		if decision.reverses is not None:
			if decision.reverses.claim_id != claim.claim_id:
				raise ValueError(
					f"decisions[{n}].reverses: a payment for another claim ({decision.reverses.claim_id})"
				)
			payments.append(reversal_of(decision.reverses))
		elif decision.reversal_only:
			raise ValueError(f"decisions[{n}].reversal_only: needs reverses (the payment to take back)")
		if not decision.reversal_only:
			payments.append(claim_payment_for(claim, decision, f"{trace_number}{n + 1:03d}"))
	total = sum((p.paid for p in payments), Decimal(0)) - sum(
		(a.amount for a in provider_adjustments), Decimal(0)
	)
	payer = first.payer
	return Remittance(
		control_number=control_number,
		handling_code="I" if total else "H",
		amount=abs(total),
		credit_debit="D" if total < 0 else "C",
		method=method if total else "NON",
		payment_date=payment_date,
		trace_number=trace_number,
		originator_id=originator_id or "1" + payer.payer_id.rjust(9, "0")[-9:],
		payer_name=payer.name,
		payer_id=payer.payer_id,
		payee_name=first.billing_provider.name,
		payee_id_qualifier="XX",
		payee_id=first.billing_provider.npi,
		production_date=production_date,
		claims=payments,
		provider_adjustments=[dataclasses.replace(a) for a in provider_adjustments],
	)
