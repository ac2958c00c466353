"""Insurance Claim documents as 837P claim data (``x12.claim.Claim``): the one place that maps them.

Where each part of the 837P comes from:

* billing provider (2010AA), submitter (1000A), receiver (1000B): Claims Billing Settings;
* payer (2010BB): the Insurance Payer (name, payer ID, claims mailing address);
* subscriber (2010BA): the claim's Patient Insurance Policy (member ID, group, filing indicator of
  the payer); when the patient is not the subscriber, the policy's subscriber fields;
* service lines (2400): the claim's services, each pointing at the claim's diagnoses (HI), with the
  Billable Service name as the line control number (REF*6R), which 835s echo back per line.

The patient's date of birth, sex and address (DMG, N3/N4) come from:

* with Healthcare: the Patient record (name, date of birth, sex) and its primary Address;
* without Healthcare (the patient is a Customer): the Customer's "Patient Date of Birth" and
  "Patient Sex" fields (added by this app) and its primary Address;
* in both cases, when the patient is the subscriber and the patient record lacks a value, the
  policy's subscriber fields fill it in.

Whatever is still missing is returned as a problem naming the record to fix, and the claim cannot
be queued. Messages name record IDs, never the patient's name, birth date or member ID.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import flt, getdate

from claims_billing.core.batching import BatchSetup
from claims_billing.core.pricing import CENT, extended_amount
from claims_billing.x12.claim import (
	FREQUENCY_ORIGINAL,
	FREQUENCY_REPLACEMENT,
	FREQUENCY_VOID,
	RELATIONSHIP_SELF,
	Address,
	Attachment,
	BillingProvider,
	Claim,
	Patient,
	Payer,
	Provider,
	Receiver,
	ServiceLine,
	Submitter,
	Subscriber,
)

FREQUENCY_CODES = {
	"Original": FREQUENCY_ORIGINAL,
	"Replacement": FREQUENCY_REPLACEMENT,
	"Void": FREQUENCY_VOID,
}
# Patient's relationship to the subscriber (policy) -> PAT01 / SBR02 codes.
RELATIONSHIP_CODES = {"Self": RELATIONSHIP_SELF, "Spouse": "01", "Child": "19", "Other": "G8"}
SEX_CODES = {"male": "M", "female": "F"}
# Custom fields on Customer for patients on sites without Healthcare (setup/claim_fields.py).
CUSTOMER_DOB_FIELD = "billing_patient_dob"
CUSTOMER_SEX_FIELD = "billing_patient_sex"
STATE = re.compile(r"[A-Z]{2}")
ZIP_CODE = re.compile(r"[0-9]{5}([0-9]{4})?")


def money(value) -> Decimal:
	"""A Currency value as an exact Decimal (Frappe hands out floats; str keeps the two decimals)."""
	return Decimal(str(flt(value or 0))).quantize(CENT)


def digits(text: str | None) -> str:
	return re.sub(r"[^0-9]", "", text or "")


def modifiers_of(text: str | None) -> list[str]:
	return [part for part in (text or "").replace(",", " ").split() if part]


@dataclass
class PersonData:
	"""Name, birth date, sex and address of the patient as the records give them."""

	display_name: str = ""
	first_name: str = ""
	last_name: str = ""
	middle_name: str = ""
	date_of_birth: datetime.date | None = None
	sex: str = ""
	address: Address | None = None
	address_problem: str = ""


@dataclass
class ClaimContext:
	"""Records shared by many claims, loaded once per request or job run."""

	settings: object = None
	payers: dict = field(default_factory=dict)
	policies: dict = field(default_factory=dict)
	practitioners: dict = field(default_factory=dict)
	people: dict = field(default_factory=dict)

	def __post_init__(self):
		if self.settings is None:
			self.settings = frappe.get_cached_doc("Claims Billing Settings")

	def payer(self, name: str):
		if name not in self.payers:
			self.payers[name] = frappe.get_cached_doc("Insurance Payer", name) if name else None
		return self.payers[name]

	def policy(self, name: str):
		if name not in self.policies:
			self.policies[name] = frappe.get_doc("Patient Insurance Policy", name) if name else None
		return self.policies[name]

	def practitioner(self, name: str):
		if name not in self.practitioners:
			self.practitioners[name] = (
				frappe.db.get_value(
					"Billing Practitioner",
					name,
					["name", "first_name", "last_name", "npi", "taxonomy_code"],
					as_dict=True,
				)
				if name
				else None
			)
		return self.practitioners[name]

	def person(self, patient_doctype: str, patient: str) -> PersonData:
		key = (patient_doctype, patient)
		if key not in self.people:
			self.people[key] = _load_person(patient_doctype, patient)
		return self.people[key]


def _load_person(patient_doctype: str, patient: str) -> PersonData:
	person = PersonData()
	if not patient_doctype or not patient:
		return person
	if patient_doctype == "Patient":
		row = frappe.db.get_value(
			"Patient",
			patient,
			["patient_name", "first_name", "middle_name", "last_name", "dob", "sex"],
			as_dict=True,
		)
		if row:
			person.display_name = row.patient_name or ""
			person.first_name = (row.first_name or "").strip()
			person.middle_name = (row.middle_name or "").strip()
			person.last_name = (row.last_name or "").strip()
			person.date_of_birth = getdate(row.dob) if row.dob else None
			person.sex = SEX_CODES.get((row.sex or "").strip().casefold(), "U" if row.sex else "")
	else:
		meta = frappe.get_meta("Customer")
		fields = ["customer_name"] + [
			f for f in (CUSTOMER_DOB_FIELD, CUSTOMER_SEX_FIELD) if meta.has_field(f)
		]
		row = frappe.db.get_value("Customer", patient, fields, as_dict=True)
		if row:
			person.display_name = row.customer_name or ""
			first, _space, last = (row.customer_name or "").strip().rpartition(" ")
			person.first_name, person.last_name = (first, last) if first else ("", last)
			dob = row.get(CUSTOMER_DOB_FIELD)
			person.date_of_birth = getdate(dob) if dob else None
			sex = (row.get(CUSTOMER_SEX_FIELD) or "").strip().casefold()
			person.sex = SEX_CODES.get(sex, "U" if sex else "")
	person.address, person.address_problem = _primary_address(patient_doctype, patient)
	return person


def _primary_address(link_doctype: str, link_name: str) -> tuple[Address | None, str]:
	rows = frappe.get_all(
		"Address",
		filters=[
			["Dynamic Link", "link_doctype", "=", link_doctype],
			["Dynamic Link", "link_name", "=", link_name],
			["Address", "disabled", "=", 0],
		],
		fields=["name", "address_line1", "address_line2", "city", "state", "pincode", "country"],
		order_by="`tabAddress`.is_primary_address desc, `tabAddress`.modified desc",
		limit=1,
	)
	if not rows:
		return None, ""
	row = rows[0]
	address = Address(
		line1=(row.address_line1 or "").strip(),
		line2=(row.address_line2 or "").strip(),
		city=(row.city or "").strip(),
		state=(row.state or "").strip().upper(),
		postal_code=digits(row.pincode),
	)
	# Address names repeat the patient's name: the message says whose address instead.
	return address, address_problem(address, _("The patient's address"))


def address_problem(address: Address, where: str) -> str:
	missing = [
		label
		for label, value in (
			(_("street"), address.line1),
			(_("city"), address.city),
			(_("state"), address.state),
			(_("ZIP code"), address.postal_code),
		)
		if not value
	]
	if missing:
		return _("{0} has no {1}.").format(where, ", ".join(missing))
	if not STATE.fullmatch(address.state):
		return _("{0}: the state must be a two-letter code such as NY.").format(where)
	if not ZIP_CODE.fullmatch(address.postal_code):
		return _("{0}: the ZIP code must have 5 or 9 digits.").format(where)
	return ""


def _policy_address(policy) -> Address | None:
	if not policy.subscriber_address_line1:
		return None
	return Address(
		line1=policy.subscriber_address_line1.strip(),
		line2=(policy.subscriber_address_line2 or "").strip(),
		city=(policy.subscriber_city or "").strip(),
		state=(policy.subscriber_state or "").strip().upper(),
		postal_code=digits(policy.subscriber_zip_code),
	)


def _policy_sex(policy) -> str:
	sex = (policy.subscriber_sex or "").strip().casefold()
	return SEX_CODES.get(sex, "U" if sex else "")


# --- settings-level parties ------------------------------------------------------------------


def billing_provider(settings) -> BillingProvider:
	return BillingProvider(
		name=(settings.billing_provider_name or "").strip(),
		npi=(settings.billing_provider_npi or "").strip(),
		tax_id=digits(settings.billing_provider_tax_id),
		address=Address(
			line1=(settings.billing_provider_address_line1 or "").strip(),
			line2=(settings.billing_provider_address_line2 or "").strip(),
			city=(settings.billing_provider_city or "").strip(),
			state=(settings.billing_provider_state or "").strip().upper(),
			postal_code=digits(settings.billing_provider_zip_code),
		),
		taxonomy=(settings.billing_provider_taxonomy or "").strip(),
		phone=digits(settings.billing_provider_phone),
	)


def submitter(settings) -> Submitter:
	return Submitter(
		name=(settings.submitter_name or settings.billing_provider_name or "").strip(),
		id=(settings.submitter_id or "").strip(),
		contact_name=(settings.submitter_name or settings.billing_provider_name or "").strip(),
		phone=digits(settings.billing_provider_phone),
		email=(settings.submitter_contact_email or "").strip(),
	)


def receiver(settings) -> Receiver:
	return Receiver(name=(settings.receiver_name or "").strip(), id=(settings.receiver_id or "").strip())


def batch_setup(settings) -> BatchSetup:
	return BatchSetup(
		submitter=submitter(settings),
		receiver=receiver(settings),
		sender_id=(settings.submitter_id or "").strip(),
		receiver_id=(settings.receiver_id or "").strip(),
		usage_indicator=settings.get("usage_indicator") or "P",
		max_claims_per_file=int(settings.get("max_claims_per_file") or 5000),
		file_name_pattern=(settings.get("file_name_pattern") or "").strip()
		or "{sender}_{icn}_{date:%Y%m%d}.837",
	)


def settings_problems(settings) -> list[str]:
	"""What the practice's settings lack for any claim to be sent."""
	problems = []
	provider = billing_provider(settings)
	labels = (
		(provider.name, _("the billing provider's name")),
		(provider.npi, _("the billing provider's NPI")),
		(provider.tax_id, _("the billing provider's tax ID")),
		((settings.submitter_id or "").strip(), _("the submitter ID")),
		((settings.receiver_id or "").strip(), _("the receiver ID")),
		((settings.receiver_name or "").strip(), _("the receiver name")),
	)
	missing = [label for value, label in labels if not value]
	if missing:
		problems.append(_("Claims Billing Settings: enter {0}.").format(", ".join(missing)))
	if problem := address_problem(
		provider.address, _("Claims Billing Settings: the billing provider address")
	):
		problems.append(problem)
	elif len(provider.address.postal_code) != 9:
		problems.append(_("Claims Billing Settings: the billing provider needs a 9-digit ZIP+4 code."))
	if not (settings.billing_provider_phone or settings.submitter_contact_email):
		problems.append(_("Claims Billing Settings: enter a phone number or a submitter contact email."))
	return problems


