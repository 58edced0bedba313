"""Key fields read from OCR text: postcodes, NI numbers, account and planning references, UPRNs, dates.

Every value is validated, not just pattern-matched: a postcode must have a real UK postcode
area and Royal Mail's letter rules, an NI number HMRC's prefix and suffix rules, a date must
exist. OCR's usual confusions (O for 0, I or l for 1) are repaired in positions where only a
digit (or only a letter) can stand, at most once per value, so ordinary words are not read as
codes. NI numbers are kept masked (last three characters only) from the moment they are found.
Field values are personal data: log counts, never values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields

#: Royal Mail postcode areas (plus BF for BFPO and BX non-geographic), from the PAF.
POSTCODE_AREAS = frozenset(
    "AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN "
    "DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA "
    "LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG "
    "SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE".split()
)
#: Outward-code shapes: A = letter, 9 = digit, plus the letter sets Royal Mail allows per position.
_OUTWARD_SHAPES = ("A9", "A99", "A9A", "AA9", "AA99", "AA9A")
_FIRST = set("ABCDEFGHIJKLMNOPRSTUWYZ")        # never Q, V, X
_SECOND = set("ABCDEFGHKLMNOPQRSTUVWXY")       # never I, J, Z
_THIRD_A9A = set("ABCDEFGHJKPSTUW")
_FOURTH_AA9A = set("ABEHMNPRVWXY")
_INWARD_LETTERS = set("ABDEFGHJLNPQRSTUWXYZ")  # never C, I, K, M, O, V
_AS_DIGIT = {"O": "0", "I": "1", "L": "1"}
_AS_LETTER = {"0": "O", "1": "I"}

#: HMRC: these letters are never the first or second letter of a NINO prefix; O never second.
_NI_BAD_LETTERS = set("DFIQUV")
_NI_UNALLOCATED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})

_POSTCODE = re.compile(r"(?<![A-Z0-9])([A-Z0-9]{2,4})[ ]{0,2}([0-9OIL][A-Z]{2})(?![A-Z0-9])")
_NI = re.compile(
    r"(?<![A-Z0-9])([A-Z]{2})[ ]?([0-9OIL]{2})[ ]?([0-9OIL]{2})[ ]?([0-9OIL]{2})[ ]?([A-Z])(?![A-Z0-9])"
)
_DIGITS = r"(\d(?:[ ]?\d){5,11})"  # 6-12 digits, OCR or print may group them with spaces
_COUNCIL_TAX = (
    re.compile(r"\bCTAX[ /-]?" + _DIGITS + r"\b"),
    re.compile(r"\bCOUNCIL TAX (?:ACCOUNT|ACC)\.?(?: (?:NUMBER|NO\.?|REF(?:ERENCE)?\.?))?[: ]+" + _DIGITS + r"\b"),
)
_BUSINESS_RATES = (
    re.compile(r"\bNNDR[ /-]?" + _DIGITS + r"\b"),
    re.compile(
        r"\b(?:BUSINESS|NON-DOMESTIC) RATES? (?:ACCOUNT|ACC)\.?(?: (?:NUMBER|NO\.?|REF(?:ERENCE)?\.?))?[: ]+"
        + _DIGITS + r"\b"
    ),
)
_PLANNING_KINDS = (
    "ADV|AGR|CAC|CLE|CLP|CLU|COU|DEM|DIS|FUL|FULL|HOU|LBC|LDC|MAJ|MIN|NMA|OTH|OUT|OUTL|PA|PIP|PN|PNH|"
    "REM|RES|S73|TCA|TEL|TPO|VAR"
)
_PLANNING = (
    re.compile(rf"(?<![A-Z0-9/])((?:[A-Z]{{1,3}}/)?(?:\d{{2}}|\d{{4}})/\d{{3,5}}/(?:{_PLANNING_KINDS}))(?![A-Z0-9/])"),
    re.compile(
        r"\b(?:PLANNING )?APPLICATION (?:NUMBER|NO\.?|REF(?:ERENCE)?\.?)[: ]+"
        r"((?:[A-Z]{1,3}/)?(?:\d{2}|\d{4})/\d{3,6}(?:/[A-Z0-9]{1,5})?)(?![A-Z0-9/])"
    ),
)
_UPRN = re.compile(r"\bUPRN(?: NUMBER| NO\.?)?[: ]+(\d{1,12})\b")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("JANUARY", "JAN", "IONAWR"), ("FEBRUARY", "FEB", "CHWEFROR"), ("MARCH", "MAR", "MAWRTH"),
            ("APRIL", "APR", "EBRILL"), ("MAY", "MAI"), ("JUNE", "JUN", "MEHEFIN"),
            ("JULY", "JUL", "GORFFENNAF"), ("AUGUST", "AUG", "AWST"), ("SEPTEMBER", "SEPT", "SEP", "MEDI"),
            ("OCTOBER", "OCT", "HYDREF"), ("NOVEMBER", "NOV", "TACHWEDD"), ("DECEMBER", "DEC", "RHAGFYR"),
        ],
        start=1,
    )
    for name in names
}
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/.-]|\.\d)")
_ISO_DATE = re.compile(r"(?<![\d/.-])(\d{4})-(\d{2})-(\d{2})(?![\d/-])")
_TEXT_DATE = re.compile(
    r"\b(\d{1,2})(?:ST|ND|RD|TH)?(?: OF)? (" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?,? (\d{4})\b"
)
_YEARS = range(1850, 2101)


@dataclass(frozen=True, slots=True)
class KeyFields:
    """Validated values in order of first appearance; NI numbers already masked."""

    postcodes: tuple[str, ...] = ()
    ni_numbers: tuple[str, ...] = ()
    council_tax_refs: tuple[str, ...] = ()
    business_rates_refs: tuple[str, ...] = ()
    planning_refs: tuple[str, ...] = ()
    uprns: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        """For the sidecar: every kind present, empty lists included, so readers need no defaults."""
        return {f.name: list(getattr(self, f.name)) for f in fields(self)}

    def items(self) -> Iterator[tuple[str, str]]:
        """(kind, value) pairs, for the ledger's field table."""
        for f in fields(self):
            for value in getattr(self, f.name):
                yield f.name, value

    @property
    def count(self) -> int:
        return sum(len(getattr(self, f.name)) for f in fields(self))


