"""Pages that cost the same for the hundredth reader: the parts of a document's pages
are rendered once and kept (app/web/fragments.py), the published page by the state of
its sections in the database, a section's text by its revision. What a reader gets is
exactly what a fresh render gives, with their own CSRF token; a change anywhere (a new
revision, a text corrected and published again, even by another server process) shows
at once; a reader who already has the page is answered "not modified"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event, update

from app import create_app
from app.config import TestConfig
from app.core.permissions import DocumentStatus, Role
from app.extensions import db
from app.modules.amendments import services as amendments
from app.modules.comments import services as comments
from app.modules.documents import services
from app.modules.documents.models import Document, Section
from app.modules.timeutil import utcnow
from app.realtime.services import write_text
from app.web import rendering
from app.web.fragments import fragments
from tests.conftest import login

TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
# A section's text read from the database (not its stamp, `section.body_seq`).
READS_TEXT = re.compile(r"\bsection\.body\b(?!_seq)")
SECOND = "Abitare è un diritto.\n\n# Ponte abitativo\n\nDopo la *dimissione*."


def _token(html: str) -> str:
    found = TOKEN.search(html)
    assert found is not None
    return found.group(1)


def _same_for_everyone(html: str) -> str:
    """The page with the reader's CSRF token (signed anew at every request) left out."""
    return html.replace(_token(html), "TOKEN")


def _document(room, title: str = "Il budget di salute come patto") -> Document:
    document = services.create_document(None, room.workshop, title, "budget-di-salute")
    document.sections[1].body = SECOND
    db.session.commit()
    return document


def _published(room) -> Document:
    document = _document(room)
    services.set_status(None, document, DocumentStatus.FROZEN)
    services.set_status(None, document, DocumentStatus.PUBLISHED)
    db.session.commit()
    return document


@contextmanager
def _statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_the_published_page_is_rendered_once_and_served_as_rendered(app, room) -> None:
    document = _published(room)
    reader = app.test_client()
    first = reader.get(f"/p/{document.id}")
    assert first.status_code == 200
    assert "<em>dimissione</em>" in first.text
    with _statements(app) as seen:
        again = reader.get(f"/p/{document.id}")
    # The hundredth reader costs no text read from the database, and no rendering.
    assert not [s for s in seen if READS_TEXT.search(s)], seen
    assert _same_for_everyone(again.text) == _same_for_everyone(first.text)
    fragments().clear()
    fresh = reader.get(f"/p/{document.id}")
    assert _same_for_everyone(fresh.text) == _same_for_everyone(first.text)


def test_publishing_renders_the_public_page_for_its_first_reader(app, room) -> None:
    document = _document(room)
    for status in ("frozen", "published"):
        sent = room.facilitator.post(
            f"/documents/{document.id}/status", data={"status": status, "confirm": "y"}
        )
        assert sent.status_code == 302
    with _statements(app) as seen:
        first = app.test_client().get(f"/p/{document.id}")
    assert "<em>dimissione</em>" in first.text
    assert not [s for s in seen if READS_TEXT.search(s)], seen


def test_a_text_corrected_and_published_again_elsewhere_shows_at_once(app, room) -> None:
    document = _published(room)
    reader = app.test_client()
    assert "<em>dimissione</em>" in reader.get(f"/p/{document.id}").text
    # Another server process on the same database, with a cache of its own.
    other = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    with other.app_context():
        theirs = db.session.get(Document, document.id)
        assert theirs is not None
        # Publishing is final in Tavolo: a correction can only come from outside it.
        theirs.status = DocumentStatus.FROZEN
        db.session.commit()
    assert reader.get(f"/p/{document.id}").status_code == 404
    with other.app_context():
        theirs = db.session.get(Document, document.id)
        assert theirs is not None
        theirs.status = DocumentStatus.DRAFT
        theirs.sections[1].body = "Abitare è un diritto di *tutti*."
        services.set_status(None, theirs, DocumentStatus.FROZEN)
        services.set_status(None, theirs, DocumentStatus.PUBLISHED)
        db.session.commit()
        db.session.remove()
    page = reader.get(f"/p/{document.id}").text
    assert "diritto di <em>tutti</em>" in page and "dimissione" not in page


def test_an_erratum_written_into_the_published_text_shows_at_once(app, room) -> None:
    document = _published(room)
    section_id = document.sections[1].id
    reader = app.test_client()
    assert "Ponte abitativo" in reader.get(f"/p/{document.id}").text
    # As the live store writes a text: a statement, which stamps the section.
    db.session.execute(
        update(Section)
        .where(Section.id == section_id)
        .values(body="Errata corrige: *casa*.", updated_at=utcnow())
    )
    db.session.commit()
    page = reader.get(f"/p/{document.id}").text
    assert "Errata corrige: <em>casa</em>." in page and "Ponte abitativo" not in page


