"""Healthcare Code Systems for billing codes: CPT and HCPCS (procedures), ICD-10-CM (diagnoses).

Healthcare ships none of them, so install adds the ones a site lacks. Codes entered under them on
encounters, procedures and templates are what automatic capture bills.
"""

import frappe

from claims_billing.setup.install_records import remember, remembered

CPT_URI = "http://www.ama-assn.org/go/cpt"
HCPCS_URI = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
ICD10_CM_URI = "http://hl7.org/fhir/sid/icd-10-cm"

BILLING_CODE_SYSTEMS = (
	{
		"code_system": "CPT",
		"uri": CPT_URI,
		"oid": "2.16.840.1.113883.6.12",
		"description": "Current Procedural Terminology (AMA). Codes only: descriptions are licensed by the AMA.",
	},
	{
		"code_system": "HCPCS",
		"uri": HCPCS_URI,
		"oid": "2.16.840.1.113883.6.285",
		"description": "Healthcare Common Procedure Coding System, Level II (CMS).",
	},
	{
		"code_system": "ICD-10-CM",
		"uri": ICD10_CM_URI,
		"oid": "2.16.840.1.113883.6.90",
		"description": "International Classification of Diseases, 10th revision, Clinical Modification (CDC).",
	},
)


def ensure_billing_code_systems(settings) -> list[str]:
	"""Add missing code systems (matched by name or URI); record them on ``settings``."""
	created = []
	for spec in BILLING_CODE_SYSTEMS:
		if frappe.db.exists("Code System", spec["code_system"]) or frappe.db.exists(
			"Code System", {"uri": spec["uri"]}
		):
			continue
		doc = frappe.get_doc({"doctype": "Code System", "is_fhir_defined": 0, "custom": 1, **spec})
		doc.insert(ignore_permissions=True)
		remember(settings, "code_systems", doc.name)
		created.append(doc.name)
	return created


def remove_billing_code_systems(settings) -> list[str]:
	"""Delete the code systems install added unless codes now use them; return those kept."""
	kept = []
	for name in remembered(settings, "code_systems"):
		if not frappe.db.exists("Code System", name):
			continue
		in_use = frappe.db.exists("Code Value", {"code_system": name}) or frappe.db.exists(
			"Codification Table", {"code_system": name}
		)
		if in_use:
			kept.append(name)
		else:
			frappe.delete_doc("Code System", name, ignore_permissions=True, force=True)
	return kept
