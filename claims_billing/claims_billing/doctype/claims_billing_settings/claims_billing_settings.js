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
		frm.set_query("stripe_deposit_account", () => ({
			filters: { company: frm.doc.company, is_group: 0, account_type: ["in", ["Bank", "Cash"]] },
		}));
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

// Clearinghouse connection (claims_billing.claims.api).
frappe.ui.form.on("Claims Billing Settings", {
	test_connection(frm) {
		frappe.xcall("claims_billing.claims.api.test_connection").then((result) => {
			if (result.host_key) {
				frappe.confirm(
					__("{0}<br><br>Pin host key {1}? Only do this after the clearinghouse confirmed the fingerprint.", [
						frappe.utils.escape_html(result.message),
						frappe.utils.escape_html(result.fingerprint),
					]),
					() => frm.set_value("sftp_host_key", result.host_key).then(() => frm.save())
				);
				return;
			}
			frappe.msgprint({
				message: frappe.utils.escape_html(result.message),
				indicator: result.ok ? "green" : "red",
				title: result.ok ? __("Connected") : __("Connection failed"),
			});
		});
	},
	submit_queued_claims(frm) {
		frappe.xcall("claims_billing.claims.api.send_queued_claims_now").then((summary) => {
			frappe.msgprint(
				summary.error
					? frappe.utils.escape_html(summary.error)
					: __("{0} claims sent in {1} files.", [summary.claims, summary.uploaded.length])
			);
			frm.reload_doc();
		});
	},
	fetch_responses(frm) {
		frappe.xcall("claims_billing.claims.api.fetch_responses_now").then((summary) => {
			frappe.msgprint(
				summary.error
					? frappe.utils.escape_html(summary.error)
					: __("{0} response files received, {1} repeats skipped.", [
							summary.received.length,
							summary.duplicates.length,
					  ])
			);
			frm.reload_doc();
		});
	},
});
