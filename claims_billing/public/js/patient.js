// Patient form (Healthcare): insurance snapshot and a way to edit the policies.
frappe.ui.form.on("Patient", {
	billing_insurance_policies(frm) {
		if (frm.is_new()) {
			frappe.msgprint(__("Save the patient first."));
			return;
		}
		frappe.set_route("List", "Patient Insurance Policy", {
			patient_doctype: "Patient",
			patient: frm.doc.name,
		});
	},
});
