// Billable Service form: one billable procedure line. Pricing preview follows the fee schedule.

const HAND_ENTERED = "Entered by hand";
const FEE_SCHEDULE_PREFIX = "Fee Schedule ";

frappe.ui.form.on("Billable Service", {
	setup(frm) {
		frm.set_query("practitioner", () => ({ filters: { enabled: 1 } }));
	},

	onload(frm) {
		if (frm.is_new() && !frm.doc.patient_doctype) {
			frm.set_value("patient_doctype", frappe.boot.claims_billing?.patient_doctype || "Customer");
		}
	},

	refresh(frm) {
		frm.toggle_display("patient_doctype", !frappe.boot.claims_billing?.healthcare_installed);
		const warnings = [];
		if (frm.doc.problems) {
			warnings.push(...frm.doc.problems.split("\n").map(frappe.utils.escape_html));
		}
		if (!frm.is_new() && frm.doc.missing_rate) {
			warnings.push(
				__("No fee schedule rate applies, so the charge is 0. Add the code to a fee schedule or enter the charge per unit.")
			);
		}
		frm.set_intro(
			warnings.length ? __("Needs attention:") + "<br>" + warnings.join("<br>") : "",
			frm.doc.problems ? "orange" : "red"
		);
		if (!frm.is_new() && frm.doc.status === "Unbilled" && frm.perm[0]?.write) {
			frm.add_custom_button(__("Void"), () => void_service(frm));
		}
		if (frm.doc.billed_by_doctype && frm.doc.billed_by) {
			frm.add_custom_button(__("Open {0}", [__(frm.doc.billed_by_doctype)]), () =>
				frappe.set_route("Form", frm.doc.billed_by_doctype, frm.doc.billed_by)
			);
		}
		if (frm.doc.source_doctype && frm.doc.source_name) {
			frm.add_custom_button(__("Open {0}", [__(frm.doc.source_doctype)]), () =>
				frappe.set_route("Form", frm.doc.source_doctype, frm.doc.source_name)
			);
		}
	},

	procedure_code: preview_rate,
	modifier_1: preview_rate,
	modifier_2: preview_rate,
	modifier_3: preview_rate,
	modifier_4: preview_rate,
	practitioner: preview_rate,
	date_of_service: preview_rate,
	units: update_charge,

	rate(frm) {
		if (!frm.__setting_rate_from_schedule) {
			frm.set_value("rate_source", frm.doc.rate ? HAND_ENTERED : "");
		}
		update_charge(frm);
	},
});

function preview_rate(frm) {
	if (!frm.doc.procedure_code || !frm.doc.date_of_service) return;
	if (frm.doc.rate && frm.doc.rate_source === HAND_ENTERED) return;
	const modifiers = ["modifier_1", "modifier_2", "modifier_3", "modifier_4"]
		.map((field) => frm.doc[field])
		.filter(Boolean);
	frappe
		.xcall("claims_billing.claims_billing.doctype.billable_service.billable_service.get_fee_schedule_rate", {
			procedure_code: frm.doc.procedure_code,
			date_of_service: frm.doc.date_of_service,
			modifiers: JSON.stringify(modifiers),
			practitioner: frm.doc.practitioner || null,
		})
		.then(async (rate) => {
			frm.__setting_rate_from_schedule = true;
			try {
				await frm.set_value("rate", rate ? flt(rate.rate) : 0);
				await frm.set_value("rate_source", rate ? FEE_SCHEDULE_PREFIX + rate.source : "");
				await frm.set_value("missing_rate", rate ? 0 : 1);
			} finally {
				frm.__setting_rate_from_schedule = false;
			}
		});
}

function update_charge(frm) {
	frm.set_value("charge", flt(flt(frm.doc.rate) * flt(frm.doc.units), 2));
}

function void_service(frm) {
	frappe.prompt(
		{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
		({ reason }) =>
			frappe
				.xcall("claims_billing.claims_billing.doctype.billable_service.billable_service.void_service", {
					name: frm.doc.name,
					reason,
				})
				.then(() => frm.reload_doc()),
		__("Void Service"),
		__("Void")
	);
}
