"""The ``claims-billing`` command line: X12 files checked, shown, converted and built without Frappe.

	claims-billing x12 validate FILE...          every problem; exit 1 when there are any
	claims-billing x12 show FILE                 a human-readable view of an 835, 277CA, 999 or 837P
	claims-billing x12 to-json FILE              the parsed document as JSON (schema in the README)
	claims-billing x12 build-837 CLAIMS.json     an 837P from claims in JSON [-o FILE]

Exit codes: 0 fine, 1 problems found or the input is bad, 2 wrong usage.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from decimal import Decimal
from typing import TextIO

from claims_billing.core import code_lists
from claims_billing.core.scrubber import scrub_claims
from claims_billing.x12.acknowledgement import ClaimAcknowledgementReport, FunctionalAck
from claims_billing.x12.claim import Claim, ClaimDataError, Envelope, Receiver, Submitter, from_dict
from claims_billing.x12.document import TYPE_837P, read_and_validate, read_document, to_json_dict
from claims_billing.x12.errors import Problem, X12Error
from claims_billing.x12.read_837p import Transaction837
from claims_billing.x12.remittance import Remittance
from claims_billing.x12.write_837p import write_837p

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class InputError(Exception):
	"""A file that cannot be used; the message names the file and what is wrong."""


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
	out = out or sys.stdout
	parser = _parser()
	args = parser.parse_args(argv)
	if not getattr(args, "handler", None):
		parser.print_help(out)
		return EXIT_USAGE
	try:
		return args.handler(args, out)
	except InputError as error:
		print(f"error: {error}", file=sys.stderr)
		return EXIT_PROBLEMS


def _parser() -> argparse.ArgumentParser:
	parser = argparse.ArgumentParser(prog="claims-billing", description="Insurance billing tools.")
	commands = parser.add_subparsers(dest="command")
	x12 = commands.add_parser("x12", help="X12 5010 files: 837P, 835, 277CA, 999")
	x12_commands = x12.add_subparsers(dest="x12_command")

	validate = x12_commands.add_parser("validate", help="print every problem; exit 1 when there are any")
	validate.add_argument("files", nargs="+", metavar="FILE")
	validate.add_argument(
		"--today", type=datetime.date.fromisoformat, help="date for future-date checks (YYYY-MM-DD)"
	)
	validate.set_defaults(handler=_validate)

	show = x12_commands.add_parser("show", help="human-readable view of an 835, 277CA, 999 or 837P")
	show.add_argument("file", metavar="FILE")
	show.set_defaults(handler=_show)

	to_json = x12_commands.add_parser("to-json", help="the parsed document as JSON")
	to_json.add_argument("file", metavar="FILE")
	to_json.set_defaults(handler=_to_json)

	build = x12_commands.add_parser("build-837", help="build an 837P from claims in JSON")
	build.add_argument("claims_file", metavar="CLAIMS.json")
	build.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
	build.add_argument(
		"--today", type=datetime.date.fromisoformat, help="date for future-date checks (YYYY-MM-DD)"
	)
	build.add_argument("--no-scrub", action="store_true", help="build even when the scrubber finds problems")
	build.set_defaults(handler=_build_837)
	return parser


def _read_bytes(path: str) -> bytes:
	try:
		with open(path, "rb") as handle:
			return handle.read()
	except OSError as error:
		raise InputError(f"{path}: cannot read the file ({error.strerror})") from None


def _read_transactions(path: str):
	data = _read_bytes(path)
	try:
		return read_document(data)
	except X12Error as error:
		raise InputError(f"{path}: {error}") from None


# --- validate ---------------------------------------------------------------------------------


def file_problems(data: bytes, today: datetime.date) -> list[Problem]:
	"""Envelope and structure problems, then (for 837P files that read) the claim scrubber's."""
	transactions, problems = read_and_validate(data)  # one pass; why it cannot be read, if it cannot
	if transactions is None:
		return problems
	seen = {(p.path, p.message) for p in problems}
	for transaction in transactions:
		if transaction.type != TYPE_837P:
			continue
		content: Transaction837 = transaction.content
		for problem in content.problems:
			if (problem.path, problem.message) not in seen:
				problems.append(problem)
		for problem in scrub_claims(content.claims, today):
			path = f"transaction {transaction.control_number} {problem.path}"
			problems.append(Problem(path, problem.message, problem.code))
	return problems


def _validate(args, out: TextIO) -> int:
	today = args.today or datetime.date.today()
	total = 0
	for path in args.files:
		try:
			data = _read_bytes(path)
		except InputError as error:
			print(f"{error}", file=out)
			total += 1
			continue
		problems = file_problems(data, today)
		total += len(problems)
		if not problems:
			print(f"{path}: no problems", file=out)
			continue
		print(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}", file=out)
		for problem in problems:
			print(f"  {problem.path}: {problem.message}", file=out)
	return EXIT_PROBLEMS if total else EXIT_OK


