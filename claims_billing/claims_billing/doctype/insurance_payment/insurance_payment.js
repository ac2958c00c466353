// Insurance Payment: manual EOB entry helpers and the review of ERA payments.
frappe.ui.form.on("Insurance Payment", {
	refresh(frm) {
		if (frm.doc.docstatus === 0 && frm.doc.source === "Manual" && frm.doc.payer) {
			frm.add_custom_button(__("Add Services"), () => claims_billing_pick_services(frm));
		}
	},
});

frappe.ui.form.on("Insurance Payment Service", {
	paid: (frm, cdt, cdn) => claims_billing_write_off(frm, cdt, cdn),
	patient_responsibility: (frm, cdt, cdn) => claims_billing_write_off(frm, cdt, cdn),
});

// The write-off calculator: write-off = charge - insurance paid - client owes.
function claims_billing_write_off(frm, cdt, cdn) {
	const row = locals[cdt][cdn];
	const value = flt(row.charge) - flt(row.paid) - flt(row.patient_responsibility);
	frappe.model.set_value(cdt, cdn, "write_off", flt(value, 2));
}

function claims_billing_pick_services(frm) {
	frappe.call({
		method: "claims_billing.remittance.api.services_for_manual_payment",
		args: {
			payer: frm.doc.payer,
			from_date: frm.doc.service_date_from,
			to_date: frm.doc.service_date_to,
		},
	}).then((r) => {
		const rows = r.message || [];
		const dialog = new frappe.ui.Dialog({
			title: __("Services this payment covers"),
			fields: [
				{
					fieldname: "services",
					fieldtype: "MultiCheck",
					options: rows.map((row) => ({
						label: `${row.claim} · ${row.procedure_code} · ${row.date_of_service} · ${row.charge}`,
						value: row.billable_service,
					})),
				},
			],
			primary_action_label: __("Add"),
			primary_action(values) {
				const picked = new Set(values.services || []);
				rows.filter((row) => picked.has(row.billable_service)).forEach((row) => {
					const child = frm.add_child("services", {
						insurance_claim: row.claim,
						billable_service: row.billable_service,
						procedure_code: row.procedure_code,
						modifiers: row.modifiers,
						date_of_service: row.date_of_service,
						charge: row.charge,
					});
					child.paid = null;
					child.patient_responsibility = null;
				});
				frm.refresh_field("services");
				dialog.hide();
			},
		});
		dialog.show();
	});
}
