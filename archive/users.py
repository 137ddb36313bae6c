"""The users of a private archive: a JSON file of names and password hashes (werkzeug's salted scrypt/pbkdf2).

The file is ``$ARCHIVE_USERS`` if set, else ``users.json`` in the archive home. When it names at least one
user, the site asks for a login on every page, API route and export; without it the site is open. It
also holds the secret that signs the site's session cookies, so every gunicorn worker shares it. A session
carries a stamp of its user's password hash (:func:`session_stamp`): a new password ends that user's
sessions, and removing a user ends theirs, while everyone else stays logged in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from archive.errors import ArchiveError

USERS_ENV = "ARCHIVE_USERS"
USERS_NAME = "users.json"
#: Names people type at a login form: letters, digits and ``._@-``, bounded.
NAME_RULE = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
MIN_PASSWORD_CHARS = 8
#: What a user may do on the site: readers read; editors also correct the person/place registry.
READER, EDITOR = "reader", "editor"
ROLES = (READER, EDITOR)
MAX_PASSWORD_CHARS = 1024
#: Checked against when the name is unknown, so a login takes as long for a wrong name as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


def users_path(home: Path | str | None = None) -> Path:
    """Where the users file is: ``$ARCHIVE_USERS``, else ``<home>/users.json``."""
    explicit = os.environ.get(USERS_ENV)
    if explicit:
        return Path(explicit)
    from archive.config import archive_home

    return archive_home(home) / USERS_NAME


def load(path: Path) -> dict:
    """``{"secret": str, "users": {name: hash}}``; an absent file is no users (an open site).

    :raises ArchiveError: when the file exists but cannot be read: better no site than an open one.
    """
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"secret": "", "users": {}, "roles": {}}
    except OSError as exc:
        raise ArchiveError(f"Cannot read the users file {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
        users = data["users"]
        if not isinstance(users, dict) or not all(isinstance(v, str) for v in users.values()):
            raise ValueError("users must map names to password hashes")
        roles = data.get("roles") or {}
        if not isinstance(roles, dict) or not all(r in ROLES for r in roles.values()):
            raise ValueError(f"roles must map names to one of {', '.join(ROLES)}")
        return {"secret": str(data.get("secret") or ""), "users": users, "roles": roles}
    except (ValueError, KeyError, TypeError) as exc:
        raise ArchiveError(f"The users file {path} is broken ({exc}); fix or remove it.") from None


def _save(path: Path, data: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def check_name(name: str) -> str:
    if not NAME_RULE.match(name or ""):
        raise ArchiveError("A user name is 1 to 64 letters, digits or . _ @ - (no spaces).")
    return name


def add(path: Path, name: str, password: str, role: str | None = None) -> bool:
    """Add a user or set a new password; returns True if the user is new.

    :param role: ``reader`` or ``editor``; ``None`` keeps the user's role (a new user reads).
    """
    check_name(name)
    if not (MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS):
        raise ArchiveError(f"A password has {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters.")
    data = load(path)
    new = name not in data["users"]
    data["users"][name] = generate_password_hash(password)
    if role is not None:
        if role not in ROLES:
            raise ArchiveError(f"A role is one of {', '.join(ROLES)}.")
        data["roles"][name] = role
    data["secret"] = data["secret"] or secrets.token_hex(32)
    _save(path, data)
    return new


def remove(path: Path, name: str) -> bool:
    """Remove a user (their sessions end with them); returns False if there was no such user."""
    data = load(path)
    if name not in data["users"]:
        return False
    del data["users"][name]
    data["roles"].pop(name, None)
    _save(path, data)
    return True


def role_of(data: dict, name: str | None) -> str:
    """A user's role: ``editor`` may correct people and places; everyone else (and users made before
    roles) reads."""
    return data.get("roles", {}).get(name, READER) if name in data.get("users", {}) else READER


def session_stamp(secret: str, stored_hash: str) -> str:
    """What a session remembers of its user's password: it no longer matches once the password changes."""
    return hmac.new(secret.encode(), stored_hash.encode(), hashlib.sha256).hexdigest()[:32]


def verify(users: dict[str, str], name: str, password: str) -> bool:
    """Is this the user's password? Takes the same time whether or not the name exists."""
    stored = users.get(name) if isinstance(name, str) else None
    if stored is None or not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
        check_password_hash(_DUMMY_HASH, "x")
        return False
    return check_password_hash(stored, password)