# --- to-json ----------------------------------------------------------------------------------


def _to_json(args, out: TextIO) -> int:
	transactions = _read_transactions(args.file)
	json.dump(to_json_dict(transactions), out, indent=2)
	out.write("\n")
	return EXIT_OK


# --- show -------------------------------------------------------------------------------------


def _money(value: Decimal | None) -> str:
	return "" if value is None else f"{value:,.2f}"


def _date(value: datetime.date | None) -> str:
	return value.isoformat() if value else ""


def _show(args, out: TextIO) -> int:
	transactions = _read_transactions(args.file)
	for index, transaction in enumerate(transactions):
		if index:
			print(file=out)
		_SHOW[transaction.type](transaction.content, out)
	return EXIT_OK


def _show_835(remittance: Remittance, out: TextIO) -> None:
	print(
		f"835 remittance {remittance.control_number}: {remittance.method or 'no method'} "
		f"{_money(remittance.amount)} ({remittance.credit_debit or '?'}) on {_date(remittance.payment_date)}, "
		f"trace {remittance.trace_number}",
		file=out,
	)
	print(
		f"  payer {remittance.payer_name} ({remittance.payer_id}); payee {remittance.payee_name} "
		f"({remittance.payee_id})",
		file=out,
	)
	header = f"  {'claim':<20} {'status':<6} {'charge':>12} {'paid':>12} {'patient resp':>12}  payer claim #"
	print(header, file=out)
	print("  " + "-" * (len(header) - 2), file=out)
	for claim in remittance.claims:
		print(
			f"  {claim.claim_id:<20} {claim.status_code:<6} {_money(claim.charge):>12} {_money(claim.paid):>12} "
			f"{_money(claim.patient_responsibility):>12}  {claim.payer_claim_number}",
			file=out,
		)
		status = code_lists.describe_clp02(claim.status_code)
		if status:
			print(f"      status {claim.status_code}: {status}", file=out)
		for adjustment in claim.adjustments:
			_print_adjustment(adjustment, "      ", out)
		for code in claim.remark_codes:
			print(f"      remark {code}: {code_lists.describe_rarc(code) or 'unknown remark code'}", file=out)
		for service in claim.services:
			code = ":".join([service.procedure_code, *service.modifiers])
			units = "" if service.units is None else f" x{service.units}"
			print(
				f"      line {code}{units} {_date(service.service_date)} charge {_money(service.charge)} "
				f"paid {_money(service.paid)}"
				+ (f" allowed {_money(service.allowed)}" if service.allowed is not None else ""),
				file=out,
			)
			for adjustment in service.adjustments:
				_print_adjustment(adjustment, "        ", out)
			for remark in service.remark_codes:
				print(
					f"        remark {remark}: {code_lists.describe_rarc(remark) or 'unknown remark code'}",
					file=out,
				)
	total_charge = sum((c.charge for c in remittance.claims), Decimal(0))
	total_paid = sum((c.paid for c in remittance.claims), Decimal(0))
	total_patient = sum((c.patient_responsibility for c in remittance.claims), Decimal(0))
	print(
		f"  {len(remittance.claims)} claims: charged {_money(total_charge)}, paid {_money(total_paid)}, "
		f"patient responsibility {_money(total_patient)}",
		file=out,
	)
	for plb in remittance.provider_adjustments:
		print(
			f"  provider adjustment {plb.reason_code} {plb.reference} {_money(plb.amount)} "
			f"(provider {plb.provider_id}, {_date(plb.fiscal_period_date)})",
			file=out,
		)


def _print_adjustment(adjustment, indent: str, out: TextIO) -> None:
	reason = code_lists.describe_carc(adjustment.reason) or "unknown reason code"
	print(f"{indent}{adjustment.group}-{adjustment.reason} {_money(adjustment.amount)}: {reason}", file=out)


def _show_277ca(report: ClaimAcknowledgementReport, out: TextIO) -> None:
	print(
		f"277CA {report.control_number} from {report.payer_name or 'unknown'} ({report.payer_id}), "
		f"{len(report.claims)} claims",
		file=out,
	)
	for provider in report.providers:
		for status in provider.statuses:
			for code in status.codes:
				print(f"  {provider.level} {provider.name}: {_describe_status(code)}", file=out)
	for claim in report.claims:
		print(
			f"  claim {claim.claim_id}: charge {_money(claim.charge)}, payer claim # "
			f"{claim.payer_claim_number or '-'}, {_date(claim.status_date)}",
			file=out,
		)
		for code in claim.codes:
			print(f"      {_describe_status(code)}", file=out)


def _describe_status(code) -> str:
	category = code_lists.describe_claim_status_category(code.category) or "unknown category"
	text = f"{code.category} {category}"
	if code.status:
		text += f"; {code.status} {code_lists.describe_claim_status(code.status) or 'unknown status code'}"
	return text


