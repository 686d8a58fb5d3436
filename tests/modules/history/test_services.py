"""Versions, comparisons, restores and authorship against the real store and database."""

from __future__ import annotations

import pytest

from app.core.diff import Change, Op, word_diff
from app.core.permissions import DocumentStatus, Role, SectionState
from app.extensions import db
from app.modules.documents import services as documents
from app.modules.history import services as history
from app.modules.history.models import ImmutableVersion, Version, VersionReason
from app.modules.revisions.models import Revision
from tests import factories
from tests.modules.history.helpers import type_text


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    workshop = factories.workshop()
    people = {}
    for name, role, organisation in (
        ("Giovanna Làzzari", Role.FACILITATOR, "ASST Franciacorta"),
        ("Niccolò Esposito", Role.PARTICIPANT, "Comune di Rovato"),
        ("Anna D'Amico", Role.PARTICIPANT, "Cooperativa Il Faro"),
    ):
        membership, _ = factories.member(workshop, role, name=name, organisation=organisation)
        people[name.split()[0].lower()] = membership.person
    document = factories.document(workshop, sections=2)
    return document, people


def _body(section) -> str:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.get(type(section), section.id).body


def test_a_version_never_changes_when_the_live_text_does(world) -> None:  # type: ignore[no-untyped-def]
    document, people = world
    section = document.sections[0]
    version = history.save_version(people["giovanna"], document, "  dopo   Abitare ")
    db.session.commit()
    type_text(people["niccolò"], section, "Un testo tutto nuovo per l'Azienda.")
    db.session.expire_all()
    saved = db.session.get(Version, version.id)
    assert saved.name == "dopo Abitare"
    assert [s.body for s in saved.sections] == ["Testo della sezione 1.", "Testo della sezione 2."]
    assert _body(section) == "Un testo tutto nuovo per l'Azienda."


def test_a_saved_version_refuses_to_be_changed_or_deleted(world) -> None:  # type: ignore[no-untyped-def]
    document, people = world
    version = history.save_version(people["giovanna"], document, "bozza")
    db.session.commit()
    version.sections[0].body = "riscritto"
    with pytest.raises(ImmutableVersion):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(Version, version.id))
    with pytest.raises(ImmutableVersion):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Version, version.id).sections[0].body == "Testo della sezione 1."


def test_saving_twice_the_same_name_and_text_keeps_one_version(world) -> None:  # type: ignore[no-untyped-def]
    document, people = world
    first = history.save_version(people["giovanna"], document, "fine mattina")
    second = history.save_version(people["giovanna"], document, "fine mattina")
    assert first.id == second.id
    type_text(people["anna"], document.sections[1], "Cambiato.")
    third = history.save_version(people["giovanna"], document, "fine mattina")
    assert third.id != first.id
    assert len(history.versions(document)) == 2


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_a_version_needs_a_sensible_name(world, name: str) -> None:  # type: ignore[no-untyped-def]
    document, people = world
    with pytest.raises(history.HistoryError):
        history.save_version(people["giovanna"], document, name)
    assert db.session.scalar(db.select(db.func.count(Version.id))) == 0


def test_locking_freezing_and_publishing_save_versions(world) -> None:  # type: ignore[no-untyped-def]
    document, people = world
    facilitator = people["giovanna"]
    documents.set_section_state(facilitator, document.sections[0], SectionState.LOCKED)
    documents.set_status(facilitator, document, DocumentStatus.FROZEN)
    documents.set_status(facilitator, document, DocumentStatus.PUBLISHED)
    db.session.commit()
    saved = history.versions(document)
    assert [v.reason for v in saved] == [
        VersionReason.PUBLISHED,
        VersionReason.FROZEN,
        VersionReason.SECTION_LOCKED,
    ]
    assert saved[-1].name == "Sezione «Sezione 1» bloccata"


def test_a_version_of_another_document_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    document, people = world
    other = factories.document(document.workshop, title="Altro")
    version = history.save_version(people["giovanna"], other, "altra")
    with pytest.raises(history.HistoryError, match="appartiene a un altro documento"):
        history.version_of(document, version.id)
    with pytest.raises(history.HistoryError, match="non esiste"):
        history.version_of(document, 999_999)


