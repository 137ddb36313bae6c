"""Optional login for a private archive: when the users file names users, every route needs a user.

A browser logs in through a form (a session cookie signed with the users file's secret, so every gunicorn
worker accepts it, and stamped with the user's password hash, so a new password ends it); scripts may
send HTTP Basic credentials instead. Failed logins of both kinds are throttled (:mod:`throttle`). The only
state-changing routes are ``POST /login`` and ``POST /logout``, and both need the form's CSRF token (kept
in the session). With no users file the site stays open, as before.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

from archive import users as users_file
from archive.errors import ArchiveError
from archive.web.errors import error_response
from archive.web.security import same_site_path
from archive.web.throttle import LoginThrottle

bp = Blueprint("auth", __name__)

REALM = 'Basic realm="News archive", charset="UTF-8"'
#: Routes anyone may reach on a private archive: the login form itself and the stylesheet it uses.
PUBLIC_ENDPOINTS = {"auth.login", "static"}
_cache: dict[str, tuple[tuple[int, int], dict]] = {}


def users_path() -> Path:
    configured = current_app.config.get("ARCHIVE_USERS")
    if configured:
        return Path(configured)
    from archive.web.resources import home

    return Path(os.environ.get(users_file.USERS_ENV) or home() / users_file.USERS_NAME)


def current_users() -> dict:
    """The users file, re-read only when it changed (one ``stat`` per request)."""
    path = users_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        return {"secret": "", "users": {}}
    except OSError as exc:
        raise ArchiveError(f"Cannot read the users file {path}: {exc.strerror or exc}") from None
    key = (st.st_mtime_ns, st.st_size)
    cached = _cache.get(str(path))
    if cached is None or cached[0] != key:
        cached = (key, users_file.load(path))
        _cache[str(path)] = cached
    return cached[1]


class UsersSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, signed with the users file's secret (no users: no sessions)."""

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        try:
            secret = current_users()["secret"]
        except ArchiveError:
            return None
        if not secret:
            return None
        return URLSafeTimedSerializer(
            secret,
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
        )


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _csrf_ok() -> bool:
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def _safe_next(value: str | None) -> str:
    """Only a path on this site (:func:`same_site_path`), else the search page."""
    return same_site_path(value) or url_for("pages.search")


def _session_user(data: dict) -> str | None:
    """The session's user, if they still exist and their password is the one they logged in with."""
    user = session.get("user")
    stamp = session.get("stamp")
    if not (isinstance(user, str) and isinstance(stamp, str) and user in data["users"]):
        return None
    expected = users_file.session_stamp(data["secret"], data["users"][user])
    return user if hmac.compare_digest(stamp.encode(), expected.encode()) else None


def is_editor() -> bool:
    """May this request correct the registry? A logged-in browser session (forms need its CSRF token)
    of a user with the editor role (``archive users add NAME --role editor``)."""
    user = g.get("auth_user")
    if not user or session.get("user") != user:
        return False
    try:
        return users_file.role_of(current_users(), user) == users_file.EDITOR
    except ArchiveError:
        return False


def _throttle() -> LoginThrottle:
    return current_app.extensions["login_throttle"]


def _too_many(wait: int) -> str:
    return f"Too many failed logins. Try again in {wait} seconds."


def _needs_basic() -> bool:
    path = request.path
    # feeds too: a feed reader answers a 401 with the reader's password, never a login form
    feed_or_data = path.endswith((".json", ".csv", ".atom"))
    return path.startswith("/api/") or feed_or_data or request.authorization is not None


def require_login():
    try:
        data = current_users()
    except ArchiveError as exc:
        return error_response(503, "Archive closed", str(exc))
    if not data["users"]:
        return None
    g.private = True
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    user = _session_user(data)
    if user is not None:
        g.auth_user = user
        return None
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        wait = _throttle().retry_after(request.remote_addr, auth.username)
        if wait is not None:
            return error_response(429, "Too many failed logins", _too_many(wait), {"Retry-After": str(wait)})
        if users_file.verify(data["users"], auth.username, auth.password):
            g.auth_user = auth.username
            return None
        _throttle().failed(request.remote_addr, auth.username)
    if _needs_basic():
        message = "This archive is private: log in first."
        return error_response(401, "Login required", message, {"WWW-Authenticate": REALM})
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def private_headers(response):
    """Pages of a private archive are for the logged-in reader only: no shared caches."""
    if g.get("private"):
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if not current_users()["users"]:
        return redirect(url_for("pages.search"))
    next_url = _safe_next(request.values.get("next"))
    if request.method != "POST":  # GET and HEAD show the form
        return render_template("login.html", next_url=next_url, error=None, name="")
    if not _csrf_ok():
        return render_template(
            "login.html", next_url=next_url, name="", error="The form expired. Please try again."
        ), 400
    name = request.form.get("name", "")
    wait = _throttle().retry_after(request.remote_addr, name)
    if wait is not None:
        page = render_template("login.html", next_url=next_url, name=name, error=_too_many(wait))
        return page, 429, {"Retry-After": str(wait)}
    data = current_users()
    if users_file.verify(data["users"], name, request.form.get("password", "")):
        session.clear()  # a new session on login: no fixation
        session["user"] = name
        session["stamp"] = users_file.session_stamp(data["secret"], data["users"][name])
        session["csrf"] = secrets.token_urlsafe(32)
        return redirect(next_url)
    _throttle().failed(request.remote_addr, name)
    return render_template("login.html", next_url=next_url, name=name, error="Wrong name or password."), 401


@bp.post("/logout")
def logout():
    if current_users()["users"] and not _csrf_ok():
        return render_template(
            "login.html",
            next_url=url_for("pages.search"),
            name="",
            error="The form expired. Please log out again.",
        ), 400
    session.clear()
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    app.session_interface = UsersSessionInterface()
    app.extensions["login_throttle"] = LoginThrottle(
        app.config["LOGIN_FAILURES_PER_ADDRESS"],
        app.config["LOGIN_FAILURES_PER_NAME"],
        app.config["LOGIN_FAILURE_WINDOW"],
    )
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.before_request(require_login)
    app.after_request(private_headers)
    app.context_processor(lambda: {"auth_user": g.get("auth_user"), "csrf_token": csrf_token})
    app.register_blueprint(bp)
