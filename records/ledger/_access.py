"""Who may use the web review station: users, their sessions and sign-in attempts.

Passwords arrive already hashed (records/access.py hashes them) and session tokens only as
their sha256, so nothing here can sign anyone in by itself. Adding or replacing a user is
logged in the audit trail, naming who did it; the hash never is.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, insert, or_, select, update

from records.ledger import _events
from records.ledger._database import Database, columns_of, now, rows_as
from records.ledger.entries import UserEntry
from records.ledger.rows import SessionRow, UserRow
from records.ledger.schema import login_attempts_table, users_table, web_sessions_table

#: The audit trail's council for a change not tied to one council (a user who sees them all).
ALL_COUNCILS = "*"


def put_user(db: Database, user: UserEntry) -> bool:
    """Insert the user, or replace their role, scope and password; True if newly added."""
    at = now()
    u = users_table.c
    values = columns_of(user)
    with db.transaction() as conn:
        existing = conn.execute(select(u.id).where(u.name == user.name)).first()
        if existing is None:
            conn.execute(insert(users_table).values(**values, created_at=at))
        else:
            conn.execute(update(users_table).where(u.name == user.name)
                         .values(role=user.role, council=user.council, password_hash=user.password_hash,
                                 disabled=user.disabled))
            conn.execute(delete(web_sessions_table).where(web_sessions_table.c.user_name == user.name))
        _events.append(conn, at, user.council or ALL_COUNCILS, None, None, user.created_by, [
            ("user_added" if existing is None else "user_changed",
             {"user": user.name, "role": user.role, "council": user.council, "disabled": user.disabled,
              "password": user.password_hash is not None}),
        ])
    return existing is None


def user(db: Database, name: str) -> UserRow | None:
    with db.transaction() as conn:
        rows = rows_as(UserRow, conn.execute(select(users_table).where(users_table.c.name == name)))
    return rows[0] if rows else None


def users(db: Database) -> list[UserRow]:
    with db.transaction() as conn:
        return rows_as(UserRow, conn.execute(select(users_table).order_by(users_table.c.name)))


def add_session(db: Database, session: SessionRow) -> None:
    with db.transaction() as conn:
        conn.execute(delete(web_sessions_table).where(web_sessions_table.c.expires_at < now()))
        conn.execute(insert(web_sessions_table).values(**columns_of(session)))


def session(db: Database, token_sha256: str) -> SessionRow | None:
    """The session if it exists and has not expired."""
    s = web_sessions_table.c
    with db.transaction() as conn:
        rows = rows_as(SessionRow, conn.execute(
            select(web_sessions_table).where(s.token_sha256 == token_sha256, s.expires_at > now())))
    return rows[0] if rows else None


def end_session(db: Database, token_sha256: str) -> None:
    with db.transaction() as conn:
        conn.execute(delete(web_sessions_table).where(web_sessions_table.c.token_sha256 == token_sha256))


def note_login(db: Database, user_name: str, client: str, succeeded: bool) -> None:
    with db.transaction() as conn:
        conn.execute(insert(login_attempts_table).values(user_name=user_name, client=client,
                                                         succeeded=succeeded, at=now()))


def failed_logins(db: Database, user_name: str, client: str, since: dt.datetime) -> int:
    """Failed attempts for this name from this client since `since`, or since its last success."""
    a, ok = login_attempts_table.c, login_attempts_table.alias("succeeded").c
    last_ok = select(func.max(ok.at)).where(
        ok.user_name == user_name, ok.client == client, ok.succeeded.is_(True)).scalar_subquery()
    with db.transaction() as conn:
        return int(conn.execute(select(func.count()).where(
            a.user_name == user_name, a.client == client, a.succeeded.is_(False), a.at > since,
            or_(last_ok.is_(None), a.at > last_ok))).scalar() or 0)
