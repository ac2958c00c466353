"""Read 837P professional claim files into ``claims_billing.x12.claim.Claim`` objects.

``read_837p(data)`` returns one ``Transaction837`` per 837 transaction set, with its claims filled
from what the file holds: billing provider (2010AA), subscriber and payer (2010BA/BB), patient
(2010CA), CLM amounts and codes (CLM02 in ``Claim.declared_charge``), HI diagnoses (qualifiers such
as ABK/ABF stripped), service lines (SV1, DTP*472, REF*6R) and other payers (2320/2330, with 2430
line adjudication).

Required data the file lacks does not stop reading: the claim gets an empty value (a line without a
date gets ``service_date=None``) and ``Transaction837.problems`` says what was missing where.
Malformed values (a non-numeric charge) and broken envelopes raise ``X12Error``; a file that ends
cleanly after a segment but before its SE, GE or IEA reads what it holds, with
``Transaction837.complete`` False. Claims under one billing provider share its ``BillingProvider``
object, as claims of one subscriber share theirs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from claims_billing.x12.claim import (
	Address,
	Adjustment,
	Attachment,
	BillingProvider,
	Claim,
	LineAdjudication,
	OtherPayer,
	Patient,
	Payer,
	Provider,
	Receiver,
	ServiceLine,
	Submitter,
	Subscriber,
)
from claims_billing.x12.envelope import TransactionSet, read_sets
from claims_billing.x12.errors import Problem, X12Error
from claims_billing.x12.positional import check_positions
from claims_billing.x12.values import (
	amount,
	cached_decimal,
	cached_valid_date,
	date_or_none,
	date_range,
	optional_amount,
	whole_number,
)

# HI composite qualifiers that carry diagnoses: ICD-10 principal/other (ABK/ABF), ICD-9 (BK/BF).
DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "ABF", "BK", "BF"})
# CLM, NM1 and SBR are padded to this many elements: the reader indexes up to CLM09 / NM109 / SBR09.
_LONGEST = 10
_PADDING = ("",) * 20
# SV107 with a single pointer, the usual case, without parsing.
_POINTERS = {str(number): (number,) for number in range(1, 13)}
# SV107 composites already read ("1:2" -> (1, 2)), one cache per component separator.
_POINTER_CACHES: dict[str, dict[str, tuple[int, ...]]] = {}
_POINTER_CACHE_LIMIT = 4096
_BILLING_PROVIDER_LOOPS = frozenset({"2000A", "2010AA", "2010AB"})
_SUBSCRIBER_LOOPS = frozenset({"2000B", "2010BA", "2010BB"})


@dataclass(slots=True)
class Transaction837:
	"""One 837 transaction set: its header and claims."""

	control_number: str  # ST02
	version: str  # ST03 or GS08, e.g. 005010X222A1
	reference: str = ""  # BHT03: the submitter's batch reference
	created: datetime.date | None = None  # BHT04
	purpose: str = ""  # BHT02: 00 original, 18 reissue
	claim_or_encounter: str = ""  # BHT06: CH claims, RP encounters
	submitter: Submitter | None = None  # 1000A
	receiver: Receiver | None = None  # 1000B
	claims: list[Claim] = field(default_factory=list)
	problems: list[Problem] = field(default_factory=list)  # required data the file lacks
	complete: bool = True  # False when the file ends before this set's SE/GE/IEA: never act on it


def read_837p(data: bytes) -> list[Transaction837]:
	"""Every 837 transaction set in ``data`` (bytes of an X12 file), one ``Transaction837`` each.

	Transaction sets of other types are skipped; a file without any 837 raises ``X12Error``.
	"""
	transactions, seen = read_sets(data, "837", read_837p_transaction)
	if not transactions:
		found = f"it holds {', '.join(sorted(set(seen)))}" if seen else "it has no transaction sets"
		raise X12Error(f"no 837 transaction set in this file: {found}")
	return transactions


# The hot paths below build these positionally; the checks fail at import if their fields move.
check_positions(Address, "line1", "city", "state", "postal_code")
check_positions(Payer, "name", "payer_id")
check_positions(Provider, "last_name", "first_name", "npi", "taxonomy", "middle_name")
check_positions(
	Subscriber,
	"last_name",
	"first_name",
	"member_id",
	"middle_name",
	"suffix",
	"date_of_birth",
	"sex",
	"address",
	"group_number",
	"group_name",
	"filing_indicator",
)
check_positions(Patient, "last_name", "first_name", "relationship", "date_of_birth", "sex", "address")
check_positions(ServiceLine, "procedure_code", "charge", "service_date", "diagnosis_pointers", "modifiers")
check_positions(
	Claim,
	"claim_id",
	"billing_provider",
	"subscriber",
	"payer",
	"place_of_service",
	"diagnoses",
	"lines",
	"patient",
	"payer_responsibility",
	"frequency",
)


def _blank_address() -> Address:
	return Address("", "", "", "")


def _pointer_cache(component: str) -> dict[str, tuple[int, ...]]:
	cache = _POINTER_CACHES.get(component)
	if cache is None:
		cache = _POINTER_CACHES[component] = dict(_POINTERS)
	return cache


def _where(position: int, segment_id: str) -> str:
	return f"segment {position} ({segment_id})"


def _padded(elements: list[str], size: int) -> list[str]:
	"""``elements`` lengthened in place with empty strings to at least ``size`` items."""
	if len(elements) < size:
		elements += _PADDING[len(elements) : size]
	return elements


def _amount(value: str, position: int, segment_id: str, name: str):
	number = cached_decimal(value)
	return amount(value, position, segment_id, name) if number is None else number


class _Reader:
	"""State of reading one 837 transaction set: which loop we are in and what it has built.

	Methods take segments already padded as far as they read them (``_LONGEST`` elements for CLM,
	NM1 and SBR).
	"""

	def __init__(self, transaction: TransactionSet):
		self.component = transaction.delimiters.component
		self.keep = transaction.keep
		self.pointers = _pointer_cache(self.component)
		self.result = Transaction837(control_number=transaction.control_number, version=transaction.version)
		self.loop = "header"
		self.provider: BillingProvider | None = None
		self.provider_taxonomy = ""
		self.subscriber: Subscriber | None = None
		self.payer: Payer | None = None
		self.responsibility = "P"
		self.patient: Patient | None = None
		self.claim: Claim | None = None
		self.claim_position = 0
		self.other_payer: OtherPayer | None = None
		self.line: ServiceLine | None = None
		self.line_position = 0
		self.line_adjudication: LineAdjudication | None = None
		self.provider_for_taxonomy: Provider | None = None
		# Whose ``address`` the N3/N4 of the current name loop fill (created on first use when optional).
		self.address_owner: BillingProvider | Subscriber | Payer | Patient | None = None

	def address(self) -> Address | None:
		"""The address N3/N4 fill now, or None outside a name loop that has one."""
		owner = self.address_owner
		if owner is None:
			return None
		if owner.address is None:
			owner.address = _blank_address()
		return owner.address

	def problem(self, position: int, segment_id: str, message: str, code: str) -> None:
		self.result.problems.append(Problem(_where(position, segment_id), message, code))

	# --- hierarchy --------------------------------------------------------------------------

	def hierarchical_level(self, elements: list[str], position: int) -> None:
		self.finish_claim()
		level = elements[3]
		self.address_owner = None
		if level == "20":
			self.loop = "2000A"
			self.provider = None
			self.provider_taxonomy = ""
			self.subscriber = None
			self.payer = None
			self.patient = None
		elif level == "22":
			self.loop = "2000B"
			self.subscriber = Subscriber("", "", "", "", "", None, "U", None, "", "", "")
			self.payer = None
			self.patient = None
			self.responsibility = "P"
		elif level == "23":
			self.loop = "2000C"
			self.patient = Patient("", "", "", None, "", Address("", "", "", ""))
		else:
			raise X12Error(f"HL03 level code {level!r} is not one an 837P uses (20, 22, 23)", position, "HL")

	def subscriber_information(self, elements: list[str], position: int) -> None:
		keep = self.keep
		if self.claim is not None:
			# 2320: another payer of this claim.
			self.finish_line()
			self.loop = "2320"
			subscriber = Subscriber(
				last_name="",
				first_name="",
				member_id="",
				group_number=keep(elements[3]),
				group_name=keep(elements[4]),
				filing_indicator=keep(elements[9]),
			)
			self.other_payer = OtherPayer(
				responsibility=keep(elements[1]),
				payer=Payer(name="", payer_id=""),
				subscriber=subscriber,
				relationship=keep(elements[2]),
			)
			self.claim.other_payers.append(self.other_payer)
			return
		if self.subscriber is None:
			raise X12Error("SBR subscriber information outside a subscriber level (HL*22)", position, "SBR")
		self.responsibility = keep(elements[1])
		self.subscriber.group_number = keep(elements[3])
		self.subscriber.group_name = keep(elements[4])
		self.subscriber.filing_indicator = keep(elements[9])

	# --- names ------------------------------------------------------------------------------

	def name(self, elements: list[str], position: int) -> None:
		keep = self.keep
		entity = elements[1]
		self.address_owner = None
		loop = self.loop
		if self.claim is None:
			if entity == "85" and loop in _BILLING_PROVIDER_LOOPS:
				self.loop = "2010AA"
				self.provider = self.address_owner = BillingProvider(
					name=keep(elements[3]),
					npi=keep(elements[9]),
					tax_id="",
					address=_blank_address(),
					taxonomy=self.provider_taxonomy,
					first_name=keep(elements[4]) if elements[2] == "1" else "",
				)
			elif entity == "IL" and self.subscriber is not None and loop in _SUBSCRIBER_LOOPS:
				self.loop = "2010BA"
				self._fill_person(self.subscriber, elements)
				self.subscriber.member_id = keep(elements[9])
				self.subscriber.address = None
				self.address_owner = self.subscriber
			elif entity == "PR" and self.subscriber is not None and loop in _SUBSCRIBER_LOOPS:
				self.loop = "2010BB"
				self.payer = self.address_owner = Payer(keep(elements[3]), keep(elements[9]))
			elif entity == "QC" and self.patient is not None:
				self.loop = "2010CA"
				self._fill_person(self.patient, elements)
				self.address_owner = self.patient
			elif entity == "41" and loop == "header":
				self.result.submitter = Submitter(name=elements[3], id=elements[9])
				self.loop = "1000A"
			elif entity == "40" and loop in ("header", "1000A"):
				self.result.receiver = Receiver(name=elements[3], id=elements[9])
				self.loop = "1000B"
			else:  # pay-to address and plan, and names this app does not carry
				self.loop = "2010AB" if loop in _BILLING_PROVIDER_LOOPS else "other"
			return
		other = self.other_payer
		if self.line is not None:
			self.line_adjudication = None
			if entity == "82":
				self.line.rendering_provider = self.provider_for_taxonomy = self._provider(elements)
				self.loop = "2420A"
			else:
				self.provider_for_taxonomy = None
				self.loop = "2420"
		elif other is not None and entity == "IL" and loop == "2320":
			self.loop = "2330A"
			self._fill_person(other.subscriber, elements)
			other.subscriber.member_id = keep(elements[9])
			self.address_owner = other.subscriber
		elif other is not None and entity == "PR" and loop in ("2320", "2330A"):
			self.loop = "2330B"
			other.payer.name = keep(elements[3])
			other.payer.payer_id = keep(elements[9])
			self.address_owner = other.payer
		elif other is not None:
			self.loop = "2330"  # other 2330 loops (C-I): not carried
		elif entity == "82":
			self.claim.rendering_provider = self.provider_for_taxonomy = self._provider(elements)
			self.loop = "2310B"
		elif entity == "DN":
			self.claim.referring_provider = self._provider(elements)
			self.provider_for_taxonomy = None
			self.loop = "2310A"
		else:
			self.provider_for_taxonomy = None
			self.loop = "2310"

	def _fill_person(self, person: Subscriber | Patient, elements: list[str]) -> None:
		keep = self.keep
		person.last_name = keep(elements[3])
		person.first_name = keep(elements[4])
		person.middle_name = keep(elements[5])
		person.suffix = keep(elements[7])

	def _provider(self, elements: list[str]) -> Provider:
		keep = self.keep
		return Provider(keep(elements[3]), keep(elements[4]), keep(elements[9]), "", keep(elements[5]))

	# --- claim ------------------------------------------------------------------------------

	def claim_information(self, elements: list[str], position: int) -> None:
		self.finish_claim()
		keep = self.keep
		self.address_owner = None
		if not elements[1]:
			self.problem(
				position, "CLM", "CLM01 patient control number (claim id) is missing", "837-claim-id"
			)
		facility = elements[5].split(self.component)
		if not facility[0]:
			self.problem(position, "CLM", "CLM05-1 place of service is missing", "837-place-of-service")
		charge = None
		if elements[2]:
			charge = _amount(elements[2], position, "CLM", "CLM02 total claim charge")
		else:
			self.problem(position, "CLM", "CLM02 total claim charge is missing", "837-claim-charge")
		provider = self.provider
		if provider is None:
			self.problem(
				position,
				"CLM",
				"claim has no billing provider (loop 2010AA NM1*85) before it",
				"837-billing-provider",
			)
			provider = BillingProvider(name="", npi="", tax_id="", address=_blank_address())
		subscriber = self.subscriber
		if subscriber is None:
			self.problem(position, "CLM", "claim has no subscriber (loop 2000B) before it", "837-subscriber")
			subscriber = Subscriber(last_name="", first_name="", member_id="", filing_indicator="")
		payer = self.payer
		if payer is None:
			self.problem(position, "CLM", "claim has no payer (loop 2010BB NM1*PR) before it", "837-payer")
			payer = Payer(name="", payer_id="")
		claim = Claim(
			keep(elements[1]),
			provider,
			subscriber,
			payer,
			keep(facility[0]),
			[],
			[],
			self.patient,
			self.responsibility,
			keep(facility[2]) if len(facility) > 2 else "",
		)
		claim.declared_charge = charge
		if elements[6]:
			claim.provider_signature_on_file = elements[6] == "Y"
		if elements[7]:
			claim.accept_assignment = keep(elements[7])
		if elements[8]:
			claim.assignment_of_benefits = elements[8] == "Y"
		if elements[9]:
			claim.release_of_information = keep(elements[9])
		self.claim = claim
		self.claim_position = position
		self.loop = "2300"
		self.result.claims.append(claim)

	def diagnoses(self, elements: list[str], position: int) -> None:
		if self.claim is None:
			return
		component = self.component
		keep = self.keep
		pending = ""  # a qualifier sent as its own element (malformed, seen in real files)
		malformed = False
		found = []
		for composite in elements[1:]:
			qualifier, separator, code = composite.partition(component)
			if not separator:
				if composite in DIAGNOSIS_QUALIFIERS:
					pending = composite
					malformed = True
				elif pending and composite:
					found.append(keep(composite))
					pending = ""
				continue
			pending = ""
			if qualifier in DIAGNOSIS_QUALIFIERS and code:
				found.append(keep(code.partition(component)[0]))
		if malformed:
			self.problem(
				position,
				"HI",
				f"HI diagnosis qualifiers and codes are sent as separate elements instead of 'ABK{component}code' "
				"composites",
				"837-hi-composite",
			)
		self.claim.diagnoses.extend(found)

	def finish_claim(self) -> None:
		self.finish_line()
		claim = self.claim
		if claim is None:
			return
		position = self.claim_position
		if not claim.diagnoses:
			self.problem(position, "CLM", "claim has no HI diagnosis codes", "837-diagnoses")
		if not claim.lines:
			self.problem(position, "CLM", "claim has no service lines (LX/SV1)", "837-lines")
		self.claim = None
		self.other_payer = None
		self.provider_for_taxonomy = None
		self.loop = "2000B"

	# --- lines ------------------------------------------------------------------------------

	def service_line(self, elements: list[str], position: int) -> None:
		claim = self.claim
		if claim is None:
			raise X12Error("SV1 professional service outside a claim (no CLM before it)", position, "SV1")
		self.finish_line()
		keep = self.keep
		component = self.component
		code = elements[1].split(component)
		if len(code) < 2 or not code[1]:
			raise X12Error("SV101-2 procedure code is missing", position, "SV1")
		pointers = self.pointers.get(elements[7])
		if pointers is None:
			pointers = self._pointers(elements[7], position)
		line = ServiceLine(
			keep(code[1]),
			_amount(elements[2], position, "SV1", "SV102 line charge"),
			None,
			list(pointers),
			[keep(modifier) for modifier in code[2:6] if modifier] if len(code) > 2 else [],
		)
		if elements[5]:
			line.place_of_service = keep(elements[5])
		if elements[3]:
			line.unit_code = keep(elements[3])
		if elements[4]:
			line.units = _amount(elements[4], position, "SV1", "SV104 units")
		claim.lines.append(line)
		self.line = line
		self.line_position = position
		self.other_payer = None
		self.line_adjudication = None
		self.provider_for_taxonomy = None
		self.address_owner = None
		self.loop = "2400"

	def _pointers(self, text: str, position: int) -> tuple[int, ...]:
		"""SV107: the diagnosis pointers of a composite such as ``1:3``."""
		pointers = tuple(
			whole_number(pointer, position, "SV1", "SV107 diagnosis code pointer")
			for pointer in text.split(self.component)
			if pointer
		)
		if len(self.pointers) >= _POINTER_CACHE_LIMIT:
			self.pointers.clear()
		self.pointers[text] = pointers
		return pointers

	def finish_line(self) -> None:
		line = self.line
		if line is None:
			return
		if line.service_date is None:
			self.problem(
				self.line_position, "SV1", "service line has no DTP*472 service date", "837-service-date"
			)
		self.line = None
		self.line_adjudication = None

	def line_adjudication_start(self, elements: list[str], position: int) -> None:
		claim = self.claim
		if self.line is None or claim is None:
			raise X12Error("SVD line adjudication outside a service line", position, "SVD")
		code = elements[3].split(self.component)
		adjudication = LineAdjudication(
			line_number=len(claim.lines),
			paid=amount(elements[2], position, "SVD", "SVD02 paid amount"),
			procedure_code=code[1] if len(code) > 1 else "",
			modifiers=[modifier for modifier in code[2:6] if modifier],
		)
		if elements[5]:
			adjudication.units = amount(elements[5], position, "SVD", "SVD05 paid units")
		payer_id = elements[1]
		target = next((other for other in claim.other_payers if other.payer.payer_id == payer_id), None)
		if target is None and claim.other_payers:
			target = claim.other_payers[0]
		if target is None:
			self.problem(
				position, "SVD", "SVD line adjudication without any other payer (loop 2320)", "837-svd-payer"
			)
		else:
			target.line_adjudications.append(adjudication)
		self.line_adjudication = adjudication
		self.loop = "2430"


def _adjustments(elements: list[str], position: int) -> list[Adjustment]:
	"""The triplets of one CAS: group, then reason/amount/quantity up to six times."""
	if len(elements) < 20:
		elements += _PADDING[len(elements) : 20]
	group = elements[1]
	if not group:
		raise X12Error("CAS01 adjustment group code is missing", position, "CAS")
	found = []
	for start in range(2, 20, 3):
		reason, value, quantity = elements[start], elements[start + 1], elements[start + 2]
		if not reason and not value and not quantity:
			continue
		if not reason:
			raise X12Error(f"CAS{start:02d} adjustment reason code is missing", position, "CAS")
		found.append(
			Adjustment(
				group=group,
				reason=reason,
				amount=amount(value, position, "CAS", f"CAS{start + 1:02d} adjustment amount"),
				quantity=optional_amount(
					quantity, position, "CAS", f"CAS{start + 2:02d} adjustment quantity"
				),
			)
		)
	return found


def read_837p_transaction(transaction: TransactionSet) -> Transaction837:
	"""Read one 837 transaction set (from ``envelope.iter_transaction_sets``)."""
	reader = _Reader(transaction)
	result = reader.result
	keep = reader.keep
	padding = _PADDING
	longest = _LONGEST
	known_date = cached_valid_date
	position, segment_id = transaction.position, "ST"
	try:
		for first, batch in transaction.batches():
			for position, elements in enumerate(batch, first):
				segment_id = elements[0]
				# Branches pad a segment only as far as they read it: most are long enough already.
				if segment_id == "NM1":
					if len(elements) < longest:
						elements += padding[len(elements) : longest]
					reader.name(elements, position)
				elif segment_id == "N3":
					owner = reader.address_owner
					if owner is not None:
						address = owner.address
						if address is None:
							address = owner.address = _blank_address()
						count = len(elements)
						address.line1 = keep(elements[1]) if count > 1 else ""
						address.line2 = keep(elements[2]) if count > 2 else ""
				elif segment_id == "N4":
					owner = reader.address_owner
					if owner is not None:
						address = owner.address
						if address is None:
							address = owner.address = _blank_address()
						if len(elements) < 5:
							elements += padding[len(elements) : 5]
						address.city = keep(elements[1])
						address.state = keep(elements[2])
						address.postal_code = keep(elements[3])
						address.country = keep(elements[4])
				elif segment_id == "REF":
					if len(elements) < 3:
						elements += padding[len(elements) : 3]
					qualifier = elements[1]
					value = elements[2]
					loop = reader.loop
					if reader.line is not None:
						if qualifier == "6R" and loop == "2400":
							reader.line.line_control_number = value
					elif loop == "2010AA":
						if qualifier == "EI" or qualifier == "SY":
							reader.provider.tax_id = keep(value)
							reader.provider.tax_id_qualifier = qualifier
					elif loop == "2300":
						if qualifier == "G1":
							reader.claim.prior_authorization = value
						elif qualifier == "F8":
							reader.claim.original_claim_number = value
					elif loop == "2330B" and qualifier == "F8":
						reader.other_payer.payer_claim_number = value
				elif segment_id == "DTP":
					if len(elements) < 4:
						elements += padding[len(elements) : 4]
					qualifier = elements[1]
					if qualifier == "472":
						line = reader.line
						if line is not None:
							if elements[2] == "D8":
								line.service_date = known_date(elements[3]) or date_or_none(elements[3])
								line.service_date_end = None
							else:
								start, end = date_range(elements[2], elements[3])
								line.service_date = start
								line.service_date_end = end if end != start else None
					elif qualifier == "573":
						value = date_or_none(elements[3])
						if reader.line_adjudication is not None:
							reader.line_adjudication.adjudication_date = value
						elif reader.other_payer is not None and reader.line is None:
							reader.other_payer.adjudication_date = value
					elif qualifier == "431" and reader.claim is not None and reader.line is None:
						reader.claim.onset_date = date_or_none(elements[3])
				elif segment_id == "SV1":
					if len(elements) < 8:
						elements += padding[len(elements) : 8]
					reader.service_line(elements, position)
				elif segment_id == "LX":
					if reader.claim is None:
						raise X12Error(
							"LX service line number outside a claim (no CLM before it)", position, "LX"
						)
					if reader.line is not None:
						reader.finish_line()
					reader.other_payer = None
					reader.loop = "2400"
				elif segment_id == "HL":
					if len(elements) < 4:
						elements += padding[len(elements) : 4]
					reader.hierarchical_level(elements, position)
				elif segment_id == "CLM":
					if len(elements) < longest:
						elements += padding[len(elements) : longest]
					reader.claim_information(elements, position)
				elif segment_id == "HI":
					reader.diagnoses(elements, position)
				elif segment_id == "SBR":
					if len(elements) < longest:
						elements += padding[len(elements) : longest]
					reader.subscriber_information(elements, position)
				elif segment_id == "DMG":
					if len(elements) < 4:
						elements += padding[len(elements) : 4]
					if reader.loop == "2010BA":
						reader.subscriber.date_of_birth = date_or_none(elements[2])
						reader.subscriber.sex = keep(elements[3]) or reader.subscriber.sex
					elif reader.loop == "2010CA":
						reader.patient.date_of_birth = date_or_none(elements[2])
						reader.patient.sex = keep(elements[3])
				elif segment_id == "PAT":
					if reader.patient is not None and reader.claim is None:
						reader.patient.relationship = keep(_padded(elements, 2)[1])
				elif segment_id == "PRV":
					_padded(elements, 4)
					if reader.loop == "2000A":
						reader.provider_taxonomy = keep(elements[3])
					elif reader.provider_for_taxonomy is not None:
						reader.provider_for_taxonomy.taxonomy = keep(elements[3])
				elif segment_id == "PER":
					_padded(elements, 3)
					provider = reader.provider
					if reader.loop == "2010AA" and not provider.contact_name and not provider.phone:
						provider.contact_name = keep(elements[2])
						provider.phone = keep(_communication(elements, "TE"))
					elif (
						reader.loop == "1000A" and result.submitter is not None and not result.submitter.phone
					):
						result.submitter.contact_name = elements[2]
						result.submitter.phone = _communication(elements, "TE")
						result.submitter.email = _communication(elements, "EM")
				elif segment_id == "CAS":
					if reader.line_adjudication is not None:
						reader.line_adjudication.adjustments.extend(_adjustments(elements, position))
					elif reader.other_payer is not None and reader.line is None:
						reader.other_payer.adjustments.extend(_adjustments(elements, position))
				elif segment_id == "AMT":
					_padded(elements, 3)
					qualifier = elements[1]
					if qualifier == "D" and reader.loop == "2320":
						reader.other_payer.paid = amount(
							elements[2], position, segment_id, "AMT02 payer paid amount"
						)
					elif qualifier == "EAF":
						value = amount(elements[2], position, segment_id, "AMT02 remaining patient liability")
						if reader.line_adjudication is not None:
							reader.line_adjudication.remaining_patient_liability = value
						elif reader.loop == "2320":
							reader.other_payer.remaining_patient_liability = value
				elif segment_id == "SVD":
					reader.line_adjudication_start(_padded(elements, longest), position)
				elif segment_id == "PWK":
					if reader.claim is not None and reader.line is None:
						_padded(elements, 7)
						reader.claim.attachments.append(
							Attachment(
								report_type=elements[1],
								transmission_code=elements[2],
								control_number=elements[6],
							)
						)
				elif segment_id == "BHT":
					_padded(elements, 7)
					result.purpose = elements[2]
					result.reference = elements[3]
					result.created = date_or_none(elements[4])
					result.claim_or_encounter = elements[6]
	except IndexError:
		raise X12Error(f"{segment_id} is missing a required element", position, segment_id) from None
	reader.finish_claim()
	if not result.claims:
		where = _where(transaction.trailer[0], "SE") if transaction.trailer else _where(*transaction.end)
		result.problems.append(Problem(where, "transaction set holds no claims (CLM)", "837-no-claims"))
	return result


def _communication(elements: list[str], qualifier: str) -> str:
	"""The PER contact number sent with ``qualifier`` (TE phone, EM email...), if any."""
	for index in (3, 5, 7):
		if index + 1 < len(elements) and elements[index] == qualifier:
			return elements[index + 1]
	return ""
