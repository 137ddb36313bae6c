"""The app factory: configuration, blueprints, error pages, security headers.

``gunicorn 'archive.web.app:create_app()'`` serves it (see the ``Procfile``); ``archive serve`` runs it for
development. The app only reads the archive at ``ARCHIVE_HOME``; it never creates one.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from archive.errors import BadQuery, IndexMissing, NotFound
from archive.web import api, auth, export, resources, security, views

#: Shown when the home holds no archive: what happened and how to fix it.
NO_ARCHIVE = "There is no archive here yet. Import articles with `archive import PATH`, then reload."


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the archive web app.

    :param test_config: settings that replace the instance config (tests pass ``ARCHIVE_HOME``).
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        ARCHIVE_HOME=None,  # None: $ARCHIVE_HOME, else ./index (archive.config)
        ARCHIVE_USERS=None,  # a private archive's users file; None: $ARCHIVE_USERS, else <home>/users.json
        SEARCH_TIME_BUDGET=None,  # seconds a search may run; None: the engine's own limit
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=64 * 1024,  # only the login form takes a body; refuse big ones early
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
    _register_error_pages(app)
    return app


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def error_response(status: int, title: str, message: str):
    if wants_json():
        return jsonify({"error": message, "status": status}), status
    return render_template("error.html", status=status, title=title, message=message), status


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(BadQuery)
    def bad_query(exc: BadQuery):
        return error_response(400, "Cannot run this search", str(exc))

    @app.errorhandler(IndexMissing)
    def index_missing(exc: IndexMissing):
        return error_response(503, "No archive", str(exc) or NO_ARCHIVE)

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound):
        return error_response(404, "Not found", str(exc) or "There is no article with that id.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 404:
            return error_response(404, "Not found", "There is no page at this address.")
        return error_response(exc.code or 500, exc.name, exc.description or exc.name)

    @app.errorhandler(Exception)
    def internal_error(exc: Exception):
        if app.testing:  # let tests see the traceback
            raise exc
        app.logger.exception("Unhandled error on %s", request.path)
        return error_response(500, "Something went wrong", "The archive could not answer this request.")
