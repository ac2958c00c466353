"""Whitelisted endpoints: ``patient`` (superbills, patient invoices, payments, statements) and
``stripe_webhook`` (the signed Stripe webhook, the app's only guest endpoint)."""
