"""The clearinghouse side of claims in Frappe: the connection, sending 837P files, receiving responses.

``connection`` reads the settings into a transport and shows its last error; ``outbound`` batches,
records, uploads and confirms; ``inbound`` stores and applies responses. claims_billing.jobs runs
them in order.
"""
