"""Synthesis routes through real requests: creating one from the workshop's labs, the
labs' texts beside its sections, pulling a section or a selected passage, refusals that
change nothing, a lab's later change offered and taken with one click, and coverage."""

from __future__ import annotations

import json
import re
from html import unescape

from app.core.permissions import Role, SectionState
from app.extensions import db
from app.modules.documents import services as documents
from app.modules.documents.models import Document, Section
from app.modules.port import current_text, write_text
from app.modules.synthesis import services as synthesis
from app.modules.synthesis.models import PulledPassage, Synthesis
from tests import factories
from tests.conftest import login
from tests.modules.amendments.conftest import Table


def _section(document: Document, title: str) -> Section:
    return next(s for s in document.sections if s.title == title)


def _passages() -> list[PulledPassage]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(PulledPassage).order_by(PulledPassage.id)))


def _text(html: str) -> str:
    """The page's words, tags and scripts' data dropped and entities read: what a
    person reads."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _data(html: str, name: str) -> dict:
    """A JSON data block of the page, as the editor reads it."""
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))


def _pull(table: Table, who: str, made: Synthesis, **data: object):  # type: ignore[no-untyped-def]
    return table.clients[who].post(f"/documents/{made.document_id}/sintesi/inserisci", data=data)


# -- Creating ----------------------------------------------------------------------------


def test_the_form_offers_the_labs_and_the_default_headings(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    made, labs = built
    workshop = table.document.workshop
    page = table.clients["facilitator"].get(f"/workshops/{workshop.id}/sintesi/nuova")
    assert page.status_code == 200
    for lab in labs:
        assert f'id="source-{lab.id}" value="{lab.id}" checked' in page.text
    # A synthesis is not a lab to start from.
    assert f'value="{made.document_id}"' not in page.text
    assert "Punti di forza\nCriticità\nProposte\nBuone pratiche" in page.text

    home = table.clients["facilitator"].get(f"/workshops/{workshop.id}")
    assert f'href="/workshops/{workshop.id}/sintesi/nuova"' in home.text
    assert ">Sintesi</span>" in home.text


def test_the_workshop_page_offers_a_synthesis_only_from_two_documents(app, make) -> None:  # type: ignore[no-untyped-def]
    workshop = make.workshop("Tavolo con un solo documento")
    make.document(workshop)
    _, token = make.member(workshop, Role.FACILITATOR)
    db.session.commit()
    client = app.test_client()
    login(client, token)
    home = client.get(f"/workshops/{workshop.id}")
    assert "Nuovo documento" in home.text
    assert "Nuova sintesi" not in home.text


def test_a_facilitator_creates_a_synthesis_with_headings_of_their_own(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    _, labs = built
    workshop = table.document.workshop
    response = table.clients["facilitator"].post(
        f"/workshops/{workshop.id}/sintesi/nuova",
        data={
            "title": "Sintesi del pomeriggio",
            "sources": [labs[0].id, labs[2].id],
            "headings": "Cosa funziona\r\n\r\n  Cosa manca  \r\nCosa proponiamo",
        },
    )
    assert response.status_code == 302
    document = db.session.scalars(
        db.select(Document).where(Document.title == "Sintesi del pomeriggio")
    ).one()
    assert response.headers["Location"].endswith(f"/documents/{document.id}")
    made = synthesis.synthesis_of(document)
    assert made is not None and made.sources == [labs[0], labs[2]]
    assert [s.title for s in document.sections] == [
        "Cosa funziona",
        "Cosa manca",
        "Cosa proponiamo",
    ]


def test_bad_input_comes_back_in_italian_with_what_was_typed(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    _, labs = built
    workshop = table.document.workshop
    elsewhere = factories.document(factories.workshop("Un altro tavolo"))
    db.session.commit()
    url = f"/workshops/{workshop.id}/sintesi/nuova"
    before = db.session.scalar(db.select(db.func.count(Synthesis.document_id)))
    cases = [
        ({"title": "", "sources": [labs[0].id], "headings": "Uno"}, "Il titolo è obbligatorio."),
        ({"title": "Sintesi", "headings": "Uno\nDue"}, "Scegli almeno un laboratorio"),
        ({"title": "Sintesi", "sources": [labs[0].id], "headings": "  \n "}, "almeno un titolo"),
        (
            {"title": "Sintesi", "sources": [labs[0].id, elsewhere.id], "headings": "Uno"},
            "Scegli i laboratori dall'elenco",
        ),
        (
            {"title": "Sintesi", "sources": ["tre"], "headings": "Uno"},
            "Scegli i laboratori dall'elenco.",
        ),
    ]
    for data, message in cases:
        page = table.clients["facilitator"].post(url, data=data)
        assert page.status_code == 422, data
        assert message in unescape(page.text)
        if data["title"]:
            assert 'value="Sintesi"' in page.text
    # The headings typed come back as typed.
    page = table.clients["facilitator"].post(url, data={"title": "Sintesi", "headings": "Uno\nDue"})
    assert "Uno\nDue</textarea>" in page.text
    assert db.session.scalar(db.select(db.func.count(Synthesis.document_id))) == before


def test_only_facilitators_create_a_synthesis(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    workshop = table.document.workshop
    for who in ("anna", "oscar"):
        url = f"/workshops/{workshop.id}/sintesi/nuova"
        assert table.clients[who].get(url).status_code == 403
        assert table.clients[who].post(url, data={"title": "X", "headings": "Y"}).status_code == 403


# -- The page and pulling ----------------------------------------------------------------


def test_the_page_shows_the_labs_beside_the_sections(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    made, labs = built
    facilitator = table.clients["facilitator"].get(f"/documents/{made.document_id}")
    assert "Dai laboratori" in facilitator.text
    # The lab's text exactly as typed, in one element, for selections to count on.
    assert (
        '<div class="synthesis-source__text" data-source-text>'
        "Le cooperative gestiscono alloggi per i giovani.\n\n"
        "Serve un fondo di garanzia per gli affitti.</div>"
    ) in facilitator.text
    assert "Inserisci la sezione" in facilitator.text
    assert "Inserisci il passaggio selezionato" in facilitator.text
    assert "build/synthesis.js" in facilitator.text
    assert f"/documents/{made.document_id}/sintesi/copertura" in facilitator.text

    # Participants read the labs, and pull nothing.
    anna = table.clients["anna"].get(f"/documents/{made.document_id}")
    assert "Le cooperative gestiscono alloggi" in anna.text
    assert "Inserisci la sezione" not in anna.text
    # A lab's own page has no pane.
    lab = table.clients["facilitator"].get(f"/documents/{labs[0].id}")
    assert "Dai laboratori" not in lab.text and "data-synthesis-sources" not in lab.text


def test_a_whole_section_is_pulled_and_the_page_says_where_it_comes_from(
    table: Table,
    built,  # type: ignore[no-untyped-def]
) -> None:
    made, labs = built
    strengths = _section(made.document, "Punti di forza")
    response = _pull(
        table,
        "facilitator",
        made,
        source_section=labs[1].sections[0].id,
        target=strengths.id,
        what="section",
        start="",
        end="",
        quote="",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/documents/{made.document_id}?verso={strengths.id}#sezione-{strengths.id}"
    )
    assert current_text(strengths.id) == synthesis_text(
        "I tirocini durano almeno sei mesi.\n\nLe imprese sociali assumono chi esce dal percorso."
    )
    [passage] = _passages()
    page = table.clients["anna"].get(f"/documents/{made.document_id}")
    text = _text(page.text)
    assert "Da «Laboratorio 2 · Lavoro» · Sezione 1" in text
    assert "uguale al laboratorio" in text
    assert f'id="passaggio-{passage.id}" title="Da «Laboratorio 2 · Lavoro» · Sezione 1"' in (
        unescape(page.text)
    )
    # The lab's words already used are marked in the pane.
    assert '<mark class="synthesis-used"' in page.text
    # The section chosen comes back chosen.
    again = table.clients["facilitator"].get(response.headers["Location"])
    assert f'<option value="{strengths.id}" selected>' in again.text


def synthesis_text(passage: str) -> str:
    return passage + "\n"


def test_a_selected_passage_is_pulled_by_its_offsets(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    made, labs = built
    proposals = _section(made.document, "Proposte")
    lab = labs[0].sections[0]
    words = "Serve un fondo di garanzia per gli affitti."
    start = current_text(lab.id).index(words)
    response = _pull(
        table,
        "facilitator",
        made,
        source_section=lab.id,
        target=proposals.id,
        what="passage",
        start=start,
        end=start + len(words),
        quote=words,
    )
    assert response.status_code == 302
    assert current_text(proposals.id).strip() == words
    [passage] = _passages()
    assert passage.source_quote == words and passage.pulled_by_id == table.people["facilitator"].id

    # Across two paragraphs: the form sends the selection's line breaks as CR LF.
    both = current_text(lab.id)
    _pull(
        table,
        "facilitator",
        made,
        source_section=lab.id,
        target=proposals.id,
        what="passage",
        start=0,
        end=len(both),
        quote=both.replace("\n", "\r\n"),
    )
    assert current_text(proposals.id).endswith(both + "\n")


def test_what_cannot_be_pulled_is_refused_with_a_message_and_nothing_changes(
    table: Table,
    built,  # type: ignore[no-untyped-def]
) -> None:
    made, labs = built
    proposals = _section(made.document, "Proposte")
    elsewhere = factories.document(factories.workshop("Un altro tavolo"), sections=1)
    write_text(table.people["anna"], elsewhere.sections[0], "Testo segreto.", "typed-by-test")
    not_a_lab = table.document.sections[0]
    db.session.commit()
    whole = {"what": "section", "target": proposals.id}
    cases = [
        ({**whole, "source_section": elsewhere.sections[0].id}, "non è tra i laboratori"),
        ({**whole, "source_section": not_a_lab.id}, "non è tra i laboratori"),
        ({**whole, "source_section": 987654}, "non è tra i laboratori"),
        (
            {**whole, "source_section": labs[0].sections[0].id, "target": labs[1].sections[0].id},
            "Scegli una sezione della sintesi",
        ),
        (
            {"what": "passage", "target": proposals.id, "source_section": labs[0].sections[0].id},
            "Seleziona prima un passaggio",
        ),
        (
            {
                "what": "passage",
                "target": proposals.id,
                "source_section": labs[0].sections[0].id,
                "start": 0,
                "end": 12,
                "quote": "Parole che il laboratorio non ha",
            },
            "selezionalo di nuovo",
        ),
        ({"what": "tutto", "target": proposals.id, "source_section": 1}, "non è completa"),
    ]
    client = table.clients["facilitator"]
    for data, message in cases:
        response = _pull(table, "facilitator", made, **data)
        assert response.status_code == 302, data
        assert response.headers["Location"].endswith(f"/documents/{made.document_id}")
        page = client.get(response.headers["Location"])
        assert message in unescape(page.text), data
    assert "Testo segreto" not in client.get(f"/documents/{made.document_id}").text

    documents.set_section_state(table.people["facilitator"], proposals, SectionState.LOCKED)
    db.session.commit()
    response = _pull(table, "facilitator", made, source_section=labs[0].sections[0].id, **whole)
    page = client.get(response.headers["Location"])
    assert "La sezione «Proposte» della sintesi è bloccata: aprila prima." in unescape(page.text)
    assert _passages() == []
    assert current_text(proposals.id) == ""


def test_participants_and_observers_pull_and_update_nothing(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    made, labs = built
    proposals = _section(made.document, "Proposte")
    passage = synthesis.pull(table.people["facilitator"], proposals, labs[0].sections[0])
    db.session.commit()
    for who in ("anna", "oscar"):
        response = _pull(
            table,
            who,
            made,
            source_section=labs[1].sections[0].id,
            target=proposals.id,
            what="section",
        )
        assert response.status_code == 403
        assert table.clients[who].post(f"/passaggi/{passage.id}/aggiorna").status_code == 403
    assert len(_passages()) == 1


# -- A lab's later change ----------------------------------------------------------------


def test_a_lab_change_is_shown_with_its_diff_and_updated_in_one_click(
    table: Table,
    built,  # type: ignore[no-untyped-def]
) -> None:
    made, labs = built
    proposals = _section(made.document, "Proposte")
    lab = labs[0].sections[0]
    words = "Serve un fondo di garanzia per gli affitti."
    start = current_text(lab.id).index(words)
    passage = synthesis.pull(
        table.people["facilitator"], proposals, lab, (start, start + len(words))
    )
    db.session.commit()
    refined = "Serve un fondo di garanzia regionale per gli affitti."
    write_text(table.people["bruno"], lab, current_text(lab.id).replace(words, refined), "typed")

    page = table.clients["facilitator"].get(f"/documents/{made.document_id}")
    text = _text(page.text)
    assert (
        "Il laboratorio «Laboratorio 1 · Abitare» ha modificato questo passaggio dopo "
        "l'inserimento." in text
    )
    assert re.search(
        r"<ins><span class=\"visually-hidden\">[^<]*</span>regionale ?</ins>", page.text
    )
    assert f'action="/passaggi/{passage.id}/aggiorna"' in page.text
    assert "Aggiorna dalla fonte" in page.text
    # Readers see the change, not the button.
    reader = table.clients["anna"].get(f"/documents/{made.document_id}")
    assert "ha modificato questo passaggio" in _text(reader.text)
    assert "Aggiorna dalla fonte" not in reader.text

    response = table.clients["facilitator"].post(f"/passaggi/{passage.id}/aggiorna")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#passaggio-{passage.id}")
    assert current_text(proposals.id).strip() == refined
    after = _text(table.clients["facilitator"].get(f"/documents/{made.document_id}").text)
    assert "uguale al laboratorio" in after
    assert "aggiornato il" in after
    assert "ha modificato questo passaggio" not in after


def test_a_deleted_source_is_marked_and_its_words_stay(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    made, labs = built
    facilitator = table.people["facilitator"]
    practices = _section(made.document, "Buone pratiche")
    passage = synthesis.pull(facilitator, practices, labs[2].sections[0])
    documents.add_section(facilitator, labs[2], "Altro", 1)
    db.session.commit()
    documents.delete_section(facilitator, labs[2].sections[0])
    db.session.commit()
    page = table.clients["facilitator"].get(f"/documents/{made.document_id}")
    text = _text(page.text)
    assert "Il passaggio non si trova più nel laboratorio: resta com'era nella sintesi." in text
    assert "La sua sezione è stata eliminata." in text
    assert "Da «Laboratorio 3 · Socialità» · Sezione 1" in text
    assert "Aggiorna dalla fonte" not in page.text
    response = table.clients["facilitator"].post(f"/passaggi/{passage.id}/aggiorna")
    followed = table.clients["facilitator"].get(response.headers["Location"])
    assert "resta com&#39;era nella sintesi" in followed.text
    assert "Le associazioni usano gli spazi delle scuole." in current_text(practices.id)


def test_the_lists_come_as_a_fragment_for_the_page_to_refresh(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    made, labs = built
    proposals = _section(made.document, "Proposte")
    synthesis.pull(table.people["facilitator"], proposals, labs[0].sections[0])
    db.session.commit()
    fragment = table.clients["oscar"].get(f"/documents/{made.document_id}/sintesi/provenienza")
    assert fragment.status_code == 200
    assert f'data-provenance-section="{proposals.id}"' in fragment.text
    assert "Laboratorio 1 · Abitare" in fragment.text
    assert "<html" not in fragment.text
    lab = table.clients["oscar"].get(f"/documents/{labs[0].id}/sintesi/provenienza")
    assert lab.status_code == 404


def test_the_page_learns_of_a_lab_s_typing(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    made, labs = built
    reader = table.clients["oscar"]
    url = f"/documents/{made.document_id}/sintesi/fonti.json"
    answer = reader.get(url)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-cache"
    version = answer.json["version"]
    page = reader.get(f"/documents/{made.document_id}").text
    assert f'data-version="{version}"' in page
    assert f'data-version-url="{url}"' in page
    assert reader.get(url, headers={"If-None-Match": answer.headers["ETag"]}).status_code == 304

    lab = labs[2].sections[0]
    added = "Il centro anziani apre alle famiglie."
    write_text(table.people["carla"], lab, current_text(lab.id) + "\n\n" + added, "typed")
    moved = reader.get(url, headers={"If-None-Match": answer.headers["ETag"]})
    assert moved.status_code == 200 and moved.json["version"] != version
    # What the page then fetches: the lists and the pane, with the lab's new words and
    # the version they go with.
    fragment = reader.get(f"/documents/{made.document_id}/sintesi/provenienza").text
    assert f'data-version="{moved.json["version"]}"' in fragment
    assert added in _text(fragment)
    assert f'data-source-section="{lab.id}"' in fragment
    assert f'<details class="synthesis-lab" data-lab="{labs[2].id}" open>' in fragment
    assert "<html" not in fragment
    assert reader.get(f"/documents/{labs[0].id}/sintesi/fonti.json").status_code == 404


def test_the_editor_learns_which_words_came_from_which_lab(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    made, labs = built
    proposals = _section(made.document, "Proposte")
    lab = labs[0].sections[0]
    words = "Serve un fondo di garanzia per gli affitti."
    start = current_text(lab.id).index(words)
    passage = synthesis.pull(
        table.people["facilitator"], proposals, lab, (start, start + len(words))
    )
    db.session.commit()
    reader = table.clients["oscar"]
    url = f"/documents/{made.document_id}/sintesi/passaggi.json"
    page = reader.get(f"/documents/{made.document_id}").text
    assert _data(page, "editor-config")["pulled_url"] == url
    texts = _data(page, "editor-i18n")
    assert texts["pulled_from"] == "Da «%(lab)s» · %(section)s"
    assert texts["pulled_changed"] == (
        "Il laboratorio ha modificato questo passaggio dopo l'inserimento."
    )
    answer = reader.get(url)
    assert answer.status_code == 200
    assert answer.json["passages"] == [
        {
            "id": passage.id,
            "section_id": proposals.id,
            "quote": words,
            "start": 0,
            "lab": "Laboratorio 1 · Abitare",
            "section": "Sezione 1",
            "version": None,
            "state": "same",
        }
    ]
    write_text(
        table.people["anna"], lab, current_text(lab.id).replace("fondo", "fondo regionale"), "t"
    )
    [changed] = reader.get(url).json["passages"]
    assert changed["state"] == "changed" and changed["quote"] == words
    # A lab's own page marks nothing.
    assert _data(reader.get(f"/documents/{labs[0].id}").text, "editor-config")["pulled_url"] is None
    assert reader.get(f"/documents/{labs[0].id}/sintesi/passaggi.json").status_code == 404


# -- Coverage ----------------------------------------------------------------------------


def test_coverage_shows_each_lab_used_and_unused_paragraphs(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    made, labs = built
    facilitator = table.people["facilitator"]
    strengths = _section(made.document, "Punti di forza")
    synthesis.pull(facilitator, strengths, labs[1].sections[0])
    lab = labs[2].sections[0]
    words = "Le biblioteche restano aperte la sera."
    start = current_text(lab.id).index(words)
    synthesis.pull(facilitator, strengths, lab, (start, start + len(words)))
    db.session.commit()

    page = table.clients["oscar"].get(f"/documents/{made.document_id}/sintesi/copertura")
    assert page.status_code == 200
    text = _text(page.text)
    summary = text.split("Riepilogo", 1)[1]
    assert "Laboratorio 1 · Abitare 2 paragrafi non usati 0 usati su 2" in summary
    assert "Laboratorio 2 · Lavoro tutti i paragrafi usati 2 usati su 2" in summary
    assert "Laboratorio 3 · Socialità 1 paragrafo non usato 1 usato su 2" in summary
    assert "usato Le biblioteche restano aperte la sera." in text
    assert "non usato Le associazioni usano gli spazi delle scuole." in text
    assert "non usato Le cooperative gestiscono alloggi per i giovani." in text
    assert page.text.count("coverage-paragraph--unused") == 3

    not_synthesis = table.clients["oscar"].get(f"/documents/{labs[0].id}/sintesi/copertura")
    assert not_synthesis.status_code == 404
