"""Inviting by pasting a list or uploading a CSV: a preview that imports nothing while a
row is bad, and a confirmation that imports everything in one go."""

from __future__ import annotations

import io
import re
from html import unescape

from app.core.invitations import MAX_BYTES
from app.core.permissions import Role
from app.extensions import db
from tests.modules.people.helpers import (
    actions,
    enters,
    facilitator_desk,
    link_paths,
    memberships,
)

GOOD = (
    "Nome;E-mail;Organizzazione;Categoria;Ruolo\n"
    "Giulia Ferrari;g.ferrari@example.org;ASST di Lodi;Azienda sanitaria;\n"
    "Marco <script>alert(1)</script>;marco@example.org;Comune di Codogno;Comune;osservatore\n"
)
BAD = GOOD + "Anna Rossi;anna.rossi@;Cooperativa Il Ponte;Terzo settore;partecipante\n"


def _preview(desk, **data):  # type: ignore[no-untyped-def]
    return desk.client.post(f"{desk.base}/members/import", data=data)


def test_a_bad_row_imports_nothing_and_the_text_stays_to_be_fixed(app):
    desk = facilitator_desk(app)
    response = _preview(desk, text=BAD)
    assert response.status_code == 422
    html = response.text
    assert "Non è stato importato nulla" in html
    assert '<a href="#riga-4">Riga 4</a>: «anna.rossi@» non è un indirizzo e-mail valido.' in html
    assert 'id="riga-4" class="table-danger"' in html
    assert "people.import_confirm" not in html and "/members/import/confirm" not in html
    textarea = html[html.index("<textarea"):html.index("</textarea>")]
    assert unescape(textarea.split(">", 1)[1]) == BAD
    assert len(memberships(desk.workshop)) == 1


def test_a_good_list_is_previewed_then_imported_with_fresh_links(app):
    desk = facilitator_desk(app)
    preview = _preview(desk, text=GOOD)
    assert preview.status_code == 200
    assert "2 nuove persone, 0 da aggiornare" in preview.text
    assert "Marco &lt;script&gt;alert(1)&lt;/script&gt;" in preview.text
    assert "<script>alert" not in preview.text
    assert len(memberships(desk.workshop)) == 1
    hidden = re.search(r'<input type="hidden" name="text" value="([^"]*)">', preview.text)
    assert hidden and unescape(hidden.group(1)) == GOOD

    done = desk.client.post(f"{desk.base}/members/import/confirm", data={"text": GOOD})

    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    people = {m.person.email: m for m in memberships(desk.workshop)}
    assert set(people) == {desk.facilitator.person.email, "g.ferrari@example.org",
                           "marco@example.org"}
    marco = people["marco@example.org"]
    assert marco.person.name == "Marco <script>alert(1)</script>"
    assert (marco.role, marco.organisation, marco.category) == (
        Role.OBSERVER, "Comune di Codogno", "Comune",
    )
    assert people["g.ferrari@example.org"].role is Role.PARTICIPANT
    paths = link_paths(done.text)
    assert len(paths) == 2 and done.text.count('class="qr"') == 2
    assert all(enters(app, path) for path in paths)
    assert actions(desk.workshop)[-3:] == ["member.invited", "member.invited", "members.imported"]


def test_members_already_there_are_updated_and_keep_their_link(app, make):
    desk = facilitator_desk(app)
    giulia, token = make.member(desk.workshop, Role.OBSERVER, email="g.ferrari@example.org",
                                organisation="ASST")
    preview = _preview(desk, text=GOOD)
    assert preview.status_code == 200
    assert "già nel tavolo: dati aggiornati" in preview.text

    done = desk.client.post(f"{desk.base}/members/import/confirm", data={"text": GOOD})

    assert done.status_code == 200
    db.session.refresh(giulia)
    # A blank role cell keeps the role the person already had.
    assert (giulia.role, giulia.organisation) == (Role.OBSERVER, "ASST di Lodi")
    assert len(link_paths(done.text)) == 1
    assert enters(app, f"/i/{token}")


def test_the_confirmation_checks_the_list_again(app):
    desk = facilitator_desk(app)
    response = desk.client.post(f"{desk.base}/members/import/confirm", data={"text": BAD})
    assert response.status_code == 422
    assert "Non è stato importato nulla" in response.text
    assert len(memberships(desk.workshop)) == 1


def test_a_list_that_would_leave_no_facilitator_is_refused(app):
    desk = facilitator_desk(app)
    me = desk.facilitator.person
    text = f"nome;email;ruolo\n{me.name};{me.email};partecipante\n"
    response = desk.client.post(f"{desk.base}/members/import/confirm", data={"text": text})
    assert response.status_code == 422
    assert "senza facilitatori attivi" in response.text
    db.session.refresh(desk.facilitator)
    assert desk.facilitator.role is Role.FACILITATOR


def test_an_italian_excel_csv_upload_lands_in_the_text_box(app):
    desk = facilitator_desk(app)
    data = "Nome;Ente;E-mail\r\nNiccolò Perù;Città di Lodi;n.peru@example.org\r\n"
    upload = (io.BytesIO(data.encode("cp1252")), "invitati.csv")
    response = desk.client.post(
        f"{desk.base}/members/import", data={"file": upload},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Niccolò Perù" in response.text and "Città di Lodi" in response.text
    assert "Niccolò Perù;Città di Lodi;n.peru@example.org" in response.text


def test_the_upload_must_be_a_small_csv_and_not_come_with_pasted_text(app):
    desk = facilitator_desk(app)

    def post(**data):  # type: ignore[no-untyped-def]
        return desk.client.post(f"{desk.base}/members/import", data=data,
                                content_type="multipart/form-data")

    nothing = post(text="  ")
    assert nothing.status_code == 422
    assert "Incolla l'elenco delle persone o scegli un file CSV." in nothing.text
    both = post(text=GOOD, file=(io.BytesIO(GOOD.encode()), "elenco.csv"))
    assert both.status_code == 422
    assert "usa solo uno dei due" in both.text
    assert "Giulia Ferrari;g.ferrari@example.org" in both.text
    spreadsheet = post(file=(io.BytesIO(b"PK\x03\x04"), "elenco.xlsx"))
    assert spreadsheet.status_code == 422
    assert "Salva con nome" in spreadsheet.text
    huge = post(file=(io.BytesIO(b"x" * (MAX_BYTES + 1)), "elenco.csv"))
    assert huge.status_code == 422
    assert "Il file supera 1 MB" in huge.text
    assert len(memberships(desk.workshop)) == 1


def test_row_problems_are_translated_for_people_who_chose_english(app):
    desk = facilitator_desk(app)
    desk.client.post("/lingua/en")
    response = _preview(desk, text=BAD)
    assert response.status_code == 422
    assert "“anna.rossi@” is not a valid e-mail address." in response.text
