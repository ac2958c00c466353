"""Patient statement PDFs (claims_billing.render.statement), checked through the text poppler extracts."""

import datetime
import re
import shutil
import subprocess
from decimal import Decimal

import pytest

from claims_billing.render.parties import PatientDetails, Practice
from claims_billing.render.statement import (
	PaymentReceived,
	StatementData,
	StatementLine,
	render_statement_html,
	render_statement_pdf,
)
from claims_billing.render.validation import RenderDataError
from claims_billing.x12.claim import Address

STATEMENT_DATE = datetime.date(2026, 11, 2)
PAYMENT_LINK = "https://pay.lakeside-therapy.example/s/PT-00871"


def pdf_text(document: bytes) -> str:
	"""The text of a PDF as poppler's pdftotext lays it out; pages are separated by form feeds."""
	if shutil.which("pdftotext") is None:
		pytest.fail("pdftotext is missing: install poppler-utils (apt-get install poppler-utils)")
	result = subprocess.run(
		["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=document, capture_output=True, check=True
	)
	return result.stdout.decode("utf-8")


def squeezed(line: str) -> str:
	"""A -layout line with each run of spaces between cells reduced to one."""
	return " ".join(line.split())


def line_starting(text: str, start: str) -> str:
	found = [squeezed(line) for line in text.splitlines() if line.strip().startswith(start)]
	assert len(found) == 1, f"expected one line starting {start!r}, found {found}"
	return found[0]


def lines_after(text: str, marker: str) -> list[str]:
	"""The non-blank lines below the line holding ``marker``, squeezed."""
	lines = [squeezed(line) for line in text.splitlines() if line.strip()]
	(position,) = [index for index, line in enumerate(lines) if marker in line]
	return lines[position + 1 :]


def make_statement(**overrides) -> StatementData:
	values = dict(
		practice=Practice(
			name="Lakeside Therapy Group",
			address=Address(line1="200 Commerce Way", city="Portland", state="ME", postal_code="041015678"),
			phone="(207) 555-0142",
		),
		patient=PatientDetails(
			name="Avery J. Testwell",
			address=Address(line1="10 Maple St", city="Augusta", state="ME", postal_code="04330"),
			account_number="PT-00871",
		),
		statement_date=STATEMENT_DATE,
		due_date=datetime.date(2026, 12, 2),
		lines=[
			StatementLine(  # 12 days old: current
				date_of_service=datetime.date(2026, 10, 21),
				procedure_code="90837",
				charge=Decimal("180.00"),
				insurance_paid=Decimal("108.00"),
				adjustments=Decimal("27.00"),
			),
			StatementLine(  # 48 days old
				date_of_service=datetime.date(2026, 9, 15),
				procedure_code="90834",
				modifiers=["95"],
				charge=Decimal("140.00"),
				insurance_paid=Decimal("84.00"),
				adjustments=Decimal("21.00"),
				patient_paid=Decimal("10.00"),
			),
			StatementLine(  # 84 days old
				date_of_service=datetime.date(2026, 8, 10),
				procedure_code="97110",
				modifiers=["GP", "59"],
				charge=Decimal("91.00"),
				insurance_paid=Decimal("54.60"),
				adjustments=Decimal("13.65"),
			),
			StatementLine(  # 154 days old
				date_of_service=datetime.date(2026, 6, 1),
				procedure_code="98941",
				charge=Decimal("1650.00"),
				patient_paid=Decimal("400.00"),
			),
		],
		payments=[
			PaymentReceived(datetime.date(2026, 10, 14), Decimal("10.00"), "Card ending 4242"),
			PaymentReceived(datetime.date(2026, 10, 28), Decimal("400.00"), "Check", "1043"),
		],
		how_to_pay="Call (207) 555-0142 or mail a check payable to Lakeside Therapy Group.",
		payment_link=PAYMENT_LINK,
	)
	values.update(overrides)
	return StatementData(**values)


@pytest.fixture(scope="module")
def statement_text() -> str:
	return pdf_text(render_statement_pdf(make_statement()))


def test_output_is_a_one_page_pdf(statement_text):
	assert render_statement_pdf(make_statement()).startswith(b"%PDF-")
	assert "Page 1 of 1" in statement_text


def test_header_shows_statement_date_account_and_due_date(statement_text):
	assert re.search(r"Statement date\s+11/02/2026", statement_text)
	assert re.search(r"Account no\.\s+PT-00871", statement_text)
	assert re.search(r"Payment due\s+12/02/2026", statement_text)
	assert "Avery J. Testwell" in statement_text
	assert "Augusta, ME 04330" in statement_text


def test_each_open_item_shows_its_amounts_and_computed_balance(statement_text):
	assert (
		line_starting(statement_text, "10/21/2026") == "10/21/2026 90837 $180.00 $108.00 $27.00 $0.00 $45.00"
	)
	assert (
		line_starting(statement_text, "09/15/2026")
		== "09/15/2026 90834 95 $140.00 $84.00 $21.00 $10.00 $25.00"
	)
	assert (
		line_starting(statement_text, "08/10/2026")
		== "08/10/2026 97110 GP 59 $91.00 $54.60 $13.65 $0.00 $22.75"
	)
	assert (
		line_starting(statement_text, "06/01/2026")
		== "06/01/2026 98941 $1,650.00 $0.00 $0.00 $400.00 $1,250.00"
	)


def test_totals_and_amount_due_are_computed_from_the_lines(statement_text):
	assert line_starting(statement_text, "Totals") == "Totals $2,061.00 $246.60 $61.65 $410.00 $1,342.75"
	# The big amount sits below its label, beside the patient's address lines.
	assert any(
		line.endswith(" $1,342.75") for line in lines_after(statement_text, "AMOUNT DUE BY 12/02/2026")[:2]
	)


def test_payments_received_are_listed_with_their_total(statement_text):
	assert line_starting(statement_text, "10/14/2026") == "10/14/2026 Card ending 4242 $10.00"
	assert line_starting(statement_text, "10/28/2026") == "10/28/2026 Check 1043 $400.00"
	assert line_starting(statement_text, "Total received") == "Total received $410.00"


def test_aging_buckets_split_the_amount_due(statement_text):
	assert "Current 31-60 days 61-90 days Over 90 days Total due" in [
		squeezed(line) for line in statement_text.splitlines()
	]
	assert line_starting(statement_text, "$45.00") == "$45.00 $25.00 $22.75 $1,250.00 $1,342.75"


def test_aging_counts_days_from_the_statement_date_at_bucket_edges():
	def line_aged(days: int, balance: str) -> StatementLine:
		return StatementLine(
			date_of_service=STATEMENT_DATE - datetime.timedelta(days=days),
			procedure_code="90837",
			charge=Decimal(balance),
		)

	statement = make_statement(
		lines=[
			line_aged(0, "1"),
			line_aged(30, "2"),
			line_aged(31, "4"),
			line_aged(60, "8"),
			line_aged(61, "16"),
			line_aged(90, "32"),
			line_aged(91, "64"),
			line_aged(400, "128"),
		]
	)
	assert [(bucket.label, bucket.amount) for bucket in statement.aging] == [
		("Current", Decimal(3)),
		("31-60 days", Decimal(12)),
		("61-90 days", Decimal(48)),
		("Over 90 days", Decimal(192)),
	]
	assert sum(bucket.amount for bucket in statement.aging) == statement.total_due == Decimal(255)


def test_aging_counts_from_when_the_patient_share_became_due():
	statement = make_statement()
	statement.lines[3].aging_from = datetime.date(2026, 10, 1)  # the remittance came 32 days ago
	assert [bucket.amount for bucket in statement.aging] == [
		Decimal("45.00"),
		Decimal("1275.00"),
		Decimal("22.75"),
		Decimal(0),
	]


def test_how_to_pay_and_payment_link(statement_text):
	assert "Call (207) 555-0142 or mail a check payable to Lakeside Therapy Group." in statement_text
	assert f"Pay online: {PAYMENT_LINK}" in statement_text
	html = render_statement_html(make_statement())
	assert f'<a href="{PAYMENT_LINK}">' in html


def test_overpaid_account_shows_a_credit():
	line = StatementLine(
		date_of_service=datetime.date(2026, 10, 21),
		procedure_code="90837",
		charge=Decimal("180.00"),
		insurance_paid=Decimal("150.00"),
		patient_paid=Decimal("35.00"),
	)
	statement = make_statement(lines=[line], payments=[])
	assert statement.total_due == Decimal("-5.00")
	text = pdf_text(render_statement_pdf(statement))
	assert any(line.endswith(" $5.00") for line in lines_after(text, "CREDIT ON YOUR ACCOUNT")[:2])
	assert "Payments received" not in text
	assert line_starting(text, "10/21/2026") == "10/21/2026 90837 $180.00 $150.00 $0.00 $35.00 -$5.00"


def test_long_statement_numbers_every_page_and_repeats_the_header():
	lines = [
		StatementLine(
			date_of_service=datetime.date(2025, 1, 1) + datetime.timedelta(days=index * 5),
			procedure_code="97140",
			modifiers=["GP"],
			charge=Decimal("42.25"),
			insurance_paid=Decimal("30.00"),
		)
		for index in range(70)
	]
	pages = [
		page
		for page in pdf_text(render_statement_pdf(make_statement(lines=lines))).split("\f")
		if page.strip()
	]
	assert len(pages) >= 2
	for number, page in enumerate(pages, start=1):
		assert f"Page {number} of {len(pages)}" in page
	pages_with_item_rows = [page for page in pages if re.search(r"^\s*\d\d/\d\d/202[56]\s+97140", page, re.M)]
	assert len(pages_with_item_rows) >= 2
	for page in pages_with_item_rows:
		assert re.search(r"Date of service\s+CPT/HCPCS\s+Modifiers\s+Charge\s+Insurance paid", page)
	item_rows = re.findall(r"^\s*\d\d/\d\d/202[56]\s+97140\s+GP\s+\$42\.25", "\n".join(pages), re.M)
	assert len(item_rows) == 70
	# 70 x 12.25 open
	assert re.search(
		r"Totals\s+\$2,957\.50\s+\$2,100\.00\s+\$0\.00\s+\$0\.00\s+\$857\.50", pages[-1] + pages[-2]
	)


def test_markup_in_caller_text_is_printed_not_interpreted():
	statement = make_statement(
		how_to_pay='<a href="javascript:steal()">Pay here</a>',
		patient=PatientDetails(name="<b>Avery</b> & Co"),
	)
	html = render_statement_html(statement)
	assert "javascript:steal()" not in html.replace("&#34;javascript:steal()&#34;", "")
	assert "&lt;b&gt;Avery&lt;/b&gt; &amp; Co" in html
	text = pdf_text(render_statement_pdf(statement))
	assert '<a href="javascript:steal()">Pay here</a>' in text
	assert "<b>Avery</b> & Co" in text


@pytest.mark.parametrize(
	"link",
	[
		"javascript:alert(1)",
		"http://pay.example/s/1",
		"https://pay.example/s/1 extra",
		'https://x.example/"onmouseover',
	],
)
def test_payment_link_must_be_one_https_address(link):
	with pytest.raises(RenderDataError, match=r"payment_link: must be a single https:// address"):
		render_statement_html(make_statement(payment_link=link))


def test_bad_data_names_every_field_path():
	statement = make_statement(due_date=datetime.date(2026, 11, 1))
	statement.lines[0].date_of_service = datetime.date(2026, 11, 3)
	statement.lines[1].adjustments = Decimal("-21.00")
	statement.lines[2].insurance_paid = 54.6
	statement.payments[1].amount = Decimal(0)
	with pytest.raises(RenderDataError) as caught:
		render_statement_pdf(statement)
	assert [str(problem) for problem in caught.value.problems] == [
		"due_date: is before the statement date",
		"lines[0].date_of_service: is after the statement date",
		"lines[1].adjustments: must not be negative (got -21.00)",
		"lines[2].insurance_paid: expected a Decimal amount, got float",
		"payments[1].amount: a payment of zero is not a payment",
	]


def test_a_statement_needs_open_items_with_codes_only():
	with pytest.raises(RenderDataError, match=r"lines: list at least one open item"):
		render_statement_html(make_statement(lines=[]))
	statement = make_statement()
	statement.lines[0].procedure_code = "Psychotherapy 60 min"
	with pytest.raises(RenderDataError, match=r"lines\[0\]\.procedure_code: .* is not a CPT or HCPCS code"):
		render_statement_html(statement)


def test_items_table_has_no_description_column():
	html = render_statement_html(make_statement())
	items_table = html[html.index('<table class="grid items">') :]
	items_table = items_table[: items_table.index("</table>")]
	assert re.findall(r"<th[^>]*>(.*?)</th>", items_table) == [
		"Date of service",
		"CPT/HCPCS",
		"Modifiers",
		"Charge",
		"Insurance paid",
		"Adjustments",
		"You paid",
		"Balance",
	]


def test_amounts_in_fractions_of_a_cent_are_refused():
	statement = make_statement()
	statement.lines[0].insurance_paid = Decimal("108.005")
	with pytest.raises(
		RenderDataError, match=r"lines\[0\]\.insurance_paid: 108\.005 has fractions of a cent"
	):
		render_statement_html(statement)


def test_line_breaks_in_how_to_pay_are_kept():
	statement = make_statement(
		how_to_pay="Mail checks to:\nLakeside Therapy Group\nPO Box 4410, Portland, ME 04112"
	)
	lines = lines_after(pdf_text(render_statement_pdf(statement)), "How to pay")
	assert lines[:3] == ["Mail checks to:", "Lakeside Therapy Group", "PO Box 4410, Portland, ME 04112"]
