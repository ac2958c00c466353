"""Plain data going to and coming from Stripe: what we bill and what Stripe made of it."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class InvoiceLine:
	"""One billed service on a patient invoice.

	``description`` is what the patient reads (procedure code and date, never a diagnosis);
	``service_ref`` is our Billable Service name, kept in the invoice item's metadata.
	"""

	description: str
	amount: Decimal
	service_ref: str


@dataclass(frozen=True, slots=True)
class StripeInvoice:
	"""The fields of a Stripe invoice the app stores. Amounts are dollars, dates UTC."""

	id: str
	status: str
	customer_id: str
	currency: str
	amount_due: Decimal
	amount_paid: Decimal
	amount_remaining: Decimal
	total: Decimal
	number: str | None = None
	hosted_invoice_url: str | None = None
	due_date: datetime.date | None = None
	metadata: dict[str, str] = field(default_factory=dict)
	livemode: bool = False
