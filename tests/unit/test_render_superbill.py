"""Superbill PDFs (claims_billing.render.superbill), checked through the text poppler extracts."""

import dataclasses
import datetime
import io
import re
import shutil
import subprocess
import threading
from decimal import Decimal

import PIL.Image  # installed with WeasyPrint
import pytest

from claims_billing.render import formatting, pdf
from claims_billing.render.images import EmbeddedImage
from claims_billing.render.parties import PatientDetails, Practice
from claims_billing.render.superbill import (
	Diagnosis,
	RenderingProvider,
	SuperbillData,
	SuperbillService,
	render_superbill_html,
	render_superbill_pdf,
)
from claims_billing.render.validation import RenderDataError
from claims_billing.x12.claim import Address

PATIENT_NAME = "Avery J. Testwell"
PATIENT_DOB = datetime.date(1984, 7, 19)


def pdf_text(document: bytes) -> str:
	"""The text of a PDF as poppler's pdftotext lays it out; pages are separated by form feeds."""
	if shutil.which("pdftotext") is None:
		pytest.fail("pdftotext is missing: install poppler-utils (apt-get install poppler-utils)")
	result = subprocess.run(
		["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=document, capture_output=True, check=True
	)
	return result.stdout.decode("utf-8")


def pages_of(document: bytes) -> list[str]:
	pages = pdf_text(document).split("\f")
	return [page for page in pages if page.strip()]


def line_starting(text: str, start: str) -> str:
	"""The one line whose first characters (after indentation) are ``start``."""
	found = [line.strip() for line in text.splitlines() if line.strip().startswith(start)]
	assert len(found) == 1, f"expected one line starting {start!r}, found {found}"
	return found[0]


def squeezed(line: str) -> str:
	"""A -layout line with each run of spaces between cells reduced to one."""
	return " ".join(line.split())


def make_superbill(**overrides) -> SuperbillData:
	values = dict(
		practice=Practice(
			name="Lakeside Therapy Group",
			address=Address(line1="200 Commerce Way", city="Portland", state="ME", postal_code="041015678"),
			phone="(207) 555-0142",
			tax_id="91-0000417",
			npi="1456789019",
		),
		provider=RenderingProvider(
			name="Mara Wrenfield",
			credentials="LCSW",
			npi="1987654328",
			tax_id="91-0000418",
			license_number="LC-48213",
			license_state="ME",
			taxonomy="1041C0700X",
		),
		patient=PatientDetails(
			name=PATIENT_NAME,
			date_of_birth=PATIENT_DOB,
			address=Address(line1="10 Maple St", city="Augusta", state="ME", postal_code="04330"),
			account_number="PT-00871",
		),
		number="SB-2026-0042",
		issue_date=datetime.date(2026, 3, 31),
		diagnoses=[
			Diagnosis("F41.1", "Generalized anxiety disorder"),
			Diagnosis("F33.1", "Major depressive disorder, recurrent, moderate"),
			Diagnosis("M54.50", "Low back pain, unspecified"),
		],
		services=[
			SuperbillService(
				date_of_service=datetime.date(2026, 3, 2),
				procedure_code="90837",
				charge=Decimal("180.00"),
				paid=Decimal("180.00"),
				diagnosis_pointers=[1, 2],
				place_of_service="11",
				place_of_service_name="Office",
			),
			SuperbillService(
				date_of_service=datetime.date(2026, 3, 9),
				procedure_code="90834",
				modifiers=["95"],
				charge=Decimal("140.00"),
				diagnosis_pointers=[1],
				place_of_service="10",
			),
			SuperbillService(
				date_of_service=datetime.date(2026, 3, 16),
				procedure_code="97110",
				modifiers=["GP", "59"],
				units=Decimal(2),
				charge=Decimal("91.00"),
				paid=Decimal("45.50"),
				diagnosis_pointers=[3],
				place_of_service="11",
			),
			SuperbillService(
				date_of_service=datetime.date(2026, 3, 23),
				procedure_code="G0283",
				charge=Decimal("1022.75"),
				diagnosis_pointers=[3, 1],
				place_of_service="11",
			),
		],
		signature_date=datetime.date(2026, 3, 31),
	)
	values.update(overrides)
	return SuperbillData(**values)


@pytest.fixture(scope="module")
def superbill_text() -> str:
	return pdf_text(render_superbill_pdf(make_superbill()))


def test_output_is_a_one_page_pdf(superbill_text):
	assert render_superbill_pdf(make_superbill()).startswith(b"%PDF-")
	assert superbill_text.count("Page 1 of 1") == 1
	assert "Page 2" not in superbill_text


def test_each_service_row_shows_date_code_modifiers_units_pointers_and_amounts(superbill_text):
	assert (
		squeezed(line_starting(superbill_text, "03/02/2026"))
		== "03/02/2026 90837 1 A, B 11 Office $180.00 $180.00 $0.00"
	)
	assert (
		squeezed(line_starting(superbill_text, "03/09/2026"))
		== "03/09/2026 90834 95 1 A 10 $140.00 $0.00 $140.00"
	)
	assert (
		squeezed(line_starting(superbill_text, "03/16/2026"))
		== "03/16/2026 97110 GP 59 2 C 11 $91.00 $45.50 $45.50"
	)
	assert (
		squeezed(line_starting(superbill_text, "03/23/2026"))
		== "03/23/2026 G0283 1 C, A 11 $1,022.75 $0.00 $1,022.75"
	)


def test_diagnoses_are_lettered_with_code_and_description(superbill_text):
	assert squeezed(line_starting(superbill_text, "A ")) == "A F41.1 Generalized anxiety disorder"
	assert (
		squeezed(line_starting(superbill_text, "B "))
		== "B F33.1 Major depressive disorder, recurrent, moderate"
	)
	assert squeezed(line_starting(superbill_text, "C ")) == "C M54.50 Low back pain, unspecified"


def test_provider_identifiers_are_printed(superbill_text):
	assert "Mara Wrenfield, LCSW" in superbill_text
	assert re.search(r"NPI\s+1987654328", superbill_text)
	assert re.search(r"Tax ID\s+91-0000418", superbill_text)
	assert re.search(r"License no\.\s+LC-48213 \(ME\)", superbill_text)
	assert re.search(r"Taxonomy\s+1041C0700X", superbill_text)
	assert re.search(r"Practice tax ID\s+91-0000417", superbill_text)
	assert re.search(r"Practice NPI\s+1456789019", superbill_text)


def test_patient_block_and_document_reference(superbill_text):
	assert PATIENT_NAME in superbill_text
	assert re.search(r"Date of birth\s+07/19/1984", superbill_text)
	assert re.search(r"Account no\.\s+PT-00871", superbill_text)
	assert "Augusta, ME 04330" in superbill_text
	assert "Portland, ME 04101-5678" in superbill_text
	assert re.search(r"Superbill no\.\s+SB-2026-0042", superbill_text)
	assert re.search(r"Date issued\s+03/31/2026", superbill_text)


def test_totals_are_computed_from_the_lines(superbill_text):
	# 180.00 + 140.00 + 91.00 + 1022.75 charged; 180.00 + 45.50 paid.
	assert re.search(r"Total charges\s+\$1,433\.75", superbill_text)
	assert re.search(r"Amount paid\s+\$225\.50", superbill_text)
	assert re.search(r"Balance due\s+\$1,208\.25", superbill_text)


def test_totals_follow_the_lines_and_cannot_be_supplied():
	data = make_superbill()
	data.services[0].paid = Decimal("100.00")
	assert data.total_paid == Decimal("145.50")
	assert data.total_balance == Decimal("1288.25")
	text = pdf_text(render_superbill_pdf(data))
	assert re.search(r"Balance due\s+\$1,288\.25", text)
	with pytest.raises(TypeError):
		make_superbill(total_charges=Decimal("1.00"))


def test_signature_line_names_the_provider_and_date(superbill_text):
	assert "Provider signature: Mara Wrenfield, LCSW" in superbill_text
	signature_line = line_starting(superbill_text, "Provider signature:")
	assert signature_line.endswith("Date")
	# The signing date sits just above its "Date" caption.
	lines = [line.strip() for line in superbill_text.splitlines() if line.strip()]
	assert lines[lines.index(signature_line) - 1] == "03/31/2026"


def test_unsigned_superbill_leaves_the_date_blank():
	text = pdf_text(render_superbill_pdf(make_superbill(signature_date=None)))
	lines = [line.strip() for line in text.splitlines() if line.strip()]
	signature_index = next(i for i, line in enumerate(lines) if line.startswith("Provider signature:"))
	assert "03/31/2026" not in lines[signature_index - 1]


def test_services_table_has_no_description_column():
	html = render_superbill_html(make_superbill())
	services_table = html[html.index('<table class="grid services">') :]
	services_table = services_table[: services_table.index("</table>")]
	headers = re.findall(r"<th[^>]*>(.*?)</th>", services_table)
	assert headers == [
		"Date of service",
		"CPT/HCPCS",
		"Modifiers",
		"Units",
		"Dx ptr",
		"Place of service",
		"Charge",
		"Paid",
		"Balance",
	]


def test_forty_services_run_to_two_numbered_pages_with_repeated_headers():
	first = datetime.date(2026, 1, 5)
	services = [
		SuperbillService(
			date_of_service=first + datetime.timedelta(days=index),
			procedure_code="97140" if index % 2 else "98941",
			modifiers=["GP"] if index % 2 else [],
			charge=Decimal("42.25") if index % 2 else Decimal("65.00"),
			paid=Decimal("10.00") if index % 5 == 0 else Decimal(0),
			diagnosis_pointers=[3],
			place_of_service="11",
		)
		for index in range(40)
	]
	pages = pages_of(render_superbill_pdf(make_superbill(services=services)))
	assert len(pages) == 2
	assert "Page 1 of 2" in pages[0]
	assert "Page 2 of 2" in pages[1]
	for page in pages:
		assert re.search(r"Date of service\s+CPT/HCPCS\s+Modifiers\s+Units", page), "header row not repeated"
		assert "Superbill SB-2026-0042" in page
	service_rows = [
		line
		for page in pages
		for line in page.splitlines()
		if re.match(r"\s*01/\d\d/2026|\s*02/\d\d/2026", line)
	]
	assert len(service_rows) == 40
	# 20 x 65.00 + 20 x 42.25 = 2,145.00 charged; 8 x 10.00 paid.
	assert re.search(r"Total charges\s+\$2,145\.00", pages[1])
	assert re.search(r"Amount paid\s+\$80\.00", pages[1])
	assert re.search(r"Balance due\s+\$2,065\.00", pages[1])


def test_markup_in_caller_text_is_printed_not_interpreted():
	hostile = '<script>alert("x")</script> & <b>Co</b>'
	data = make_superbill(
		patient=PatientDetails(name=hostile, date_of_birth=PATIENT_DOB),
		diagnoses=[Diagnosis("F41.1", "<img src=x onerror=alert(1)>")],
		services=[
			SuperbillService(
				date_of_service=datetime.date(2026, 3, 2),
				procedure_code="90837",
				charge=Decimal("180.00"),
				diagnosis_pointers=[1],
				place_of_service="11",
				place_of_service_name="</table>",
			)
		],
	)
	html = render_superbill_html(data)
	assert "<script>" not in html
	assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" in html
	assert "<img src=x" not in html
	text = pdf_text(render_superbill_pdf(data))
	assert hostile in text
	assert "<img src=x onerror=alert(1)>" in text
	assert re.search(r"11 </table>\s+\$180\.00", text)


def test_logo_is_embedded_from_bytes(tmp_path):
	buffer = io.BytesIO()
	PIL.Image.new("RGB", (120, 40), (31, 58, 95)).save(buffer, format="PNG")
	practice = dataclasses.replace(make_superbill().practice, logo=EmbeddedImage(buffer.getvalue()))
	data = make_superbill(practice=practice)
	assert 'src="data:image/png;base64,' in render_superbill_html(data)
	document = render_superbill_pdf(data)
	if shutil.which("pdfimages") is None:
		pytest.fail("pdfimages is missing: install poppler-utils (apt-get install poppler-utils)")
	path = tmp_path / "superbill.pdf"
	path.write_bytes(document)
	listing = subprocess.run(
		["pdfimages", "-list", str(path)], capture_output=True, check=True
	).stdout.decode()
	image_rows = listing.splitlines()[2:]
	assert len(image_rows) == 1
	assert image_rows[0].split()[3:5] == ["120", "40"]  # width and height columns


def test_documents_may_not_fetch_files_or_network_urls():
	fetcher = pdf.url_fetcher()
	for url in ("file:///etc/hostname", "https://example.com/logo.png"):
		with pytest.raises(ValueError, match=r"protocol|may not load"):
			fetcher(url)


def test_bad_data_names_every_field_path():
	data = make_superbill()
	data.services[1].charge = 140.0  # a float
	data.services[2].diagnosis_pointers = [5]
	data.services[3].procedure_code = "90837 Psychotherapy, 60 min"
	data.services[3].modifiers = ["95", "GTX"]
	data.diagnoses.append(Diagnosis("F411", "Generalized anxiety disorder"))
	data.provider.npi = "12345"
	with pytest.raises(RenderDataError) as caught:
		render_superbill_pdf(data)
	paths = [problem.path for problem in caught.value.problems]
	assert paths == [
		"provider.npi",
		"diagnoses[3].code",
		"services[1].charge",
		"services[2].diagnosis_pointers[0]",
		"services[3].procedure_code",
		"services[3].modifiers[1]",
	]
	message = str(caught.value)
	assert message.startswith("superbill cannot be rendered: ")
	assert "services[1].charge: expected a Decimal amount, got float" in message
	assert "services[2].diagnosis_pointers[0]: pointer 5 is outside the 4 diagnoses listed" in message
	assert "diagnoses[3].code: 'F411' is not an ICD-10-CM code such as F41.1" in message
	assert "services[3].modifiers[1]: 'GTX' is not a two-character modifier" in message


def test_pointer_past_the_diagnosis_list_is_refused():
	data = make_superbill()
	data.services[0].diagnosis_pointers = [1, 4]
	with pytest.raises(
		RenderDataError, match=r"services\[0\]\.diagnosis_pointers\[1\]: pointer 4 is outside the 3"
	):
		render_superbill_html(data)


def test_errors_do_not_repeat_patient_identifiers():
	data = make_superbill(patient=PatientDetails(name=PATIENT_NAME, date_of_birth="1984-07-19"))
	with pytest.raises(RenderDataError) as caught:
		render_superbill_html(data)
	message = str(caught.value)
	assert "patient.date_of_birth: expected a date, got str" in message
	assert "1984" not in message
	assert "Testwell" not in message


def test_paid_more_than_charged_is_refused():
	data = make_superbill()
	data.services[1].paid = Decimal("150.00")
	with pytest.raises(
		RenderDataError, match=r"services\[1\]\.paid: paid 150\.00 exceeds the charge 140\.00"
	):
		render_superbill_html(data)


def test_a_superbill_needs_diagnoses_and_services():
	with pytest.raises(RenderDataError) as caught:
		render_superbill_html(make_superbill(diagnoses=[], services=[]))
	assert [problem.path for problem in caught.value.problems] == ["diagnoses", "services"]


def test_image_that_is_not_png_or_jpeg_is_refused():
	practice = dataclasses.replace(make_superbill().practice, logo=EmbeddedImage(b"<svg></svg>"))
	with pytest.raises(RenderDataError, match=r"practice\.logo: is neither a PNG nor a JPEG"):
		render_superbill_html(make_superbill(practice=practice))


@pytest.mark.parametrize(
	("amount", "expected"),
	[
		(Decimal("0"), "$0.00"),
		(Decimal("1234.5"), "$1,234.50"),
		(Decimal("1234567.891"), "$1,234,567.89"),
		(Decimal("0.005"), "$0.01"),
		(Decimal("-12"), "-$12.00"),
	],
)
def test_money_format(amount, expected):
	assert formatting.money(amount) == expected


def test_date_and_quantity_formats():
	assert formatting.us_date(datetime.date(2026, 3, 2)) == "03/02/2026"
	assert formatting.us_date(None) == ""
	assert formatting.quantity(Decimal("2.00")) == "2"
	assert formatting.quantity(Decimal("1.50")) == "1.5"
	assert formatting.quantity(Decimal("1E+1")) == "10"


def test_environment_stylesheets_and_fonts_are_built_once_per_thread():
	assert pdf.environment() is pdf.environment()
	assert pdf.stylesheets() is pdf.stylesheets()
	assert pdf.font_configuration() is pdf.font_configuration()
	other_thread = {}

	def build_in_other_thread():
		other_thread["stylesheets"] = pdf.stylesheets()
		other_thread["environment"] = pdf.environment()

	worker = threading.Thread(target=build_in_other_thread)
	worker.start()
	worker.join()
	assert other_thread["stylesheets"] is not pdf.stylesheets()
	assert other_thread["environment"] is pdf.environment()


def test_renders_in_parallel_threads_keep_their_own_content():
	names = [f"Patient {index} Threadwell" for index in range(4)]
	results = {}

	def render(name):
		data = make_superbill(patient=PatientDetails(name=name, date_of_birth=PATIENT_DOB))
		results[name] = pdf_text(render_superbill_pdf(data))

	threads = [threading.Thread(target=render, args=(name,)) for name in names]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join()
	for name in names:
		others = [other for other in names if other != name]
		assert name in results[name]
		assert not any(other in results[name] for other in others)


def test_service_after_the_issue_date_is_refused():
	data = make_superbill(issue_date=datetime.date(2026, 3, 20))
	with pytest.raises(RenderDataError) as caught:
		render_superbill_html(data)
	assert [str(problem) for problem in caught.value.problems] == [
		"services[3].date_of_service: is after the issue date"
	]
