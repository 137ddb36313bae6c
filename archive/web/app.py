"""The app factory: configuration, blueprints, error pages, security headers.

``gunicorn 'archive.web.app:create_app()'`` serves it (see the ``Procfile``); ``archive serve`` runs it for
development. The app only reads the archive at ``ARCHIVE_HOME``; it never creates one.
"""

from __future__ import annotations

import os

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from archive.errors import BadQuery, IndexMissing, NotFound, SearchUnavailable
from archive.web import api, auth, batch, export, people, resources, security, throttle, views, watches
from archive.web.errors import error_response

#: ``ARCHIVE_SECURE_COOKIES=1`` (or true/yes/on): the site is served over HTTPS, so the login cookie is
#: marked ``Secure`` and never travels in clear.
SECURE_COOKIES_ENV = "ARCHIVE_SECURE_COOKIES"

#: Shown when the home holds no archive: what happened and how to fix it.
NO_ARCHIVE = "There is no archive here yet. Import articles with `archive import PATH`, then reload."
#: Seconds a client is told to wait when no node of the search cluster answers (a node restarts in ~20 s).
SEARCH_RETRY_AFTER = 30


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the archive web app.

    :param test_config: settings that replace the instance config (tests pass ``ARCHIVE_HOME``).
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        ARCHIVE_HOME=None,  # None: $ARCHIVE_HOME, else ./index (archive.config)
        ARCHIVE_USERS=None,  # a private archive's users file; None: $ARCHIVE_USERS, else <home>/users.json
        SEARCH_TIME_BUDGET=None,  # seconds a search may run; None: the engine's own limit
        SEARCH_URL=None,  # the search cluster's node URLs; None: $ARCHIVE_SEARCH_URL, else the embedded index
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=64 * 1024,  # only the login form takes a body; refuse big ones early
        SESSION_COOKIE_NAME="archive_session",
        SESSION_COOKIE_SECURE=_flag(os.environ.get(SECURE_COOKIES_ENV)),
        LOGIN_FAILURES_PER_ADDRESS=throttle.FAILURES_PER_ADDRESS,
        LOGIN_FAILURES_PER_NAME=throttle.FAILURES_PER_NAME,
        LOGIN_FAILURE_WINDOW=throttle.WINDOW_SECONDS,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.update(test_config)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    security.init_app(app)
    auth.init_app(app)  # before the blueprints: a private archive checks the login first
    resources.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(export.bp)
    people.init_app(app)
    app.register_blueprint(watches.bp)
    app.register_blueprint(batch.bp)
    _register_error_pages(app)
    return app


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(BadQuery)
    def bad_query(exc: BadQuery):
        return error_response(400, "Cannot run this search", str(exc))

    @app.errorhandler(IndexMissing)
    def index_missing(exc: IndexMissing):
        return error_response(503, "No archive", str(exc) or NO_ARCHIVE)

    @app.errorhandler(SearchUnavailable)
    def search_unavailable(exc: SearchUnavailable):  # the cluster is down: nothing is lost, try later
        message = f"Search is unavailable right now: {exc}"
        return error_response(503, "Search unavailable", message, {"Retry-After": str(SEARCH_RETRY_AFTER)})

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound):
        return error_response(404, "Not found", str(exc) or "There is no article with that id.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 404:
            return error_response(404, "Not found", "There is no page at this address.")
        # keep the exception's own headers: a 405's Allow, a 401's WWW-Authenticate
        keep = {k: v for k, v in exc.get_headers() if k.lower() not in ("content-type", "content-length")}
        return error_response(exc.code or 500, exc.name, exc.description or exc.name, keep)

    @app.errorhandler(Exception)
    def internal_error(exc: Exception):
        if app.testing:  # let tests see the traceback
            raise exc
        app.logger.exception("Unhandled error on %s", request.path)
        return error_response(500, "Something went wrong", "The archive could not answer this request.")
