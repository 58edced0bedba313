"""The application: what it acts on (`WebContext`), how pages are rendered, and error pages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from itsdangerous import TimestampSigner

from records.classify.rules import Classifier
from records.config import Settings
from records.context import build_context
from records.errors import LedgerError, RecordError
from records.ledger import Ledger
from records.pipeline import PipelineContext
from web.security import SignInRequired, make_signer, set_session_cookie

if TYPE_CHECKING:
    from web.figures import FiguresMemo

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class WebContext:
    """What every page acts on: settings, the pipeline's ledger and archive, the rules (for
    highlighting evidence), the templates and the cookie signer."""

    settings: Settings
    pipeline: PipelineContext
    rules: Classifier
    templates: Jinja2Templates
    signer: TimestampSigner
    figures: FiguresMemo

    @property
    def ledger(self) -> Ledger:
        return self.pipeline.ledger

    @property
    def councils(self) -> list[str]:
        return sorted(self.settings.councils)

    @property
    def record_types(self) -> list[str]:
        return sorted(self.settings.classification.record_types)


def create_app(settings: Settings, *, secret: bytes) -> FastAPI:
    """The review station over the ledger and archive `settings` name; `secret` signs cookies."""
    from web import auth, figures, review, search  # the routers need WebContext defined first
    from web.figures import FiguresMemo

    app = FastAPI(title="council-digitise review station", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = WebContext(
        settings=settings, pipeline=build_context(settings), rules=Classifier(settings.classification),
        templates=Jinja2Templates(directory=HERE / "templates"), signer=make_signer(secret), figures=FiguresMemo(),
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (auth, figures, review, search):
        app.include_router(module.router)
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RecordError, _refused)
    app.middleware("http")(_headers)
    return app


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """A page, with the signed-in visitor (if any) and a new session's cookie set."""
    web: WebContext = request.app.state.web
    response = web.templates.TemplateResponse(request, template, {"web": web, **values}, status_code=status_code)
    return response


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _headers(request: Request, call_next: Any) -> Response:
    response: Response = await call_next(request)
    new_session = getattr(request.state, "new_session", None)
    if new_session is not None:
        set_session_cookie(request.app.state.web, request, response, new_session)
    # Pages show citizens' records: never cached by shared caches, never framed, no referrer leaks.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
    return response


async def _sign_in(request: Request, _error: Exception) -> Response:
    if request.method == "GET":
        return see_other("/login")
    return HTMLResponse("sign in first", status_code=401)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return render(request, "error.html", status_code=error.status_code, message=str(error.detail))


async def _refused(request: Request, error: Exception) -> Response:
    """A domain refusal (a bad type, a weak estimate, a stale decision): its message, never a traceback."""
    status = 503 if isinstance(error, LedgerError) else 400
    return render(request, "error.html", status_code=status, message=str(error))
