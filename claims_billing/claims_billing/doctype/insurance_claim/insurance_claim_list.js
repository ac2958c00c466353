// Insurance Claim list: status indicators and bulk actions for the review queue and the clearinghouse.

const CLAIM_COLOURS = {
	Draft: "gray",
	Queued: "light-blue",
	Submitted: "blue",
	"Accepted by Clearinghouse": "cyan",
	"Rejected by Clearinghouse": "red",
	"Accepted by Payer": "purple",
	"Rejected by Payer": "red",
	Paid: "green",
	"Partially Paid": "orange",
	Denied: "red",
	Closed: "darkgrey",
	Void: "gray",
	Reversed: "pink",
};

frappe.listview_settings["Insurance Claim"] = {
	add_fields: ["status", "needs_attention", "total_charge", "balance", "docstatus"],
	has_indicator_for_draft: true,
	has_indicator_for_cancelled: true,

	get_indicator(doc) {
		if (doc.docstatus === 2) return [__("Cancelled"), "red", "docstatus,=,2"];
		return [__(doc.status), CLAIM_COLOURS[doc.status] || "gray", "status,=," + doc.status];
	},

	onload(listview) {
		if (frappe.model.can_submit("Insurance Claim")) {
			listview.page.add_actions_menu_item(__("Submit Drafts to Queue"), () => {
				const names = listview.get_checked_items(true);
				frappe
					.xcall("claims_billing.claims.api.submit_claims", { claims: names })
					.then((result) => {
						const failed = Object.entries(result.failed || {}).map(
							([name, why]) =>
								`<li><b>${frappe.utils.escape_html(name)}</b>: ${frappe.utils.escape_html(why || "").replace(/\n/g, "<br>")}</li>`
						);
						frappe.msgprint({
							title: __("{0} claims queued", [result.queued.length]),
							message: failed.length ? `<p>${__("Not queued:")}</p><ul>${failed.join("")}</ul>` : "",
							indicator: failed.length ? "orange" : "green",
						});
						listview.refresh();
					});
			});
			listview.page.add_inner_button(__("Submit Queued Claims"), () =>
				frappe
					.xcall("claims_billing.claims.api.send_queued_claims_now")
					.then((summary) => {
						frappe.msgprint(
							summary.error
								? frappe.utils.escape_html(summary.error)
								: __("{0} claims sent in {1} files.", [summary.claims, summary.uploaded.length])
						);
						listview.refresh();
					})
			);
		}
	},
};
