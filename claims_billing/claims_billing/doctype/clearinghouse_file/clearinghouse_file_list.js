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
};
