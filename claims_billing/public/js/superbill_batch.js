// Batch superbills for a date range: a dialog shared by the Superbill and Billable Service lists.

frappe.provide("claims_billing.superbills");

claims_billing.superbills.batch_dialog = function (defaults = {}) {
	const dialog = new frappe.ui.Dialog({
		title: __("Issue Superbills for a Date Range"),
		fields: [
			{ fieldname: "from_date", fieldtype: "Date", label: __("From"), reqd: 1, default: defaults.from_date },
			{ fieldname: "to_date", fieldtype: "Date", label: __("To"), reqd: 1, default: defaults.to_date || frappe.datetime.get_today() },
			{ fieldname: "practitioner", fieldtype: "Link", options: "Billing Practitioner", label: __("Rendering Practitioner") },
		],
		primary_action_label: __("Issue"),
		primary_action(values) {
			dialog.hide();
			frappe
				.xcall("claims_billing.patient.api.create_superbills_for_range", values)
				.then((result) => {
					if (result.queued) {
						frappe.msgprint(__("{0} services are being put on superbills in the background.", [result.queued]));
						return;
					}
					const failed = (result.failed || [])
						.map((row) => `<li>${frappe.utils.escape_html(row.services.join(", "))}: ${frappe.utils.escape_html(row.error)}</li>`)
						.join("");
					frappe.msgprint({
						title: __("Superbills"),
						message:
							__("{0} superbills issued.", [result.issued.length]) +
							(failed ? `<br>${__("Not issued:")}<ul>${failed}</ul>` : ""),
						indicator: failed ? "orange" : "green",
					});
					cur_list && cur_list.refresh();
				});
		},
	});
	dialog.show();
};
