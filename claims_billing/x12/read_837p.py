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
check_positions(BillingProvider, "name", "npi", "tax_id", "address", "taxonomy", "first_name")
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
check_positions(OtherPayer, "responsibility", "payer", "subscriber", "relationship")
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


def _undated_line(line_position: int) -> Problem:
	return Problem(
		_where(line_position, "SV1"), "service line has no DTP*472 service date", "837-service-date"
	)


def _close_claim(
	claim: Claim, position: int, line: ServiceLine | None, line_position: int, problems: list[Problem]
) -> None:
	"""What a claim lacks, once its last segment has been read (``line``: its last line, if still open)."""
	if line is not None and line.service_date is None:
		problems.append(_undated_line(line_position))
	if not claim.diagnoses:
		problems.append(Problem(_where(position, "CLM"), "claim has no HI diagnosis codes", "837-diagnoses"))
	if not claim.lines:
		problems.append(Problem(_where(position, "CLM"), "claim has no service lines (LX/SV1)", "837-lines"))


def _fill_person(person: Subscriber | Patient, elements: list[str], keep) -> None:
	person.last_name = keep(elements[3])
	person.first_name = keep(elements[4])
	person.middle_name = keep(elements[5])
	person.suffix = keep(elements[7])


def _provider(elements: list[str], keep) -> Provider:
	return Provider(keep(elements[3]), keep(elements[4]), keep(elements[9]), "", keep(elements[5]))


def _incomplete_claim(
	elements: list[str],
	place_of_service: str,
	position: int,
	parties: tuple[BillingProvider | None, Subscriber | None, Payer | None],
	problems: list[Problem],
) -> tuple[BillingProvider, Subscriber, Payer]:
	"""For a CLM (padded to ``_LONGEST`` elements) that lacks something it needs: the problems, in
	order, and the billing provider, subscriber and payer of the claim, blank ones standing in for
	those missing from the levels above it."""
	provider, subscriber, payer = parties

	def problem(message: str, code: str) -> None:
		problems.append(Problem(_where(position, "CLM"), message, code))

	if not elements[1]:
		problem("CLM01 patient control number (claim id) is missing", "837-claim-id")
	if not place_of_service:
		problem("CLM05-1 place of service is missing", "837-place-of-service")
	if not elements[2]:
		problem("CLM02 total claim charge is missing", "837-claim-charge")
	if provider is None:
		problem("claim has no billing provider (loop 2010AA NM1*85) before it", "837-billing-provider")
		provider = BillingProvider(name="", npi="", tax_id="", address=Address("", "", "", ""))
	if subscriber is None:
		problem("claim has no subscriber (loop 2000B) before it", "837-subscriber")
		subscriber = Subscriber(last_name="", first_name="", member_id="", filing_indicator="")
	if payer is None:
		problem("claim has no payer (loop 2010BB NM1*PR) before it", "837-payer")
		payer = Payer(name="", payer_id="")
	return provider, subscriber, payer


def _diagnoses(
	elements: list[str], position: int, component: str, keep, problems: list[Problem]
) -> list[str]:
	"""The diagnosis codes of an HI, qualifiers dropped."""
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
		problems.append(
			Problem(
				_where(position, "HI"),
				f"HI diagnosis qualifiers and codes are sent as separate elements instead of 'ABK{component}code' "
				"composites",
				"837-hi-composite",
			)
		)
	return found


