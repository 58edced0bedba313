"""Review station response times on a large ledger: the review queue page and the dashboard.

Builds two SQLite ledgers through the ledger's own API (`Ledger.add_record`, with its counters
and audit events): a small one and one with --records records (default 50,000) over four
councils, a tenth awaiting review (their sidecar and text are written to the archive; the
others have ledger rows only). Serves each with the real application (uvicorn, loopback),
signs in, and times --requests GETs of /review (a different record each time) and /dashboard,
as a reviewer sees them (HTML only; page images are separate requests). The dashboard keeps its
figures until the ledger changes (web/figures.py), so "figures" times computing them afresh, as
the first view after a change does. Prints the median and 95th percentile, the large ledger
against the small one side by side (near 1: the queries do not grow with the ledger) and
against the 200 ms target.

Usage: python -m benchmarks.web_load [--records 50000] [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from records.access import add_user
from records.archive.local import Archive
from records.config import load_settings
from records.ledger import ArchivedRecord, Ledger
from web import create_app
from web.figures import compute_figures

TARGET_MS = 200.0
COUNCILS = ("ashbourne", "glanyrafon", "kingsmere", "thornbury")
TYPES = ("council_tax", "housing_benefit", "planning_application", "complaint", "foi_request")
PASSWORD = "benchmark password"
TEXT = ("Council Tax Demand Notice 2025/26 issued under the Local Government Finance Act 1992.\n"
        "Please quote your account reference. We apologise for the delay in replying to your complaint.\n") * 6


def build_ledger(data: Path, records: int, review_share: float = 0.1) -> list[int]:
    """`records` synthetic records; returns the row ids of those awaiting review."""
    ledger, archive = Ledger(f"sqlite:///{data / 'ledger.db'}"), Archive(data / "archive")
    rng = random.Random(7)
    for n in range(records):
        sha = f"{n:064x}"
        council, review = COUNCILS[n % len(COUNCILS)], rng.random() < review_share
        record_type = "unclassified" if review else rng.choice(TYPES)
        paths = archive.paths_for(council, record_type, sha)
        if review:
            paths.text.parent.mkdir(parents=True, exist_ok=True)
            paths.text.write_text(TEXT, encoding="utf-8")
            paths.sidecar.write_text(json.dumps({
                "pages": [{"number": 1, "confidence": 91.0, "words": 120, "blank": False, "review_reasons": []}],
                "classification": {"record_type": record_type, "score": 0.5, "method": "rules",
                                   "candidates": [{"record_type": "council_tax", "score": 0.5},
                                                  {"record_type": "complaint", "score": 0.3}]}}), encoding="utf-8")
        ledger.add_record(ArchivedRecord(
            source_sha256=sha, council=council, batch=f"batch-{n // 500:03d}", source_path=f"{council}/b/{n}.tif",
            record_type=record_type, score=0.5 if review else 0.9, needs_review=review, pages=1 + n % 4, words=300,
            blank_pages=0, mean_confidence=90.0, pdf_path=archive.relative(paths.pdf),
            text_path=archive.relative(paths.text), sidecar_path=archive.relative(paths.sidecar),
            pdf_sha256="0" * 64, text_sha256="0" * 64, engine="tesseract 5", languages="eng", pipeline_version="bench",
        ))
    add_user(ledger, "bench.reviewer", role="reviewer", council=None, password=PASSWORD,
             known_councils=COUNCILS, added_by="benchmark")
    queue_ids = []
    after = 0
    while (row := ledger.next_for_review(None, after_id=after)) is not None and len(queue_ids) < 2000:
        queue_ids.append(row.id)
        after = row.id
    ledger.dispose()
    return queue_ids


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def time_pages(data: Path, queue_ids: list[int], requests: int) -> dict[str, list[float]]:
    """Milliseconds per GET of /review and /dashboard against a server on `data`."""
    settings = load_settings().with_data_dir(data)
    port = _free_port()
    app = create_app(settings, secret=b"benchmark")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            while not server.started:
                time.sleep(0.05)
            token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
            signed_in = client.post("/login", data={"csrf_token": token, "name": "bench.reviewer", "password": PASSWORD})
            assert signed_in.status_code == 303, signed_in.status_code
            rng = random.Random(11)
            paths = {"review": lambda: f"/review?after={rng.choice(queue_ids) - 1}", "dashboard": lambda: "/dashboard"}
            times: dict[str, list[float]] = {name: [] for name in paths}
            for name, path in paths.items():
                client.get(path())  # warm the caches once
                for _ in range(requests):
                    start = time.perf_counter()
                    answer = client.get(path())
                    times[name].append(1000 * (time.perf_counter() - start))
                    assert answer.status_code == 200, (name, answer.status_code)
            times["figures"] = []
            for _ in range(max(10, requests // 10)):
                start = time.perf_counter()
                compute_figures(app.state.web)
                times["figures"].append(1000 * (time.perf_counter() - start))
            return times
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="web-load-") as tmp:
        for size in (args.small, args.records):
            data = Path(tmp) / str(size)
            started = time.perf_counter()
            queue_ids = build_ledger(data, size)
            print(f"ledger of {size} records ({len(queue_ids)}+ awaiting review) built in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
            results[size] = time_pages(data, queue_ids, args.requests)
    print(f"\n{args.requests} GETs each; milliseconds; target {TARGET_MS:.0f} ms")
    print(f"{'page':<10} {'records':>8} {'median':>8} {'p95':>8} {'p95/target':>11}")
    for page in ("review", "dashboard", "figures"):
        for size in (args.small, args.records):
            t = results[size][page]
            print(f"{page:<10} {size:>8} {statistics.median(t):>8.1f} {_p95(t):>8.1f} {_p95(t) / TARGET_MS:>11.2f}")
        big, small = results[args.records][page], results[args.small][page]
        print(f"{page:<10} {'ratio':>8} {statistics.median(big) / statistics.median(small):>8.2f} "
              f"{_p95(big) / _p95(small):>8.2f}   ({args.records} vs {args.small} records)")


if __name__ == "__main__":
    main()
