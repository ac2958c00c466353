"""Patient documents as PDF: superbills (``superbill``) and statements (``statement``).

Pure: plain dataclasses in, PDF bytes out, no Frappe. Jinja2 templates in ``templates/`` are
laid out by WeasyPrint (``pdf``); money is ``Decimal`` and procedures are codes only.
"""
