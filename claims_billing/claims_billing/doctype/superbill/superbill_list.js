// Superbills: status indicators, the PDF from the list, and batch generation for a date range
// (the dialog is public/js/superbill_batch.js, added to this list by hooks.doctype_list_js).

frappe.listview_settings["Superbill"] = {
	add_fields: ["status", "pdf", "docstatus"],
	has_indicator_for_draft: true,

	get_indicator(doc) {
		const colours = { Draft: "gray", Issued: "green", Cancelled: "red" };
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},

	button: {
		show: (doc) => Boolean(doc.pdf),
		get_label: () => __("PDF"),
		get_description: () => __("Download the superbill PDF"),
		action: (doc) => window.open(doc.pdf, "_blank"),
	},

	onload(listview) {
		if (frappe.model.can_submit("Superbill")) {
			listview.page.add_inner_button(__("Superbills for Date Range"), () =>
				claims_billing.superbills.batch_dialog()
			);
		}
	},
};
