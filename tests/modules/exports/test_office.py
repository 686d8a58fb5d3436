"""DOCX and ODT as the receiving office sees them: the national plan (tests/data), with
notes, a table and two logos, exported through the export service, converted to PDF by
LibreOffice and read back. Cover on the first page, an index whose page numbers are
the pages where the headings really are, «Pagina N di M» and the title on every other
page, properties with the moment of the export, styles the office can restyle; and a
cover made of hostile text still gives files that open."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import docx
import pypdf
import pytest
from PIL import Image

from app.core.permissions import Role
from app.extensions import db
from app.modules.documents import services as documents
from app.modules.documents.models import Section
from app.modules.exports import assembly, logos, renderer, services
from app.modules.imports import services as imports
from app.modules.media.services import document_dir
from tests import factories
from tests.conftest import fresh_app

PLAN = Path(__file__).resolve().parents[2] / "data" / "piano-triennale-informatica-pa-2020-2022.md"
WORKSHOP = "Tavolo per la trasformazione digitale"
PLACE_AND_DATES = "Sala consiliare, Lodi · 5 marzo 2026 – 6 marzo 2026"
PROMOTERS = ("AgID", "Dipartimento per la Trasformazione Digitale")
NOTES_AND_TABLE = (
    "Il piano si attua con i fondi regionali[^1] e con quelli del PNRR[^2].\n\n"
    "| Ente | Ruolo |\n|---|---|\n| AgID | coordinamento |\n| Comuni | attuazione |\n\n"
    "[^1]: Delibera regionale n. 1234 del 2025.\n\n[^2]: Missione 1, componente 1."
)
# An index entry's end: dots, then the page number, at the end of a line.
LEADER = re.compile(r"\.{4,} ?\d+\s*$", re.MULTILINE)
ODF = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}


def picture(kind: str, size: tuple[int, int], colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    return out.getvalue()


def to_pdf(files: list[Path], folder: Path) -> None:
    """LibreOffice as the receiving office runs it, all files in one start, with a
    profile of its own so that runs in parallel do not share one."""
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice, Debian's libreoffice-writer-nogui) is needed")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[: len(pypdf.PdfReader(pdf).pages)]


@dataclass(frozen=True)
class Rendered:
    """One exported file and LibreOffice's PDF of it."""

    path: Path
    pdf: Path
    pages: list[str]
    title: str
    exported_at: dt.datetime


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Rendered]]:
    folder = tmp_path_factory.mktemp("office")
    with fresh_app(folder):
        workshop = factories.workshop(
            WORKSHOP,
            place="Sala consiliare, Lodi",
            starts_on=dt.date(2026, 3, 5),
            ends_on=dt.date(2026, 3, 6),
            promoters="\n".join(PROMOTERS),
        )
        facilitator = factories.member(workshop, Role.FACILITATOR)[0].person
        document = imports.import_file(facilitator, workshop, PLAN, 2)
        document.subtitle = "Edizione discussa al tavolo"
        document.sections.append(
            Section(position=len(document.sections), title="Risorse", level=1, body=NOTES_AND_TABLE)
        )
        logos.add_logo(facilitator, document, picture("PNG", (360, 120), "#004d99"), "AgID")
        logos.add_logo(facilitator, document, picture("JPEG", (200, 300), "#aa3300"), "DTD")
        db.session.commit()
        rendered: dict[str, tuple[Path, dt.datetime]] = {}
        for fmt in ("docx", "odt"):
            row = services.export(facilitator, document, services.options_from(fmt))
            path = services.file_of(row)
            assert path is not None
            copy = folder / f"{fmt}.{fmt}"  # docx.docx, odt.odt: two PDFs of their own
            shutil.copy(path, copy)
            rendered[fmt] = (copy, row.created_at)
        # As the cover shows it: with the typographic apostrophe of the exported text.
        title = document.title.replace("'", "’")
    to_pdf([path for path, _ in rendered.values()], folder)
    yield {
        fmt: Rendered(
            path, path.with_suffix(".pdf"), page_texts(path.with_suffix(".pdf")), title, when
        )
        for fmt, (path, when) in rendered.items()
    }


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_the_cover_is_the_first_page(plan: dict[str, Rendered], fmt: str) -> None:
    rendered = plan[fmt]
    cover = _flat(rendered.pages[0])
    for text in (rendered.title, "Edizione discussa al tavolo", PLACE_AND_DATES, *PROMOTERS):
        assert text in cover, text
    assert WORKSHOP.upper() in cover.upper() and "PROMOSSO DA" in cover.upper()
    assert "Bozza di lavoro" in cover
    assert "Pagina" not in cover and "Indice" not in cover
    assert len(pypdf.PdfReader(rendered.pdf).pages[0].images) == 2, "the two logos"


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_every_page_after_the_cover_has_its_number_and_the_title(
    plan: dict[str, Rendered], fmt: str
) -> None:
    pages = plan[fmt].pages
    total = len(pages)
    assert total > 40
    missing = [
        n for n, text in enumerate(pages, 1) if n > 1 and f"Pagina {n} di {total}" not in text
    ]
    assert missing == []
    header = _flat(plan[fmt].title)[:40]
    assert all(_flat(text).startswith(header) for text in pages[1:])


