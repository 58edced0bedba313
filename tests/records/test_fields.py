"""Key-field extraction: valid values kept, invalid ones refused, OCR's usual slips repaired."""

from __future__ import annotations

import pytest

from records.classify.fields import (
    extract_fields,
    is_valid_ni_prefix,
    mask_ni_number,
    normalise_ni_number,
    normalise_postcode,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),          # lower case, space missing
        ("M1 1AE", "M1 1AE"),
        ("EC1A1BB", "EC1A 1BB"),
        ("B33 8TH", "B33 8TH"),
        ("GIR 0AA", "GIR 0AA"),
        ("SW1A OAA", "SW1A 0AA"),         # O read for 0 in the inward digit
        ("LS1O 1AB", "LS10 1AB"),         # O for 0 in the district
        ("CRO 2YR", "CR0 2YR"),           # Croydon's CR0, the classic misreading
        ("0X4 1AB", "OX4 1AB"),           # 0 read for O in the area
        ("S01 2AB", "SO1 2AB"),           # districts never start with 0: it was SO
        ("AH1 1TB", "AH1 1TB"),           # made-up area, but a valid format: kept when read exactly
    ],
)
def test_normalise_postcode_valid_and_repairable_forms_are_kept(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "QA1 1AB",    # Q never starts a postcode
        "AJ1 1AB",    # J never second
        "TJ5 8DX",    # J never second (the samples' Thornbury area breaks this rule)
        "AB1 1CA",    # C never in the inward letters
        "AB1 1AM",    # nor M ('9AM' is a time, not a postcode)
        "ROOM 1ST",   # a word would need a repair *and* has no real digit
        "SOON 1ST",
        "ALL 1ST",
        "AHl 1TB",    # a repair needs a real postcode area; AH is made up
        "SW1A 1AA1",
        "12345",
    ],
)
def test_normalise_postcode_invalid_forms_are_refused(raw: str) -> None:
    assert normalise_postcode(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AB 12 34 56 C", "AB123456C"),
        ("ab123456d", "AB123456D"),
        ("JG 10 30 4O A", "JG103040A"),   # OCR's O for 0 in the digits
        ("NA 1l 22 33 B", "NA112233B"),   # l for 1
    ],
)
def test_normalise_ni_number_valid_and_noisy(raw: str, expected: str) -> None:
    assert normalise_ni_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "DA123456A", "FA123456A", "IA123456A", "QA123456A", "UA123456A", "VA123456A",  # bad first letter
        "AD123456A", "AF123456A", "AI123456A", "AQ123456A", "AU123456A", "AV123456A",  # bad second letter
        "AO123456A",                                                                   # O never second
        "BG123456A", "GB123456A", "KN123456A", "NK123456A", "NT123456A", "TN123456A", "ZZ123456A",
        "AB123456E",   # suffix is A-D
        "AB12345C",    # too short
        "AB 1O 3O 5O C",  # more than one repair is not a misreading
    ],
)
def test_normalise_ni_number_invalid_refused(raw: str) -> None:
    assert normalise_ni_number(raw) is None


def test_ni_prefix_rules_and_masking() -> None:
    assert is_valid_ni_prefix("OA") and not is_valid_ni_prefix("AO")
    assert mask_ni_number("AB123456C") == "******56C"


LETTER = """Ashbourne Borough Council, Town Hall, Ashbourne DE6 1AB
Our ref: Application No: 25/01234/HOU      Date: 3rd April 2025
Your National Insurance number JG 10 30 40 A. Also quoted: QQ 12 34 56 C (specimen).
Account CTAX 4012 3456 7; Business rates account number: 998877665; NNDR 4142524224.
Property UPRN: 100012345678. Valid from 01/04/2025 to 31/03/2026; 31/02/2026 is no date.
Planning ref P/2024/0123/FUL and the appeal of 2026-03-31. Site: sw1a1aa and ROOM 1ST floor."""


def test_extract_fields_from_a_letter() -> None:
    fields = extract_fields(LETTER)
    assert fields.postcodes == ("DE6 1AB", "SW1A 1AA")
    assert fields.ni_numbers == ("******40A",)
    assert fields.council_tax_refs == ("CTAX401234567",)
    assert fields.business_rates_refs == ("NNDR4142524224", "NNDR998877665")
    assert fields.planning_refs == ("25/01234/HOU", "P/2024/0123/FUL")
    assert fields.uprns == ("100012345678",)
    assert fields.dates == ("2025-04-03", "2025-04-01", "2026-03-31")
    assert fields.count == 12


def test_extract_fields_never_keeps_a_full_ni_number() -> None:
    stored = str(extract_fields(LETTER).as_dict())
    assert "JG103040A" not in stored and "103040" not in stored


def test_extract_fields_welsh_month_and_empty_text() -> None:
    assert extract_fields("Dyddiad: 5 Ebrill 2025").dates == ("2025-04-05",)
    assert extract_fields("").count == 0