FIELD_KINDS = tuple(f.name for f in fields(KeyFields))


def extract_fields(text: str) -> KeyFields:
    """Every validated key field in `text` (OCR output, any case, any line breaks)."""
    upper = " ".join(text.upper().split())
    return KeyFields(
        postcodes=_unique(_postcodes(upper)),
        ni_numbers=_unique(mask_ni_number(n) for n in _ni_numbers(upper)),
        council_tax_refs=_unique("CTAX" + _squash(m) for m in _all_groups(_COUNCIL_TAX, upper)),
        business_rates_refs=_unique("NNDR" + _squash(m) for m in _all_groups(_BUSINESS_RATES, upper)),
        planning_refs=_unique(_all_groups(_PLANNING, upper)),
        uprns=_unique(str(int(m)) for m in _UPRN.findall(upper) if int(m) > 0),
        dates=_unique(d.isoformat() for d in _dates(upper)),
    )


# --- postcodes -------------------------------------------------------------------------

def normalise_postcode(candidate: str) -> str | None:
    """'sw1a1aa', 'SW1A 1AA' or OCR's 'SW1A OAA' -> 'SW1A 1AA' form; None if it cannot be a postcode.

    A candidate read exactly needs only Royal Mail's format (shapes and letter rules), so
    made-up areas in test data still count; one that needed a repair must also name a real
    postcode area, because repairs are how ordinary words turn into false postcodes.
    """
    compact = "".join(candidate.upper().split())
    if compact == "GIR0AA":
        return "GIR 0AA"
    if not 5 <= len(compact) <= 7:
        return None
    outward, inward = compact[:-3], compact[-3:]
    inward_fixed, inward_subs = _fix(inward, "9AA")
    if inward_fixed is None or not set(inward_fixed[1:]) <= _INWARD_LETTERS:
        return None
    for shape in _OUTWARD_SHAPES:
        if len(shape) != len(outward):
            continue
        fixed, subs = _fix(outward, shape)
        if fixed is None or subs + inward_subs > 1 or not _is_outward(fixed, shape):
            continue
        if subs + inward_subs and not _is_repairable(outward, fixed, shape):
            continue
        return f"{fixed} {inward_fixed}"
    return None