def _index_text(pages: list[str]) -> str:
    """The index's pages as one line, without their running header and footer."""
    lines = []
    for text in pages:
        kept = [line for line in text.splitlines() if line.strip()]
        lines += [line for line in kept[1:] if not re.fullmatch(r"\s*Pagina \d+ di \d+\s*", line)]
    return _flat(" ".join(lines))


def _headings(rendered: Rendered, fmt: str) -> list[str]:
    """The headings of levels 1–3 as the file holds them, read the way its own readers
    read it: python-docx for DOCX, content.xml for ODT."""
    if fmt == "docx":
        names = {"Heading 1", "Heading 2", "Heading 3"}
        return [
            p.text for p in docx.Document(str(rendered.path)).paragraphs if p.style.name in names
        ]
    with zipfile.ZipFile(rendered.path) as archive:
        content = ElementTree.fromstring(archive.read("content.xml"))
    level = f"{{{ODF['text']}}}outline-level"
    return [
        "".join(h.itertext())
        for h in content.iter(f"{{{ODF['text']}}}h")
        if int(h.get(level, "9")) <= 3
    ]


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_the_index_gives_each_heading_the_page_it_is_on(
    plan: dict[str, Rendered], fmt: str
) -> None:
    """Each heading of levels 1–3, in order, is in the index with a page number, and
    that page of LibreOffice's PDF is where the heading stands."""
    rendered = plan[fmt]
    headings = _headings(rendered, fmt)
    assert len(headings) > 60
    assert "Indice" in rendered.pages[1]
    body_start = next(
        n for n, text in enumerate(rendered.pages) if n > 0 and not LEADER.search(text)
    )
    index = _index_text(rendered.pages[1:body_start])
    starts = [_flat(heading)[:30] for heading in headings]
    positions: list[int] = []
    for start in starts:
        positions.append(index.find(start, positions[-1] + 1 if positions else 0))
        assert positions[-1] != -1, start
    found, page = [], body_start
    for start, begin, end in zip(starts, positions, [*positions[1:], len(index)], strict=True):
        number = re.search(r"(\d+)$", index[begin:end].rstrip())
        assert number is not None, start
        page = next(
            n
            for n in range(page, len(rendered.pages))
            if any(_flat(line).startswith(start) for line in rendered.pages[n].splitlines())
        )
        found.append((start, int(number.group(1)), page + 1))
    wrong = [entry for entry in found if entry[1] != entry[2]]
    assert wrong == []
    assert len({page for _, page, _ in found}) > 30, "the headings spread over the document"


def test_the_docx_properties_say_what_and_when(plan: dict[str, Rendered]) -> None:
    """Before: created and modified were 1970-01-01 (pandoc, sandboxed, has no clock)."""
    rendered = plan["docx"]
    properties = docx.Document(str(rendered.path)).core_properties
    assert properties.title == rendered.title
    assert properties.author == "; ".join(PROMOTERS)
    assert properties.language == "it"
    for moment in (properties.created, properties.modified):
        assert abs(moment.replace(tzinfo=None) - rendered.exported_at) < dt.timedelta(minutes=5)
    with zipfile.ZipFile(rendered.path) as archive:
        assert {item.date_time[0] for item in archive.infolist()} == {rendered.exported_at.year}
    pdf = pypdf.PdfReader(rendered.pdf).metadata
    assert pdf.title == rendered.title and pdf.author == "; ".join(PROMOTERS)


def test_the_odt_properties_say_what_and_when(plan: dict[str, Rendered]) -> None:
    rendered = plan["odt"]
    with zipfile.ZipFile(rendered.path) as archive:
        meta = ElementTree.fromstring(archive.read("meta.xml"))
        assert archive.infolist()[0].filename == "mimetype"
        assert archive.infolist()[0].compress_type == zipfile.ZIP_STORED
    assert meta.findtext(".//dc:title", namespaces=ODF) == rendered.title
    assert meta.findtext(".//meta:initial-creator", namespaces=ODF) == "; ".join(PROMOTERS)
    for path in (".//meta:creation-date", ".//dc:date"):
        moment = dt.datetime.fromisoformat(meta.findtext(path, namespaces=ODF).rstrip("Z"))
        assert abs(moment - rendered.exported_at) < dt.timedelta(minutes=5)
    assert pypdf.PdfReader(rendered.pdf).metadata.title == rendered.title


