"""Error answers, one shape for the whole site: JSON on the API and the downloads, a page elsewhere.

A module of its own so that the login check (:mod:`archive.web.auth`) and the app's error handlers
(:mod:`archive.web.app`) share it without importing each other.
"""

from __future__ import annotations

from flask import jsonify, render_template, request

#: Routes that answer JSON, errors included: the API and the exports (a CSV's error is JSON too, as the
#: OpenAPI document says).
MACHINE_SUFFIXES = (".json", ".csv")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(MACHINE_SUFFIXES)


def error_response(status: int, title: str, message: str, headers: dict | None = None):
    """The error as ``{"error", "status"}`` JSON on the API and exports, as a page elsewhere."""
    if wants_json():
        return jsonify({"error": message, "status": status}), status, headers or {}
    page = render_template("error.html", status=status, title=title, message=message)
    return page, status, headers or {}