def test_comparing_a_version_with_the_live_text_names_who_inserted(world) -> None:  # type: ignore[no-untyped-def]
    document, people = world
    first, second = document.sections
    version = history.save_version(people["giovanna"], document, "mattina")
    db.session.commit()
    type_text(people["niccolò"], first, "Testo della sezione 1, scritto dall'ASL.")
    documents.update_section(people["giovanna"], second, "Lavoro", "", None)
    db.session.commit()
    result = history.compare(history.point(document, version.id), history.point(document, None))
    one, two = result.diff.sections
    assert (one.added_words, one.removed_words) == (3, 0)
    assert two.renamed and two.change is Change.CHANGED
    inserted = [c for c in result.chunks[one.id] if c.op is Op.INSERT]
    assert [c.authors for c in inserted] == [("Niccolò Esposito",)]


def test_restore_is_a_new_revision_and_can_be_undone(world) -> None:  # type: ignore[no-untyped-def]
    document, people = world
    section = document.sections[0]
    type_text(people["niccolò"], section, "Prima stesura.")
    type_text(people["anna"], section, "Seconda stesura, peggiore.")
    first, second = db.session.scalars(db.select(Revision).order_by(Revision.id)).all()
    assert history.restore_revision(people["giovanna"], section, first)
    assert _body(section) == "Prima stesura."
    restored = db.session.scalars(db.select(Revision).order_by(Revision.id.desc())).first()
    assert (restored.origin, restored.source_id) == ("restored", first.id)
    entry = history.section_history(section, 1).moments[0].entries[0]
    assert (entry.from_revision, entry.from_version) == (first.ended_at, None)
    # Nothing was lost: restoring the later revision undoes the restore.
    assert history.restore_revision(people["giovanna"], section, second)
    assert _body(section) == "Seconda stesura, peggiore."
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 4


def test_restore_is_refused_on_a_frozen_document_or_a_locked_section(world) -> None:  # type: ignore[no-untyped-def]
    document, people = world
    section = document.sections[0]
    type_text(people["niccolò"], section, "Stesura.")
    revision = db.session.scalars(db.select(Revision)).one()
    type_text(people["anna"], section, "Stesura cambiata.")
    documents.set_section_state(people["giovanna"], section, SectionState.LOCKED)
    db.session.commit()
    with pytest.raises(history.HistoryError, match="Riaprila"):
        history.restore_revision(people["giovanna"], section, revision)
    documents.set_status(people["giovanna"], document, DocumentStatus.FROZEN)
    db.session.commit()
    with pytest.raises(history.HistoryError, match="congelato"):
        history.restore_revision(people["giovanna"], section, revision)
    assert _body(section) == "Stesura cambiata."


def test_restoring_a_version_restores_every_section_or_none(world) -> None:  # type: ignore[no-untyped-def]
    document, people = world
    first, second = document.sections
    version = history.save_version(people["giovanna"], document, "mattina")
    db.session.commit()
    type_text(people["niccolò"], first, "Cambiata la prima.")
    type_text(people["anna"], second, "Cambiata la seconda.")
    documents.set_section_state(people["giovanna"], second, SectionState.LOCKED)
    db.session.commit()
    with pytest.raises(history.HistoryError, match="Sezione 2"):
        history.restore_version(people["giovanna"], document, version)
    assert _body(first) == "Cambiata la prima."
    documents.set_section_state(people["giovanna"], second, SectionState.OPEN)
    db.session.commit()
    restored = history.restore_version(people["giovanna"], document, version)
    assert [s.id for s in restored] == [first.id, second.id]
    assert (_body(first), _body(second)) == ("Testo della sezione 1.", "Testo della sezione 2.")
    # Each restore names the version it came from, not a revision.
    written = db.session.scalars(
        db.select(Revision).where(Revision.origin != "typed").order_by(Revision.id)
    ).all()
    assert [(r.section_id, r.origin, r.source_id) for r in written] == [
        (first.id, "restored_version", version.id),
        (second.id, "restored_version", version.id),
    ]
    page = history.section_history(first, 1)
    assert page.moments[0].entries[0].from_version == "mattina"
    assert page.moments[0].entries[0].from_revision is None


