"""The Jinja environment and WeasyPrint settings shared by every patient document.

Parsing templates and CSS and setting up fonts cost more than laying out a one-page document,
so each is built once and reused. The Jinja environment is shared by the whole process (Jinja
is thread-safe); the font configuration (a Pango font map) and the parsed CSS that refers to
it are kept per thread, as WeasyPrint does not promise they may be used by two renders at once.
Documents may not fetch anything: the only URLs allowed are the ``data:`` URIs this package
builds for images.
"""

import functools
import re
import threading
from importlib import resources

import jinja2
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from claims_billing.render import formatting, parties

TEMPLATE_PACKAGE = "claims_billing.render"
TEMPLATE_FOLDER = "templates"
STYLESHEET = "base.css"
ALLOWED_URL_SCHEMES = ("data",)
_INDENTATION_BETWEEN_TAGS = re.compile(r">[ \t]*\n\s*<")


@functools.cache
def environment() -> jinja2.Environment:
	loader = jinja2.PackageLoader(TEMPLATE_PACKAGE, TEMPLATE_FOLDER)
	env = jinja2.Environment(
		loader=loader,
		# Every template renders HTML, and every value in it comes from outside: escape all.
		autoescape=True,
		undefined=jinja2.StrictUndefined,
		trim_blocks=True,
		lstrip_blocks=True,
	)
	env.filters["money"] = formatting.money
	env.filters["us_date"] = formatting.us_date
	env.filters["quantity"] = formatting.quantity
	env.filters["address_lines"] = parties.address_lines
	return env


_this_thread = threading.local()


def font_configuration() -> FontConfiguration:
	config = getattr(_this_thread, "font_configuration", None)
	if config is None:
		config = _this_thread.font_configuration = FontConfiguration()
	return config


def stylesheets() -> tuple[weasyprint.CSS, ...]:
	sheets = getattr(_this_thread, "stylesheets", None)
	if sheets is None:
		css = weasyprint.CSS(
			string=_stylesheet_text(), font_config=font_configuration(), url_fetcher=url_fetcher()
		)
		sheets = _this_thread.stylesheets = (css,)
	return sheets


@functools.cache
def _stylesheet_text() -> str:
	return resources.files(TEMPLATE_PACKAGE).joinpath(TEMPLATE_FOLDER, STYLESHEET).read_text(encoding="utf-8")


def url_fetcher():
	"""A fetcher that serves ``data:`` URIs and refuses every other scheme (file, http, ...).

	A new one per document: WeasyPrint's fetcher keeps per-request state, and two renders
	running in threads must never share it. Building one takes well under a millisecond.
	"""
	url_fetcher_class = getattr(weasyprint.urls, "URLFetcher", None)
	if url_fetcher_class is not None:  # WeasyPrint 68 and later
		return url_fetcher_class(allowed_protocols=ALLOWED_URL_SCHEMES)

	def fetch_data_uri_only(url: str):
		scheme = url.split(":", 1)[0].lower()
		if scheme not in ALLOWED_URL_SCHEMES:
			raise ValueError(f"documents may not load {scheme}: URLs")
		return weasyprint.default_url_fetcher(url)

	return fetch_data_uri_only


def render_html(template_name: str, **context) -> str:
	return environment().get_template(template_name).render(**context)


def html_to_pdf(html: str) -> bytes:
	# Template indentation between tags only adds text nodes to lay out (about 5% of the time).
	# Escaped caller text holds no raw "<" or ">", so only that indentation can match.
	compact = _INDENTATION_BETWEEN_TAGS.sub("><", html)
	document = weasyprint.HTML(string=compact, url_fetcher=url_fetcher())
	return document.write_pdf(stylesheets=stylesheets(), font_config=font_configuration())
