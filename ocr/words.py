"""Does a token read like a word? Tells a reading of text from what Tesseract makes of a page
turned the wrong way (short consonant clusters, stray marks and digits), without a dictionary
or a language: it must work for English and Welsh alike."""

from __future__ import annotations

import re

#: Letters with a vowel (w and y count, for Welsh), three or more, an apostrophe or hyphen
#: inside; or a figure of two or more characters (dates, sums, references); punctuation around.
_PLAUSIBLE = re.compile(
    r"[\"'(\[]*(?:(?=[A-Za-z'-]*[AEIOUWYaeiouwy])[A-Za-z][A-Za-z'-]{2,}|\d[\d,./:%-]+)[\"')\].,;:!?]*"
)


def is_plausible(token: str) -> bool:
    return _PLAUSIBLE.fullmatch(token) is not None


def plausible_words(text: str) -> int:
    """Tokens of `text` that look like words or figures."""
    return sum(1 for token in text.split() if is_plausible(token))
