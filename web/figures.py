"""The dashboard, the printable survey summary, and the estimates and exclusions forms.

Figures come from records/reporting (the FoI survey's answers and forecasts, the same as
`digitise survey`); estimates and exclusions are recorded by the same functions as `digitise
estimate set` and `digitise exclude`, named after the signed-in user.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from records.access import Role
from records.errors import EstimateError
from records.reporting.inventory import (
    ExclusionReason,
    NewEstimate,
    NewExclusion,
    current_estimates,
    record_estimate,
    record_exclusion,
)
from records.reporting.progress import ALL_TYPES, councils_per_band
from records.reporting.survey import CANNOT_SAY, Forecast, Survey, SurveyAnswer, build_survey
from web.app import WebContext, render, see_other
from web.charts import daily_bars, split_bar
from web.security import Visitor, check_council, form_with_csrf, require

router = APIRouter()
#: Figures older than this are computed again even if the ledger has not changed: the forecast
#: window slides with the clock.
FIGURES_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class Figures:
    """What the dashboard and survey pages show for every council, as of one ledger state."""

    survey: Survey
    daily: dict[str, list[tuple[str, int]]]  # council -> (UTC day, pages archived), the forecast window


class FiguresMemo:
    """The figures, computed again only when the ledger has changed or they are a minute old.

    Every change they depend on (a record archived, reviewed or quarantined, an estimate or an
    exclusion) appends an audit event in its own transaction, so the newest event's id (one
    primary-key lookup) says whether they still hold. Summing a 50,000-record ledger takes
    about 0.1 s; a page that finds the figures current answers in a few milliseconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[int, dt.date] | None = None
        self._at = 0.0
        self._figures: Figures | None = None

    def get(self, web: WebContext) -> Figures:
        key = (web.ledger.last_event_id(), dt.datetime.now(dt.timezone.utc).date())
        with self._lock:
            if self._figures is None or key != self._key or time.monotonic() - self._at > FIGURES_TTL_SECONDS:
                self._figures, self._key, self._at = compute_figures(web), key, time.monotonic()
            return self._figures


@dataclass(frozen=True, slots=True)
class CouncilCard:
    """One council on the dashboard."""

    answer: SurveyAnswer
    forecast: Forecast | None
    estimate_age_days: int | None
    failed: int
    awaiting_review: int
    chart: str
    split: str


@router.get("/dashboard")
def dashboard(request: Request) -> Response:
    web: WebContext = request.app.state.web
    who = require(request, Role.viewer)
    figures = web.figures.get(web)
    survey = figures.survey
    failures, review = web.ledger.open_failures(), web.ledger.review_counts()
    forecasts = {f.council: f for f in survey.forecasts if f.record_type == ALL_TYPES}
    cards = [
        CouncilCard(
            answer=a, forecast=forecasts.get(a.council),
            estimate_age_days=(survey.today - a.estimate_date).days if a.estimate_date else None,
            failed=failures.get(a.council, 0), awaiting_review=review.get(a.council, 0),
            chart=daily_bars(figures.daily.get(a.council, []), today=survey.today, window=survey.window_days),
            split=split_bar(a.digitised, a.not_needed, a.outstanding),
        )
        for a in _visible(who, survey)
    ]
    return render(request, "dashboard.html", who=who, cards=cards, survey=survey)


@router.get("/survey")
def survey_page(request: Request) -> Response:
    web: WebContext = request.app.state.web
    who = require(request, Role.viewer)
    survey = web.figures.get(web).survey
    answers = _visible(who, survey)
    bands = councils_per_band((a.band for a in answers), cannot_say=CANNOT_SAY)
    forecasts = [f for f in survey.forecasts if who.user.sees(f.council)]
    return render(request, "survey.html", who=who, survey=survey, answers=answers, bands=bands,
                  forecasts=forecasts)


@router.get("/estimates")
def estimates_page(request: Request, council: str | None = None) -> Response:
    web: WebContext = request.app.state.web
    who = require(request, Role.viewer, council)
    shown = [council] if council else who.user.councils(web.councils)
    recorded = web.ledger.estimates()
    current = current_estimates(web.settings.councils, recorded)
    return render(
        request, "estimates.html", who=who, council=council, councils=who.user.councils(web.councils),
        current={c: current[c].describe() for c in shown if c in current},
        estimates=[r for r in recorded if r.council in shown],
        exclusions=[r for r in web.ledger.exclusions() if r.council in shown],
        reasons=list(ExclusionReason), may_edit=who.user.may(Role.admin), today=dt.date.today(),
    )


@router.post("/estimates")
async def add_estimate(request: Request) -> Response:
    web: WebContext = request.app.state.web
    who, form, council = await _admin_form(request)
    unit, amount = form.get("unit", "pages"), _number(form.get("amount", ""))
    estimate = NewEstimate(
        council=council, source=form.get("source", "").strip(), recorded_by=who.user.name,
        record_type=form.get("record_type") or None, as_of=_date(form.get("as_of", "")),
        pages=int(amount) if unit == "pages" else None, boxes=amount if unit == "boxes" else None,
        linear_metres=amount if unit == "linear_metres" else None,
    )
    record_estimate(web.ledger, web.settings.councils, web.record_types, estimate,
                    units=web.settings.units_for(council))
    return see_other(f"/estimates?council={council}")


@router.post("/exclusions")
async def add_exclusion(request: Request) -> Response:
    web: WebContext = request.app.state.web
    who, form, council = await _admin_form(request)
    exclusion = NewExclusion(council=council, pages=int(_number(form.get("pages", ""))),
                             reason=form.get("reason", ""), note=form.get("note", ""),
                             recorded_by=who.user.name, record_type=form.get("record_type") or None)
    record_exclusion(web.ledger, web.settings.councils, web.record_types, exclusion)
    return see_other(f"/estimates?council={council}")


async def _admin_form(request: Request) -> tuple[Visitor, dict[str, str], str]:
    """An admin's form with its CSRF token, for a council they may see."""
    who = require(request, Role.admin)
    form = await form_with_csrf(request, who)
    council = form.get("council", "")
    check_council(who, council)
    return who, form, council


def compute_figures(web: WebContext) -> Figures:
    options = web.settings.pipeline.survey
    survey = build_survey(web.settings.councils, web.ledger, max_estimate_age_days=options.max_estimate_age_days,
                          window_days=options.forecast_window_days)
    since = dt.datetime.combine(survey.today - dt.timedelta(days=survey.window_days), dt.time(),
                                tzinfo=dt.timezone.utc)
    daily: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for day, council, pages in web.ledger.daily_pages(since):
        daily[council].append((day, pages))
    return Figures(survey, dict(daily))


def _visible(who: Visitor, survey: Survey) -> list[SurveyAnswer]:
    return [a for a in survey.answers if who.user.sees(a.council)]


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError as e:
        raise EstimateError("give the amount as a number") from e
    if value <= 0:
        raise EstimateError("give an amount above 0")
    return value


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError as e:
        raise EstimateError("give the date as YYYY-MM-DD") from e
