// Insurance Claim form: problems at a glance, status override, Duplicate & Resubmit, Void.

frappe.ui.form.on("Insurance Claim", {
	setup(frm) {
		frm.set_query("insurance_policy", () => ({
			filters: { patient_doctype: frm.doc.patient_doctype, patient: frm.doc.patient, enabled: 1 },
		}));
		frm.set_query("billable_service", "services", () => ({
			filters: {
				patient_doctype: frm.doc.patient_doctype,
				patient: frm.doc.patient,
				status: ["in", ["Unbilled", "On Claim"]],
			},
		}));
	},

	refresh(frm) {
		frm.set_intro("");
		if (frm.doc.problems) {
			const items = frm.doc.problems.split("\n").map((line) => `<li>${frappe.utils.escape_html(line)}</li>`);
			frm.set_intro(__("This claim can't be queued yet:") + `<ul>${items.join("")}</ul>`, "red");
		} else if (frm.doc.needs_attention && frm.doc.last_response) {
			frm.set_intro(frappe.utils.escape_html(frm.doc.last_response).replace(/\n/g, "<br>"), "orange");
		}
		if (frm.doc.docstatus !== 1) return;
		const status = frm.doc.status;
		if (["Rejected by Clearinghouse", "Rejected by Payer", "Denied", "Partially Paid", "Paid"].includes(status)) {
			frm.add_custom_button(__("Duplicate & Resubmit"), () =>
				frappe
					.xcall("claims_billing.claims.api.duplicate_and_resubmit", { claim: frm.doc.name })
					.then((name) => frappe.set_route("Form", "Insurance Claim", name))
			);
		}
		if (["Accepted by Payer", "Paid", "Partially Paid", "Denied", "Closed"].includes(status) && !frm.doc.voided_by) {
			frm.add_custom_button(__("Void"), () =>
				frappe.prompt(
					{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
					({ reason }) =>
						frappe
							.xcall("claims_billing.claims.api.void_claim", { claim: frm.doc.name, reason })
							.then((name) => frappe.set_route("Form", "Insurance Claim", name)),
					__("Void Claim {0}", [frm.doc.name]),
					__("Queue Void")
				)
			);
		}
		frappe
			.xcall("claims_billing.claims_billing.doctype.insurance_claim.insurance_claim.get_status_options", {
				name: frm.doc.name,
			})
			.then((options) => {
				if (!options.can_override || !options.manual.length) return;
				frm.add_custom_button(
					__("Set Status"),
					() =>
						frappe.prompt(
							[
								{ fieldname: "status", fieldtype: "Select", label: __("New Status"), options: options.manual, reqd: 1 },
								{
									fieldname: "reason",
									fieldtype: "Small Text",
									label: __("Reason (the call or letter it is based on)"),
									reqd: 1,
								},
							],
							({ status, reason }) =>
								frappe
									.xcall("claims_billing.claims.api.set_claim_status", {
										claim: frm.doc.name,
										status,
										reason,
									})
									.then(() => frm.reload_doc()),
							__("Set Status by Hand"),
							__("Set")
						),
					__("Actions")
				);
			});
	},
});
