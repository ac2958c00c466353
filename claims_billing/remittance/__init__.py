"""Remittance in Frappe: ERA import, matching, posting, manual EOBs, secondary claims, denials.

* ``payment_data``: the one place that maps Insurance Payment documents to the core's data
  (``x12.remittance`` and ``core.adjudication``) and back;
* ``era_import``: an 835 file becomes one Insurance Payment per BPR/TRN payment, matched to our
  claims (``core.matching``); what matches nothing goes to the Unmatched Remittance queue;
* ``posting``: submitting an Insurance Payment posts it (``accounting.remittance``), moves the
  claims' statuses and balances, opens denials and secondary claims; cancelling reverses it;
* ``manual``: paper EOBs entered by staff, posted the same way;
* ``secondary``: the next payer's claim with COB data from the primary's ERA;
* ``denials``: the denials worklist and its actions;
* ``api``: whitelisted endpoints for the desk.
"""
