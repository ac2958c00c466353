frappe.listview_settings["Insurance Payment"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colours = {
			Draft: "gray",
			"Needs Review": "orange",
			"Ready to Post": "blue",
			Posted: "green",
			Cancelled: "red",
		};
		return [__(doc.status), colours[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
