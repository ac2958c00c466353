"""Read 835 health care claim payment/advice files (ERAs) into ``Remittance`` objects.

``read_835(data)`` returns one ``Remittance`` per 835 transaction set (one payment each). Amounts are
``Decimal`` as written in the file. Dates that are not real calendar dates become None (the file
still reads; ``validate.validate_file`` reports them). Anything else malformed - a CLP before the BPR,
a non-numeric amount, a missing required element, a file cut off inside a segment - raises
``X12Error`` naming the segment number and ID; a half-read remittance is never returned as whole. A
file that ends cleanly after a segment but before its SE, GE or IEA reads what it holds, with
``Remittance.complete`` False: never post such a remittance (ask the payer for the file again).
"""

from __future__ import annotations

from decimal import Decimal
from itertools import chain

from claims_billing.x12.claim import Adjustment
from claims_billing.x12.envelope import TransactionSet, read_sets
from claims_billing.x12.errors import X12Error
from claims_billing.x12.positional import check_positions
from claims_billing.x12.remittance import (
	ClaimPayment,
	PartyName,
	ProviderAdjustment,
	Remittance,
	ServicePayment,
)
from claims_billing.x12.values import amount, cached_date, cached_decimal, cached_valid_date, optional_amount

_ZERO = Decimal(0)


class _SharedEmptyList(list):
	"""The one empty list read remittances share for every list field with nothing in it.

	An 835 has tens of thousands of service lines and most of their lists (modifiers, remark codes...)
	are empty: one shared empty list instead of one each keeps large remittances several megabytes
	smaller. It refuses to grow, so a change can never leak into other claims: assign a new list
	instead (``service.remark_codes = [...]``).
	"""

	__slots__ = ()

	def _refuse(self, *args, **kwargs):
		raise TypeError(
			"this empty list is shared by remittances read from a file and cannot grow; assign a new list instead"
		)

	append = extend = insert = __setitem__ = __iadd__ = _refuse


_EMPTY = _SharedEmptyList()
# Empty elements that pad a segment whose optional trailing elements were not sent.
_PADDING = ("",) * 24
# MIA and MOA elements that carry remark codes (RARCs).
_MIA_REMARK_ELEMENTS = (5, 20, 21, 22, 23)
_MOA_REMARK_ELEMENTS = (3, 4, 5, 6, 7)
# The segments the loop below has a branch for, with the walk's checks of them looked up once per set.
_SEGMENT_IDS = (
	"CAS",
	"AMT",
	"SVC",
	"DTM",
	"NM1",
	"CLP",
	"LX",
	"REF",
	"LQ",
	"MIA",
	"MOA",
	"BPR",
	"TRN",
	"N1",
	"PLB",
)

# The loop below builds these positionally; the checks fail at import if their fields move.
check_positions(Adjustment, "group", "reason", "amount", "quantity")
check_positions(PartyName, "last_name", "first_name", "middle_name", "id_qualifier", "id")
check_positions(
	ServicePayment,
	"procedure_code",
	"charge",
	"paid",
	"code_qualifier",
	"modifiers",
	"revenue_code",
	"units",
	"submitted_procedure_code",
	"submitted_modifiers",
	"submitted_units",
	"service_date",
	"service_date_end",
	"line_control_number",
	"adjustments",
	"allowed",
	"remark_codes",
)
check_positions(
	ClaimPayment,
	"claim_id",
	"status_code",
	"charge",
	"paid",
	"patient_responsibility",
	"filing_indicator",
	"payer_claim_number",
	"facility_type",
	"frequency",
	"adjustments",
	"patient",
	"insured",
	"corrected_patient",
	"rendering_provider",
	"crossover_payer_name",
	"crossover_payer_id",
	"corrected_payer_name",
	"statement_from",
	"statement_to",
	"received_date",
	"coverage_amount",
	"remark_codes",
	"services",
)


def read_835(data: bytes) -> list[Remittance]:
	"""Every 835 transaction set in ``data`` (bytes of an X12 file), one ``Remittance`` each.

	Transaction sets of other types in the same file are skipped; a file with no 835 at all raises
	``X12Error``, as does any malformed or truncated input.
	"""
	remittances, seen = read_sets(data, "835", read_835_transaction)
	if not remittances:
		found = f"it holds {', '.join(sorted(set(seen)))}" if seen else "it has no transaction sets"
		raise X12Error(f"no 835 transaction set in this file: {found}")
	return remittances


def _required(value: str, position: int, segment_id: str, name: str) -> str:
	if not value:
		raise X12Error(f"{name} is missing", position, segment_id)
	return value


