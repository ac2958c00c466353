frappe.listview_settings["Billing Practitioner"] = {
	add_fields: ["enabled", "npi"],
	get_indicator(doc) {
		if (!doc.enabled) return [__("Disabled"), "gray", "enabled,=,0"];
		if (!doc.npi) return [__("No NPI"), "orange", "npi,is,not set"];
		return [__("Active"), "green", "enabled,=,1"];
	},
};
