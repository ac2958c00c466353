// Patient Invoice: sending is submitting (through Stripe); void and resend; the Stripe payment page.

const PATIENT_API = "claims_billing.patient.api";

frappe.ui.form.on("Patient Invoice", {
	onload(frm) {
		if (frm.is_new() && !frm.doc.patient_doctype) {
			frm.set_value("patient_doctype", frappe.boot.claims_billing?.patient_doctype || "Customer");
		}
	},

	refresh(frm) {
		frm.toggle_display("patient_doctype", !frappe.boot.claims_billing?.healthcare_installed);
		if (frm.doc.last_stripe_error && frm.doc.docstatus === 0) {
			frm.set_intro(__("The last attempt to send failed: {0}", [frappe.utils.escape_html(frm.doc.last_stripe_error)]), "red");
		}
		if (frm.doc.docstatus === 0 && !frm.is_new() && frm.perm[0]?.submit) {
			// Submitting is sending: replace the standard Submit with the Stripe call.
			frm.page.set_primary_action(__("Send Invoice"), () =>
				call(frm, "send_draft_invoice", __("Sending to Stripe…"))
			);
		}
		if (frm.doc.docstatus === 1 && ["Sent", "Overdue"].includes(frm.doc.status)) {
			frm.page.clear_secondary_action();
			frm.add_custom_button(__("Void"), () =>
				frappe.confirm(__("Void invoice {0} at Stripe? The patient's balance stays open.", [frm.doc.name]), () =>
					call(frm, "void_invoice", __("Voiding…"))
				)
			);
		}
		if (frm.doc.docstatus > 0 && ["Sent", "Overdue", "Void"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Resend"), () =>
				frappe
					.xcall(`${PATIENT_API}.resend_invoice`, { name: frm.doc.name }, undefined, { freeze: true })
					.then((name) => frappe.set_route("Form", "Patient Invoice", name))
			);
		}
		if (frm.doc.hosted_invoice_url && ["Sent", "Overdue"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Payment Page"), () => window.open(frm.doc.hosted_invoice_url, "_blank"));
		}
		if (frm.doc.payment_entry) {
			frm.add_custom_button(__("Payment Entry"), () => frappe.set_route("Form", "Payment Entry", frm.doc.payment_entry));
		}
	},
});

function call(frm, method, message) {
	return frappe
		.call({ method: `${PATIENT_API}.${method}`, args: { name: frm.doc.name }, freeze: true, freeze_message: message })
		.always(() => frm.reload_doc());
}
