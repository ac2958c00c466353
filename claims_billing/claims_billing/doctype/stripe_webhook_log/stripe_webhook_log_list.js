frappe.listview_settings["Stripe Webhook Log"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colours = { Processed: "green", Ignored: "gray", Failed: "red" };
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
