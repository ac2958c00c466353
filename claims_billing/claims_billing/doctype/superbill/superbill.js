// Superbill: pick the patient and practitioner, add their private-pay services, submit to issue the PDF.

const SUPERBILL_API = "claims_billing.patient.api";

frappe.ui.form.on("Superbill", {
	setup(frm) {
		frm.set_query("billable_service", "services", () => ({
			filters: {
				patient_doctype: frm.doc.patient_doctype,
				patient: frm.doc.patient,
				practitioner: frm.doc.practitioner,
				billing_route: "Private Pay",
				status: ["in", ["Unbilled", "Invoiced"]],
			},
		}));
		frm.set_query("practitioner", () => ({ filters: { enabled: 1 } }));
	},

	onload(frm) {
		if (frm.is_new() && !frm.doc.patient_doctype) {
			frm.set_value("patient_doctype", frappe.boot.claims_billing?.patient_doctype || "Customer");
		}
	},

	refresh(frm) {
		frm.toggle_display("patient_doctype", !frappe.boot.claims_billing?.healthcare_installed);
		if (frm.doc.docstatus === 0 && frm.doc.patient && frm.doc.practitioner) {
			frm.add_custom_button(__("Get Unbilled Services"), () => add_unbilled_services(frm));
		}
		if (frm.doc.pdf) {
			frm.add_custom_button(__("Download PDF"), () => window.open(frm.doc.pdf, "_blank"));
		}
		if (frm.doc.docstatus === 1 && flt(frm.doc.total_balance) > 0 && frappe.model.can_create("Patient Invoice")) {
			frm.add_custom_button(__("Send Invoice"), () =>
				frappe
					.xcall(`${SUPERBILL_API}.send_invoice`, { superbill: frm.doc.name })
					.then((name) => frappe.set_route("Form", "Patient Invoice", name))
			);
		}
	},
});

function add_unbilled_services(frm) {
	frappe.db
		.get_list("Billable Service", {
			filters: {
				patient_doctype: frm.doc.patient_doctype,
				patient: frm.doc.patient,
				practitioner: frm.doc.practitioner,
				billing_route: "Private Pay",
				status: "Unbilled",
			},
			fields: ["name"],
			order_by: "date_of_service asc",
			limit: 200,
		})
		.then((rows) => {
			const present = new Set((frm.doc.services || []).map((row) => row.billable_service));
			const added = rows.filter((row) => !present.has(row.name));
			added.forEach((row) => frm.add_child("services", { billable_service: row.name }));
			frm.refresh_field("services");
			frappe.show_alert({ message: __("{0} services added", [added.length]), indicator: "green" });
		});
}
