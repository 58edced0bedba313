"""Session cookie flags and identity from a trusted reverse proxy's header, on the application
in-process (httpx's ASGI transport, from client address 10.0.0.7)."""

from __future__ import annotations

import asyncio
import re

import httpx

from records.config import Settings
from tests.web.conftest import PASSWORD, REVIEWER, VIEWER, Station
from web import create_app

CLIENT = "10.0.0.7"


def _client(settings: Settings, **web: object) -> httpx.AsyncClient:
    pipeline = settings.pipeline.model_copy(update={"web": settings.pipeline.web.model_copy(update=web)})
    app = create_app(settings.model_copy(update={"pipeline": pipeline}), secret=b"test")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(CLIENT, 40000)),
                             base_url="https://station.test")


def test_session_cookie_is_httponly_lax_and_secure_when_configured(station: Station) -> None:
    async def sign_in() -> httpx.Response:
        async with _client(station.settings, secure_cookies=True) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/login")).text)
            assert token
            return await client.post("/login", data={"csrf_token": token.group(1), "name": REVIEWER,
                                                     "password": PASSWORD})

    answer = asyncio.run(sign_in())
    assert answer.status_code == 303
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and "digitise_session" in v)
    assert {"HttpOnly", "Secure", "SameSite=lax"} <= {part.strip() for part in cookie.split(";")}


def test_trusted_proxy_header_signs_in_known_users_only(station: Station) -> None:
    async def statuses(proxies: list[str]) -> tuple[int, int, bool]:
        async with _client(station.settings, trusted_user_header="X-Remote-User", trusted_proxies=proxies) as client:
            known = await client.get("/review", headers={"X-Remote-User": REVIEWER})
            stranger = await client.get("/review", headers={"X-Remote-User": "stranger"})
            return known.status_code, stranger.status_code, REVIEWER in known.text

    assert asyncio.run(statuses([CLIENT])) == (200, 403, True)
    assert asyncio.run(statuses(["10.9.9.9"]))[:2] == (303, 303)  # not a trusted proxy: to the sign-in page


def test_a_viewer_may_read_but_not_decide(station: Station) -> None:
    ledger = station.ledger()
    theirs = next(r for r in ledger.records() if r.council == "thornbury")

    async def read_then_decide() -> tuple[int, int]:
        async with _client(station.settings, trusted_user_header="X-Remote-User", trusted_proxies=[CLIENT]) as client:
            headers = {"X-Remote-User": VIEWER}
            page = await client.get(f"/review/{theirs.source_sha256}", headers=headers)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token and 'id="confirm"' not in page.text  # no decision forms for a viewer
            decided = await client.post(f"/review/{theirs.source_sha256}/type", headers=headers,
                                        data={"csrf_token": token.group(1), "record_type": "complaint"})
            return page.status_code, decided.status_code

    assert asyncio.run(read_then_decide()) == (200, 403)
    assert ledger.find_records(theirs.source_sha256)[0].record_type == theirs.record_type
    ledger.dispose()
