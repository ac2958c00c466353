"""Values the desk scripts need at start-up."""

from claims_billing.site_apps import default_patient_doctype, healthcare_installed


def boot_session(bootinfo):
	bootinfo.claims_billing = {
		"healthcare_installed": healthcare_installed(),
		"patient_doctype": default_patient_doctype(),
	}
