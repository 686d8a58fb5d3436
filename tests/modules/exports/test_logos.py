"""The logos of the cover: what a facilitator may upload, what is refused and why, and
the PDF's first page that shows them."""

from __future__ import annotations

import io
import subprocess

import pypdf
import pytest
from PIL import Image, ImageDraw

from app.core.permissions import Role
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.exports import logos, services
from app.modules.exports.models import DocumentLogo
from app.modules.media.services import document_dir
from tests.modules.exports.conftest import client_for, exported_files


def picture(fmt: str, colour: str = "#004d99", size: tuple[int, int] = (360, 120)) -> bytes:
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle((10, 10, size[0] - 10, size[1] - 10), fill=colour)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


PDFTOPPM_COVER = ("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _actions() -> list[str]:
    return list(db.session.execute(db.select(AuditEvent.action)).scalars())


def test_png_and_jpeg_are_stored_by_content_in_order(app, policy) -> None:
    png = logos.add_logo(policy.facilitator, policy.document, picture("PNG"), " ASST di Lodi ")
    jpeg = logos.add_logo(policy.facilitator, policy.document, picture("JPEG"), "Comune")
    db.session.commit()
    assert [(r.alt, r.position) for r in logos.logos_of(policy.document)] == [
        ("ASST di Lodi", 0),
        ("Comune", 1),
    ]
    assert png.file_name.endswith(".png") and jpeg.file_name.endswith(".jpg")
    assert (document_dir(policy.document.id) / jpeg.file_name).read_bytes()[:3] == b"\xff\xd8\xff"
    assert _actions().count("document.logo_added") == 2


@pytest.mark.parametrize(
    ("data", "alt", "message"),
    [
        (SVG, "ASST", "deve essere un'immagine PNG o JPEG"),
        (b"Solo testo, rinominato logo.png\n", "ASST", "deve essere un'immagine PNG o JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * logos.LOGO_MAX_BYTES, "ASST", "supera il limite di 2 MB"),
        (picture("PNG"), "   ", "Scrivi il nome dell'organizzazione"),
    ],
    ids=["svg", "renamed-text", "too-big", "no-name"],
)
def test_a_refused_logo_leaves_nothing(app, policy, data: bytes, alt: str, message: str) -> None:
    before = set(document_dir(policy.document.id).iterdir())
    with pytest.raises(logos.LogoError, match=message):
        logos.add_logo(policy.facilitator, policy.document, data, alt)
    assert logos.logos_of(policy.document) == []
    assert set(document_dir(policy.document.id).iterdir()) == before


def test_the_seventh_logo_is_refused(app, policy) -> None:
    for n in range(logos.LOGO_MAX_COUNT):
        logos.add_logo(
            policy.facilitator, policy.document, picture("PNG", f"#0{n}0{n}99"), f"Ente {n}"
        )
    with pytest.raises(logos.LogoError, match="ha già 6 loghi, il massimo"):
        logos.add_logo(policy.facilitator, policy.document, picture("PNG", "#990000"), "Ente 7")
    assert len(logos.logos_of(policy.document)) == logos.LOGO_MAX_COUNT


def test_removing_deletes_the_file_once_no_logo_shows_it(app, policy) -> None:
    data = picture("PNG")
    first = logos.add_logo(policy.facilitator, policy.document, data, "ASST di Lodi")
    second = logos.add_logo(policy.facilitator, policy.document, data, "ASST, di nuovo")
    path = document_dir(policy.document.id) / first.file_name
    logos.remove_logo(policy.facilitator, first)
    assert path.is_file(), "the other logo still shows it"
    logos.remove_logo(policy.facilitator, second)
    db.session.commit()
    assert not path.exists()
    assert db.session.execute(db.select(DocumentLogo)).first() is None
    assert _actions().count("document.logo_removed") == 2


def test_the_pdf_cover_shows_the_logos(app, policy, tmp_path) -> None:
    logos.add_logo(policy.facilitator, policy.document, picture("PNG", "#c0392b"), "ASST di Lodi")
    logos.add_logo(policy.facilitator, policy.document, picture("JPEG", "#008055"), "Comune")
    services.export(policy.facilitator, policy.document, services.options_from("pdf"))
    db.session.commit()
    pdf = exported_files(app)[0]
    # WeasyPrint shares one resource dictionary between pages: the text's own 2×2 image
    # is listed too, so the logos are told apart by their size.
    cover = pypdf.PdfReader(pdf).pages[0]
    assert [image.image.size for image in cover.images].count((360, 120)) == 2
    subprocess.run(
        [*PDFTOPPM_COVER, str(pdf), str(tmp_path / "cover")],
        check=True,
        timeout=60,
    )
    drawn = Image.open(tmp_path / "cover.png").convert("RGB")
    top = drawn.crop((0, 0, drawn.width, drawn.height // 4))
    colours = {colour for _count, colour in top.getcolors(maxcolors=100_000) or []}
    assert _near(colours, (192, 57, 43)) and _near(colours, (0, 128, 85)), "both logos drawn"


def _near(colours: set[tuple[int, int, int]], wanted: tuple[int, int, int]) -> bool:
    """JPEG shifts colours by a few units."""
    return any(max(abs(a - b) for a, b in zip(c, wanted, strict=True)) <= 6 for c in colours)


def test_only_a_facilitator_uploads_through_the_form(app, policy) -> None:
    url = f"/documents/{policy.document.id}/logos"
    form = {"image": (io.BytesIO(picture("PNG")), "logo.png"), "alt": "ASST di Lodi"}
    participant = client_for(app, policy, Role.PARTICIPANT)
    assert participant.post(url, data=dict(form)).status_code in (403, 404)
    facilitator = client_for(app, policy, Role.FACILITATOR)
    sent = facilitator.post(url, data={**form, "image": (io.BytesIO(picture("PNG")), "x.png")})
    assert sent.status_code == 302
    page = facilitator.get(sent.headers["Location"]).text
    assert "Logo aggiunto alla copertina" in page and 'alt="ASST di Lodi"' in page


def test_a_refused_upload_explains_and_keeps_the_name(app, policy) -> None:
    answer = client_for(app, policy, Role.FACILITATOR).post(
        f"/documents/{policy.document.id}/logos",
        data={"image": (io.BytesIO(SVG), "logo.svg"), "alt": "Regione Lombardia"},
    )
    assert answer.status_code == 422
    assert "Gli SVG e gli altri formati" in answer.text
    assert 'value="Regione Lombardia"' in answer.text
    assert logos.logos_of(policy.document) == []
    forgotten = client_for(app, policy, Role.FACILITATOR).post(
        f"/documents/{policy.document.id}/logos", data={"alt": "Regione Lombardia"}
    )
    assert forgotten.status_code == 422 and "Scegli il file del logo." in forgotten.text


def test_the_remove_button_takes_the_logo_away(app, policy) -> None:
    row = logos.add_logo(policy.facilitator, policy.document, picture("PNG"), "ASST di Lodi")
    db.session.commit()
    facilitator = client_for(app, policy, Role.FACILITATOR)
    assert (
        f"/logos/{row.id}/remove"
        in facilitator.get(f"/documents/{policy.document.id}/exports").text
    )
    assert facilitator.post(f"/logos/{row.id}/remove").status_code == 302
    assert logos.logos_of(policy.document) == []


def test_the_arrows_change_the_order(app, policy) -> None:
    for name, colour in (
        ("ASST di Lodi", "#1d6f42"),
        ("Comune", "#8a1c2b"),
        ("Regione", "#004d99"),
    ):
        logos.add_logo(policy.facilitator, policy.document, picture("PNG", colour), name)
    db.session.commit()
    last = logos.logos_of(policy.document)[-1]
    facilitator = client_for(app, policy, Role.FACILITATOR)
    assert facilitator.post(f"/logos/{last.id}/move", data={"verso": "prima"}).status_code == 302
    facilitator.post(f"/logos/{last.id}/move", data={"verso": "prima"})
    facilitator.post(f"/logos/{last.id}/move", data={"verso": "prima"})
    assert [r.alt for r in logos.logos_of(policy.document)] == ["Regione", "ASST di Lodi", "Comune"]
    assert facilitator.post(f"/logos/{last.id}/move", data={"verso": "su"}).status_code == 400


def test_the_html_export_carries_the_logos_inside_the_file(app, policy) -> None:
    logos.add_logo(policy.facilitator, policy.document, picture("PNG"), "ASST di Lodi")
    services.export(policy.facilitator, policy.document, services.options_from("html"))
    html = exported_files(app)[0].read_text()
    cover = html[html.index('<header class="cover">') : html.index("</header>")]
    assert '<img src="data:image/png;base64,' in cover and 'alt="ASST di Lodi"' in cover