def test_history_pages_group_revisions_into_moments(world) -> None:  # type: ignore[no-untyped-def]
    document, people = world
    section = document.sections[0]
    for i in range(history.PAGE_SIZE + 5):
        person = people["niccolò"] if i % 2 else people["anna"]
        type_text(person, section, f"Testo della sezione 1, giro {i}.")
    page = history.section_history(section, 1)
    assert page.total == history.PAGE_SIZE + 5
    assert page.pages == 2
    entries = [e for m in page.moments for e in m.entries]
    assert len(entries) == history.PAGE_SIZE
    # Written within a few seconds: one moment, by both people.
    assert len(page.moments) == 1
    assert set(page.moments[0].authors) == {"Niccolò Esposito", "Anna D'Amico"}
    assert entries[0].organisation == "Cooperativa Il Faro"
    last = history.section_history(section, 99)
    assert last.page == 2
    assert len([e for m in last.moments for e in m.entries]) == 5


def test_authorship_and_contributors(world) -> None:  # type: ignore[no-untyped-def]
    document, people = world
    section = document.sections[0]
    type_text(people["niccolò"], section, "Testo della sezione 1. La casa è un diritto.")
    type_text(people["anna"], section, "Testo della sezione 1. La casa è un diritto di tutti.")
    spans = history.authorship(section)
    assert "".join(s.text for s in spans) == _body(section)
    assert spans[0].author is None  # the starting text
    by_author = {s.author: s.text for s in spans}
    assert by_author[people["anna"].id] == "di tutti"
    found = history.contributors(document)
    assert [(c.name, c.organisation, c.words) for c in found] == [
        ("Niccolò Esposito", "Comune di Rovato", 5),
        ("Anna D'Amico", "Cooperativa Il Faro", 2),
    ]


def test_comparisons_show_each_change_with_a_paragraph_around_it(app) -> None:  # type: ignore[no-untyped-def]
    paragraphs = [f"Paragrafo {n} sul budget di salute." for n in range(1, 21)]
    old = "\n\n".join(paragraphs)
    new = old.replace("Paragrafo 10 sul", "Paragrafo 10, rivisto, sul")
    chunks = history.mark_authors(word_diff(old, new), [], {})
    shown = history.around_changes(chunks)
    text = "".join(c.text for c in shown)
    assert "Paragrafo 9 " in text and "Paragrafo 11 " in text
    assert "Paragrafo 5 " not in text and "Paragrafo 15 " not in text
    assert [c.skipped for c in shown if c.skipped] == [8, 9]
    # Nothing of the change itself is left out.
    assert [c for c in shown if c.op is not Op.EQUAL] == [c for c in chunks if c.op is not Op.EQUAL]


def test_a_restore_beyond_the_section_limit_is_refused_and_writes_nothing(app, world) -> None:  # type: ignore[no-untyped-def]
    """A revision written before the limit was lowered is too long to come back."""
    document, people = world
    first, second = document.sections
    type_text(people["niccolò"], first, "Una stesura lunga. " * 10)
    long_revision = db.session.scalars(db.select(Revision)).one()
    version = history.save_version(people["giovanna"], document, "lunga")
    db.session.commit()
    type_text(people["anna"], first, "Breve.")
    type_text(people["anna"], second, "Anche questa.")
    app.config["SECTION_MAX_BYTES"] = app.extensions["tavolo.live"].store.max_text_bytes = 100
    with pytest.raises(history.HistoryError, match="lunghezza massima di 0 KB"):
        history.restore_revision(people["giovanna"], first, long_revision)
    with pytest.raises(history.HistoryError, match="«Sezione 1»: Il testo della sezione"):
        history.restore_version(people["giovanna"], document, version)
    assert (_body(first), _body(second)) == ("Breve.", "Anche questa.")
