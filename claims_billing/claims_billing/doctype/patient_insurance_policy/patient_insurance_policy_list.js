// Coverage indicator from today's date, so it never goes stale.
frappe.listview_settings["Patient Insurance Policy"] = {
	add_fields: ["enabled", "valid_from", "valid_to", "priority"],
	get_indicator(doc) {
		const today = frappe.datetime.get_today();
		if (!doc.enabled) return [__("Inactive"), "gray", "enabled,=,0"];
		if (doc.valid_from > today) return [__("Future"), "blue", "valid_from,>,Today"];
		if (doc.valid_to && doc.valid_to < today) return [__("Expired"), "orange", "valid_to,<,Today"];
		return [__("Active {0}", [__(doc.priority)]), "green", "enabled,=,1"];
	},
};
