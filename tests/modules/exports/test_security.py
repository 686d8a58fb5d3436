"""The renderers read nothing but the application's fonts and the document's own images,
fetch nothing from the network, and die alone when they overrun their limits."""

from __future__ import annotations

import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pypandoc
import pypdf
import pytest

from app.extensions import db
from app.modules.exports import assembly, renderer, services
from tests.modules.exports.conftest import exported_files


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def bait() -> Iterator[str]:
    """A server that answers everything and remembers being asked."""
    _Counting.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _hostile_body(base: str, document_id: int) -> str:
    return (
        "Testo regolare.\n\n"
        "![passwd](file:///etc/passwd)\n\n"
        f"![remota]({base}/spia.png)\n\n"
        f"![fuori](/documents/{document_id}/media/../../../../etc/passwd)\n\n"
        f"![altro documento](/documents/{document_id + 1}/media/logo.png)\n\n"
        f"[collegamento]({base}/link)\n"
    )


@pytest.mark.parametrize("fmt", ["pdf", "docx", "odt", "html"])
def test_hostile_images_are_not_fetched_and_the_export_still_succeeds(
    app, policy, bait: str, fmt: str
) -> None:
    section = policy.document.sections[1]
    section.body = _hostile_body(bait, policy.document.id)
    db.session.commit()
    row = services.export(policy.facilitator, policy.document, services.options_from(fmt))
    data = services.file_of(row).read_bytes()  # type: ignore[union-attr]
    assert _Counting.hits == []
    assert b"root:x:0:0" not in data
    if fmt == "pdf":
        text = "".join(p.extract_text() for p in pypdf.PdfReader(services.file_of(row)).pages)
        assert "Testo regolare." in text and "root:" not in text


def test_the_worker_refuses_css_imports_file_urls_and_foreign_hosts(
    app, bait: str, tmp_path
) -> None:
    """HTML written by hand, as if a future template let something through."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the pdf")
    html = f"""<!doctype html><html lang="it"><head>
      <style>@import url("{bait}/evil.css"); @import url("file://{tmp_path}/x.css");</style>
      <link rel="stylesheet" href="{bait}/style.css">
      <link rel="stylesheet" href="file:///etc/passwd">
      </head><body><p>Corpo</p>
      <img src="file://{secret}"><img src="{bait}/pixel.png">
      <img src="https://tavolo.invalid/static/build/fonts/../../../../../etc/passwd">
      <img src="https://tavolo.invalid/documents/1/media/%2e%2e/%2e%2e/secret.png">
      <img src="https://elsewhere.invalid/documents/1/media/logo.png">
      </body></html>"""
    job = {
        "renderer": "weasyprint",
        "html": html,
        "base_url": assembly.ORIGIN,
        "roots": {
            "/static/build/fonts/": str(tmp_path / "fonts"),
            "/documents/1/media/": str(tmp_path / "media"),
        },
        "pdf_variant": None,
        "pdf_tags": False,
    }
    (tmp_path / "media").mkdir()
    output = tmp_path / "out" / "hostile.pdf"
    refused = renderer.run(job, output, time_limit=60, memory_mb=1200)
    assert _Counting.hits == []
    assert output.is_file() and b"not for the pdf" not in output.read_bytes()
    assert f"{bait}/evil.css" in refused and "file:///etc/passwd" in refused
    assert any("secret.png" in url for url in refused)
    assert any("elsewhere.invalid" in url for url in refused)
    assert sorted(p.name for p in output.parent.iterdir()) == ["hostile.pdf"]


def test_pandoc_input_cannot_carry_raw_office_markup(app, policy) -> None:
    """Raw blocks would let a writer put any OOXML (external links included) in the DOCX:
    they arrive as the text that was typed."""
    section = policy.document.sections[1]
    section.body = (
        "```{=openxml}\n<w:p><w:r><w:t>INIETTATO</w:t></w:r></w:p>\n```\n\n<b>grassetto</b>"
    )
    db.session.commit()
    row = services.export(policy.facilitator, policy.document, services.options_from("docx"))
    with zipfile.ZipFile(services.file_of(row)) as archive:  # type: ignore[arg-type]
        body = archive.read("word/document.xml").decode()
    assert "INIETTATO" in body and "<w:t>INIETTATO</w:t>" not in body
    assert "&lt;b&gt;grassetto&lt;/b&gt;" in body


def test_time_limit_stops_the_export_and_leaves_nothing(app, policy) -> None:
    app.config["EXPORT_TIME_LIMIT"] = 0.3
    with pytest.raises(services.ExportError, match="tempo massimo"):
        services.export(policy.facilitator, policy.document, services.options_from("pdf"))
    assert exported_files(app) == []


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_memory_limit_stops_the_export_and_leaves_nothing(app, policy, fmt: str) -> None:
    app.config["EXPORT_MEMORY_LIMIT_MB"] = 40
    with pytest.raises(services.ExportError, match="limite di memoria di 40 MB"):
        services.export(policy.facilitator, policy.document, services.options_from(fmt))
    assert exported_files(app) == []


def test_nothing_partial_is_left_when_the_renderer_fails(app, tmp_path: Path) -> None:
    job = {
        "renderer": "pandoc",
        "pandoc": pypandoc.get_pandoc_path(),
        "markdown": "x",
        "from": "nonexistent-format",
        "to": "docx",
        "args": [],
    }
    with pytest.raises(renderer.ExportError, match="non è riuscita"):
        renderer.run(job, tmp_path / "out" / "x.docx", time_limit=30, memory_mb=1200)
    assert list((tmp_path / "out").iterdir()) == []


def test_a_render_beyond_the_allowed_concurrency_waits_for_its_turn(app, policy) -> None:
    app.config["EXPORT_CONCURRENCY"] = 1
    slot = renderer._slots(1)
    slot.acquire()
    try:
        with pytest.raises(services.ExportError, match="Altre esportazioni sono in corso"):
            services.export(policy.facilitator, policy.document, services.options_from("docx"))
    finally:
        slot.release()
    assert exported_files(app) == []
    services.export(policy.facilitator, policy.document, services.options_from("docx"))
    assert len(exported_files(app)) == 1
