frappe.ui.form.on("Claims Billing Settings", {
	setup(frm) {
		const account_query = (account_type, root_type) => () => ({
			filters: Object.assign(
				{ company: frm.doc.company, is_group: 0 },
				account_type ? { account_type } : { root_type }
			),
		});
		frm.set_query("insurance_receivable_account", account_query("Receivable"));
		frm.set_query("patient_receivable_account", account_query("Receivable"));
		frm.set_query("contractual_adjustment_account", account_query(null, "Expense"));
		frm.set_query("cost_center", () => ({ filters: { company: frm.doc.company, is_group: 0 } }));
	},
	create_default_accounts(frm) {
		frm.call("create_missing_accounts").then(({ message }) => {
			frappe.show_alert({
				message: message?.length
					? __("Created {0}", [message.join(", ")])
					: __("All accounts were already set"),
				indicator: "green",
			});
			frm.reload_doc();
		});
	},
});
