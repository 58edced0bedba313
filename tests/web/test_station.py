"""The review station in a real browser (Debian's Chromium through Playwright) over `digitise
serve` on a ledger the real pipeline filled: sign in, clear records with the keyboard, and the
access checks: another council's records, forms without their CSRF token, no sign-in, too
many wrong passwords; and that search words and field values never reach the server's log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from records.ledger import Ledger
from tests.web.conftest import ADMIN, ARTIFACTS, PASSWORD, REVIEWER, VIEWER, Station

pytestmark = pytest.mark.timeout(300)


def _sign_in(browser: Any, station: Station, name: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{station.url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/dashboard")
    return page


@pytest.fixture(scope="module")
def reviewer(browser: Any, station: Station) -> Iterator[Any]:
    """Signed in once for the module (each sign-in verifies an Argon2 hash on purpose slowly)."""
    page = _sign_in(browser, station, REVIEWER)
    yield page
    page.close()


@pytest.fixture(scope="module")
def admin(browser: Any, station: Station) -> Iterator[Any]:
    page = _sign_in(browser, station, ADMIN)
    yield page
    page.close()


@pytest.fixture
def ledger(station: Station) -> Iterator[Ledger]:
    opened = station.ledger()
    yield opened
    opened.dispose()


def _current_record(page: Any) -> str:
    return str(page.get_attribute("#review", "data-record"))


def _record_of(ledger: Ledger, council: str) -> str:
    return next(r.source_sha256 for r in ledger.records() if r.council == council)


def test_reviewer_clears_three_records_with_the_keyboard_and_the_ledger_names_them(
    reviewer: Any, admin: Any, station: Station, ledger: Ledger,
) -> None:
    reviewer.goto(f"{station.url}/review")
    reviewer.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    reviewer.screenshot(path=str(ARTIFACTS / "review-station-review.png"))
    admin.goto(f"{station.url}/dashboard")
    admin.screenshot(path=str(ARTIFACTS / "review-station-dashboard.png"), full_page=True)

    councils = {r.source_sha256: r.council for r in ledger.records()}
    before = {r.source_sha256: r for r in ledger.review_queue()}
    cleared = []
    for key in ("Enter", "1", "r"):
        record = _current_record(reviewer)
        assert councils[record] == "kingsmere"  # the reviewer's queue holds only their council
        with reviewer.expect_navigation():
            reviewer.keyboard.press(key)
        cleared.append(record)
        assert _current_record(reviewer) not in cleared  # the next record is on screen at once

    after = {r.source_sha256 for r in ledger.review_queue()}
    assert after == set(before) - set(cleared)
    confirmed, chosen, rescanned = (ledger.find_records(sha)[0] for sha in cleared)
    assert confirmed.record_type != "unclassified" and chosen.record_type != "unclassified"
    assert [r.requested_by for r in ledger.rescan_requests() if r.source_sha256 == rescanned.source_sha256] == [REVIEWER]
    events = {(e.record_id, e.event, e.actor) for e in ledger.events(council="kingsmere")}
    assert {(cleared[0], "reviewed", REVIEWER), (cleared[1], "reviewed", REVIEWER),
            (cleared[2], "rescan_requested", REVIEWER)} <= events
    counters = [c for c in ledger.counters() if c.council == "kingsmere"]
    # Moved, not lost: the one sent back counts as needing re-scan, not as digitised.
    assert (sum(c.records for c in counters), sum(c.rescan_records for c in counters)) == (3, 1)


def test_another_councils_records_are_refused(reviewer: Any, station: Station, ledger: Ledger) -> None:
    theirs = _record_of(ledger, "thornbury")
    for path in (f"/review/{theirs}", f"/records/{theirs}/pages/1.png", f"/records/{theirs}/pdf",
                 "/review?council=thornbury", "/estimates?council=thornbury"):
        assert reviewer.request.get(f"{station.url}{path}").status == 403, path
    reviewer.goto(f"{station.url}/review")
    csrf = reviewer.input_value("#confirm input[name=csrf_token]")  # a valid token does not help
    answer = reviewer.request.post(f"{station.url}/review/{theirs}/type",
                                   form={"csrf_token": csrf, "record_type": "complaint"})
    assert answer.status == 403
    assert ledger.find_records(theirs)[0].record_type == "unclassified"


def test_forms_without_their_csrf_token_are_refused(reviewer: Any, station: Station, ledger: Ledger) -> None:
    reviewer.goto(f"{station.url}/review")
    mine = _current_record(reviewer)
    for form in ({"record_type": "complaint"}, {"record_type": "complaint", "csrf_token": "forged"}):
        assert reviewer.request.post(f"{station.url}/review/{mine}/type", form=form).status == 403
        assert reviewer.request.post(f"{station.url}/review/{mine}/rescan",
                                     form={**form, "reason": "poor_image"}).status == 403
    assert ledger.find_records(mine)[0].needs_review
    fresh = httpx.post(f"{station.url}/login", data={"name": REVIEWER, "password": PASSWORD})
    assert fresh.status_code == 403 and "digitise_session" not in fresh.cookies


def test_nothing_answers_without_sign_in(station: Station, ledger: Ledger) -> None:
    record = _record_of(ledger, "kingsmere")
    for path in ("/", "/dashboard", "/review", f"/records/{record}/pages/1.png", f"/records/{record}/pdf",
                 "/search", "/estimates", "/survey"):
        answer = httpx.get(f"{station.url}{path}")
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path
    assert httpx.post(f"{station.url}/review/{record}/type", data={"record_type": "complaint"}).status_code == 401


def _login_attempt(client: httpx.Client, url: str, name: str, password: str) -> httpx.Response:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"{url}/login").text)
    assert token
    return client.post(f"{url}/login", data={"csrf_token": token.group(1), "name": name, "password": password})


def test_sign_in_is_rate_limited_per_name_and_client(station: Station) -> None:
    with httpx.Client() as client:
        answers = [_login_attempt(client, station.url, VIEWER, "wrong password!").status_code for _ in range(5)]
        assert answers == [401] * 5
        assert _login_attempt(client, station.url, VIEWER, PASSWORD).status_code == 429  # even the right one
        assert _login_attempt(client, station.url, REVIEWER, PASSWORD).status_code == 303  # others unaffected


def test_admin_records_an_estimate_with_its_history(admin: Any, station: Station, ledger: Ledger) -> None:
    admin.goto(f"{station.url}/estimates?council=thornbury")
    form = admin.locator("#estimate-form")
    form.locator("select[name=council]").select_option("thornbury")
    form.locator("input[name=amount]").fill("3")
    form.locator("select[name=unit]").select_option("boxes")
    form.locator("input[name=source]").fill("box count, records team")
    with admin.expect_navigation():
        form.locator("button[type=submit]").click()
    [estimate] = ledger.estimates(council="thornbury")
    assert (estimate.recorded_by, estimate.pages) == (ADMIN, 3 * 2500)
    assert "box count, records team" in admin.inner_text("#estimates")
    assert [e.actor for e in ledger.events(council="thornbury") if e.event == "estimate_changed"] == [ADMIN]
    admin.goto(f"{station.url}/dashboard")  # the figures follow the change at once
    assert "FoI band 0–25%" in admin.inner_text("#council-thornbury")


def test_search_words_and_field_values_never_reach_the_log(admin: Any, station: Station, ledger: Ledger) -> None:
    record = ledger.find_records(_record_of(ledger, "kingsmere"))[0]
    text = (station.settings.pipeline.archive_dir / record.text_path).read_text(encoding="utf-8")
    word = max(re.findall(r"[A-Za-z]{6,}", text), key=lambda w: (w.lower() not in {"kingsmere", "council"}, len(w)))
    admin.goto(f"{station.url}/search")
    admin.fill("input[name=query]", word)
    with admin.expect_navigation():
        admin.click("form.search button[type=submit]")
    assert record.source_sha256[:12] in admin.inner_text("ol.hits")
    log = station.log.read_text(encoding="utf-8")
    assert "POST /search" in log  # the log is the server's access log, and it saw the search
    secrets = [word] + [f.value for r in ledger.records() for f in ledger.record_fields(r.source_sha256)]
    assert [s for s in secrets if s.lower() in log.lower()] == []


def test_a_scan_below_the_capture_standard_shows_why_and_is_accepted_with_a_key(
    admin: Any, station: Station, ledger: Ledger,
) -> None:
    theirs = _record_of(ledger, "thornbury")
    assert ledger.find_records(theirs)[0].needs_rescan
    admin.goto(f"{station.url}/review/{theirs}")
    assert "low resolution" in admin.inner_text("#capture")
    admin.screenshot(path=str(ARTIFACTS / "review-station-capture.png"))
    with admin.expect_navigation():
        admin.keyboard.press("a")
    [row] = ledger.find_records(theirs)
    assert not row.needs_rescan and row.needs_review  # counted as digitised; its type still awaits a person
    assert admin.locator("#capture").count() == 0
    assert [(e.event, e.actor) for e in ledger.events(council="thornbury") if e.record_id == theirs
            and e.event == "capture_accepted"] == [("capture_accepted", ADMIN)]
    counters = [c for c in ledger.counters() if c.council == "thornbury"]
    assert (sum(c.records for c in counters), sum(c.rescan_records for c in counters)) == (1, 1)