# --- one claim --------------------------------------------------------------------------------


@dataclass
class BuiltClaim:
	claim: Claim
	problems: list[str]


def build_claim(doc, context: ClaimContext | None = None) -> BuiltClaim:
	"""The 837P claim for an Insurance Claim document, and what the records lack to send it.

	``doc.services`` must already carry dates, codes and pointers (the controller fills them); the
	claim's ``diagnoses`` table gives the HI codes in order.
	"""
	context = context or ClaimContext()
	settings = context.settings
	problems: list[str] = []
	policy = context.policy(doc.insurance_policy)
	payer_doc = context.payer(doc.payer) if doc.payer else None
	person = context.person(doc.patient_doctype, doc.patient)
	if policy is None:
		problems.append(_("Choose the patient's insurance policy."))
	subscriber, patient = _insured_parties(doc, policy, payer_doc, person, problems)
	payer = Payer(
		name=(payer_doc.payer_name if payer_doc else "") or "",
		payer_id=(payer_doc.payer_id or "").strip() if payer_doc else "",
	)
	if payer_doc and payer_doc.address_line1 and payer_doc.city and payer_doc.state and payer_doc.zip_code:
		payer.address = Address(
			line1=payer_doc.address_line1.strip(),
			line2=(payer_doc.address_line2 or "").strip(),
			city=payer_doc.city.strip(),
			state=payer_doc.state.strip().upper(),
			postal_code=digits(payer_doc.zip_code),
		)
	lines, rendering = _lines(doc, context, problems)
	place = (doc.place_of_service or "").strip()
	for line in lines:
		if line.place_of_service == place:
			line.place_of_service = ""
	claim = Claim(
		claim_id=doc.name or "",
		billing_provider=billing_provider(settings),
		subscriber=subscriber,
		payer=payer,
		place_of_service=place,
		diagnoses=[row.icd10_code for row in doc.diagnoses],
		lines=lines,
		patient=patient,
		frequency=FREQUENCY_CODES.get(doc.frequency or "Original", FREQUENCY_ORIGINAL),
		original_claim_number=(doc.original_payer_claim_number or "").strip(),
		rendering_provider=rendering,
		prior_authorization=(doc.prior_authorization or "").strip(),
		attachments=[
			Attachment(
				report_type=row.report_type or "",
				transmission_code=row.transmission_code or "",
				control_number=(row.control_number or "").strip(),
			)
			for row in doc.attachments
		],
	)
	return BuiltClaim(claim, problems)