def _is_outward(code: str, shape: str) -> bool:
    letters = len(shape) - len(shape.lstrip("A"))
    if code[0] not in _FIRST or (letters == 2 and code[1] not in _SECOND):
        return False
    if shape.endswith("99") and code[letters] == "0":  # two-digit districts never start with 0
        return False
    if shape == "A9A" and code[2] not in _THIRD_A9A:
        return False
    return not (shape == "AA9A" and code[3] not in _FOURTH_AA9A)


def _is_repairable(raw: str, fixed: str, shape: str) -> bool:
    """A repaired postcode must name a real area and keep a digit OCR read as one, except
    Croydon-style 'CRO' (CR0): 'ROOM 1ST' and 'ALL 1ST' are words, not RO0M or AL1."""
    letters = len(shape) - len(shape.lstrip("A"))
    if fixed[:letters] not in POSTCODE_AREAS:
        return False
    return any(ch.isdigit() for ch in raw) or (len(raw) == 3 and raw[2] == "O")


def _fix(chars: str, shape: str) -> tuple[str | None, int]:
    """Repair OCR confusions against a shape of A (letter) and 9 (digit); count the repairs."""
    out, subs = [], 0
    for ch, kind in zip(chars, shape, strict=True):
        want_digit = kind == "9"
        if ch.isdigit() == want_digit:
            out.append(ch)
            continue
        repaired = (_AS_DIGIT if want_digit else _AS_LETTER).get(ch)
        if repaired is None:
            return None, subs
        out.append(repaired)
        subs += 1
    return "".join(out), subs


def _postcodes(upper: str) -> Iterator[str]:
    for outward, inward in _POSTCODE.findall(upper):
        postcode = normalise_postcode(outward + inward)
        if postcode:
            yield postcode


# --- National Insurance numbers --------------------------------------------------------

def normalise_ni_number(candidate: str) -> str | None:
    """'ab 12 34 56 c' -> 'AB123456C' if HMRC could have issued it, else None (unmasked: do not store)."""
    compact = "".join(candidate.upper().split())
    if len(compact) != 9:
        return None
    prefix, digits, suffix = compact[:2], compact[2:8], compact[8]
    fixed, subs = _fix(digits, "999999")
    if fixed is None or subs > 1 or not is_valid_ni_prefix(prefix) or suffix not in "ABCD":
        return None
    return prefix + fixed + suffix


def is_valid_ni_prefix(prefix: str) -> bool:
    """HMRC's rules: no D, F, I, Q, U, V in either place, no O second, and not an unallocated pair."""
    return (
        len(prefix) == 2
        and prefix.isalpha()
        and prefix[0] not in _NI_BAD_LETTERS
        and prefix[1] not in _NI_BAD_LETTERS | {"O"}
        and prefix not in _NI_UNALLOCATED
    )


def mask_ni_number(nino: str) -> str:
    """Keep only the last three characters: 'AB123456C' -> '******56C'."""
    return "*" * (len(nino) - 3) + nino[-3:]


def _ni_numbers(upper: str) -> Iterator[str]:
    for groups in _NI.findall(upper):
        nino = normalise_ni_number("".join(groups))
        if nino:
            yield nino


# --- references and dates ----------------------------------------------------------------

def _all_groups(patterns: Iterable[re.Pattern[str]], upper: str) -> Iterator[str]:
    for pattern in patterns:
        yield from pattern.findall(upper)


def _squash(value: str) -> str:
    return value.replace(" ", "")


def _dates(upper: str) -> Iterator[dt.date]:
    matches: list[tuple[int, int, int, int]] = []  # position, year, month, day
    matches += [(m.start(), int(m[4]), int(m[3]), int(m[1])) for m in _NUMERIC_DATE.finditer(upper)]
    matches += [(m.start(), int(m[1]), int(m[2]), int(m[3])) for m in _ISO_DATE.finditer(upper)]
    matches += [(m.start(), int(m[3]), _MONTHS[m[2]], int(m[1])) for m in _TEXT_DATE.finditer(upper)]
    for _, year, month, day in sorted(matches):
        if year in _YEARS:
            try:
                yield dt.date(year, month, day)
            except ValueError:  # 31/02/2026 is not a date
                continue


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
