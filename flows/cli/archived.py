"""Commands on archived records: the review queue, training the classifier, search, the audit trail."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from flows.cli.common import ByOpt, ConfigOpt, DataOpt, JsonOpt, Where, command_group, err, out, print_json, say, table, who
from records.classify.learned import examples_from_ground_truth, save_model, train_model
from records.classify.regroup import RegroupResult, merge_with_next, split_record
from records.classify.retrain import training_set
from records.classify.review import ReviewItem, accept_capture, review_queue, reviewed_examples, set_record_type
from records.classify.review_view import RESCAN_REASONS, send_for_rescan
from records.classify.rules import Classifier
from records.context import model_path
from records.ledger import EventRow
from records.reporting.audit import batch_history, describe_event, record_history
from records.reporting.search import index_missing, search_records

commands = command_group("Archived records: train, search.")
review_app = command_group("Records the classifier was unsure of, or scanned below the capture standard: "
                           "list them, and set their type.",
                           invoke_without_command=True)
audit_app = command_group("The audit trail: every state change of a record, or of a batch.", no_args_is_help=True)


@review_app.callback()
def review(
    ctx: typer.Context,
    council: Annotated[Optional[str], typer.Option(help="List only this council's records.")] = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List records awaiting review: council, file, best guesses with scores, confidence, and
    why a record must be scanned again (pages below the capture standard)."""
    if ctx.invoked_subcommand is not None:
        return
    where = Where(config, data_dir)
    ledger, archive = where.ledger(), where.archive()
    items = review_queue(ledger, archive, council=council)
    if as_json:
        print_json({"review": [asdict(i) for i in items]})
    elif not items:
        out.print("no records awaiting review")
    else:
        out.print(_review_table(items))


def _review_table(items: list[ReviewItem]) -> Table:
    def cells(i: ReviewItem) -> list[str]:
        guesses = ", ".join(f"{t} ({s:.2f})" for t, s in i.candidates) or "none"
        pages = f"{i.pages}" + (f", {i.blank_pages} blank" if i.blank_pages else "")
        rescan = f"re-scan: {i.rescan_reasons.replace(',', ', ')}" if i.rescan_reasons else ""
        return [i.record_id[:12], i.council, i.source_path, i.record_type, guesses, f"{i.score:.2f} ({i.method})",
                pages, rescan]

    return table(f"Awaiting review: {len(items)} records (set a type: digitise review set <id> <type>)",
                 ["Record id", "Council", "File", "Filed as", "Best guesses (score)", "Confidence", "Pages",
                  "Capture"],
                 map(cells, items))


