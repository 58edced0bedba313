"""Full-text search over the archived records, with the same function as `digitise search`.

The words searched for are OCR text a person typed: they travel in a POSTed form, never in
the address, so no access log, proxy log or browser history keeps them.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from records.access import Role
from records.errors import SearchError
from records.reporting.search import search_records
from web.app import WebContext, render
from web.security import form_with_csrf, require

router = APIRouter()
RESULTS = 50


@router.get("/search")
def search_page(request: Request) -> Response:
    web: WebContext = request.app.state.web
    who = require(request, Role.viewer)
    return render(request, "search.html", who=who, hits=None, form={}, councils=who.user.councils(web.councils))


@router.post("/search")
async def search(request: Request) -> Response:
    web: WebContext = request.app.state.web
    who = require(request, Role.viewer)
    form = await form_with_csrf(request, who)
    council = who.user.council or form.get("council") or None  # a council's staff search only theirs
    if council:
        require(request, Role.viewer, council)
    hits = search_records(
        web.ledger, web.pipeline.archive, form.get("query", ""), council=council,
        record_type=form.get("record_type") or None, limit=RESULTS,
        archived_from=_day(form.get("from", "")), archived_to=_day(form.get("to", "")),
    )
    return render(request, "search.html", who=who, hits=hits, form=form, councils=who.user.councils(web.councils))


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError as e:
        raise SearchError("give dates as YYYY-MM-DD") from e
