frappe.listview_settings["Clearinghouse Exception"] = {
	add_fields: ["status"],
	filters: [["status", "=", "Open"]],
	get_indicator(doc) {
		return doc.status === "Open" ? [__("Open"), "orange", "status,=,Open"] : [__("Resolved"), "green", "status,=,Resolved"];
	},
};
