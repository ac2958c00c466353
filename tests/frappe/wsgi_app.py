"""WSGI entry for the Frappe tier's web server: the site plus its /assets, pinned to one site.

Run by the ``web_server`` fixture: gunicorn --pythonpath tests/frappe wsgi_app:application
"""

import os

import frappe.app

frappe.app._sites_path = os.environ.get("SITES_PATH", ".")
# Pin the site so requests need no Host header or /etc/hosts entry.
frappe.app._site = os.environ["CLAIMS_BILLING_SITE"]
application = frappe.app.application_with_statics()
