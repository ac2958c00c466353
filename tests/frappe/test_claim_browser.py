"""The Unbilled Services list in headless Chromium: the row's "Initiate Claim" action makes a claim for
that service, and the list's Actions menu offers "Initiate Claims" for the selected rows.
"""

import frappe
import pytest

pytest.importorskip("selenium", reason="selenium is not installed in the bench env")
from selenium.webdriver.common.by import By
from test_browser import PASSWORD, SHOTS, browser, desk_data, visible, wait_for  # noqa: F401

pytestmark = pytest.mark.usefixtures("browser")


def test_initiate_claim_from_the_unbilled_services_list(web_server, desk_data, browser):  # noqa: F811
	service = frappe.get_all(
		"Billable Service", filters={"patient": desk_data.patient.name, "status": "Unbilled"}, pluck="name"
	)[0]
	browser.get(f"{web_server}/login")
	visible(browser, "#login_email").send_keys(desk_data.user)
	browser.find_element(By.CSS_SELECTOR, "#login_password").send_keys(PASSWORD)
	browser.find_element(By.CSS_SELECTOR, ".btn-login").click()
	wait_for(browser, lambda d: "/app" in d.current_url)
	claim = None
	try:
		browser.get(f"{web_server}/app/billable-service?status=Unbilled")
		# The list's Actions menu offers the bulk action (its items are added after the menu renders).
		menu_labels = "return $('.actions-btn-group .dropdown-menu .dropdown-item').map((i, el) => $(el).text().trim()).get()"
		wait_for(browser, lambda d: "Initiate Claims" in d.execute_script(menu_labels))
		row_button = wait_for(
			browser,
			lambda d: d.execute_script(
				"return $(`.btn-action[data-name='${arguments[0]}']:visible`)[0]", service
			),
		)
		row_button.click()
		menu = visible(browser, ".claims-billing-row-menu")
		item = next(
			el for el in menu.find_elements(By.CSS_SELECTOR, ".dropdown-item") if el.text == "Initiate Claim"
		)
		item.click()
		dialog = visible(browser, ".modal.show .modal-title")
		wait_for(browser, lambda d: "Claims: 0 queued, 1 drafts" in dialog.text)
		browser.save_screenshot(SHOTS.format("initiate_claim"))
		frappe.db.rollback()
		claim = frappe.db.get_value("Billable Service", service, "billed_by")
		assert frappe.db.get_value("Billable Service", service, "status") == "On Claim"
		assert frappe.db.get_value("Insurance Claim", claim, ["docstatus", "status", "patient"]) == (
			0,
			"Draft",
			desk_data.patient.name,
		)
		assert claim in browser.find_element(By.CSS_SELECTOR, ".modal.show .modal-body").text
	finally:
		frappe.db.rollback()
		if claim and frappe.db.exists("Insurance Claim", claim):
			frappe.delete_doc("Insurance Claim", claim, force=True, ignore_permissions=True)
			frappe.db.commit()
