// Payments ledger of one patient: per service, what was charged, paid by insurance and by the
// patient, written off, and what is still open. Derived from ERPNext's documents.

frappe.query_reports["Patient Payments Ledger"] = {
	filters: [
		{
			fieldname: "patient_doctype",
			label: __("Patient Record"),
			fieldtype: "Select",
			options: ["Patient", "Customer"],
			default: frappe.boot.claims_billing?.patient_doctype || "Customer",
			reqd: 1,
		},
		{
			fieldname: "patient",
			label: __("Patient"),
			fieldtype: "Dynamic Link",
			options: "patient_doctype",
			reqd: 1,
		},
	],
	onload(report) {
		report.page.add_inner_button(__("Patient Statement"), () => {
			const { patient_doctype, patient } = report.get_values() || {};
			if (!patient) return frappe.msgprint(__("Choose a patient first."));
			window.open(
				"/api/method/claims_billing.patient.api.patient_statement?" +
					new URLSearchParams({ patient_doctype, patient }),
				"_blank"
			);
		});
	},
};
