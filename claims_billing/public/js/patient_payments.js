// Patient form (Healthcare), patient side of billing: the Payments tab (per service: charge,
// insurance paid, patient paid, write-off, balance), superbills, invoices and the statement.

frappe.ui.form.on("Patient", {
	refresh(frm) {
		if (frm.is_new() || !frappe.model.can_read("Patient Invoice")) return;
		const group = __("Billing");
		if (frappe.model.can_create("Superbill")) {
			frm.add_custom_button(__("Create Superbill"), () =>
				frappe.new_doc("Superbill", { patient_doctype: "Patient", patient: frm.doc.name }), group);
		}
		if (frappe.model.can_create("Patient Invoice")) {
			frm.add_custom_button(__("Send Invoice"), () => claims_billing.patient_payments.send_dialog(frm), group);
		}
		frm.add_custom_button(__("Patient Statement"), () =>
			window.open(
				"/api/method/claims_billing.patient.api.patient_statement?" +
					new URLSearchParams({ patient_doctype: "Patient", patient: frm.doc.name }),
				"_blank"
			), group);
		frm.add_custom_button(__("Payments Ledger"), () =>
			frappe.set_route("query-report", "Patient Payments Ledger", { patient_doctype: "Patient", patient: frm.doc.name }), group);
		claims_billing.patient_payments.render(frm);
	},
});

frappe.provide("claims_billing.patient_payments");

claims_billing.patient_payments.load = (frm) =>
	frappe.xcall("claims_billing.patient.api.patient_payments", { patient_doctype: "Patient", patient: frm.doc.name });

claims_billing.patient_payments.render = function (frm) {
	const field = frm.get_field("billing_payments_html");
	if (!field) return;
	claims_billing.patient_payments.load(frm).then((ledger) => {
		const money = (value) => format_currency(flt(value));
		const header = [__("Date of Service"), __("Service"), __("Status"), __("Service Charge"), __("Insurance Paid"),
			__("Patient Paid"), __("Write-Off"), __("Balance")];
		const rows = ledger.rows.map((row) => `<tr>
			<td>${frappe.datetime.str_to_user(row.date_of_service)}</td>
			<td><a href="/app/billable-service/${encodeURIComponent(row.service)}">${frappe.utils.escape_html(row.primary_service || row.service)}</a></td>
			<td>${frappe.utils.escape_html(__(row.status))}</td>
			<td class="text-right">${money(row.charge)}</td>
			<td class="text-right">${money(row.insurance_paid)}</td>
			<td class="text-right">${money(row.patient_paid)}</td>
			<td class="text-right">${money(row.write_off)}</td>
			<td class="text-right">${money(row.balance)}</td></tr>`).join("");
		const totals = ledger.totals;
		field.$wrapper.html(`<table class="table table-bordered table-sm">
			<thead><tr>${header.map((label) => `<th>${label}</th>`).join("")}</tr></thead>
			<tbody>${rows || `<tr><td colspan="8" class="text-muted">${__("No services yet")}</td></tr>`}</tbody>
			<tfoot><tr><th colspan="3">${__("Total")}</th><th class="text-right">${money(totals.charge)}</th>
			<th class="text-right">${money(totals.insurance_paid)}</th><th class="text-right">${money(totals.patient_paid)}</th>
			<th class="text-right">${money(totals.write_off)}</th><th class="text-right">${money(totals.balance)}</th></tr></tfoot>
			</table>${flt(ledger.unapplied) ? `<p>${__("Unapplied payments: {0}", [money(ledger.unapplied)])}</p>` : ""}`);
	});
};

claims_billing.patient_payments.send_dialog = function (frm) {
	claims_billing.patient_payments.load(frm).then((ledger) => {
		const owed = ledger.rows.filter(
			(row) => flt(row.patient_balance) > 0 || (row.status === "Unbilled" && flt(row.charge) > 0)
		);
		if (!owed.length) {
			frappe.msgprint(__("The patient owes nothing that can be invoiced."));
			return;
		}
		const dialog = new frappe.ui.Dialog({
			title: __("Send Invoice"),
			fields: [{
				fieldname: "services",
				fieldtype: "MultiCheck",
				label: __("Services"),
				options: owed.map((row) => ({
					label: `${frappe.datetime.str_to_user(row.date_of_service)} ${row.primary_service}: ${format_currency(
						flt(row.patient_balance) > 0 ? row.patient_balance : row.charge)}`,
					value: row.service,
					checked: 1,
				})),
			}],
			primary_action_label: __("Send"),
			primary_action({ services }) {
				dialog.hide();
				frappe.xcall("claims_billing.patient.api.send_invoice", { services }, undefined, {
					freeze: true, freeze_message: __("Sending to Stripe…"),
				}).then((name) => frappe.set_route("Form", "Patient Invoice", name));
			},
		});
		dialog.show();
	});
};