def _show_999(ack: FunctionalAck, out: TextIO) -> None:
	print(
		f"999 {ack.control_number} for group {ack.group_control_number} ({ack.functional_id} {ack.version}): "
		f"{ack.ack_code} {_describe_ack(ack.ack_code)}; {ack.sets_accepted} of {ack.sets_included} sets accepted",
		file=out,
	)
	for transaction_set in ack.transaction_sets:
		print(
			f"  set {transaction_set.set_id} {transaction_set.control_number}: {transaction_set.ack_code} "
			f"{transaction_set.ack_description}",
			file=out,
		)
		for description in transaction_set.error_descriptions:
			print(f"      {description}", file=out)
		for segment_error in transaction_set.segment_errors:
			print(f"      {segment_error.description}", file=out)
			for element_error in segment_error.elements:
				print(f"        {element_error.description}", file=out)


def _describe_ack(code: str) -> str:
	from claims_billing.x12.acknowledgement import describe_ack_code

	return describe_ack_code(code)


def _show_837p(transaction: Transaction837, out: TextIO) -> None:
	print(
		f"837P {transaction.control_number} ({transaction.version}), {len(transaction.claims)} claims",
		file=out,
	)
	for claim in transaction.claims:
		charge = claim.declared_charge if claim.declared_charge is not None else claim.total_charge
		print(
			f"  claim {claim.claim_id}: charge {_money(charge)}, frequency {claim.frequency}, "
			f"POS {claim.place_of_service}, payer {claim.payer.name} ({claim.payer.payer_id}), "
			f"diagnoses {', '.join(claim.diagnoses)}",
			file=out,
		)
		for number, line in enumerate(claim.lines, start=1):
			code = ":".join([line.procedure_code, *line.modifiers])
			print(
				f"      line {number}: {code} x{line.units} {_date(line.service_date)} {_money(line.charge)} "
				f"pointers {','.join(str(p) for p in line.diagnosis_pointers)}",
				file=out,
			)


_SHOW = {"835": _show_835, "277CA": _show_277ca, "999": _show_999, "837P": _show_837p}


# --- build-837 --------------------------------------------------------------------------------


def load_build_request(document) -> tuple[Submitter, Receiver, Envelope, list[Claim]]:
	"""Submitter, receiver, envelope and claims from the build-837 JSON document (see the README)."""
	if not isinstance(document, dict):
		raise ClaimDataError("the document must be an object with submitter, receiver, envelope and claims")
	missing = [key for key in ("submitter", "receiver", "envelope", "claims") if key not in document]
	if missing:
		raise ClaimDataError(f"missing top-level key(s): {', '.join(missing)}")
	unknown = sorted(set(document) - {"submitter", "receiver", "envelope", "claims"})
	if unknown:
		raise ClaimDataError(f"unknown top-level key(s): {', '.join(unknown)}")
	if not isinstance(document["claims"], list) or not document["claims"]:
		raise ClaimDataError("claims: expected a non-empty list")
	submitter = from_dict(Submitter, document["submitter"], "submitter")
	receiver = from_dict(Receiver, document["receiver"], "receiver")
	envelope = from_dict(Envelope, document["envelope"], "envelope")
	claims = [from_dict(Claim, item, f"claims[{i}]") for i, item in enumerate(document["claims"])]
	return submitter, receiver, envelope, claims


def _build_837(args, out: TextIO) -> int:
	raw = _read_bytes(args.claims_file)
	try:
		document = json.loads(raw)
	except (json.JSONDecodeError, UnicodeDecodeError) as error:
		raise InputError(f"{args.claims_file}: not valid JSON ({error})") from None
	try:
		submitter, receiver, envelope, claims = load_build_request(document)
	except ClaimDataError as error:
		raise InputError(f"{args.claims_file}: {error}") from None
	if not args.no_scrub:
		problems = scrub_claims(claims, args.today or datetime.date.today())
		if problems:
			print(f"{args.claims_file}: {len(problems)} problem(s); nothing was built", file=sys.stderr)
			for problem in problems:
				print(f"  {problem.path}: {problem.message}", file=sys.stderr)
			return EXIT_PROBLEMS
	try:
		data = write_837p(claims, submitter, receiver, envelope)
	except ValueError as error:
		raise InputError(f"{args.claims_file}: {error}") from None
	if args.output:
		with open(args.output, "wb") as handle:
			handle.write(data)
		print(f"wrote {len(claims)} claims, {len(data)} bytes to {args.output}", file=sys.stderr)
	else:
		out.write(data.decode("ascii"))
		if not data.endswith(b"\n"):
			out.write("\n")
	return EXIT_OK


if __name__ == "__main__":
	sys.exit(main())
