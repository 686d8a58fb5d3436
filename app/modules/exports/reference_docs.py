"""Re-makes documents/reference.docx and documents/reference.odt, the style sheets
pandoc applies to DOCX and ODT exports: pandoc's own defaults with sober institutional
styles (A4, one sans-serif family that every office computer has, dark blue headings,
no italics in headings, Italian as the language).

Run by the maintainers after changing a style: `python -m app.modules.exports.reference_docs`.
python-docx is a development dependency; the application itself only reads the files."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

DOCUMENTS = Path(__file__).resolve().parents[3] / "documents"
FONT = "Arial"
INK = RGBColor(0x1A, 0x1A, 0x1A)
HEADING = RGBColor(0x17, 0x32, 0x4D)
ACCENT = RGBColor(0x00, 0x4D, 0x99)
HEADING_SIZES = {1: 16, 2: 13, 3: 11.5, 4: 11, 5: 11, 6: 11}


def _default_data_file(name: str, target: Path) -> None:
    data = subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", name],
        check=True,
        capture_output=True,
    ).stdout
    target.write_bytes(data)


def make_docx(target: Path) -> None:
    _default_data_file("reference.docx", target)
    document = Document(str(target))
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(25), Mm(22)
        section.left_margin, section.right_margin = Mm(22), Mm(20)
    styles = document.styles
    _font(styles["Normal"], Pt(11), INK)
    _language(styles["Normal"], "it-IT")
    for name in ("Body Text", "First Paragraph", "Compact"):
        if name in styles:
            styles[name].paragraph_format.space_after = Pt(6)
            styles[name].paragraph_format.line_spacing = 1.15
    for level, size in HEADING_SIZES.items():
        style = styles[f"Heading {level}"]
        _font(style, Pt(size), HEADING if level > 1 else ACCENT, bold=True, italic=False)
        style.paragraph_format.space_before = Pt(14 if level == 1 else 10)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    _font(styles["Title"], Pt(24), HEADING, bold=True)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    if "Subtitle" in styles:
        _font(styles["Subtitle"], Pt(14), ACCENT, bold=False, italic=False)
        styles["Subtitle"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for name in ("Date", "Author"):
        if name in styles:
            styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    if "TOC Heading" in styles:
        # The index's title, the first thing after the cover: like a Heading 1.
        _font(styles["TOC Heading"], Pt(HEADING_SIZES[1]), HEADING, bold=True, italic=False)
    if "Footnote Text" in styles:
        _font(styles["Footnote Text"], Pt(9), INK)
    document.save(str(target))


def _font(
    style: object, size: Pt, color: RGBColor, bold: bool | None = None, italic: bool | None = None
) -> None:
    font = style.font  # type: ignore[attr-defined]
    font.name, font.size, font.color.rgb = FONT, size, color
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)


def _language(style: object, tag: str) -> None:
    rpr = style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


ODT_HEADING = 'style:font-name="Arial"\n      fo:color="#17324d"\n      fo:font-size="14pt"'
# A4. LibreOffice puts the header and the footer inside the margins, Word in them: with
# these margins and the header and footer below, the text area is the DOCX's.
ODT_PAGE = (
    'fo:page-width="210mm" fo:page-height="297mm" style:num-format="1" '
    'style:print-orientation="portrait" fo:margin-top="14mm" fo:margin-bottom="12mm" '
    'fo:margin-left="22mm" fo:margin-right="20mm"'
)
ODT_HEADER_FOOTER = (
    '<style:header-style><style:header-footer-properties fo:min-height="0mm" '
    'fo:margin-bottom="6mm" style:dynamic-spacing="false" /></style:header-style>'
    '<style:footer-style><style:header-footer-properties fo:min-height="0mm" '
    'fo:margin-top="6mm" style:dynamic-spacing="false" /></style:footer-style>'
)
# Header and footer small and grey, as in the PDF.
ODT_MARGINAL = (
    '<style:text-properties fo:font-size="8.5pt" fo:color="#5c6f82" '
    'style:font-size-asian="8.5pt" style:font-size-complex="8.5pt" />'
)


def make_odt(target: Path) -> None:
    source = target.with_suffix(".default.odt")
    _default_data_file("reference.odt", source)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as rewritten:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "styles.xml":
                data = _odt_styles(data.decode("utf-8")).encode("utf-8")
            # The mimetype entry must stay first and uncompressed for ODF readers.
            method = zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED
            rewritten.writestr(item, data, compress_type=method)
    source.unlink()


def _odt_styles(xml: str) -> str:
    xml = xml.replace('style:font-name="Arial"\n      fo:font-size="14pt"', ODT_HEADING, 1)
    xml = re.sub(r'fo:font-style="italic"(\s+fo:font-weight="bold")', r"\1", xml)
    xml = re.sub(r'\s+style:font-style-(?:asian|complex)="italic"(?=[^<]*Heading)', "", xml)
    xml = xml.replace(
        '<style:style style:name="Standard" style:family="paragraph"\n    style:class="text" />',
        '<style:style style:name="Standard" style:family="paragraph"\n    style:class="text">\n'
        '      <style:text-properties style:font-name="Arial" fo:font-size="11pt"'
        ' fo:language="it" fo:country="IT" />\n    </style:style>',
        1,
    )
    return _odt_page(xml)


def _odt_page(xml: str) -> str:
    """A4 instead of pandoc's US Letter, a rule above the footnotes, the footer small."""
    xml = re.sub(
        r'fo:page-width="8\.5in"\s+fo:page-height="11in"\s+style:num-format="1"\s+'
        r'style:print-orientation="portrait"\s+fo:margin-top="1in"\s+fo:margin-bottom="1in"\s+'
        r'fo:margin-left="1in"\s+fo:margin-right="1in"',
        ODT_PAGE,
        xml,
        count=1,
    )
    xml = re.sub(
        r"<style:header-style\s*/>\s*<style:footer-style>.*?</style:footer-style>",
        ODT_HEADER_FOOTER,
        xml,
        count=1,
        flags=re.DOTALL,
    )
    xml = re.sub(r'style:line-style="none"', 'style:line-style="solid"', xml, count=1)
    return re.sub(
        r'(<style:style style:name="Footer" style:family="paragraph"'
        r".*?</style:paragraph-properties>)",
        lambda m: m.group(1) + ODT_MARGINAL,
        xml,
        count=1,
        flags=re.DOTALL,
    )


def main() -> int:
    make_docx(DOCUMENTS / "reference.docx")
    make_odt(DOCUMENTS / "reference.odt")
    print(f"written {DOCUMENTS / 'reference.docx'} and {DOCUMENTS / 'reference.odt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
