"""The desk in headless Chromium: log in, open the Claims workspace and Unbilled Services, create a service.

Screenshots go to /tmp/claims_billing_*.png.
"""

import shutil
import tempfile

import frappe
import pytest
from records import days_ago, make_fee_schedule, valid_npi

selenium = pytest.importorskip("selenium", reason="selenium is not installed in the bench env")
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as until
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
	not (CHROMIUM and CHROMEDRIVER), reason="Debian's chromium and chromium-driver are not installed"
)
PASSWORD = "Cb-browser-test-1!"
SHOTS = "/tmp/claims_billing_{}.png"


@pytest.fixture(scope="module")
def desk_data(committed):
	suffix = frappe.generate_hash(length=6)
	user = committed.insert(
		{
			"doctype": "User",
			"email": f"cb-browser-{suffix}@example.com",
			"first_name": "Browser",
			"last_name": "Biller",
			"send_welcome_email": 0,
			"new_password": PASSWORD,
			"roles": [{"role": "Billing Manager"}],
		}
	)
	patient = committed.insert(
		{"doctype": "Patient", "first_name": "Browser", "last_name": f"Patient {suffix}", "sex": "Female"}
	)
	if patient.customer:
		committed.created.insert(0, ("Customer", patient.customer))
	practitioner = committed.insert(
		{
			"doctype": "Billing Practitioner",
			"first_name": "Web",
			"last_name": f"Clinician {suffix}",
			"npi": valid_npi(),
		}
	)
	committed.add(make_fee_schedule([("97110", "", 40)]))
	payer = committed.insert({"doctype": "Insurance Payer", "payer_name": f"Browser Payer {suffix}"})
	committed.created.insert(0, ("Customer", payer.customer))
	committed.insert(
		{
			"doctype": "Patient Insurance Policy",
			"patient_doctype": "Patient",
			"patient": patient.name,
			"payer": payer.name,
			"member_id": "BRW123",
			"valid_from": "2026-01-01",
		}
	)
	# One insured service already on the list, so it shows its columns.
	committed.insert(
		{
			"doctype": "Billable Service",
			"patient_doctype": "Patient",
			"patient": patient.name,
			"practitioner": practitioner.name,
			"date_of_service": days_ago(6),
			"procedure_code": "97110",
			"units": 2,
			"diagnoses": [{"icd10_code": "M54.50"}],
		}
	)
	frappe.db.commit()
	yield frappe._dict(
		user=user.name, patient=patient, practitioner=practitioner, payer_name=payer.payer_name
	)
	frappe.db.rollback()
	# Services made through the desk go before the records they link to.
	for name in frappe.get_all("Billable Service", filters={"patient": patient.name}, pluck="name"):
		committed.created.append(("Billable Service", name))


@pytest.fixture(scope="module")
def browser():
	profile = tempfile.mkdtemp(prefix="claims_billing_chromium_")
	options = webdriver.ChromeOptions()
	options.binary_location = CHROMIUM
	for flag in (
		"--headless",
		"--no-sandbox",
		"--disable-gpu",
		"--disable-quic",
		"--no-first-run",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--window-size=1400,1000",
		f"--user-data-dir={profile}",
	):
		options.add_argument(flag)
	driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
	driver.implicitly_wait(0)
	yield driver
	driver.save_screenshot(SHOTS.format("last_page"))
	driver.quit()
	shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver, condition, timeout=40):
	return WebDriverWait(driver, timeout).until(condition)


def visible(driver, css, timeout=40):
	return wait_for(driver, until.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout)


def visible_text(driver, css: str) -> str:
	"""Text of the visible matches only: desk keeps earlier pages in the DOM, hidden."""
	return driver.execute_script(
		"return $(arguments[0]).filter(':visible').map((i, el) => $(el).text().trim()).get().join(' | ')", css
	)


def field_input(driver, fieldname: str, tag: str = "input"):
	"""The visible input of a form field (earlier forms stay in the DOM, hidden)."""
	control = f'.frappe-control[data-fieldname="{fieldname}"]:visible'
	return wait_for(driver, lambda d: d.execute_script(f"return $('{control} {tag}:visible')[0]"))


def fill_link(driver, fieldname: str, value: str):
	"""Type into a Link field and pick the value from its dropdown, as a user would."""
	control = f'.frappe-control[data-fieldname="{fieldname}"]:visible'
	field = field_input(driver, fieldname)
	field.click()
	field.send_keys(value)
	option = wait_for(
		driver,
		lambda d: d.execute_script(
			f"return $('{control} [role=option]:visible').filter((i, el) => "
			"$(el).text().includes(arguments[0]))[0]",
			value,
		),
	)
	option.click()
	wait_for(driver, lambda d: d.execute_script(f"return cur_frm.doc.{fieldname}") == value)


