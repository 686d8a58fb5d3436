"""The printable invitation sheet: fresh links for the chosen people, one card each with
a QR code, as a page to print or as a self-contained PDF."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from app.core.permissions import Role
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.exports.renderer import ExportError
from app.modules.people import services as people
from app.modules.people.sheet import render_pdf
from tests.conftest import login
from tests.modules.people.helpers import enters, facilitator_desk, link_paths


def _sheet(desk, ids, file_format="html"):  # type: ignore[no-untyped-def]
    return desk.client.post(
        f"{desk.base}/invitations", data={"membership_ids": ids, "format": file_format}
    )


def test_html_sheet_has_one_qr_code_per_person_and_links_that_work(app, make):
    desk = facilitator_desk(app)
    chosen = [make.member(desk.workshop, Role.PARTICIPANT, name=f"Persona «{i}»") for i in range(3)]
    response = _sheet(desk, [m.id for m, _ in chosen])

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.text
    assert len(re.findall(r'<svg viewBox="[0-9 ]+" class="qr">', html)) == 3
    assert all(f"Persona «{i}»" in html for i in range(3))
    assert "Sala consiliare, Lodi" in html
    paths = link_paths(html)
    assert len(paths) == 3
    assert all(enters(app, path) for path in paths)
    # The sheet replaced the links the factories made.
    assert not any(enters(app, f"/i/{old}") for _, old in chosen)
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "invitation_sheet.generated")
    ).one()
    assert event.actor_id == desk.facilitator.person_id
    assert event.details == {"format": "html", "membership_ids": sorted(m.id for m, _ in chosen)}


def test_pdf_sheet_is_a_real_pdf_with_six_cards_a_page(app, make):
    desk = facilitator_desk(app)
    chosen = [
        make.member(desk.workshop, Role.PARTICIPANT, name=f"Invitata Numero{i}",
                    organisation="Cooperativa sociale Il Ponte")[0]
        for i in range(7)
    ]
    response = _sheet(desk, [m.id for m in chosen], "pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert all(f"Invitata Numero{i}" in text for i in range(7))
    assert "Tavolo «Abitare»" in text


def test_the_sheet_fetches_nothing_from_disk_or_network(app):
    with pytest.raises(ExportError, match="risorsa esterna"):
        render_pdf('<p>x</p><img src="file:///etc/hostname">')
    with pytest.raises(ExportError, match="risorsa esterna"):
        render_pdf('<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>x</p>')


def test_a_bad_request_keeps_the_selection_and_changes_no_link(app, make):
    desk = facilitator_desk(app)
    member, token = make.member(desk.workshop, Role.PARTICIPANT)
    login(app.test_client(), token)  # has entered, so not chosen by default
    response = _sheet(desk, [member.id], "docx")
    assert response.status_code == 422
    assert "Scegli il formato: pagina o PDF." in response.text
    assert f'value="{member.id}" id="sel-{member.id}" checked' in response.text
    assert enters(app, f"/i/{token}")

    nobody = desk.client.post(f"{desk.base}/invitations", data={"format": "html"})
    assert nobody.status_code == 422
    assert "Seleziona almeno una persona nella tabella." in nobody.text
    for garbage in ("tutti", str(10**30)):
        response = desk.client.post(f"{desk.base}/invitations",
                                    data={"membership_ids": garbage, "format": "html"})
        assert response.status_code == 422
        assert "La selezione non è valida" in response.text


def test_people_of_another_workshop_or_revoked_get_no_link(app, make):
    desk = facilitator_desk(app)
    mine, my_token = make.member(desk.workshop, Role.PARTICIPANT)
    stranger, their_token = make.member(make.workshop("Un altro tavolo"), Role.PARTICIPANT)
    assert _sheet(desk, [mine.id, stranger.id]).status_code == 404
    gone, _ = make.member(desk.workshop, Role.PARTICIPANT, name="Renato Riva")
    people.revoke(None, gone)
    db.session.commit()
    refused = _sheet(desk, [mine.id, gone.id])
    assert refused.status_code == 409
    assert "Renato Riva è revocato" in refused.text
    assert enters(app, f"/i/{my_token}") and enters(app, f"/i/{their_token}")
