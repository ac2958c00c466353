frappe.query_reports["Needs Follow-up"] = {
	filters: [
		{ fieldname: "payer", label: __("Insurance Payer"), fieldtype: "Link", options: "Insurance Payer" },
		{
			fieldname: "days_without_response",
			label: __("Days Without Response"),
			fieldtype: "Int",
			description: __("Empty: the Follow Up After setting."),
		},
	],
};
