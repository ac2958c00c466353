// Unbilled Services: "Initiate Claim" per row and "Initiate Claims" for the selected rows.
// Loaded after billable_service_list.js (hooks.doctype_list_js).

frappe.provide("claims_billing.claims");

claims_billing.claims.initiate = function (services, listview) {
	return frappe
		.xcall("claims_billing.claims.api.initiate_claims", { services })
		.then((result) => {
			const lines = result.claims.map((claim) => {
				const link = `<a href="/app/insurance-claim/${encodeURIComponent(claim.name)}">${frappe.utils.escape_html(claim.name)}</a>`;
				const problems = claim.problems
					? "<br><small>" + claim.problems.split("\n").map(frappe.utils.escape_html).join("<br>") + "</small>"
					: "";
				return `<li>${link}: ${__(claim.status)}${problems}</li>`;
			});
			const skipped = Object.values(result.skipped || {}).map((text) => `<li>${frappe.utils.escape_html(text)}</li>`);
			frappe.msgprint({
				title: __("Claims: {0} queued, {1} drafts", [result.queued, result.drafts]),
				message:
					`<ul>${lines.join("")}</ul>` +
					(skipped.length ? `<p>${__("Not on a claim:")}</p><ul>${skipped.join("")}</ul>` : ""),
				indicator: result.drafts ? "orange" : "green",
			});
			listview?.refresh();
			return result;
		});
};

claims_billing.unbilled_services.add_row_action({
	label: __("Initiate Claim"),
	show: (doc) =>
		doc.status === "Unbilled" && doc.billing_route === "Insurance" && frappe.model.can_create("Insurance Claim"),
	action: (doc, listview) => claims_billing.claims.initiate([doc.name], listview),
});

(function () {
	const settings = frappe.listview_settings["Billable Service"];
	settings.add_fields = [...(settings.add_fields || []), "billing_route"];
	const base_onload = settings.onload;
	settings.onload = function (listview) {
		base_onload?.call(this, listview);
		if (!frappe.model.can_create("Insurance Claim")) return;
		listview.page.add_actions_menu_item(
			__("Initiate Claims"),
			() => {
				const names = listview.get_checked_items(true);
				if (!names.length) {
					frappe.msgprint(__("Select the services to bill first."));
					return;
				}
				claims_billing.claims.initiate(names, listview);
			},
			false
		);
	};
})();
