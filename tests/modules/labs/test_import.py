"""A list of people with their labs: the preview shows where each person goes, refuses a
lab the workshop does not have on its row, and the confirmation puts everyone in their
lab with the leads named."""

from __future__ import annotations

from html import unescape

from app.core.permissions import Role
from app.extensions import db
from app.modules.labs import services as labs
from app.modules.labs.models import LabAssignment
from tests import factories
from tests.modules.people.helpers import actions, facilitator_desk, memberships

LIST = (
    "Nome;E-mail;Ruolo;Laboratorio;Conduce\n"
    "Giulia Ferrari;g.ferrari@example.org;;casa della comunità  di LODI;sì\n"
    "Marco Bianchi;marco@example.org;;Casa della Comunità di Lodi;\n"
    "Anna Rossi;anna@example.org;;Salute mentale;x\n"
    "Luca Conti;luca@example.org;osservatore;;\n"
)


def _labs_by_email() -> dict[str, tuple[str, bool]]:
    db.session.expire_all()
    return {
        a.membership.person.email: (a.document.title, a.leads)
        for a in db.session.scalars(db.select(LabAssignment))
    }


def test_a_list_puts_people_in_their_labs_and_names_the_leads(app) -> None:  # type: ignore[no-untyped-def]
    desk = facilitator_desk(app)
    lodi = factories.document(desk.workshop, "Casa della Comunità di Lodi", sections=1)
    factories.document(desk.workshop, "Salute mentale", sections=1)

    preview = desk.client.post(f"{desk.base}/members/import", data={"text": LIST})

    assert preview.status_code == 200
    page = unescape(preview.text)
    assert '<th scope="col">Laboratorio</th>' in page
    assert 'Casa della Comunità di Lodi <span class="badge bg-primary">conduce</span>' in page
    assert _labs_by_email() == {}

    done = desk.client.post(f"{desk.base}/members/import/confirm", data={"text": LIST})

    assert done.status_code == 200
    assert _labs_by_email() == {
        "g.ferrari@example.org": (lodi.title, True),
        "marco@example.org": (lodi.title, False),
        "anna@example.org": ("Salute mentale", True),
    }
    assert actions(desk.workshop).count("lab.assigned") == 3


def test_a_lab_the_workshop_does_not_have_imports_nothing(app) -> None:  # type: ignore[no-untyped-def]
    desk = facilitator_desk(app)
    factories.document(desk.workshop, "Casa della Comunità di Lodi", sections=1)

    for url in ("/members/import", "/members/import/confirm"):
        response = desk.client.post(f"{desk.base}{url}", data={"text": LIST})
        assert response.status_code == 422
        page = unescape(response.text)
        assert "Non è stato importato nulla" in page
        assert (
            '<a href="#riga-4">Riga 4</a>: Nessun documento di questo tavolo si chiama '
            "«Salute mentale»." in page
        )
        assert 'id="riga-4" class="table-danger"' in page
    assert len(memberships(desk.workshop)) == 1
    assert _labs_by_email() == {}


def test_a_member_already_there_moves_to_the_lab_of_the_list(app, make) -> None:  # type: ignore[no-untyped-def]
    desk = facilitator_desk(app)
    lodi = make.document(desk.workshop, "Casa della Comunità di Lodi", sections=1)
    mental = make.document(desk.workshop, "Salute mentale", sections=1)
    anna, _ = make.member(desk.workshop, Role.PARTICIPANT, name="Anna Rossi",
                          email="anna@example.org")
    marco, _ = make.member(desk.workshop, Role.PARTICIPANT, name="Marco Bianchi",
                           email="marco@example.org")
    labs.assign(None, anna, lodi, False)
    labs.assign(None, marco, mental, True)
    db.session.commit()
    # Anna goes to lead the other lab; Marco's blank cells leave him where he is.
    text = (
        "nome;email;laboratorio;conduce\n"
        "Anna Rossi;anna@example.org;Salute mentale;sì\n"
        "Marco Bianchi;marco@example.org;;\n"
    )
    done = desk.client.post(f"{desk.base}/members/import/confirm", data={"text": text})
    assert done.status_code == 200
    assert _labs_by_email() == {
        "anna@example.org": ("Salute mentale", True),
        "marco@example.org": ("Salute mentale", True),
    }
