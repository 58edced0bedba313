"""The real-text corpus: public UK government and council texts for each record type.

Texts live in samples/real_text/<record_type>/<id>.txt with one manifest line each
(samples/real_text/manifest.csv: id, record type, split, source, licence, redaction, size).
Outside text is committed only where its source states a licence that permits copying and
redistribution: `licence_of` names the statement for each accepted source, and an import refuses
any other source. The texts are short excerpts, redacted before they were written here: e-mail
addresses, telephone numbers, postcodes, PO boxes, ombudsman case numbers and personal names are
replaced by placeholders (`[EMAIL]`, `[PHONE]`, `[POSTCODE]`, `[ADDRESS]`, `[CASE-REF]`, `[NAME]`);
the manifest says which placeholders each text got.

The split is fixed and stratified: within each record type, texts are grouped by source document
(the id's part before the last `-`, e.g. one GOV.UK guide or one statutory instrument, so parts
of one document never straddle the split) and about a third of the groups, chosen by a hash of
the group name, are `heldout`. Texts are added in batches (the manifest's `batch`): an import
keeps every text already in the manifest with its split, and splits only the new ones, among
themselves, by the same rule. Held-out texts are for evaluation only: records.classify.corpus
never hands them to training.

    python -m samples.real_corpus import STAGING_DIR   # redact staged texts into samples/real_text/

A staged file is `<record_type>.txt` holding entries `@@@ <id> <source>` followed by the text.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "real_text"
MANIFEST = ROOT / "manifest.csv"
FIELDS = ("id", "record_type", "split", "source", "licence", "redaction", "chars", "batch")
HELDOUT_SHARE = 3  # about one text in three, in whole groups
#: Accepted sources (address or `github:` prefix) and where each states its licence.
LICENCES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("https://www.legislation.gov.uk/", "https://legislation.gov.uk/", "http://www.legislation.gov.uk/",
      "http://legislation.gov.uk/", "http://legislation.data.gov.uk/"),
     "Open Government Licence v3.0, stated in the legislation.gov.uk page footer 'All content is available "
     "under the Open Government Licence v3.0 except where otherwise stated' (Crown copyright)"),
    (("github:craigw/govuk-data@",),
     "Open Government Licence (Crown copyright GOV.UK guide text): the repository's LICENCE file at this "
     "commit quotes GOV.UK 'Much of the information on this website is available for reuse under the Open "
     "Government Licence'; the GOV.UK page footer states 'All content is available under the Open "
     "Government Licence v3.0, except where otherwise stated'"),
    (("github:unboxed/bops@",),
     "MIT Licence, stated in the repository's LICENCE.md at this commit ('Permission is hereby granted, free "
     "of charge, to any person obtaining a copy of this software and associated documentation files ...')"),
    (("github:mysociety/whatdotheyknow-theme@",),
     "MIT Licence, stated in the repository's MIT-LICENSE at this commit ('Permission is hereby granted, free of "
     "charge, to any person obtaining a copy of this software and associated documentation files ...') and in "
     "its README ('released under the MIT license')"),
    (("github:alphagov/ier-frontend@",),
     "MIT Licence, stated in the repository's LICENSE at this commit ('Copyright (c) 2014 HM Government. Permission "
     "is hereby granted, free of charge, to any person obtaining a copy of this software and associated "
     "documentation files ...')"),
    (("github:ministryofjustice/correspondence_tool_staff@",),
     "MIT Licence, stated in the repository's LICENSE at this commit ('Copyright (c) 2016 Ministry of Justice. "
     "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and "
     "associated documentation files ...')"),
    (("github:localgovdrupal/localgov_demo@",),
     "GNU General Public License v2 or later, stated in the repository's LICENSE at this commit (GNU GENERAL "
     "PUBLIC LICENSE Version 2) and its composer.json ('\"license\": \"GPL-2.0-or-later\"')"),
    (("github:FutureNorthants/northants-design-system@",),
     "GNU General Public License v3, stated in the repository's LICENSE at this commit (GNU GENERAL PUBLIC "
     "LICENSE Version 3); its package.json states 'ISC'; both permit copying and redistribution"),
)

#: Personal names that appear in the published texts (officers, correspondents).
NAMES = ("Dave Palmer", "Warren")

_REDACTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("[EMAIL]", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    ("[POSTCODE]", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b")),
    ("[CASE-REF]", re.compile(r"\b\d{2} \d{3} \d{3}\b")),
    ("[PHONE]", re.compile(r"\(?\b0\d{2,4}\)?\s?\d{2,4}\s?\d{3,4}\b|\b555 \d{3} \d{3} \d{3}\b")),
    ("[ADDRESS]", re.compile(r"\bPO Box \d+\b", re.IGNORECASE)),
    ("[NAME]", re.compile("|".join(re.escape(n) for n in NAMES))),
)


def redact(text: str) -> tuple[str, list[str]]:
    """The text with personal and contact details replaced, and which placeholders were used."""
    used = []
    for placeholder, pattern in _REDACTIONS:
        text, count = pattern.subn(placeholder, text)
        if count:
            used.append(placeholder)
    return text, used


def licence_of(source: str) -> str:
    """Where the source states a licence that permits copying; a source without one is refused."""
    for prefixes, statement in LICENCES:
        if source.startswith(prefixes):
            return statement
    raise SystemExit(f"no licence permitting copying is known for {source}: such a text is not committed")


@dataclass(frozen=True)
class Staged:
    id: str
    record_type: str
    source: str
    text: str


def read_staged(folder: Path) -> list[Staged]:
    entries = []
    for path in sorted(folder.glob("*.txt")):
        for block in path.read_text(encoding="utf-8").split("@@@ ")[1:]:
            head, _, body = block.partition("\n")
            ident, source = head.split(maxsplit=1)
            entries.append(Staged(ident, path.stem, source.strip(), body.strip() + "\n"))
    return entries


def _group(ident: str) -> str:
    return ident.rsplit("-", 1)[0]


def assign_splits(entries: Sequence[Staged]) -> dict[str, str]:
    """Stratified by type, grouped by source document, chosen by hash: the same texts always.

    Groups are taken in hash order while the held-out part stays within a third of the type's
    texts (at least one group), so one long guide cannot make the held-out part lopsided.
    """
    sizes: dict[str, Counter[str]] = defaultdict(Counter)
    for e in entries:
        sizes[e.record_type][_group(e.id)] += 1
    held: set[tuple[str, str]] = set()
    for record_type, groups in sizes.items():
        target, taken = sum(groups.values()) / HELDOUT_SHARE, 0
        for g in sorted(groups, key=lambda g: hashlib.sha256(f"{record_type}/{g}".encode()).hexdigest()):
            if not taken or taken + groups[g] <= target:
                held.add((record_type, g))
                taken += groups[g]
    return {e.id: "heldout" if (e.record_type, _group(e.id)) in held else "train" for e in entries}


def _existing_rows(root: Path) -> dict[str, dict[str, str]]:
    if not (root / MANIFEST.name).is_file():
        return {}
    with (root / MANIFEST.name).open(encoding="utf-8", newline="") as f:
        return {row["id"]: {k: row.get(k) or "1" for k in FIELDS} for row in csv.DictReader(f)}


def import_staged(folder: Path, root: Path = ROOT) -> Counter[tuple[str, str]]:
    """Redact staged texts into the corpus. Texts already in the manifest keep their line and split
    (the held-out set stays fixed); new ones form the next batch and are split among themselves."""
    entries = read_staged(folder)
    duplicates = [i for i, n in Counter(e.id for e in entries).items() if n > 1]
    if duplicates:
        raise SystemExit(f"duplicate ids: {duplicates}")
    licences = {e.id: licence_of(e.source) for e in entries}  # refuse before writing anything
    rows = _existing_rows(root)
    batch = str(max((int(r["batch"]) for r in rows.values()), default=0) + 1)
    splits = assign_splits([e for e in entries if e.id not in rows])
    for e in entries:
        text, used = redact(e.text)
        (root / e.record_type).mkdir(parents=True, exist_ok=True)
        (root / e.record_type / f"{e.id}.txt").write_text(text, encoding="utf-8")
        kept = rows.get(e.id, {"split": splits.get(e.id, ""), "batch": batch})
        rows[e.id] = {"id": e.id, "record_type": e.record_type, "split": kept["split"], "source": e.source,
                      "licence": licences[e.id], "redaction": " ".join(used) or "none needed",
                      "chars": str(len(text)), "batch": kept["batch"]}
    with (root / MANIFEST.name).open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(sorted(rows.values(), key=lambda r: (r["record_type"], r["id"])))
    return Counter((r["record_type"], r["split"]) for r in rows.values())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    staged = sub.add_parser("import", help="redact staged texts into samples/real_text/")
    staged.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    counts = import_staged(args.folder)
    for (record_type, split), n in sorted(counts.items()):
        print(f"{record_type:<24}{split:<10}{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
