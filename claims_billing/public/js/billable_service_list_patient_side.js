// Unbilled Services list, patient side: "+ Create Superbill" and "Send Invoice" for the selected
// services (and per row), and batch superbills for a date range. Loaded after the list's own
// settings (hooks: doctype_list_js), which it extends rather than replaces.

(() => {
	const API = "claims_billing.patient.api";
	const settings = frappe.listview_settings["Billable Service"] || {};
	frappe.listview_settings["Billable Service"] = settings;

	const create_superbills = (names) =>
		frappe.xcall(`${API}.create_superbills`, { services: names }).then((created) => {
			if (created.length === 1) {
				frappe.set_route("Form", "Superbill", created[0]);
			} else {
				frappe.show_alert({ message: __("{0} superbills created", [created.length]), indicator: "green" });
				frappe.set_route("List", "Superbill");
			}
		});

	const send_invoice = (names) =>
		frappe
			.xcall(`${API}.send_invoice`, { services: names }, undefined, {
				freeze: true,
				freeze_message: __("Sending to Stripe…"),
			})
			.then((name) => frappe.set_route("Form", "Patient Invoice", name));

	const private_pay_unbilled = (doc) => doc.status === "Unbilled" && doc.billing_route === "Private Pay";

	const previous_onload = settings.onload;
	settings.onload = function (listview) {
		if (previous_onload) previous_onload.call(this, listview);
		const selected = () => listview.get_checked_items(true);
		if (frappe.model.can_create("Superbill")) {
			listview.page.add_actions_menu_item(__("Create Superbill"), () => create_superbills(selected()), false);
			listview.page.add_inner_button(__("Superbills for Date Range"), () =>
				claims_billing.superbills.batch_dialog()
			);
		}
		if (frappe.model.can_create("Patient Invoice")) {
			listview.page.add_actions_menu_item(__("Send Invoice"), () => send_invoice(selected()), false);
		}
	};

	settings.add_fields = [...new Set([...(settings.add_fields || []), "billing_route"])];

	if (claims_billing.unbilled_services?.add_row_action) {
		claims_billing.unbilled_services.add_row_action({
			label: __("Send Invoice"),
			show: (doc) => doc.billing_route === "Private Pay" && frappe.model.can_create("Patient Invoice"),
			action: (doc) => send_invoice([doc.name]),
		});
		claims_billing.unbilled_services.add_row_action({
			label: __("Create Superbill"),
			show: (doc) => private_pay_unbilled(doc) && frappe.model.can_create("Superbill"),
			action: (doc) => create_superbills([doc.name]),
		});
	}
})();
