"""The review queue: one record at a time, its page images, and the reviewer's decisions.

Each decision calls the same domain function as `digitise review ...` (set_record_type,
send_for_rescan, accept_capture, split_record, merge_with_next), which changes the ledger in one transaction
with an audit event naming the signed-in user; then the next record of the queue loads.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from records.access import Role
from records.archive.objects import require_local_archive
from records.classify.regroup import merge_with_next, split_record
from records.classify.review import accept_capture, resolve_record, set_record_type
from records.classify.review_view import RESCAN_REASONS, next_to_review, page_image, review_view, send_for_rescan
from records.errors import ReviewError
from records.ledger import RecordRow
from web.app import WebContext, render, see_other
from web.security import Visitor, check_council, form_with_csrf, require

router = APIRouter()


@router.get("/review")
def queue(request: Request, council: str | None = None, after: int = 0) -> Response:
    """The first record awaiting review (after row `after`: a skip), among the user's councils."""
    web: WebContext = request.app.state.web
    who = require(request, Role.viewer, council)
    councils = [council] if council else [who.user.council] if who.user.council else None
    view = next_to_review(web.ledger, web.pipeline.archive, web.rules, councils, after_id=after)
    following = web.ledger.next_for_review(councils, after_id=view.row.id) if view else None
    counts = web.ledger.review_counts()
    waiting = sum(n for c, n in counts.items() if councils is None or c in councils)
    return render(request, "review.html", who=who, view=view, following=following, council=council,
                  waiting=waiting, reasons=RESCAN_REASONS)


@router.get("/review/{record_id}")
def one(request: Request, record_id: str) -> Response:
    web: WebContext = request.app.state.web
    row, who = _record(request, record_id, Role.viewer)
    view = review_view(web.ledger, web.pipeline.archive, web.rules, row)
    return render(request, "review.html", who=who, view=view, following=None, council=None,
                  waiting=None, reasons=RESCAN_REASONS)


@router.get("/records/{record_id}/pages/{page}.png")
def page(request: Request, record_id: str, page: int) -> Response:
    web: WebContext = request.app.state.web
    row, _ = _record(request, record_id, Role.viewer)
    png = page_image(web.pipeline.archive, row, page)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=600"})


@router.get("/records/{record_id}/pdf")
def pdf(request: Request, record_id: str) -> Response:
    web: WebContext = request.app.state.web
    row, _ = _record(request, record_id, Role.viewer)
    path = require_local_archive(web.pipeline.archive, "review").root / row.pdf_path
    return FileResponse(path, media_type="application/pdf", filename=f"{row.source_sha256[:12]}.pdf",
                        headers={"Cache-Control": "private, no-store"})


@router.post("/review/{record_id}/type")
async def choose_type(request: Request, record_id: str) -> Response:
    web, row, who, form = await _decision(request, record_id)
    set_record_type(web.ledger, web.pipeline.archive, row.source_sha256, form.get("record_type", ""),
                    reviewed_by=who.user.name, record_types=web.record_types)
    return _next(form)


@router.post("/review/{record_id}/rescan")
async def rescan(request: Request, record_id: str) -> Response:
    web, row, who, form = await _decision(request, record_id)
    send_for_rescan(web.ledger, row.source_sha256, requested_by=who.user.name, reason=form.get("reason", ""))
    return _next(form)


@router.post("/review/{record_id}/accept-capture")
async def accept_scan(request: Request, record_id: str) -> Response:
    """The paper allows no better scan: count the record as digitised, then decide its type."""
    web, row, who, _ = await _decision(request, record_id)
    accept_capture(web.ledger, row.source_sha256, accepted_by=who.user.name)
    return see_other(f"/review/{row.source_sha256}")


@router.post("/review/{record_id}/split")
async def split(request: Request, record_id: str) -> Response:
    web, row, who, form = await _decision(request, record_id)
    try:
        at = int(form.get("at", ""))
    except ValueError as e:
        raise ReviewError("give the file page that starts the second record") from e
    split_record(web.ledger, web.pipeline.archive, web.pipeline.classifier, row.source_sha256, at,
                 reviewed_by=who.user.name)
    return _next(form)


@router.post("/review/{record_id}/merge")
async def merge(request: Request, record_id: str) -> Response:
    web, row, who, form = await _decision(request, record_id)
    merge_with_next(web.ledger, web.pipeline.archive, web.pipeline.classifier, row.source_sha256,
                    reviewed_by=who.user.name)
    return _next(form)


async def _decision(request: Request, record_id: str) -> tuple[WebContext, RecordRow, Visitor, dict[str, str]]:
    """A reviewer's POST on a record of their council, with the form's CSRF token checked."""
    row, who = _record(request, record_id, Role.reviewer)
    return request.app.state.web, row, who, await form_with_csrf(request, who)


def _record(request: Request, record_id: str, role: Role) -> tuple[RecordRow, Visitor]:
    """The record, if the signed-in user has `role` and may see its council (else 403)."""
    web: WebContext = request.app.state.web
    who = require(request, role)
    try:
        row = resolve_record(web.ledger, record_id)
    except ReviewError as e:
        raise HTTPException(404, str(e)) from e
    check_council(who, row.council)
    return row, who


def _next(form: dict[str, str]) -> Response:
    council = form.get("council")
    return see_other(f"/review?council={council}" if council else "/review")