@review_app.command("set")
def review_set(
    record_id: Annotated[str, typer.Argument(help="The record's id as `digitise review` lists it (12+ characters).")],
    record_type: Annotated[str, typer.Argument(help="The record type to file it under (a slug from record_types.yaml).")],
    by: ByOpt = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """File a record under RECORD_TYPE: moves its files, its counters and keeps the label for retraining."""
    where = Where(config, data_dir)
    result = set_record_type(where.ledger(), where.archive(), record_id, record_type, reviewed_by=who(by),
                             record_types=where.settings().classification.record_types)
    if as_json:
        print_json({"review": asdict(result)})
        return
    say(f"record {result.record_id[:12]} ({result.council}): {result.previous_type} -> {result.record_type}; "
        f"archived at {result.pdf_path}")


@review_app.command("accept-capture")
def review_accept_capture(
    record_id: Annotated[str, typer.Argument(help="A record listed for re-scan by `digitise review` (12+ characters).")],
    by: ByOpt = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
) -> None:
    """Accept a scan below the capture standard as it is (the paper allows no better): it counts as digitised."""
    row = accept_capture(Where(config, data_dir).ledger(), record_id, accepted_by=who(by))
    say(f"record {row.source_sha256[:12]} ({row.council}): scan accepted as it is ({row.rescan_reasons}); "
        "counted as digitised")


@review_app.command("split")
def review_split(
    record_id: Annotated[str, typer.Argument(help="A record split from a scanned stack (its id, 12+ characters).")],
    at: Annotated[int, typer.Option("--at", min=2, help="The file page that starts the second record.")],
    by: ByOpt = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Split a record of a scanned stack in two at page AT of its file: files, counters and audit event in one go."""
    context = Where(config, data_dir).context()
    result = split_record(context.ledger, context.archive, context.classifier, record_id, at, reviewed_by=who(by))
    _regrouped(result, as_json)


@review_app.command("merge")
def review_merge(
    record_id: Annotated[str, typer.Argument(help="A record split from a scanned stack (its id, 12+ characters).")],
    by: ByOpt = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Merge a record of a scanned stack with the next record of the same file."""
    context = Where(config, data_dir).context()
    result = merge_with_next(context.ledger, context.archive, context.classifier, record_id, reviewed_by=who(by))
    _regrouped(result, as_json)


@review_app.command("rescan")
def review_rescan(
    record_id: Annotated[str, typer.Argument(help="The record's id as `digitise review` lists it (12+ characters).")],
    reason: Annotated[str, typer.Option(help=f"Why: {', '.join(RESCAN_REASONS)}.")] = RESCAN_REASONS[0],
    by: ByOpt = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
) -> None:
    """Send a record awaiting review back to be scanned again: it leaves the queue, the request is audited."""
    row = send_for_rescan(Where(config, data_dir).ledger(), record_id, requested_by=who(by), reason=reason)
    say(f"record {row.source_sha256[:12]} ({row.council}) sent back for re-scan: {reason}")


def _regrouped(result: RegroupResult, as_json: bool) -> None:
    if as_json:
        print_json({"review": asdict(result)})
        return
    made = ", ".join(f"{i[:12]} (pages {a}-{b}, {t})"
                     for i, (a, b), t in zip(result.new_ids, result.page_ranges, result.record_types))
    say(f"{result.action} {', '.join(i[:12] for i in result.old_ids)} into {made}")


@commands.command()
def train(
    samples: Annotated[Optional[list[Path]], typer.Option("--samples", help="A samples.generate folder (ground_truth.json); repeatable.", exists=True, file_okay=False)] = None,
    reviewed: Annotated[bool, typer.Option(help="Also learn from records people have reviewed.")] = True,
    real: Annotated[bool, typer.Option(help="Also learn from the real-text corpus's train split (samples/real_text).")] = True,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Train the learned record-type classifier; the next run uses it (without one, the rules alone decide)."""
    started = time.monotonic()
    where = Where(config, data_dir)
    settings = where.settings()
    generated = [e for folder in samples or [] for e in examples_from_ground_truth(folder)]
    labelled = []
    if reviewed:
        labelled = reviewed_examples(where.ledger(), where.archive())
    examples = training_set(generated, labelled) if real else generated + labelled
    model = train_model(examples, Classifier(settings.classification))
    path = model_path(settings)
    save_model(model, path)
    summary = {"model": str(path), "version": model.version, "examples": len(examples), "terms": model.terms,
               "examples_per_type": model.meta["examples_per_type"], "seconds": round(time.monotonic() - started, 1)}
    if as_json:
        print_json({"train": summary})
        return
    say(f"trained on {summary['examples']} labelled records ({summary['terms']} terms) in "
        f"{summary['seconds']}s; saved to {path}")
    err.print("note: `python -m benchmarks.classifier_f1` measures models on held-out real texts read from scans; "
              "the nightly-retrain deployment retrains from reviews and keeps a model only if it is not worse.")


@commands.command()
def search(
    query: Annotated[str, typer.Argument(help='Words that must all appear; "a phrase"; prefix*; OR.')],
    council: Annotated[Optional[str], typer.Option(help="Only this council's records.")] = None,
    record_type: Annotated[Optional[str], typer.Option("--type", help="Only records of this type.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many results.")] = 20,
    archived_from: Annotated[Optional[datetime], typer.Option("--from", formats=["%Y-%m-%d"], help="Only records archived on or after this day (UTC).")] = None,
    archived_to: Annotated[Optional[datetime], typer.Option("--to", formats=["%Y-%m-%d"], help="Only records archived on or before this day (UTC).")] = None,
    reindex: Annotated[bool, typer.Option("--reindex", help="First index archived records the search index lacks.")] = False,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Full-text search of the archived records' OCR text, best matches first."""
    where = Where(config, data_dir)
    ledger, archive = where.ledger(), where.archive()
    if reindex:
        err.print(f"indexed {index_missing(ledger, archive)} records")
    hits = search_records(ledger, archive, query, council=council, record_type=record_type,
                          limit=limit, archived_from=archived_from.date() if archived_from else None,
                          archived_to=archived_to.date() if archived_to else None)
    if as_json:
        print_json({"search": [{**asdict(h), "pdf_path": str(h.pdf_path), "text_path": str(h.text_path)}
                               for h in hits]})
        return
    if not hits:
        out.print("no matching records")
    for n, h in enumerate(hits, 1):
        say(f"{n}. {h.record_id[:12]}  {h.council} / {h.record_type}  rank {h.rank:.2f}"
            + ("  (awaiting review)" if h.needs_review else ""))
        out.print(f"   {h.snippet}", markup=False, highlight=False, soft_wrap=True)
        out.print(f"   {h.pdf_path}", markup=False, highlight=False, soft_wrap=True)


@audit_app.command("record")
def audit_record(
    record_id: Annotated[str, typer.Argument(help="Record id (source sha256) or its first 6+ characters.")],
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every state change of one record, oldest first."""
    events = record_history(Where(config, data_dir).ledger(), record_id)
    _print_events(events, f"Audit trail of record {record_id}", as_json)


@audit_app.command("batch")
def audit_batch(
    council: Annotated[str, typer.Argument(help="Council slug.")],
    batch: Annotated[str, typer.Argument(help="Batch folder name.")],
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every state change of every record in one batch, oldest first."""
    events = batch_history(Where(config, data_dir).ledger(), council, batch)
    _print_events(events, f"Audit trail of batch {council}/{batch}", as_json)


def _print_events(events: list[EventRow], title: str, as_json: bool) -> None:
    if as_json:
        print_json({"events": [asdict(e) for e in events]})
        return
    out.print(table(
        title, ["When (UTC)", "Record", "Council", "Batch", "Event", "By", "Detail"],
        ([f"{e.at:%Y-%m-%d %H:%M:%S}", (e.record_id or "")[:12], e.council, e.batch or "",
          e.event, e.actor or "", describe_event(e)] for e in events),
    ))
