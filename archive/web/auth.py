"""Optional login for a private archive: when the users file names users, every route needs a user.

A browser logs in through a form (a session cookie signed with the users file's secret, so every gunicorn
worker accepts it); scripts may send HTTP Basic credentials instead. The only state-changing routes are
``POST /login`` and ``POST /logout``, and both need the form's CSRF token (kept in the session). With no
users file the site stays open, as before.
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
    """Only a path on this site: no ``//host`` or ``\\\\host`` open redirects."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")) and "\n" not in value:
        return value
    return url_for("pages.search")


def _needs_basic() -> bool:
    path = request.path
    return path.startswith("/api/") or path.endswith((".json", ".csv")) or request.authorization is not None


def require_login():
    try:
        data = current_users()
    except ArchiveError as exc:
        from archive.web.app import error_response

        return error_response(503, "Archive closed", str(exc))
    if not data["users"]:
        return None
    g.private = True
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    user = session.get("user")
    if isinstance(user, str) and user in data["users"]:
        g.auth_user = user
        return None
    auth = request.authorization
    if (
        auth is not None
        and auth.type == "basic"
        and users_file.verify(data["users"], auth.username, auth.password)
    ):
        g.auth_user = auth.username
        return None
    if _needs_basic():
        from archive.web.app import error_response

        response, status = error_response(401, "Login required", "This archive is private: log in first.")
        response = current_app.make_response((response, status))
        response.headers["WWW-Authenticate"] = REALM
        return response
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
    if request.method == "GET":
        return render_template("login.html", next_url=next_url, error=None, name="")
    if not _csrf_ok():
        return render_template(
            "login.html", next_url=next_url, name="", error="The form expired. Please try again."
        ), 400
    name = request.form.get("name", "")
    if users_file.verify(current_users()["users"], name, request.form.get("password", "")):
        session.clear()  # a new session on login: no fixation
        session["user"] = name
        session["csrf"] = secrets.token_urlsafe(32)
        return redirect(next_url)
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
    app.config.setdefault("SESSION_COOKIE_NAME", "archive_session")
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.before_request(require_login)
    app.after_request(private_headers)
    app.context_processor(lambda: {"auth_user": g.get("auth_user"), "csrf_token": csrf_token})
    app.register_blueprint(bp)
