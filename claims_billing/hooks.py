from claims_billing import __version__ as app_version  # noqa: F401

app_name = "claims_billing"
app_title = "Claims Billing"
app_publisher = "claims_billing developers"
app_description = "Insurance billing for US outpatient practices on ERPNext: 837P claims, 835 remittances"
app_email = "claims-billing@example.com"
app_license = "MIT"
required_apps = ["frappe/erpnext"]

# Installation. Healthcare is optional: its integration follows it in and out.
before_install = "claims_billing.setup.install.before_install"
after_install = "claims_billing.setup.install.after_install"
after_app_install = "claims_billing.setup.install.after_app_install"
before_uninstall = "claims_billing.setup.install.before_uninstall"
after_uninstall = "claims_billing.setup.install.after_uninstall"
before_app_uninstall = "claims_billing.setup.install.before_app_uninstall"
after_migrate = "claims_billing.setup.install.after_migrate"

boot_session = "claims_billing.boot.boot_session"

doctype_js = {"Patient": ["public/js/patient.js", "public/js/patient_payments.js"]}
# Unbilled Services list actions: claims (Initiate Claim, bulk), superbills and patient invoices.
doctype_list_js = {
	"Billable Service": [
		"public/js/unbilled_services_claims.js",
		"public/js/superbill_batch.js",
		"public/js/billable_service_list_patient_side.js",
	],
	"Superbill": "public/js/superbill_batch.js",
}

# Healthcare's DocTypes only exist where Healthcare is installed; elsewhere these never fire.
doc_events = {
	"Patient Encounter": {
		"on_submit": "claims_billing.overrides.patient_encounter.on_submit",
		"before_cancel": "claims_billing.overrides.patient_encounter.before_cancel",
		"on_cancel": "claims_billing.overrides.patient_encounter.on_cancel",
	},
	"Therapy Session": {
		"on_submit": "claims_billing.overrides.therapy_session.on_submit",
		"before_cancel": "claims_billing.overrides.therapy_session.before_cancel",
		"on_cancel": "claims_billing.overrides.therapy_session.on_cancel",
	},
	"Clinical Procedure": {
		"on_submit": "claims_billing.overrides.clinical_procedure.on_submit",
		"before_cancel": "claims_billing.overrides.clinical_procedure.before_cancel",
		"on_cancel": "claims_billing.overrides.clinical_procedure.on_cancel",
	},
	"User": {
		"on_update": "claims_billing.permissions.on_user_update",
	},
}

# Clearinghouse: send queued claims and fetch responses (claims_billing.jobs.clearinghouse).
scheduler_events = {
	"cron": {
		"*/15 * * * *": [
			"claims_billing.jobs.clearinghouse.send_queued_claims",
			"claims_billing.jobs.clearinghouse.receive_responses",
		],
	},
}

# Patient portal: the signed-in patient's invoices, each linking to Stripe's payment page.
website_route_rules = [{"from_route": "/patient-invoices", "to_route": "Patient Invoice"}]
portal_menu_items = [
	{
		"title": "Invoices",
		"route": "/patient-invoices",
		"reference_doctype": "Patient Invoice",
		"role": "Patient",
	},
]
has_website_permission = {
	"Patient Invoice": "claims_billing.claims_billing.doctype.patient_invoice.patient_invoice.has_website_permission",
}

# The receiving job hands every downloaded 835 to the remittance importer (clearinghouse.inbound).
claims_billing_import_835 = ["claims_billing.remittance.era_import.import_era_file"]
