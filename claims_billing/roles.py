"""The app's roles. Permissions themselves live in each DocType's JSON."""

BILLING_MANAGER = "Billing Manager"
BILLING_STAFF = "Billing Staff"
CLINICIAN = "Clinician"

BILLING_ROLES = (BILLING_MANAGER, BILLING_STAFF)
ALL_ROLES = (BILLING_MANAGER, BILLING_STAFF, CLINICIAN)
