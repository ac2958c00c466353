"""One Stripe webhook event received, named by its event id so a redelivery is recognised.

Only the endpoint (claims_billing.patient.stripe_webhook) creates these; the summary it keeps leaves
out the patient's name and email address.
"""

from frappe.model.document import Document


class StripeWebhookLog(Document):
	pass
