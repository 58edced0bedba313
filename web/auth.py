"""Signing in and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from records.access import authenticate, end_session, start_session
from records.errors import AccessError
from web.app import WebContext, render, see_other
from web.security import (
    SignInRequired,
    check_login_token,
    clear_cookies,
    client_of,
    form_with_csrf,
    new_login_token,
    session_token,
    set_login_cookie,
    set_session_cookie,
    visitor,
)

router = APIRouter()


@router.get("/")
def home(request: Request) -> Response:
    visitor(request)
    return see_other("/dashboard")


@router.get("/login")
def login_page(request: Request) -> Response:
    return _login_form(request, error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    web: WebContext = request.app.state.web
    form = await request.form()
    check_login_token(web, request, form.get("csrf_token"))
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    try:
        user = authenticate(web.ledger, name, password, client=client_of(request))
    except AccessError as e:
        return _login_form(request, error=str(e), status_code=429 if "too many" in str(e) else 401)
    response = see_other("/dashboard")
    set_session_cookie(web, request, response, start_session(web.ledger, user))
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    web: WebContext = request.app.state.web
    try:
        await form_with_csrf(request, visitor(request))
    except SignInRequired:
        pass
    token = session_token(web, request)
    if token:
        end_session(web.ledger, token)
    response = see_other("/login")
    clear_cookies(response)
    return response


def _login_form(request: Request, *, error: str | None, status_code: int = 200) -> Response:
    token = new_login_token()
    page = render(request, "login.html", status_code=status_code, error=error, csrf_token=token)
    set_login_cookie(request.app.state.web, request, page, token)
    return page
