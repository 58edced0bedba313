"""Who is asking, and may they: session cookies, CSRF tokens, roles and council scope.

The session cookie holds a random token signed with the server's key (itsdangerous); the
ledger keeps only the token's sha256, with the session's CSRF token. Every POST must carry
that CSRF token in its form (`csrf_token`) or it is refused with 403; the sign-in form, before
any session, uses a signed token of its own in a cookie (double submit). Nothing but the
sign-in page and the static files answers without a signed-in user. With
`web.trusted_user_header` set, a request from a trusted proxy is signed in as the user its
header names (who must be a user in the ledger).
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException, Request, Response
from itsdangerous import BadSignature, TimestampSigner

from records.access import SESSION_LIFETIME, Role, Session, User, proxy_user, session_user, start_session
from records.archive.local import make_private_dir
from records.errors import AccessError

if TYPE_CHECKING:
    from web.app import WebContext

SESSION_COOKIE = "digitise_session"
LOGIN_COOKIE = "digitise_login"
SECRET_FILE = "secret.key"


class SignInRequired(Exception):
    """No signed-in user: pages redirect to the sign-in page."""


@dataclass(frozen=True, slots=True)
class Visitor:
    """The signed-in user of a request and their session's CSRF token."""

    user: User
    csrf_token: str


def load_secret(folder: Path) -> bytes:
    """The key that signs cookies: made once (0600) in `folder`, so sessions survive restarts."""
    path = folder / SECRET_FILE
    if not path.exists():
        make_private_dir(folder)
        fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
        os.replace(path.with_suffix(".tmp"), path)
    return path.read_bytes().strip()


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def visitor(request: Request) -> Visitor:
    """The signed-in user, from the session cookie or a trusted proxy's header; else SignInRequired."""
    web: WebContext = request.app.state.web
    token = session_token(web, request)
    live = session_user(web.ledger, token) if token else None
    proxied = _proxy_name(web, request)
    if live is not None and (proxied is None or live[0].name == proxied):
        return Visitor(*live)
    if proxied is not None:
        try:
            session = start_session(web.ledger, proxy_user(web.ledger, proxied))
        except AccessError as e:
            raise HTTPException(403, str(e)) from e
        request.state.new_session = session  # the response sets its cookie
        return Visitor(session.user, session.csrf_token)
    raise SignInRequired


def require(request: Request, role: Role, council: str | None = None) -> Visitor:
    """The visitor, if their role includes `role` and they may see `council`; else 403."""
    who = visitor(request)
    if not who.user.may(role):
        raise HTTPException(403, f"this needs the {role} role")
    if council is not None:
        check_council(who, council)
    return who


def check_council(who: Visitor, council: str) -> None:
    """403 unless the visitor may see `council`'s records and figures."""
    if not who.user.sees(council):
        raise HTTPException(403, "that council's records are not yours to see")


async def form_with_csrf(request: Request, who: Visitor) -> dict[str, str]:
    """The POSTed form, if it carries the session's CSRF token; else 403."""
    form = await request.form()
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not secrets.compare_digest(sent, who.csrf_token):
        raise HTTPException(403, "the form's security token is missing or stale; reload the page")
    return {k: v for k, v in form.items() if isinstance(v, str)}


def set_session_cookie(web: WebContext, request: Request, response: Response, session: Session) -> None:
    response.set_cookie(SESSION_COOKIE, web.signer.sign(session.token).decode(),
                        max_age=int(SESSION_LIFETIME.total_seconds()), **_cookie_flags(web, request))


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def set_login_cookie(web: WebContext, request: Request, response: Response, token: str) -> None:
    """The sign-in form's CSRF token, signed, in a short-lived cookie: the form must send it back."""
    response.set_cookie(LOGIN_COOKIE, web.signer.sign(token).decode(), max_age=3600, **_cookie_flags(web, request))


def check_login_token(web: WebContext, request: Request, sent: Any) -> None:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    try:
        expected = web.signer.unsign(cookie, max_age=3600).decode()
    except BadSignature:
        expected = ""
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise HTTPException(403, "the sign-in form's security token is missing or stale; reload the page")


def clear_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(LOGIN_COOKIE)


def session_token(web: WebContext, request: Request) -> str | None:
    """The session token of the request's signed cookie, or None (no cookie, forged or too old)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        return web.signer.unsign(cookie, max_age=int(SESSION_LIFETIME.total_seconds())).decode()
    except BadSignature:
        return None


def _proxy_name(web: WebContext, request: Request) -> str | None:
    options = web.settings.pipeline.web
    if not options.trusted_user_header or client_of(request) not in options.trusted_proxies:
        return None
    return request.headers.get(options.trusted_user_header) or None


def _cookie_flags(web: WebContext, request: Request) -> dict[str, Any]:
    secure = web.settings.pipeline.web.secure_cookies or request.url.scheme == "https"
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}


def make_signer(secret: bytes) -> TimestampSigner:
    return TimestampSigner(secret, salt="digitise-web-session")


class _NoQueryStrings(logging.Filter):
    """Access log lines keep the path and drop any query string, which could hold a search term."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            args = list(record.args)
            args[2] = args[2].split("?", 1)[0]
            record.args = tuple(args)
        return True


def access_log_filter() -> logging.Filter:
    """For uvicorn's access logger: see _NoQueryStrings."""
    return _NoQueryStrings()