def _pointers(text: str, position: int, component: str, cache: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
	"""SV107: the diagnosis pointers of a composite such as ``1:3``."""
	pointers = tuple(
		whole_number(pointer, position, "SV1", "SV107 diagnosis code pointer")
		for pointer in text.split(component)
		if pointer
	)
	if len(cache) >= _POINTER_CACHE_LIMIT:
		cache.clear()
	cache[text] = pointers
	return pointers


def _line_adjudication(
	elements: list[str], position: int, component: str, claim: Claim, problems: list[Problem]
) -> LineAdjudication:
	"""An SVD (padded to ``_LONGEST`` elements) of the claim's last line, filed under its other payer."""
	code = elements[3].split(component)
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
		problems.append(
			Problem(
				_where(position, "SVD"),
				"SVD line adjudication without any other payer (loop 2320)",
				"837-svd-payer",
			)
		)
	else:
		target.line_adjudications.append(adjudication)
	return adjudication


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


def _communication(elements: list[str], qualifier: str) -> str:
	"""The PER contact number sent with ``qualifier`` (TE phone, EM email...), if any."""
	for index in (3, 5, 7):
		if index + 1 < len(elements) and elements[index] == qualifier:
			return elements[index + 1]
	return ""


def read_837p_transaction(transaction: TransactionSet) -> Transaction837:
	"""Read one 837 transaction set (from ``envelope.iter_transaction_sets``).

	One loop over the segments, its state in local variables (much faster in Python than attributes):
	which loop the segment is in and what the levels around it have built.
	"""
	component = transaction.delimiters.component
	keep = transaction.keep
	pointer_cache = _pointer_cache(component)
	decimal = cached_decimal
	known_date = cached_valid_date
	padding = _PADDING
	longest = _LONGEST
	billing_provider_loops = _BILLING_PROVIDER_LOOPS
	subscriber_loops = _SUBSCRIBER_LOOPS
	result = Transaction837(control_number=transaction.control_number, version=transaction.version)
	problems = result.problems
	claims = result.claims
	loop = "header"
	provider: BillingProvider | None = None  # 2000A/2010AA
	provider_taxonomy = ""  # PRV of 2000A, for the NM1*85 after it
	subscriber: Subscriber | None = None  # 2000B/2010BA
	payer: Payer | None = None  # 2010BB
	responsibility = "P"  # SBR01 of the subscriber level
	patient: Patient | None = None  # 2000C/2010CA
	claim: Claim | None = None  # 2300
	claim_position = 0
	other_payer: OtherPayer | None = None  # 2320/2330 of the claim
	line: ServiceLine | None = None  # 2400
	line_position = 0
	line_adjudication: LineAdjudication | None = None  # 2430
	provider_for_taxonomy: Provider | None = None  # the rendering provider a PRV applies to
	# Whose ``address`` the N3/N4 of the current name loop fill (created on first use when optional).
	address_owner: BillingProvider | Subscriber | Payer | Patient | None = None
	# When the walk validates too (read_and_validate), its 837P checker's checks run here in the one
	# loop: the usual case of the frequent segments inline, on the checker's own state (its open HL
	# level, claim and line, see ``validate._Checker837``), anything else by the checker's methods.
	checker = transaction.body_checker()
	_, check_of = transaction.checks_for(())  # the check of any other segment, looked up as it comes
	if checker is not None:
		seen = checker.seen
		checked_block, checked_claim, checked_line = checker.block, checker.claim, checker.line
	in_2010aa = False  # the checker's: in the billing provider's name loop, whose N3, N4, REF it checks
	position, segment_id = transaction.position, "ST"
	try:
		for first, batch in transaction.batches():
			for position, elements in enumerate(batch, first):
				segment_id = elements[0]
				# Branches in order of how often their segments come; each pads a segment only as far as
				# it reads it (most are long enough already).
				if segment_id == "NM1":
					if len(elements) < longest:
						elements += padding[len(elements) : longest]
					entity = elements[1]
					if checker is not None:  # _Checker837.on_nm1
						was_in_2010aa = in_2010aa
						in_2010aa = False
						if checked_claim is not None and checked_block is not None:
							pass  # a name inside a claim: nothing to note
						elif entity == "41" or entity == "40":
							if checked_block is None:
								seen.add("NM1*" + entity)
						elif checked_block is not None and checked_claim is None:
							if entity == "85" and checked_block["level"] == "20":
								checked_block["85"] = True
								in_2010aa = True
							elif (entity == "IL" or entity == "PR") and checked_block["level"] == "22":
								checked_block[entity] = True
						if in_2010aa is not was_in_2010aa:
							checker.use_extra(in_2010aa)
					address_owner = None
					if claim is None:
						if entity == "85" and loop in billing_provider_loops:
							loop = "2010AA"
							provider = address_owner = BillingProvider(
								keep(elements[3]),
								keep(elements[9]),
								"",
								Address("", "", "", ""),
								provider_taxonomy,
								keep(elements[4]) if elements[2] == "1" else "",
							)
						elif entity == "IL" and subscriber is not None and loop in subscriber_loops:
							loop = "2010BA"
							subscriber.last_name = keep(elements[3])
							subscriber.first_name = keep(elements[4])
							subscriber.middle_name = keep(elements[5])
							subscriber.suffix = keep(elements[7])
							subscriber.member_id = keep(elements[9])
							subscriber.address = None
							address_owner = subscriber
						elif entity == "PR" and subscriber is not None and loop in subscriber_loops:
							loop = "2010BB"
							payer = address_owner = Payer(keep(elements[3]), keep(elements[9]))
						elif entity == "QC" and patient is not None:
							loop = "2010CA"
							_fill_person(patient, elements, keep)
							address_owner = patient
						elif entity == "41" and loop == "header":
							result.submitter = Submitter(name=elements[3], id=elements[9])
							loop = "1000A"
						elif entity == "40" and (loop == "header" or loop == "1000A"):
							result.receiver = Receiver(name=elements[3], id=elements[9])
							loop = "1000B"
						else:  # pay-to address and plan, and names this app does not carry
							loop = "2010AB" if loop in billing_provider_loops else "other"
					elif line is not None:
						line_adjudication = None
						if entity == "82":
							line.rendering_provider = provider_for_taxonomy = _provider(elements, keep)
							loop = "2420A"
						else:
							provider_for_taxonomy = None
							loop = "2420"
					elif other_payer is not None:
						if entity == "IL" and loop == "2320":
							loop = "2330A"
							other_subscriber = other_payer.subscriber
							_fill_person(other_subscriber, elements, keep)
							other_subscriber.member_id = keep(elements[9])
							address_owner = other_subscriber
						elif entity == "PR" and (loop == "2320" or loop == "2330A"):
							loop = "2330B"
							other_payer.payer.name = keep(elements[3])
							other_payer.payer.payer_id = keep(elements[9])
							address_owner = other_payer.payer
						else:
							loop = "2330"  # other 2330 loops (C-I): not carried
					elif entity == "82" or entity == "DN":
						person = Provider(
							keep(elements[3]), keep(elements[4]), keep(elements[9]), "", keep(elements[5])
						)
						if entity == "82":
							claim.rendering_provider = provider_for_taxonomy = person
							loop = "2310B"
						else:
							claim.referring_provider = person
							provider_for_taxonomy = None
							loop = "2310A"
					else:
						provider_for_taxonomy = None
						loop = "2310"
				elif segment_id == "N3":
					if in_2010aa:  # _Checker837.on_address
						checked_block["N3"] = True
					if address_owner is not None:
						address = address_owner.address
						if address is None:
							address = address_owner.address = Address("", "", "", "")
						count = len(elements)
						address.line1 = keep(elements[1]) if count > 1 else ""
						address.line2 = keep(elements[2]) if count > 2 else ""
				elif segment_id == "N4":
					if in_2010aa:  # _Checker837.on_address
						checked_block["N4"] = True
					if address_owner is not None:
						address = address_owner.address
						if address is None:
							address = address_owner.address = Address("", "", "", "")
						count = len(elements)
						if count < 4:
							elements += padding[count:4]
						address.city = keep(elements[1])
						address.state = keep(elements[2])
						address.postal_code = keep(elements[3])
						address.country = keep(elements[4]) if count > 4 else ""  # N404 is rarely sent
				elif segment_id == "REF":
					if len(elements) < 3:
						elements += padding[len(elements) : 3]
					qualifier = elements[1]
					if in_2010aa and (qualifier == "EI" or qualifier == "SY"):  # _Checker837.on_ref
						checked_block["tax_id"] = True
					if line is not None:
						if qualifier == "6R" and loop == "2400":
							line.line_control_number = elements[2]
					elif loop == "2010AA":
						if qualifier == "EI" or qualifier == "SY":
							provider.tax_id = keep(elements[2])
							provider.tax_id_qualifier = qualifier
					elif loop == "2300":
						if qualifier == "G1":
							claim.prior_authorization = elements[2]
						elif qualifier == "F8":
							claim.original_claim_number = elements[2]
					elif loop == "2330B" and qualifier == "F8":
						other_payer.payer_claim_number = elements[2]
				elif segment_id == "DTP":
					if len(elements) < 4:
						elements += padding[len(elements) : 4]
					qualifier = elements[1]
					if checker is not None:  # _Checker837.on_dtp
						if elements[2] != "D8" or known_date(elements[3]) is None:
							checker.on_dtp(position, elements)
						elif checked_line is not None and qualifier == "472":
							checked_line["dtp472"] = True
					if qualifier == "472":
						if line is not None:
							if elements[2] == "D8":
								line.service_date = known_date(elements[3]) or date_or_none(elements[3])
								line.service_date_end = None
							else:
								first_day, last_day = date_range(elements[2], elements[3])
								line.service_date = first_day
								line.service_date_end = last_day if last_day != first_day else None
					elif qualifier == "573":
						value = date_or_none(elements[3])
						if line_adjudication is not None:
							line_adjudication.adjudication_date = value
						elif other_payer is not None and line is None:
							other_payer.adjudication_date = value
					elif qualifier == "431" and claim is not None and line is None:
						claim.onset_date = date_or_none(elements[3])
				elif segment_id == "SV1":
					if len(elements) < 8:
						elements += padding[len(elements) : 8]
					if checker is not None:  # _Checker837.on_sv1
						charge = decimal(elements[2])
						if checked_line is not None and elements[1] and charge is not None:
							checked_line["sv1"] = True
							line_total = checked_claim["line_total"]
							if line_total is not None:
								checked_claim["line_total"] = line_total + charge
						else:
							checker.on_sv1(position, elements)
					if claim is None:
						raise X12Error(
							"SV1 professional service outside a claim (no CLM before it)", position, "SV1"
						)
					if line is not None and line.service_date is None:
						problems.append(_undated_line(line_position))
					code = elements[1].split(component)
					if len(code) < 2 or not code[1]:
						raise X12Error("SV101-2 procedure code is missing", position, "SV1")
					pointers = pointer_cache.get(elements[7])
					if pointers is None:
						pointers = _pointers(elements[7], position, component, pointer_cache)
					procedure_code = keep(code[1])
					charge = decimal(elements[2])
					if charge is None:
						charge = amount(elements[2], position, "SV1", "SV102 line charge")
					line = ServiceLine(
						procedure_code,
						charge,
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
					line_position = position
					other_payer = line_adjudication = provider_for_taxonomy = address_owner = None
					loop = "2400"
				elif segment_id == "LX":
					if checker is not None:  # _Checker837.on_lx
						if checked_claim is not None and (
							checked_line is None or (checked_line["sv1"] and checked_line["dtp472"])
						):
							checked_claim["lines"] += 1
							checked_line = checker.line = {
								"position": position,
								"sv1": False,
								"dtp472": False,
							}
						else:
							checker.on_lx(position, elements)
							checked_line = checker.line
					if claim is None:
						raise X12Error(
							"LX service line number outside a claim (no CLM before it)", position, "LX"
						)
					if line is not None:
						if line.service_date is None:
							problems.append(_undated_line(line_position))
						line = line_adjudication = None
					other_payer = None
					loop = "2400"
				elif segment_id == "HL":
					if checker is not None:
						checker.on_hl(position, elements)
						checked_block, checked_claim, checked_line = (
							checker.block,
							checker.claim,
							checker.line,
						)
						in_2010aa = False  # on_hl switched the billing provider's checks off
					if len(elements) < 4:
						elements += padding[len(elements) : 4]
					if claim is not None:
						_close_claim(claim, claim_position, line, line_position, problems)
						claim = line = line_adjudication = other_payer = provider_for_taxonomy = None
					level = elements[3]
					address_owner = None
					if level == "20":
						loop = "2000A"
						provider = subscriber = payer = patient = None
						provider_taxonomy = ""
					elif level == "22":
						loop = "2000B"
						subscriber = Subscriber("", "", "", "", "", None, "U", None, "", "", "")
						payer = patient = None
						responsibility = "P"
					elif level == "23":
						loop = "2000C"
						patient = Patient("", "", "", None, "", Address("", "", "", ""))
					else:
						raise X12Error(
							f"HL03 level code {level!r} is not one an 837P uses (20, 22, 23)", position, "HL"
						)
				elif segment_id == "CLM":
					if checker is not None:
						checker.on_clm(position, elements)
						checked_claim, checked_line = checker.claim, checker.line
						in_2010aa = False  # on_clm switched the billing provider's checks off
					if len(elements) < longest:
						elements += padding[len(elements) : longest]
					if claim is not None:
						_close_claim(claim, claim_position, line, line_position, problems)
						line = line_adjudication = other_payer = provider_for_taxonomy = None
					address_owner = None
					claim_id = elements[1]
					facility = elements[5].split(component)
					charge_text = elements[2]
					charge = None
					if charge_text:
						charge = decimal(charge_text)
						if charge is None:
							charge = amount(charge_text, position, "CLM", "CLM02 total claim charge")
					claim_provider, claim_subscriber, claim_payer = provider, subscriber, payer
					if (
						not (claim_id and facility[0] and charge_text)
						or provider is None
						or subscriber is None
						or payer is None
					):
						claim_provider, claim_subscriber, claim_payer = _incomplete_claim(
							elements, facility[0], position, (provider, subscriber, payer), problems
						)
					claim = Claim(
						keep(claim_id),
						claim_provider,
						claim_subscriber,
						claim_payer,
						keep(facility[0]),
						[],
						[],
						patient,
						responsibility,
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
					claim_position = position
					loop = "2300"
					claims.append(claim)
				elif segment_id == "HI":
					if checker is not None and checked_claim is not None:  # _Checker837.on_hi
						checked_claim["hi"] = True
					if claim is not None:
						claim.diagnoses.extend(_diagnoses(elements, position, component, keep, problems))
				elif segment_id == "SBR":
					if checker is not None:  # _Checker837.on_sbr
						if (
							checked_claim is None
							and checked_block is not None
							and checked_block["level"] == "22"
						):
							checked_block["SBR"] = True
						if in_2010aa:
							checker.use_extra(False)
							in_2010aa = False
					if len(elements) < longest:
						elements += padding[len(elements) : longest]
					if claim is not None:
						# 2320: another payer of this claim.
						if line is not None:
							if line.service_date is None:
								problems.append(_undated_line(line_position))
							line = line_adjudication = None
						loop = "2320"
						other_subscriber = Subscriber(
							"",
							"",
							"",
							"",
							"",
							None,
							"U",
							None,
							keep(elements[3]),
							keep(elements[4]),
							keep(elements[9]),
						)
						other_payer = OtherPayer(
							keep(elements[1]), Payer("", ""), other_subscriber, keep(elements[2])
						)
						claim.other_payers.append(other_payer)
					elif subscriber is None:
						raise X12Error(
							"SBR subscriber information outside a subscriber level (HL*22)", position, "SBR"
						)
					else:
						responsibility = keep(elements[1])
						subscriber.group_number = keep(elements[3])
						subscriber.group_name = keep(elements[4])
						subscriber.filing_indicator = keep(elements[9])
				elif segment_id == "DMG":
					if (
						checker is not None
						and len(elements) > 2
						and elements[1] == "D8"
						and elements[2]
						and known_date(elements[2]) is None
					):
						checker.on_dmg(position, elements)  # a birth date not yet known to be good
					if len(elements) < 4:
						elements += padding[len(elements) : 4]
					if loop == "2010BA":
						subscriber.date_of_birth = date_or_none(elements[2])
						subscriber.sex = keep(elements[3]) or subscriber.sex
					elif loop == "2010CA":
						patient.date_of_birth = date_or_none(elements[2])
						patient.sex = keep(elements[3])
				else:
					if check_of is not None:
						check = check_of(segment_id)
						if check is not None:
							check(position, elements)
					if segment_id == "PAT":
						if patient is not None and claim is None:
							patient.relationship = keep(_padded(elements, 2)[1])
					elif segment_id == "PRV":
						_padded(elements, 4)
						if loop == "2000A":
							provider_taxonomy = keep(elements[3])
						elif provider_for_taxonomy is not None:
							provider_for_taxonomy.taxonomy = keep(elements[3])
					elif segment_id == "PER":
						_padded(elements, 3)
						submitter = result.submitter
						if loop == "2010AA" and not provider.contact_name and not provider.phone:
							provider.contact_name = keep(elements[2])
							provider.phone = keep(_communication(elements, "TE"))
						elif loop == "1000A" and submitter is not None and not submitter.phone:
							submitter.contact_name = elements[2]
							submitter.phone = _communication(elements, "TE")
							submitter.email = _communication(elements, "EM")
					elif segment_id == "CAS":
						if line_adjudication is not None:
							line_adjudication.adjustments.extend(_adjustments(elements, position))
						elif other_payer is not None and line is None:
							other_payer.adjustments.extend(_adjustments(elements, position))
					elif segment_id == "AMT":
						_padded(elements, 3)
						qualifier = elements[1]
						if qualifier == "D" and loop == "2320":
							other_payer.paid = amount(
								elements[2], position, segment_id, "AMT02 payer paid amount"
							)
						elif qualifier == "EAF":
							value = amount(
								elements[2], position, segment_id, "AMT02 remaining patient liability"
							)
							if line_adjudication is not None:
								line_adjudication.remaining_patient_liability = value
							elif loop == "2320":
								other_payer.remaining_patient_liability = value
					elif segment_id == "SVD":
						_padded(elements, longest)
						if line is None or claim is None:
							raise X12Error("SVD line adjudication outside a service line", position, "SVD")
						line_adjudication = _line_adjudication(elements, position, component, claim, problems)
						loop = "2430"
					elif segment_id == "PWK":
						if claim is not None and line is None:
							_padded(elements, 7)
							claim.attachments.append(
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
	if claim is not None:
		_close_claim(claim, claim_position, line, line_position, problems)
	if not claims:
		where = _where(transaction.trailer[0], "SE") if transaction.trailer else _where(*transaction.end)
		problems.append(Problem(where, "transaction set holds no claims (CLM)", "837-no-claims"))
	return result