def test_the_docx_uses_styles_the_office_can_change(plan: dict[str, Rendered]) -> None:
    document = docx.Document(str(plan["docx"].path))
    used = {p.style.name for p in document.paragraphs}
    for name in ("Title", "Subtitle", "TOC Heading", "toc 1", "toc 2", "Heading 1", "Heading 2"):
        assert name in used, name
    assert {"Copertina laboratorio", "Copertina promotori", "Copertina stato"} <= used
    assert document.sections[0].different_first_page_header_footer
    assert document.sections[0].header.paragraphs[0].style.name == "Header"
    with zipfile.ZipFile(plan["docx"].path) as archive:
        body = archive.read("word/document.xml").decode()
        notes = archive.read("word/footnotes.xml").decode()
    # Fonts, sizes and colours live in the styles, not on the words.
    assert not re.search(r"<w:(?:rFonts|sz|color)\b", body)
    assert "Delibera regionale n. 1234" in notes and 'w:val="FootnoteText"' in notes


def test_the_odt_index_is_one_libreoffice_can_update(plan: dict[str, Rendered]) -> None:
    with zipfile.ZipFile(plan["odt"].path) as archive:
        content = archive.read("content.xml").decode()
        styles = archive.read("styles.xml").decode()
    assert content.count("<text:table-of-content ") == 1
    assert "<text:table-of-content-source" in content and "<text:bookmark-ref " in content
    for style in ("Contents_20_1", "Contents_20_Heading", "Title", "Copertina_20_stato"):
        assert f'style:name="{style}"' in styles, style
    assert 'style:name="First_20_Page"' in styles and "<text:page-count>" in styles


# As long as a title may be (on PostgreSQL a longer one cannot even be stored).
HOSTILE = (
    '<w:p>Titolo & "ostile" ]]> <![CDATA[x]]> \x00\x01\x0b\x1f\ufffe'
    " \u202eעברית العربية\u202c " + "lungo " * 1800
)[: documents.TITLE_MAX]


def test_a_hostile_cover_still_gives_files_that_open(app, policy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Markup, "]]>", controls XML cannot carry, right-to-left text and the longest title:
    every XML part parses, python-docx opens the DOCX, LibreOffice converts both, and
    the cover shows the words."""
    document = policy.document
    document.title = HOSTILE
    document.subtitle = "Sotto</w:t>titolo ]]>\x02"
    document.workshop.promoters = "Ente <b>&amp;</b>\n\x07Comune ]]>"
    document.workshop.place = 'Lodi "sala" <1>'
    db.session.commit()
    files = []
    for fmt in ("docx", "odt"):
        path = services.file_of(
            services.export(policy.facilitator, document, services.options_from(fmt))
        )
        assert path is not None
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith((".xml", ".rels")):
                    ElementTree.fromstring(archive.read(name))
        files.append(shutil.copy(path, tmp_path / f"hostile-{fmt}.{fmt}"))
    assert docx.Document(str(files[0])).core_properties.title.startswith("<w:p>Titolo &")
    to_pdf([Path(f) for f in files], tmp_path)
    for fmt in ("docx", "odt"):
        pages = page_texts(tmp_path / f"hostile-{fmt}.pdf")
        assert "<w:p>Titolo & «ostile» ]]> <![CDATA[x]]>" in _flat(pages[0])
        text = _flat(" ".join(pages))
        assert "Ente <b>&amp;</b>" in text and "Comune ]]>" in text and 'Lodi "sala" <1>' in text


def test_an_english_document_says_page_and_contents(app, policy) -> None:  # type: ignore[no-untyped-def]
    policy.document.language = "en"
    db.session.commit()
    path = services.file_of(
        services.export(policy.facilitator, policy.document, services.options_from("docx"))
    )
    assert path is not None
    with zipfile.ZipFile(path) as archive:
        footer = "".join(ElementTree.fromstring(archive.read("word/footer-tavolo.xml")).itertext())
        body = archive.read("word/document.xml").decode()
    assert re.fullmatch(r"Page\s+PAGE\s+1 of\s+NUMPAGES\s+1", footer.strip())
    assert ">Contents<" in body and "Working draft" in body


def test_the_worker_reads_only_the_documents_own_logos(app, policy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A logo's name that leads out of the document's media folder, or a file there that
    is no PNG or JPEG, does not reach the file."""
    own = document_dir(policy.document.id)
    (own / "0123456789abcdef0123.png").write_bytes(b"<svg onload='x'/>")
    secret = tmp_path / "segreto.png"
    secret.write_bytes(picture("PNG", (30, 30), "#ff0000"))
    job = assembly.pandoc_job(
        services.source_for(policy.document), services.options_from("docx").format
    )
    job["office"]["logos"] = [
        {"file": f"../../{secret.relative_to(secret.anchor)}", "alt": "fuori"},
        {"file": str(secret), "alt": "assoluto"},
        {"file": "0123456789abcdef0123.png", "alt": "non immagine"},
    ]
    output = tmp_path / "out" / "loghi.docx"
    renderer.run(job, output, time_limit=120, memory_mb=1200)
    with zipfile.ZipFile(output) as archive:
        assert not [n for n in archive.namelist() if "logo-tavolo" in n]
        assert not any(secret.read_bytes() == archive.read(n) for n in archive.namelist())