def _insured_parties(doc, policy, payer_doc, person: PersonData, problems: list[str]):
	# The record's name may be the patient's name: say which kind of record, the claim shows whose.
	patient_record = _("the patient's {0} record").format(_(doc.patient_doctype or "Patient"))
	if policy is None:
		return Subscriber(last_name="", first_name="", member_id=""), None
	relationship = policy.relationship_to_subscriber or "Self"
	filing = (payer_doc.claim_filing_indicator if payer_doc else "") or "CI"
	if relationship == "Self":
		# The patient is the subscriber: the policy's subscriber fields fill what the record lacks.
		address = person.address or _policy_address(policy)
		if person.address is None:
			if address is None:
				problems.append(
					_(
						"The patient's address is missing: add an Address to {0} or the subscriber address on policy {1}."
					).format(patient_record, policy.name)
				)
			elif problem := address_problem(
				address, _("Policy {0}: the subscriber address").format(policy.name)
			):
				problems.append(problem)
		elif person.address_problem:
			problems.append(person.address_problem)
		dob = person.date_of_birth or (getdate(policy.subscriber_dob) if policy.subscriber_dob else None)
		sex = person.sex or _policy_sex(policy)
		if dob is None:
			problems.append(
				_("The patient's date of birth is missing: enter it on {0}.").format(patient_record)
			)
		if not sex:
			problems.append(_("The patient's sex is missing: enter it on {0}.").format(patient_record))
		subscriber = Subscriber(
			last_name=person.last_name or (policy.subscriber_last_name or "").strip(),
			first_name=person.first_name or (policy.subscriber_first_name or "").strip(),
			middle_name=person.middle_name,
			member_id=(policy.member_id or "").strip(),
			date_of_birth=dob,
			sex=sex or "U",
			address=address,
			group_number=(policy.group_number or "").strip(),
			group_name=(policy.plan_name or "").strip()[:60],
			filing_indicator=filing,
		)
		if not subscriber.last_name:
			problems.append(_("The patient's last name is missing on {0}.").format(patient_record))
		return subscriber, None
	subscriber = Subscriber(
		last_name=(policy.subscriber_last_name or "").strip(),
		first_name=(policy.subscriber_first_name or "").strip(),
		member_id=(policy.member_id or "").strip(),
		date_of_birth=getdate(policy.subscriber_dob) if policy.subscriber_dob else None,
		sex=_policy_sex(policy) or "U",
		address=_policy_address(policy),
		group_number=(policy.group_number or "").strip(),
		group_name=(policy.plan_name or "").strip()[:60],
		filing_indicator=filing,
	)
	if not subscriber.last_name:
		problems.append(_("Policy {0}: enter the subscriber's last name.").format(policy.name))
	if person.date_of_birth is None:
		problems.append(_("The patient's date of birth is missing: enter it on {0}.").format(patient_record))
	if not person.sex:
		problems.append(_("The patient's sex is missing: enter it on {0}.").format(patient_record))
	if person.address is None:
		problems.append(_("The patient's address is missing: add an Address to {0}.").format(patient_record))
	elif person.address_problem:
		problems.append(person.address_problem)
	if not person.last_name:
		problems.append(_("The patient's last name is missing on {0}.").format(patient_record))
	patient = Patient(
		last_name=person.last_name,
		first_name=person.first_name,
		middle_name=person.middle_name,
		relationship=RELATIONSHIP_CODES.get(relationship, "G8"),
		date_of_birth=person.date_of_birth,
		sex=person.sex or "U",
		address=person.address or Address(line1="", city="", state="", postal_code=""),
	)
	return subscriber, patient


