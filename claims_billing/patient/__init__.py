"""The patient side: superbills, statements, Stripe invoices, the payments ledger and the webhook."""
