"""Reading Tesseract's TSV: words with boxes, lines and confidences, nothing else."""

from __future__ import annotations

from ocr._exec.tesseract import OcrWord, parse_words

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def test_parse_words_keeps_confident_level5_words_with_their_line() -> None:
    tsv = "\n".join([
        HEADER,
        "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t",
        "4\t1\t1\t1\t1\t0\t300\t400\t900\t40\t-1\t",
        "5\t1\t1\t1\t1\t1\t300\t400\t200\t40\t96.5\tValuation",
        "5\t1\t1\t1\t1\t2\t520\t400\t90\t40\t88\tband",
        "5\t1\t1\t1\t1\t3\t620\t400\t30\t40\t91\t ",
        "5\t1\t2\t1\t3\t1\t300\t900\t60\t40\t-1\tx",
        "5\t1\t2\t1\t3\t2\tbad\t900\t60\t40\t70\tword",
        "5\t1\t2\t1\t4\t1\t300\t960\t60\t40\t12.25\tC.",
        "5\t1\t2\t1\t4",
    ])
    assert parse_words(tsv + "\n") == (
        OcrWord(300, 400, 200, 40, 96.5, (1, 1, 1), 9),
        OcrWord(520, 400, 90, 40, 88.0, (1, 1, 1), 4),
        OcrWord(300, 960, 60, 40, 12.25, (2, 1, 4), 2),
    )


def test_parse_words_of_empty_or_headerless_output_is_empty() -> None:
    assert parse_words("") == ()
    assert parse_words("5\t1\t1\t1\t1\t1\t300\t400\t200\t40\t96.5\tValuation\n") == ()
