"""The codes for the day a published document is presented: one to its public page,
one to its PDF once exported, on a page anyone may open and as files for the slides,
read back with a real QR reader."""

from __future__ import annotations

import subprocess
from pathlib import Path

from app.core.permissions import DocumentStatus
from app.extensions import db
from app.modules.documents import services as documents
from app.modules.exports import services


def _published(policy) -> str:  # type: ignore[no-untyped-def]
    documents.set_status(None, policy.document, DocumentStatus.FROZEN)
    documents.set_status(None, policy.document, DocumentStatus.PUBLISHED)
    db.session.commit()
    return policy.document.slug or str(policy.document.id)


def _read_code(picture: bytes, tmp_path: Path, ext: str) -> str:
    """What a phone reads: zbarimg decodes the picture as a camera frame."""
    path = tmp_path / f"codice.{ext}"
    path.write_bytes(picture)
    done = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(path)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_codes_lead_to_the_page_and_then_to_the_pdf(app, policy, tmp_path) -> None:
    client = app.test_client()  # nobody logged in: the presentation is public
    ref = _published(policy)
    base = app.config["BASE_URL"]
    page = client.get(f"/p/{ref}/presenta")
    assert page.status_code == 200
    assert f"{base}/p/{ref}" in page.text and 'class="qr"' in page.text
    assert "/download/pdf" not in page.text
    png = client.get(f"/p/{ref}/qr-pagina.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert _read_code(png.data, tmp_path, "png") == f"{base}/p/{ref}"
    assert client.get(f"/p/{ref}/qr-pdf.png").status_code == 404

    services.export(None, policy.document, services.options_from("pdf"))
    db.session.commit()
    page = client.get(f"/p/{ref}/presenta")
    assert f"{base}/p/{ref}/download/pdf" in page.text
    pdf_code = client.get(f"/p/{ref}/qr-pdf.png")
    assert _read_code(pdf_code.data, tmp_path, "png") == f"{base}/p/{ref}/download/pdf"
    svg = client.get(f"/p/{ref}/qr-pdf.svg")
    assert svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<?xml")
    assert b"<script" not in svg.data
    # The public page leads to the codes.
    assert f"/p/{ref}/presenta" in client.get(f"/p/{ref}").text


def test_nothing_to_present_before_publication_or_beyond_the_two_codes(app, policy) -> None:
    client = app.test_client()
    ref = str(policy.document.id)
    assert client.get(f"/p/{ref}/presenta").status_code == 404
    assert client.get(f"/p/{ref}/qr-pagina.png").status_code == 404
    ref = _published(policy)
    for wrong in ("qr-altro.png", "qr-pagina.gif", "qr-pagina.svg.png"):
        assert client.get(f"/p/{ref}/{wrong}").status_code == 404, wrong
