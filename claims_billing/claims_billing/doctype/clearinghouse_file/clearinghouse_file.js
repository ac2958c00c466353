frappe.ui.form.on("Clearinghouse File", {
	refresh(frm) {
		if (frm.doc.status === "Upload Unconfirmed" && frappe.user.has_role("Billing Manager")) {
			frm.add_custom_button(__("It Arrived: Confirm"), () =>
				frappe
					.xcall("claims_billing.claims.api.confirm_upload", { clearinghouse_file: frm.doc.name })
					.then(() => frm.reload_doc())
			);
			frm.add_custom_button(__("It Never Arrived: Upload Again"), () =>
				frappe
					.xcall("claims_billing.claims.api.retry_upload", { clearinghouse_file: frm.doc.name })
					.then(() => frm.reload_doc())
			);
		}
		if (frm.doc.error) frm.set_intro(frappe.utils.escape_html(frm.doc.error), "red");
	},
});