def test_desk_workspace_list_and_new_service(web_server, desk_data, browser):
	browser.get(f"{web_server}/login")
	visible(browser, "#login_email").send_keys(desk_data.user)
	browser.find_element(By.CSS_SELECTOR, "#login_password").send_keys(PASSWORD)
	browser.find_element(By.CSS_SELECTOR, ".btn-login").click()
	wait_for(browser, lambda d: "/app" in d.current_url)

	# The Claims workspace and its Unbilled Services shortcut.
	browser.get(f"{web_server}/app/claims")
	shortcut = visible(browser, '.shortcut-widget-box[aria-label="Unbilled Services"]')
	wait_for(
		browser, lambda d: "Billing Lists" in d.find_element(By.CSS_SELECTOR, ".layout-main-section").text
	)
	browser.save_screenshot(SHOTS.format("workspace"))
	shortcut.click()

	# The Unbilled Services list: Billable Service filtered to status Unbilled.
	wait_for(browser, lambda d: "/app/billable-service" in d.current_url)
	wait_for(browser, lambda d: visible_text(d, ".page-title .title-text") == "Unbilled Services")
	wait_for(browser, lambda d: visible_text(d, ".list-row-head"))
	header = visible_text(browser, ".list-row-head")
	for column in ("Date of Service", "Primary Service", "Payer Name", "Service Charges"):
		assert column in header
	rows = visible_text(browser, ".list-row-container")
	assert desk_data.payer_name in rows
	assert "$ 80.00" in rows
	browser.save_screenshot(SHOTS.format("unbilled_list"))

	# "+ Create New Service" opens the form.
	wait_for(browser, lambda d: "Create New Service" in visible_text(d, ".page-actions .primary-action"))
	browser.execute_script("$('.page-actions .primary-action:visible').click()")
	wait_for(browser, lambda d: "/app/billable-service/new-billable-service" in d.current_url)
	field_input(browser, "procedure_code")
	fill_link(browser, "patient", desk_data.patient.name)
	fill_link(browser, "practitioner", desk_data.practitioner.name)
	date_input = field_input(browser, "date_of_service")
	date_input.clear()
	date_input.send_keys(frappe.utils.formatdate(days_ago(1)), Keys.ESCAPE)
	field_input(browser, "procedure_code").send_keys("97110", Keys.TAB)
	wait_for(browser, lambda d: d.execute_script("return cur_frm.doc.rate") == 40)
	route = field_input(browser, "billing_route", "select")
	webdriver.support.select.Select(route).select_by_value("Private Pay")
	browser.find_element(By.TAG_NAME, "body").send_keys(Keys.CONTROL, "s")
	wait_for(browser, lambda d: "/app/billable-service/SVC-" in d.current_url)
	wait_for(browser, lambda d: "Unbilled" in visible_text(d, ".page-head .indicator-pill"))
	browser.execute_script("window.scrollTo(0, 0)")
	browser.save_screenshot(SHOTS.format("new_service"))

	name = browser.current_url.rsplit("/", 1)[-1]
	frappe.db.rollback()
	service = frappe.get_doc("Billable Service", name)
	assert (service.patient, service.practitioner, service.procedure_code) == (
		desk_data.patient.name,
		desk_data.practitioner.name,
		"97110",
	)
	assert (service.status, service.billing_route, service.charge) == ("Unbilled", "Private Pay", 40)
	assert str(service.date_of_service) == days_ago(1)

	# Back on the list: the new row, with its Edit / Delete actions.
	browser.get(f"{web_server}/app/billable-service?status=Unbilled")
	row_button = wait_for(
		browser, lambda d: d.execute_script(f"return $('.btn-action[data-name=\"{name}\"]:visible')[0]")
	)
	row_button.click()
	menu = visible(browser, ".claims-billing-row-menu")
	actions = [item.text for item in menu.find_elements(By.CSS_SELECTOR, ".dropdown-item")]
	# Other issues add their actions in front (a private-pay service: superbill and invoice).
	assert actions[-2:] == ["Edit", "Delete"]
	assert {"Create Superbill", "Send Invoice"} <= set(actions)
	browser.save_screenshot(SHOTS.format("row_actions"))
