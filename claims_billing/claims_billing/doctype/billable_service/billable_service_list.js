// Unbilled Services: the billing to-do list (Billable Service filtered to status Unbilled).

frappe.provide("claims_billing.unbilled_services");

// Per-row actions, shown in the row's "Actions" menu. The claims issue adds "Initiate Claim" with
// one call: claims_billing.unbilled_services.add_row_action({label, show, action}).
claims_billing.unbilled_services.row_actions = [
	{
		label: __("Edit"),
		show: () => true,
		action: (doc) => frappe.set_route("Form", "Billable Service", doc.name),
	},
	{
		label: __("Delete"),
		show: (doc) =>
			["Unbilled", "Void"].includes(doc.status) && frappe.model.can_delete("Billable Service"),
		action: (doc, listview) =>
			frappe.confirm(__("Delete service {0}?", [doc.name]), () =>
				frappe
					.xcall("frappe.client.delete", { doctype: "Billable Service", name: doc.name })
					.then(() => listview.refresh())
			),
	},
];

claims_billing.unbilled_services.add_row_action = function (action) {
	claims_billing.unbilled_services.row_actions.unshift(action);
};

claims_billing.unbilled_services.open_row_menu = function (doc, listview) {
	$(".claims-billing-row-menu").remove();
	const $button = listview.$result.find(`.btn-action[data-name="${CSS.escape(doc.name)}"]`);
	const $menu = $('<div class="dropdown-menu show claims-billing-row-menu"></div>').appendTo("body");
	for (const row_action of claims_billing.unbilled_services.row_actions) {
		if (!row_action.show(doc)) continue;
		$(`<a class="dropdown-item" href="#"></a>`)
			.text(row_action.label)
			.on("click", (event) => {
				event.preventDefault();
				$menu.remove();
				row_action.action(doc, listview);
			})
			.appendTo($menu);
	}
	const offset = $button.offset() || { top: 0, left: 0 };
	$menu.css({
		position: "absolute",
		top: offset.top + $button.outerHeight(),
		left: offset.left + $button.outerWidth() - $menu.outerWidth(),
	});
	setTimeout(() => $(document).one("click", () => $menu.remove()));
};

frappe.listview_settings["Billable Service"] = {
	add_fields: ["status", "missing_rate", "problems", "charge", "procedure_code"],
	filters: [["status", "=", "Unbilled"]],
	hide_name_column: true,

	get_indicator(doc) {
		if (doc.status === "Unbilled" && doc.problems) {
			return [__("Needs Attention"), "orange", "status,=,Unbilled|problems,is,set"];
		}
		if (doc.status === "Unbilled" && doc.missing_rate) {
			return [__("No Rate"), "red", "status,=,Unbilled|missing_rate,=,1"];
		}
		const colors = {
			Unbilled: "blue",
			"On Claim": "purple",
			Superbilled: "cyan",
			Invoiced: "green",
			Void: "gray",
		};
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},

	formatters: {
		charge(value, df, doc) {
			const amount = format_currency(value);
			if (!doc.missing_rate) return amount;
			return `<span class="text-danger" title="${__(
				"No fee schedule rate: the charge is 0"
			)}">${amount} ⚠</span>`;
		},
	},

	button: {
		show: () => true,
		get_label: () => __("Actions"),
		get_description: () => __("Edit or delete this service"),
		action: (doc) => claims_billing.unbilled_services.open_row_menu(doc, cur_list),
	},

	onload(listview) {
		listview.set_primary_action = function () {
			if (this.can_create && !frappe.boot.read_only) {
				this.page.set_primary_action(
					__("Create New Service"),
					() => this.make_new_doc(),
					"add"
				);
			} else {
				this.page.clear_primary_action();
			}
		};
		listview.set_primary_action();
	},

	refresh(listview) {
		const unbilled_only = (listview.filter_area?.get() || []).some(
			(filter) => filter[1] === "status" && filter[2] === "=" && filter[3] === "Unbilled"
		);
		listview.page.set_title(unbilled_only ? __("Unbilled Services") : __("Billable Service"));
	},
};