def _pad(elements: list[str], size: int) -> list[str]:
	"""``elements`` lengthened in place with empty strings to at least ``size`` items."""
	if len(elements) < size:
		elements += _PADDING[len(elements) : size]
	return elements


def _amount(value: str, position: int, segment_id: str, name: str) -> Decimal:
	number = cached_decimal(value)
	return amount(value, position, segment_id, name) if number is None else number


def _adjustments(elements: list[str], position: int, keep) -> list[Adjustment]:
	"""The triplets of one CAS: group, then reason/amount/quantity up to six times."""
	_pad(elements, 20)
	group = keep(_required(elements[1], position, "CAS", "CAS01 adjustment group code"))
	found = []
	for start in range(2, 20, 3):
		reason, value, quantity = elements[start], elements[start + 1], elements[start + 2]
		if not reason and not value and not quantity:
			continue
		if not reason:
			raise X12Error(f"CAS{start:02d} adjustment reason code is missing", position, "CAS")
		found.append(
			Adjustment(
				group,
				keep(reason),
				_amount(value, position, "CAS", f"CAS{start + 1:02d} adjustment amount"),
				optional_amount(quantity, position, "CAS", f"CAS{start + 2:02d} adjustment quantity"),
			)
		)
	if not found:
		raise X12Error("CAS has no adjustment reason and amount", position, "CAS")
	return found


