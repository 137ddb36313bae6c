"""Response headers and input checks that keep an imported article from running code in a reader's browser.

Everything an article carries is escaped by Jinja; these headers are the second wall: no inline script
or style may run even if something slipped through, and no other site may frame the archive.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from flask import Flask, Response
from markupsafe import Markup

#: Only our own files: no inline scripts or styles, no plugins, no framing, forms post only to us.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # A reporter's queries stay on the archive: links out to the original send no Referer.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


#: The importer's id rule (archive.normalize: ``ID_UNSAFE``, ``MAX_ID_CHARS``), restated here so the site
#: does not import the HTML-cleaning stack; tests check the two agree.
MAX_ID_CHARS = 200
ID_UNSAFE = re.compile(r"[\s/\\]+")

SAFE_URL_SCHEMES = ("http://", "https://")


def valid_article_id(value: str) -> bool:
    """Could the importer have made this id? Anything else is a 404 before storage is touched.

    The rule is the importer's own (printable, no whitespace or path separators, bounded), so every
    imported article stays reachable.
    """
    return (
        0 < len(value) <= MAX_ID_CHARS
        and value.isprintable()
        and ID_UNSAFE.search(value) is None
        and value not in (".", "..")
    )


def safe_url(value: str | None) -> str | None:
    """The URL if it is http(s) (a link to the original), else ``None``: no ``javascript:`` or ``data:``."""
    if not value:
        return None
    url = value.strip()
    if url.lower().startswith(SAFE_URL_SCHEMES) and not any(c in url for c in "\r\n\t\0 "):
        return url
    return None


#: A ``next`` address longer than this is not a page of ours that a reader was on.
MAX_NEXT_CHARS = 2000


def same_site_path(value: str | None) -> str | None:
    """``value`` if it can only lead to a page of this site, else ``None`` (no open redirect).

    Browsers drop tabs and newlines from a URL and read ``\\`` as ``/``, so ``/\t/evil.example`` is
    ``//evil.example``: a value with any control or format character or a backslash is refused rather
    than cleaned, and what is left must be a path with no scheme, no host and no leading ``//``.
    """
    if not value or len(value) > MAX_NEXT_CHARS or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(unicodedata.category(c)[0] in "CZ" and c != " " for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


MARK_TAG = re.compile(r"(</?mark>)")


def only_marks(html: str) -> Markup:
    """Snippet HTML from the engine, with ``<mark>`` kept and any other tag neutralised.

    The engine escapes the article's text and adds only ``<mark>``; this makes that a guarantee of the
    page rather than a promise of the engine. Entities it escaped (``&lt;``) stay as they are.
    """
    parts = MARK_TAG.split(html or "")
    return Markup(
        "".join(p if MARK_TAG.fullmatch(p) else p.replace("<", "&lt;").replace(">", "&gt;") for p in parts)
    )


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.jinja_env.filters["safe_url"] = safe_url
    app.jinja_env.filters["snippet"] = only_marks
