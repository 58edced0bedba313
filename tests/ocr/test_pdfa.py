"""PDF/A-2b from the pipeline's searchable PDF: valid as written, text layer and G4 images kept;
a PDF that cannot pass stays as it was."""

from __future__ import annotations

from pathlib import Path

import pikepdf
from pypdf import PdfReader, PdfWriter

from ocr import PDFA_2B, PLAIN_PDF, make_pdfa, ocr_document, pdfa_findings
from tests.conftest import render_lines, words


def test_make_pdfa_from_ocr_output_validates_and_keeps_text_and_g4(tmp_path: Path) -> None:
    page = tmp_path / "bitonal.png"
    render_lines(["Council Tax reminder notice", "Account reference 12345678"], size=(2480, 900)).convert(
        "1").save(page, dpi=(300, 300))
    result = ocr_document(page, work_dir=tmp_path / "work")
    assert pdfa_findings(result.pdf_path) != ()  # Tesseract's PDF alone is not PDF/A

    made = make_pdfa(result.pdf_path, tmp_path / "a.pdf")

    assert (made.archive_format, made.path, made.findings) == (PDFA_2B, tmp_path / "a.pdf", ())
    assert pdfa_findings(made.path) == ()
    assert {"council", "reminder", "12345678"} <= set(words(PdfReader(made.path).pages[0].extract_text()))
    with pikepdf.open(made.path) as pdf:
        assert not pdf.is_encrypted
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        assert meta.pdfa_status == "2B"
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and int(intent.DestOutputProfile.N) == 3
        images = [obj for obj in pdf.pages[0].Resources.XObject.values() if obj.Subtype == "/Image"]
        assert [str(i.Filter) for i in images] == ["/CCITTFaxDecode"]  # the G4 bytes, not recompressed
    again = make_pdfa(result.pdf_path, tmp_path / "b.pdf")
    assert again.path.read_bytes() == made.path.read_bytes()  # the same record writes the same bytes
    assert not {"/CreationDate", "/ModDate"} & set(PdfReader(made.path).metadata or {})


def test_make_pdfa_with_an_unembedded_font_keeps_the_plain_pdf(tmp_path: Path) -> None:
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("Helvetica", size=11)  # a standard font, which PDF writers do not embed
    doc.cell(0, 8, "Planning application decision notice")
    doc.output(str(tmp_path / "export.pdf"))
    source = tmp_path / "letter.pdf"  # its page alone, as the pipeline copies a born-digital page
    writer = PdfWriter()
    writer.add_page(PdfReader(tmp_path / "export.pdf").pages[0])
    writer.write(source)

    made = make_pdfa(source, tmp_path / "a.pdf")

    assert (made.archive_format, made.path) == (PLAIN_PDF, source)
    assert any("6.2.11.4" in rule for rule in made.findings), made.findings  # fonts shall be embedded
    assert not (tmp_path / "a.pdf").exists()
