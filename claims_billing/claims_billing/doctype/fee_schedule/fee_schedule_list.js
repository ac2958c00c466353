frappe.listview_settings["Fee Schedule"] = {
	add_fields: ["enabled", "effective_from", "effective_to"],
	get_indicator(doc) {
		const today = frappe.datetime.get_today();
		if (!doc.enabled) return [__("Disabled"), "gray", "enabled,=,0"];
		if (doc.effective_from > today) return [__("Future"), "blue", "effective_from,>,Today"];
		if (doc.effective_to && doc.effective_to < today) return [__("Ended"), "orange", "effective_to,<,Today"];
		return [__("In Effect"), "green", "enabled,=,1"];
	},
};
