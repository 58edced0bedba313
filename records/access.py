"""Who may do what at the web review station: roles, council scope, passwords, sessions.

A user has one role (viewer: reads; reviewer: also decides on records; admin: also records
estimates and exclusions, for every council in scope) and sees either one council or all of
them. Passwords are hashed with Argon2id (argon2-cffi); a session is a random token whose
sha256 the ledger keeps, with its own CSRF token. Sign-in failures are counted per name and
client address in the ledger, so the limit holds across restarts and server processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from records.errors import AccessError
from records.ledger import Ledger, SessionRow, UserEntry, UserRow

MIN_PASSWORD_CHARS = 12
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=10)

_hasher = PasswordHasher()


class Role(StrEnum):
    viewer = "viewer"
    reviewer = "reviewer"
    admin = "admin"


_RANK = {Role.viewer: 0, Role.reviewer: 1, Role.admin: 2}


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in person: name (for the audit trail), role and council scope (None: all)."""

    name: str
    role: Role
    council: str | None

    def may(self, role: Role) -> bool:
        """Whether this user's role includes `role` (admin > reviewer > viewer)."""
        return _RANK[self.role] >= _RANK[role]

    def sees(self, council: str) -> bool:
        return self.council is None or self.council == council

    def councils(self, known: Iterable[str]) -> list[str]:
        """The councils of `known` this user may see."""
        return sorted(c for c in known if self.sees(c))


@dataclass(frozen=True, slots=True)
class Session:
    """A new session: the token for the cookie (never stored) and the form's CSRF token."""

    token: str
    csrf_token: str
    user: User


def add_user(
    ledger: Ledger, name: str, *, role: str, council: str | None, password: str | None,
    known_councils: Collection[str], added_by: str,
) -> bool:
    """Add (or replace) a user; True if new. Without a password the user can only be identified
    by a trusted reverse proxy's header."""
    name = name.strip()
    if not name or len(name) > 128 or any(c.isspace() for c in name):
        raise AccessError("a user name is 1-128 characters without spaces")
    if role not in Role.__members__:
        raise AccessError(f"unknown role {role!r}; choose one of: {', '.join(Role)}")
    if council is not None and council not in known_councils:
        raise AccessError(f"unknown council {council!r}; see config/councils.yaml")
    if password is not None and len(password) < MIN_PASSWORD_CHARS:
        raise AccessError(f"a password is at least {MIN_PASSWORD_CHARS} characters")
    hashed = _hasher.hash(password) if password is not None else None
    return ledger.put_user(UserEntry(name=name, role=role, council=council, password_hash=hashed,
                                     created_by=added_by))


def authenticate(ledger: Ledger, name: str, password: str, *, client: str) -> User:
    """The user, if `password` is theirs and this name and client have not failed too often."""
    since = dt.datetime.now(dt.timezone.utc) - LOCKOUT
    if ledger.failed_logins(name, client, since) >= MAX_FAILED_LOGINS:
        raise AccessError(f"too many failed sign-ins; try again in {LOCKOUT.seconds // 60} minutes")
    row = ledger.user(name)
    ok = _verify(row.password_hash if row and row.password_hash else _dummy_hash(), password)
    ok = ok and row is not None and row.password_hash is not None and not row.disabled
    ledger.note_login(name, client, succeeded=ok)
    if not ok or row is None:
        raise AccessError("wrong name or password")
    return as_user(row)


def proxy_user(ledger: Ledger, name: str) -> User:
    """The user a trusted reverse proxy vouched for: they must still be in the ledger, enabled."""
    row = ledger.user(name)
    if row is None or row.disabled:
        raise AccessError("that user may not use the review station")
    return as_user(row)


def start_session(ledger: Ledger, user: User) -> Session:
    at = dt.datetime.now(dt.timezone.utc)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    ledger.add_session(SessionRow(token_sha256=_digest(token), user_name=user.name, csrf_token=csrf,
                                  created_at=at, expires_at=at + SESSION_LIFETIME))
    return Session(token, csrf, user)


def session_user(ledger: Ledger, token: str) -> tuple[User, str] | None:
    """The user and CSRF token of a live session, or None (expired, ended, user disabled)."""
    row = ledger.session(_digest(token))
    if row is None:
        return None
    user = ledger.user(row.user_name)
    if user is None or user.disabled:
        return None
    return as_user(user), row.csrf_token


def end_session(ledger: Ledger, token: str) -> None:
    ledger.end_session(_digest(token))


def as_user(row: UserRow) -> User:
    return User(row.name, Role(row.role), row.council)


@cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs the time a wrong password does."""
    return _hasher.hash(secrets.token_hex(16))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
