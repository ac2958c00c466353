// Denials worklist: act on the selected denials from the list.
frappe.listview_settings["Claim Denial"] = {
	add_fields: ["status", "next_action", "due_date"],
	get_indicator(doc) {
		const colours = {
			Open: "red",
			Appealed: "orange",
			Resubmitted: "blue",
			"Billed to Patient": "purple",
			"Written Off": "gray",
			Closed: "green",
		};
		return [__(doc.status), colours[doc.status] || "gray", `status,=,${doc.status}`];
	},
	onload(listview) {
		const act = (label, method, args = {}) => {
			listview.page.add_action_item(__(label), () => {
				const names = listview.get_checked_items(true);
				if (!names.length) return;
				frappe.confirm(__("{0} for {1} denial(s)?", [__(label), names.length]), async () => {
					for (const name of names) {
						await frappe.call({ method, args: { name, ...args } });
					}
					listview.refresh();
				});
			});
		};
		act("Resubmit", "claims_billing.remittance.api.resubmit_denial");
		act("Appeal", "claims_billing.remittance.api.appeal_denial");
		act("Write Off", "claims_billing.remittance.api.write_off_denial");
	},
};
