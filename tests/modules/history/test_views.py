"""The history pages through real requests: what people see, and what bad input gets."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.core.permissions import DocumentStatus, Role, SectionState
from app.core.sync import PROTOCOL_VERSION
from app.extensions import db
from app.modules.documents import services as documents
from app.modules.history import services as history
from app.modules.history.models import Version
from app.modules.revisions.models import Revision
from app.web.blocking import one_at_a_time
from app.web.channel import socketio
from tests import factories
from tests.conftest import login
from tests.modules.history.helpers import type_text


@pytest.fixture
def room(app):  # type: ignore[no-untyped-def]
    workshop = factories.workshop()
    clients, people = {}, {}
    for role, name in (
        (Role.FACILITATOR, "Giovanna Làzzari"),
        (Role.PARTICIPANT, "Niccolò Esposito"),
        (Role.OBSERVER, "Oscar Osservatore"),
    ):
        membership, token = factories.member(workshop, role, name=name, organisation="ASST")
        clients[role] = app.test_client()
        login(clients[role], token)
        people[role] = membership.person
    document = factories.document(workshop, sections=2)
    return document, clients, people


def test_a_facilitator_saves_a_version_and_compares_it(room) -> None:  # type: ignore[no-untyped-def]
    document, clients, people = room
    facilitator = clients[Role.FACILITATOR]
    page = facilitator.post(f"/documents/{document.id}/versions", data={"name": "dopo Abitare"})
    assert page.status_code == 302
    version = db.session.scalars(db.select(Version)).one()
    type_text(people[Role.PARTICIPANT], document.sections[0], "Testo della sezione 1, dell'ASL.")
    listing = clients[Role.OBSERVER].get(f"/documents/{document.id}/versions")
    assert "dopo Abitare" in listing.text
    assert "Salva la versione" not in listing.text
    inline = clients[Role.OBSERVER].get(f"/documents/{document.id}/compare")
    assert inline.status_code == 200
    assert 'title="Aggiunto da Niccolò Esposito"' in inline.text
    assert "dell&#39;ASL</ins>" in inline.text
    assert "1 parola aggiunta" in inline.text or "2 parole aggiunte" in inline.text
    side = facilitator.get(
        f"/documents/{document.id}/compare?da={version.id}&a=attuale&vista=affiancata"
    )
    assert side.text.count('class="diff-text"') == 2
    assert "Ripristina il testo della versione" in side.text
    assert "Mostra tutto il testo" in side.text
    full = facilitator.get(f"/documents/{document.id}/compare?da={version.id}&contesto=tutto")
    assert "Mostra solo le modifiche" in full.text


def test_a_version_name_is_required_and_what_was_typed_stays(room) -> None:  # type: ignore[no-untyped-def]
    document, clients, _ = room
    response = clients[Role.FACILITATOR].post(
        f"/documents/{document.id}/versions", data={"name": "x" * 250}
    )
    assert response.status_code == 422
    assert "Il nome supera i 200 caratteri." in response.text
    assert "x" * 250 in response.text
    assert db.session.scalar(db.select(db.func.count(Version.id))) == 0


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("da=999999", 404, "La versione 999999 non esiste."),
        ("da=abc", 400, "Scegli da un elenco le due versioni"),
        ("da=OTHER", 400, "appartiene a un altro documento"),
    ],
)
def test_bad_comparisons_get_a_clear_page(room, query: str, status: int, message: str) -> None:  # type: ignore[no-untyped-def]
    document, clients, _ = room
    other = factories.document(document.workshop, title="Altro")
    version = history.save_version(None, other, "altra")
    db.session.commit()
    response = clients[Role.OBSERVER].get(
        f"/documents/{document.id}/compare?{query.replace('OTHER', str(version.id))}"
    )
    assert response.status_code == status
    assert message in response.text


def test_restoring_a_version_of_another_document_changes_nothing(room) -> None:  # type: ignore[no-untyped-def]
    document, clients, _ = room
    other = factories.document(document.workshop, title="Altro")
    version = history.save_version(None, other, "altra")
    db.session.commit()
    response = clients[Role.FACILITATOR].post(
        f"/documents/{document.id}/versions/{version.id}/restore"
    )
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 0


def test_history_restore_and_undo_through_the_pages(room) -> None:  # type: ignore[no-untyped-def]
    document, clients, people = room
    section = document.sections[0]
    type_text(people[Role.PARTICIPANT], section, "Prima stesura.")
    type_text(people[Role.FACILITATOR], section, "Seconda stesura.")
    first = db.session.scalars(db.select(Revision).order_by(Revision.id)).first()
    page = clients[Role.FACILITATOR].get(f"/sections/{section.id}/history")
    assert page.status_code == 200
    assert "Niccolò Esposito" in page.text and "Ripristina questo testo" in page.text
    assert (
        "Ripristina questo testo"
        not in clients[Role.OBSERVER].get(f"/sections/{section.id}/history").text
    )
    done = clients[Role.FACILITATOR].post(
        f"/sections/{section.id}/restore", data={"revision_id": first.id}, follow_redirects=True
    )
    assert "Testo ripristinato come nuova revisione" in done.text
    assert "ripristino" in done.text
    assert "ripristinata dalla revisione del " in done.text
    db.session.expire_all()
    assert section.body == "Prima stesura."


def test_restore_on_a_frozen_document_is_refused_with_a_message(room) -> None:  # type: ignore[no-untyped-def]
    document, clients, people = room
    section = document.sections[0]
    type_text(people[Role.PARTICIPANT], section, "Prima stesura.")
    type_text(people[Role.FACILITATOR], section, "Seconda stesura.")
    first = db.session.scalars(db.select(Revision).order_by(Revision.id)).first()
    documents.set_status(None, document, DocumentStatus.FROZEN)
    db.session.commit()
    refused = clients[Role.FACILITATOR].post(
        f"/sections/{section.id}/restore", data={"revision_id": first.id}, follow_redirects=True
    )
    assert "Il documento è congelato: riportalo in bozza" in refused.text
    db.session.expire_all()
    assert section.body == "Seconda stesura."


def test_a_revision_of_another_section_is_refused(room) -> None:  # type: ignore[no-untyped-def]
    document, clients, people = room
    one, two = document.sections
    type_text(people[Role.PARTICIPANT], two, "Altrove.")
    elsewhere = db.session.scalars(db.select(Revision)).one()
    response = clients[Role.FACILITATOR].post(
        f"/sections/{one.id}/restore", data={"revision_id": elsewhere.id}
    )
    assert response.status_code == 400
    assert "appartiene a un&#39;altra sezione" in response.text
    compare = clients[Role.OBSERVER].get(f"/sections/{one.id}/compare?da=x&a=1")
    assert compare.status_code == 400


def test_section_comparison_and_authorship_pages(room) -> None:  # type: ignore[no-untyped-def]
    document, clients, people = room
    section = document.sections[0]
    type_text(people[Role.PARTICIPANT], section, "Testo della sezione 1. Casa.")
    type_text(people[Role.FACILITATOR], section, "Testo della sezione 1. Casa e lavoro.")
    old, new = db.session.scalars(db.select(Revision).order_by(Revision.id)).all()
    page = clients[Role.OBSERVER].get(f"/sections/{section.id}/compare?da={old.id}&a={new.id}")
    assert page.status_code == 200
    assert "e lavoro</ins>" in page.text
    who = clients[Role.OBSERVER].get(f"/sections/{section.id}/authorship")
    assert "Giovanna Làzzari" in who.text and "Testo di partenza" in who.text


def test_the_redline_downloads_as_html_and_pdf(room) -> None:  # type: ignore[no-untyped-def]
    document, clients, people = room
    version = history.save_version(None, document, "mattina")
    db.session.commit()
    type_text(people[Role.PARTICIPANT], document.sections[0], "Testo cambiato dell'ASL.")
    base = f"/documents/{document.id}/compare/redline"
    html = clients[Role.OBSERVER].get(f"{base}.html?da={version.id}")
    assert html.status_code == 200
    assert "attachment" in html.headers["Content-Disposition"]
    assert "<style>" in html.text and "<link" not in html.text
    assert "dell&#39;ASL</ins>" in html.text
    pdf = clients[Role.OBSERVER].get(f"{base}.pdf?da={version.id}")
    assert pdf.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "cambiato" in text
    assert clients[Role.OBSERVER].get(f"{base}.docx").status_code == 404


def test_the_document_page_links_to_the_history(room) -> None:  # type: ignore[no-untyped-def]
    document, clients, _ = room
    page = clients[Role.OBSERVER].get(f"/documents/{document.id}")
    assert f"/documents/{document.id}/versions" in page.text
    assert f"/sections/{document.sections[0].id}/history" in page.text


def test_a_restored_version_is_named_in_the_section_history(room) -> None:  # type: ignore[no-untyped-def]
    document, clients, people = room
    section = document.sections[0]
    version = history.save_version(None, document, "dopo Abitare")
    db.session.commit()
    type_text(people[Role.PARTICIPANT], section, "Riscritta.")
    done = clients[Role.FACILITATOR].post(f"/documents/{document.id}/versions/{version.id}/restore")
    assert done.status_code == 302
    page = clients[Role.OBSERVER].get(f"/sections/{section.id}/history")
    assert "ripristinata dalla versione «dopo Abitare»" in page.text


def test_open_pages_hear_of_each_saved_version(app, room) -> None:  # type: ignore[no-untyped-def]
    document, clients, people = room
    page = clients[Role.OBSERVER].get(f"/documents/{document.id}")
    assert "nessuna salvata" in page.text and "build/history.js" in page.text
    reader = socketio.test_client(
        app,
        flask_test_client=clients[Role.OBSERVER],
        headers={"Origin": app.config["BASE_URL"]},
    )
    assert reader.emit(
        "join", {"document_id": document.id, "protocol": PROTOCOL_VERSION}, callback=True
    )["ok"]
    reader.get_received()
    clients[Role.FACILITATOR].post(f"/documents/{document.id}/versions", data={"name": "bozza"})
    # Saved automatically, inside the documents' service: announced at its commit too.
    documents.set_section_state(people[Role.FACILITATOR], document.sections[0], SectionState.LOCKED)
    db.session.commit()
    heard = [e["args"][0] for e in reader.get_received() if e["name"] == "changed"]
    assert heard == [{"document_id": document.id, "kind": "versions"}] * 2
    fragment = clients[Role.OBSERVER].get(f"/documents/{document.id}/versions/links")
    assert "Versioni e confronti · 2 salvate" in fragment.text
    assert "<script" not in fragment.text
    reader.disconnect()


def test_a_version_rolled_back_is_not_announced(app, room) -> None:  # type: ignore[no-untyped-def]
    document, clients, people = room
    reader = socketio.test_client(
        app,
        flask_test_client=clients[Role.OBSERVER],
        headers={"Origin": app.config["BASE_URL"]},
    )
    reader.emit("join", {"document_id": document.id, "protocol": PROTOCOL_VERSION}, callback=True)
    reader.get_received()
    history.save_version(people[Role.FACILITATOR], document, "ripensata")
    db.session.rollback()
    db.session.commit()
    assert not [e for e in reader.get_received() if e["name"] == "changed"]
    assert history.version_count(document) == 0
    reader.disconnect()


def test_the_redline_pdf_is_stopped_at_the_time_limit(room, app) -> None:  # type: ignore[no-untyped-def]
    """It ran in the server with no limit (one comparison ran for 25 minutes); now in the
    exports' worker, killed at EXPORT_TIME_LIMIT, with a message instead of a file."""
    document, clients, _people = room
    app.config["EXPORT_TIME_LIMIT"] = 0.05
    response = clients[Role.OBSERVER].get(f"/documents/{document.id}/compare/redline.pdf")
    assert response.status_code == 503
    assert "ha superato il tempo massimo" in response.text
    assert not any(app.config["EXPORTS_DIR"].iterdir())


def test_one_redline_pdf_at_a_time_per_person(room) -> None:  # type: ignore[no-untyped-def]
    document, clients, people = room
    url = f"/documents/{document.id}/compare/redline.pdf"
    with one_at_a_time("pdf", people[Role.OBSERVER].id):
        refused = clients[Role.OBSERVER].get(url)
        assert clients[Role.PARTICIPANT].get(url).status_code == 200
    assert refused.status_code == 429
    assert "Attendi che finisca" in refused.text
    assert clients[Role.OBSERVER].get(url).status_code == 200