def read_835_transaction(transaction: TransactionSet) -> Remittance:
	"""Read one 835 transaction set (from ``envelope.iter_transaction_sets``) into a ``Remittance``."""
	component = transaction.delimiters.component
	keep = transaction.keep
	decimal = cached_decimal
	date = cached_date
	known_date = cached_valid_date
	remittance: Remittance | None = None
	claim: ClaimPayment | None = None
	service: ServicePayment | None = None
	party = ""  # "PR" in the payer loop, "PE" in the payee loop
	payer_n1_id = ""
	in_claims = False
	runs = transaction.batches()
	opening = next(runs, None)
	if opening is None:
		raise transaction.missing("no BPR financial information segment")
	position, segment_id = opening[0], opening[1][0][0]
	if segment_id != "BPR":  # checked here once rather than for every segment
		raise X12Error(
			f"{segment_id} before the BPR financial information segment (an 835 must begin with BPR)",
			position,
			segment_id,
		)
	# The walk's checks of each segment, when it has any (read_and_validate), run here in the one loop.
	(
		(
			check_cas,
			check_amt,
			check_svc,
			check_dtm,
			check_nm1,
			check_clp,
			check_lx,
			check_ref,
			check_lq,
			check_mia,
			check_moa,
			check_bpr,
			check_trn,
			check_n1,
			check_plb,
		),
		check_of,
	) = transaction.checks_for(_SEGMENT_IDS)
	# The usual case of the 835 checker's CLP check (a claim payment already read as a good amount, added
	# to its total) runs inline, on the checker's own state.
	checker = transaction.body_checker() if check_clp is not None else None
	adds_payment = checker is not None and check_clp == getattr(checker, "add_claim_payment", None)
	try:
		for first, batch in chain((opening,), runs):
			for position, elements in enumerate(batch, first):
				segment_id = elements[0]
				# Branches in order of how often their segments come in remittances.
				if segment_id == "CAS":
					if check_cas is not None:
						check_cas(position, elements)
					target = service if service is not None else claim
					if target is None:
						raise X12Error(
							"CAS adjustment outside a claim (no CLP before it)", position, segment_id
						)
					if len(elements) == 4 and elements[1] and elements[2]:  # the usual single triplet
						value = decimal(elements[3])
						if value is None:
							value = _amount(elements[3], position, segment_id, "CAS03 adjustment amount")
						adjustment = Adjustment(keep(elements[1]), keep(elements[2]), value, None)
						if target.adjustments:
							target.adjustments.append(adjustment)
						else:
							target.adjustments = [adjustment]  # sized to fit: most lines have one CAS
					elif target.adjustments:
						target.adjustments.extend(_adjustments(elements, position, keep))
					else:
						target.adjustments = _adjustments(elements, position, keep)
				elif segment_id == "AMT":
					if check_amt is not None:
						check_amt(position, elements)
					qualifier = elements[1]
					if service is not None:
						if qualifier == "B6":
							value = decimal(elements[2])
							service.allowed = (
								_amount(elements[2], position, segment_id, "AMT02 allowed amount")
								if value is None
								else value
							)
					elif claim is not None and qualifier == "AU":
						value = decimal(elements[2])
						claim.coverage_amount = (
							_amount(elements[2], position, segment_id, "AMT02 coverage amount")
							if value is None
							else value
						)
				elif segment_id == "SVC":
					if check_svc is not None:
						check_svc(position, elements)
					if claim is None:
						raise X12Error(
							"SVC service payment outside a claim (no CLP before it)", position, segment_id
						)
					code = elements[1].split(component)
					if len(code) < 2 or not code[1]:
						raise X12Error("SVC01-2 procedure code is missing", position, segment_id)
					charge = decimal(elements[2])
					if charge is None:
						charge = _amount(elements[2], position, segment_id, "SVC02 line charge")
					paid = decimal(elements[3])
					if paid is None:
						paid = _amount(elements[3], position, segment_id, "SVC03 line payment")
					service = ServicePayment(
						keep(code[1]),
						charge,
						paid,
						keep(code[0]),
						_EMPTY,
						"",
						None,
						"",
						_EMPTY,
						None,
						None,
						None,
						"",
						_EMPTY,
						None,
						_EMPTY,
					)
					if len(code) > 2:
						modifiers = [keep(m) for m in code[2:6] if m]
						if modifiers:
							service.modifiers = modifiers
					if len(elements) > 4:
						_pad(elements, 8)
						if elements[4]:
							service.revenue_code = keep(elements[4])
						if elements[5]:
							service.units = _amount(elements[5], position, segment_id, "SVC05 paid units")
						if elements[6]:
							original = elements[6].split(component)
							service.submitted_procedure_code = keep(original[1]) if len(original) > 1 else ""
							modifiers = [keep(m) for m in original[2:6] if m]
							if modifiers:
								service.submitted_modifiers = modifiers
						if elements[7]:
							service.submitted_units = _amount(
								elements[7], position, segment_id, "SVC07 submitted units"
							)
					claim.services.append(service)
				elif segment_id == "DTM":
					# The check finds nothing in a date already read as valid: the usual case, settled here.
					value = known_date(elements[2]) if len(elements) > 2 else None
					if value is None and check_dtm is not None:
						check_dtm(position, elements)
					qualifier = elements[1]
					if service is not None:
						if value is None:
							value = date(elements[2])
						if qualifier == "472" or qualifier == "150":
							service.service_date = value
						elif qualifier == "151":
							service.service_date_end = value
					elif claim is not None:
						if qualifier == "232":
							claim.statement_from = date(elements[2])
						elif qualifier == "233":
							claim.statement_to = date(elements[2])
						elif qualifier == "050":
							claim.received_date = date(elements[2])
					elif qualifier == "405":
						remittance.production_date = date(elements[2])
				elif segment_id == "NM1":
					if check_nm1 is not None:
						check_nm1(position, elements)
					if claim is None:
						continue
					if len(elements) < 10:
						elements += _PADDING[len(elements) : 10]
					entity = elements[1]
					if entity == "QC" or entity == "IL" or entity == "74" or entity == "82":
						name = PartyName(
							keep(elements[3]),
							keep(elements[4]),
							keep(elements[5]),
							keep(elements[8]),
							keep(elements[9]),
						)
						if entity == "QC":
							claim.patient = name
						elif entity == "82":
							claim.rendering_provider = name
						elif entity == "IL":
							claim.insured = name
						else:
							claim.corrected_patient = name
					elif entity == "TT":
						claim.crossover_payer_name = keep(elements[3])
						claim.crossover_payer_id = keep(elements[9])
					elif entity == "PR":
						claim.corrected_payer_name = keep(elements[3])
				elif segment_id == "CLP":
					if adds_payment:
						paid = decimal(elements[4]) if len(elements) > 4 else None
						if paid is None:
							check_clp(position, elements)
						else:
							checker.paid += paid
					elif check_clp is not None:
						check_clp(position, elements)
					if len(elements) < 10:
						elements += _PADDING[len(elements) : 10]
					in_claims = True
					party = ""
					service = None
					claim = ClaimPayment(
						keep(
							_required(
								elements[1], position, segment_id, "CLP01 claim id (patient control number)"
							)
						),
						keep(_required(elements[2], position, segment_id, "CLP02 claim status code")),
						_amount(elements[3], position, segment_id, "CLP03 claim charge"),
						_amount(elements[4], position, segment_id, "CLP04 claim payment"),
						_amount(elements[5], position, segment_id, "CLP05 patient responsibility")
						if elements[5]
						else _ZERO,
						keep(elements[6]),
						keep(elements[7]),
						keep(elements[8]),
						keep(elements[9]),
						_EMPTY,
						None,
						None,
						None,
						None,
						"",
						"",
						"",
						None,
						None,
						None,
						None,
						_EMPTY,
						[],
					)
					remittance.claims.append(claim)
				elif segment_id == "LX":
					if check_lx is not None:
						check_lx(position, elements)
					claim = None
					service = None
				elif segment_id == "REF":
					if check_ref is not None:
						check_ref(position, elements)
					qualifier = elements[1]
					if service is not None:
						if qualifier == "6R":
							service.line_control_number = keep(elements[2])
					elif party == "PR" and qualifier == "2U":
						remittance.payer_id = elements[2]
				elif segment_id == "LQ":
					if check_lq is not None:
						check_lq(position, elements)
					if service is not None and elements[1] == "HE" and elements[2]:
						if service.remark_codes:
							service.remark_codes.append(keep(elements[2]))
						else:
							service.remark_codes = [keep(elements[2])]
				elif segment_id == "MIA" or segment_id == "MOA":
					check = check_mia if segment_id == "MIA" else check_moa
					if check is not None:
						check(position, elements)
					if claim is None:
						raise X12Error(
							f"{segment_id} outside a claim (no CLP before it)", position, segment_id
						)
					_pad(elements, 24)
					indexes = _MIA_REMARK_ELEMENTS if segment_id == "MIA" else _MOA_REMARK_ELEMENTS
					codes = [keep(elements[i]) for i in indexes if elements[i]]
					if codes:
						if claim.remark_codes:
							claim.remark_codes.extend(codes)
						else:
							claim.remark_codes = codes
				elif segment_id == "BPR":
					if check_bpr is not None:
						check_bpr(position, elements)
					if remittance is not None:
						raise X12Error("a second BPR in one 835 transaction set", position, segment_id)
					_pad(elements, 17)
					remittance = Remittance(
						control_number=transaction.control_number,
						handling_code=_required(
							elements[1], position, segment_id, "BPR01 transaction handling code"
						),
						amount=amount(elements[2], position, segment_id, "BPR02 payment amount"),
						credit_debit=elements[3],
						method=_required(elements[4], position, segment_id, "BPR04 payment method"),
						payment_date=date(elements[16]),
						trace_number="",
					)
				elif segment_id == "TRN":
					if check_trn is not None:
						check_trn(position, elements)
					if not remittance.trace_number:
						_pad(elements, 4)
						remittance.trace_number = _required(
							elements[2], position, segment_id, "TRN02 check or EFT trace number"
						)
						remittance.originator_id = elements[3]
				elif segment_id == "N1":
					if check_n1 is not None:
						check_n1(position, elements)
					if in_claims:
						continue
					_pad(elements, 5)
					party = elements[1]
					if party == "PR":
						remittance.payer_name = elements[2]
						payer_n1_id = elements[4]
					elif party == "PE":
						remittance.payee_name = elements[2]
						remittance.payee_id_qualifier = elements[3]
						remittance.payee_id = elements[4]
				elif segment_id == "PLB":
					if check_plb is not None:
						check_plb(position, elements)
					in_claims = True
					claim = None
					service = None
					remittance.provider_adjustments.extend(
						_provider_adjustments(elements, position, component)
					)
				elif check_of is not None:  # a segment this reader does not read
					check = check_of(segment_id)
					if check is not None:
						check(position, elements)
	except IndexError:
		raise X12Error(f"{segment_id} is missing a required element", position, segment_id) from None
	if remittance is None:
		raise transaction.missing("no BPR financial information segment")
	if not remittance.trace_number:
		raise transaction.missing("no TRN check or EFT trace number")
	if not remittance.payer_id:
		remittance.payer_id = payer_n1_id or remittance.originator_id
	return remittance


def _provider_adjustments(elements: list[str], position: int, component: str) -> list[ProviderAdjustment]:
	"""The pairs of one PLB: provider, date, then reason:reference composite / amount up to six times."""
	_pad(elements, 15)
	provider_id = _required(elements[1], position, "PLB", "PLB01 provider identifier")
	fiscal_period_date = cached_date(elements[2])
	found = []
	for start in range(3, 15, 2):
		composite, value = elements[start], elements[start + 1]
		if not composite and not value:
			continue
		reason, _, reference = composite.partition(component)
		if not reason:
			raise X12Error(f"PLB{start:02d} adjustment reason code is missing", position, "PLB")
		found.append(
			ProviderAdjustment(
				provider_id=provider_id,
				fiscal_period_date=fiscal_period_date,
				reason_code=reason,
				reference=reference,
				amount=amount(value, position, "PLB", f"PLB{start + 1:02d} adjustment amount"),
			)
		)
	if not found:
		raise X12Error("PLB has no adjustment reason and amount", position, "PLB")
	return found
