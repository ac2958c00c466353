frappe.listview_settings["Patient Invoice"] = {
	add_fields: ["status", "docstatus", "hosted_invoice_url"],
	has_indicator_for_draft: true,
	get_indicator(doc) {
		const colours = { Draft: "gray", Sent: "blue", Paid: "green", Overdue: "orange", Void: "red" };
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
