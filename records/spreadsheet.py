"""CSV files that records officers open in a spreadsheet.

Scanned-file names and reviewers' names come from outside, so a value such as `=HYPERLINK(...)`
would run as a formula when the file is opened. Text starting with a formula character is
therefore written with a leading apostrophe (OWASP's advice for CSV injection); numbers stay
numbers. A file read by a machine (an archive transfer's metadata.csv) is written as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """`value`, with text a spreadsheet would run as a formula quoted by an apostrophe."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], *, for_people: bool = True) -> str:
    """One CSV document; `for_people` quotes formula-like text (see the module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row] if for_people else row)
    return out.getvalue()


def dict_csv(columns: Sequence[str], rows: Iterable[Mapping[str, object]], *, for_people: bool = True) -> bytes:
    """UTF-8 CSV of `rows` in the order of `columns`."""
    return csv_text(columns, ([row[c] for c in columns] for row in rows), for_people=for_people).encode("utf-8")
