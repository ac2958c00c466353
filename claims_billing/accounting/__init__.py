"""The only place that creates ERPNext money documents (Sales Invoice, Payment Entry, Journal Entry).

One module per source of money: ``claims`` (receivables booked when claims are submitted,
corrected or voided), ``remittance`` (ERA and paper EOB postings), ``patient`` (patient
balances and their Stripe payments). Everything else asks these modules; nothing posts GL rows
directly, and every posting is one database transaction.
"""