def test_a_reader_who_has_the_page_is_answered_not_modified(app, room) -> None:
    document = _published(room)
    reader = app.test_client()
    first = reader.get(f"/p/{document.id}")
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = reader.get(f"/p/{document.id}", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    # Whatever else the page shows changes its tag: here the workshop's place.
    room.workshop.place = "Municipio di Corte Franca"
    db.session.commit()
    changed = reader.get(f"/p/{document.id}", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and "Municipio di Corte Franca" in changed.text
    assert changed.headers["ETag"] != tag
    # The presentation's codes too: drawn once, then "not modified".
    code = reader.get(f"/p/{document.id}/qr-pagina.png")
    assert code.status_code == 200 and code.data.startswith(b"\x89PNG")
    repeat = reader.get(
        f"/p/{document.id}/qr-pagina.png", headers={"If-None-Match": code.headers["ETag"]}
    )
    assert repeat.status_code == 304


def test_a_new_revision_renders_its_section_again_and_only_it(app, room) -> None:
    document = _document(room)
    address = f"/documents/{document.id}"
    first = room.participant.get(address).text
    assert "<em>dimissione</em>" in first
    held = fragments().held_bytes()
    again = room.participant.get(address).text
    assert _same_for_everyone(again) == _same_for_everyone(first)
    # Nothing new was rendered for the second view.
    assert fragments().held_bytes() == held
    write_text(room.people[Role.FACILITATOR], document.sections[1], "Una casa *per tutti*.", "t")
    page = room.participant.get(address).text
    assert "Una casa <em>per tutti</em>." in page and "<em>dimissione</em>" not in page
    assert re.search(r">\s*4 (/ \d+ )?parole", page)
    assert fragments().held_bytes() > held
    fragments().clear()
    assert _same_for_everyone(room.participant.get(address).text) == _same_for_everyone(page)


def test_every_role_gets_exactly_what_a_fresh_render_gives(app, room) -> None:
    document = _document(room)
    people = room.people
    comments.add_comment(people[Role.PARTICIPANT], Role.PARTICIPANT, document.sections[0], "Ok?")
    amendments.propose(
        people[Role.PARTICIPANT], document.sections[1], SECOND, "Abitare.", "Più breve"
    )
    db.session.commit()
    address = f"/documents/{document.id}"
    for client in (room.facilitator, room.participant, room.observer):
        kept = client.get(address)
        assert kept.status_code == 200
        fragments().clear()
        fresh = client.get(address)
        assert _same_for_everyone(kept.text) == _same_for_everyone(fresh.text)
        assert "Ok?" in fresh.text and "Più breve" in fresh.text
    # A form sent back with its errors is shown with them, never a kept copy.
    refused = room.facilitator.post(
        f"/sections/{document.sections[2].id}", data={f"edit{document.sections[2].id}-title": ""}
    )
    assert refused.status_code == 422
    assert "invalid-feedback" in refused.text


def test_kept_parts_carry_each_readers_own_token(app, room, make) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    document = _document(room)
    address = f"/documents/{document.id}"
    room.participant.get(address)
    _membership, link = make.member(room.workshop, Role.PARTICIPANT, name="Seconda persona")
    second = app.test_client()
    login(second, link)
    text = second.get(address).text
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', text))
    assert tokens == {_token(text)}
    # And they work: the new comment form, as kept, is accepted.
    sent = second.post(
        f"/sections/{document.sections[0].id}/comments",
        data={"csrf_token": tokens.pop(), "body": "Con il mio gettone."},
    )
    assert sent.status_code == 302


def test_a_text_shown_as_typed_is_not_kept(app, room) -> None:
    document = _document(room)
    long_text = "\n\n".join(f"Paragrafo {n} del *piano*." for n in range(200))
    write_text(room.people[Role.FACILITATOR], document.sections[1], long_text, "t")
    normal = app.extensions["tavolo.render"]
    # A machine so busy that no worker answers in time.
    hurried = rendering.RenderPool(size=1, time_limit=0.0001, memory_mb=512)
    app.extensions["tavolo.render"] = rendering.Renderer(hurried, 1024, 1 << 20)
    address = f"/documents/{document.id}"
    assert "impaginarlo richiedeva troppo tempo" in room.participant.get(address).text
    app.extensions["tavolo.render"] = normal
    page = room.participant.get(address).text
    assert "impaginarlo richiedeva troppo tempo" not in page
    assert "Paragrafo 7 del <em>piano</em>." in page
    hurried.close()
