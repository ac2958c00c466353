frappe.ui.form.on("Patient Insurance Policy", {
	setup(frm) {
		frm.set_query("payer", () => ({ filters: { disabled: 0 } }));
	},
	onload(frm) {
		if (frm.is_new() && !frm.doc.patient_doctype) {
			frm.set_value("patient_doctype", frappe.boot.claims_billing?.patient_doctype || "Customer");
		}
	},
	refresh(frm) {
		frm.toggle_display("patient_doctype", !frappe.boot.claims_billing?.healthcare_installed);
	},
});