def _provider(row) -> Provider:
	return Provider(
		last_name=(row.last_name or "").strip(),
		first_name=(row.first_name or "").strip(),
		npi=(row.npi or "").strip(),
		taxonomy=(row.taxonomy_code or "").strip(),
	)


def _lines(doc, context: ClaimContext, problems: list[str]) -> tuple[list[ServiceLine], Provider | None]:
	lines = []
	practitioners = []
	for row in doc.services:
		practitioner = context.practitioner(row.practitioner)
		if practitioner is None:
			problems.append(_("Service row #{0}: the service has no rendering practitioner.").format(row.idx))
		else:
			missing = [
				label
				for label, value in ((_("NPI"), practitioner.npi), (_("last name"), practitioner.last_name))
				if not (value or "").strip()
			]
			if missing:
				problems.append(
					_("Billing Practitioner {0}: enter the {1}.").format(
						practitioner.name, ", ".join(missing)
					)
				)
		practitioners.append(practitioner)
		pointers = [int(part) for part in re.findall(r"\d+", row.diagnosis_pointers or "")]
		lines.append(
			ServiceLine(
				procedure_code=(row.procedure_code or "").strip(),
				charge=money(row.charge),
				service_date=getdate(row.date_of_service) if row.date_of_service else None,
				diagnosis_pointers=pointers,
				modifiers=modifiers_of(row.modifiers),
				units=Decimal(str(flt(row.units))),
				place_of_service=(row.place_of_service or "").strip(),
				line_control_number=row.billable_service or "",
			)
		)
	names = {p.name for p in practitioners if p is not None}
	if len(names) == 1 and None not in practitioners:
		return lines, _provider(practitioners[0])
	for line, practitioner in zip(lines, practitioners, strict=True):
		if practitioner is not None:
			line.rendering_provider = _provider(practitioner)
	return lines, None


def expected_allowed(payer: str, procedure_code: str, date_of_service, modifiers, units) -> Decimal:
	"""The contract's allowed amount for one line (0 when no contract covers it)."""
	from claims_billing.services.rates import contract_allowed_rate

	if not payer or not procedure_code or not date_of_service:
		return Decimal(0)
	rate = contract_allowed_rate(payer, procedure_code, date_of_service, modifiers)
	if rate is None:
		return Decimal(0)
	return extended_amount(rate.amount, Decimal(str(flt(units))))
