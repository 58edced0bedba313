"""A Tesseract engine that stays loaded: run as a script by ocr/_exec/engine.py, one per worker.

Started as `python engine_server.py TESSDATA` (a script, so the `ocr` package and its
imports are not loaded here). It reads one JSON request per line on stdin and answers
one JSON line on the protocol pipe: the page's TSV and the engine's CPU seconds so far
(for `ocr.profiling`), or what went wrong. Tesseract writes
the page's PDF and text itself, as the CLI does. Starting the CLI for every page cost
about 0.1 CPU s a page (loading the model and the PDF font) before it read anything.

Requests and answers carry file paths and Tesseract's TSV (OCR text): the pipe is private
to the parent, and nothing here logs.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def main() -> None:
    tessdata = sys.argv[1]
    # The protocol gets its own descriptor; stdout goes to stderr (discarded by the parent),
    # so that nothing the library prints can corrupt an answer.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    import tesserocr

    engines: dict[str, Any] = {}
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = _read(engines, tesserocr, tessdata, request)
        except Exception as error:  # noqa: BLE001 - reported to the parent, which raises a typed error
            answer = {"ok": False, "error": "failed", "message": type(error).__name__}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def _read(engines: dict[str, Any], tesserocr: Any, tessdata: str, request: dict[str, Any]) -> dict[str, Any]:
    languages = request["languages"]
    api = engines.get(languages)
    if api is None:
        api = tesserocr.PyTessBaseAPI(path=tessdata, lang=languages)
        api.SetVariable("tessedit_create_pdf", "1")
        api.SetVariable("tessedit_create_txt", "1")
        engines[languages] = api
    api.SetPageSegMode(int(request["psm"]))
    api.SetVariable("user_defined_dpi", str(request["dpi"]))
    timeout_ms = int(request["timeout"] * 1000)
    started = time.monotonic()
    # ProcessPages, not ProcessPage: only it opens and closes the PDF document around the page.
    done = api.ProcessPages(request["out_base"], request["image"], timeout=timeout_ms)
    if not done:
        late = time.monotonic() - started >= request["timeout"]
        return {"ok": False, "error": "timeout" if late else "failed", "message": "ProcessPages"}
    return {"ok": True, "tsv": TSV_HEADER + "\n" + api.GetTSVText(0), "cpu": time.process_time()}


if __name__ == "__main__":
    main()
