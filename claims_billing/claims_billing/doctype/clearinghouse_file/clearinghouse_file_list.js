const CLEARINGHOUSE_FILE_COLOURS = {
	Prepared: "blue",
	Uploading: "orange",
	Uploaded: "green",
	"Upload Failed": "red",
	"Upload Unconfirmed": "red",
	Received: "blue",
	Applied: "green",
	"Applied with Exceptions": "orange",
	"Parse Failed": "red",
	"Waiting for ERA Import": "yellow",
	Ignored: "gray",
};

frappe.listview_settings["Clearinghouse File"] = {
	add_fields: ["status", "direction"],
	get_indicator(doc) {
		return [__(doc.status), CLEARINGHOUSE_FILE_COLOURS[doc.status] || "gray", "status,=," + doc.status];
	},
	onload(listview) {
		if (!frappe.model.can_submit("Insurance Claim")) return;
		// Local-folder practices download responses from the clearinghouse's website and upload them here.
		listview.page.add_inner_button(__("Upload Response File"), () => {
			new frappe.ui.FileUploader({
				is_private: 1,
				allow_multiple: false,
				on_success(file) {
					frappe
						.xcall("claims_billing.claims.api.upload_response_file", { file_url: file.file_url })
						.then((result) => {
							frappe.show_alert({
								message: result.new
									? __("{0}: {1}", [result.file, __(result.status)])
									: __("This file was received before ({0}); nothing was applied twice.", [result.file]),
								indicator: result.new ? "green" : "orange",
							});
							frappe.set_route("Form", "Clearinghouse File", result.file);
						});
				},
			});
		});
	},
};
