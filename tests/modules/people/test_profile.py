"""The profile page: anyone fixes their own name and organisation, and gets new links of
their own, within what their login reaches."""

from __future__ import annotations

from flask import Flask

from app.core.permissions import Role
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.people import organisers
from app.modules.people import services as people
from app.modules.people.models import Membership, Person
from tests import factories
from tests.conftest import enters, login
from tests.modules.people.helpers import facilitator_desk, link_paths


def _person(email: str) -> Person:
    db.session.expire_all()
    return db.session.execute(db.select(Person).where(Person.email == email)).scalar_one()


def test_a_participant_fixes_name_and_organisation_everywhere_it_shows(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    desk = facilitator_desk(app)
    member, token = make.member(
        desk.workshop, Role.PARTICIPANT, name="Giulia Ferarri", organisation="ASST Lodi"
    )
    client = app.test_client()
    login(client, token)
    page = client.get("/profilo")
    assert page.status_code == 200
    assert 'value="Giulia Ferarri"' in page.text and 'value="ASST Lodi"' in page.text
    assert "Organizzazione al tavolo «Tavolo «Abitare»»" in page.text.replace("&#34;", '"')

    saved = client.post(
        "/profilo",
        data={"name": "  Giulia Ferrari ", f"organisation_{member.id}": "ASST di Lodi"},
        follow_redirects=True,
    )

    assert saved.status_code == 200
    assert "Il profilo è stato aggiornato." in saved.text
    assert '<span class="header-person-name">Giulia Ferrari</span>' in saved.text
    workshop_page = desk.client.get(desk.base).text
    assert "<strong>Giulia Ferrari</strong> · ASST di Lodi" in workshop_page
    changes = db.session.scalars(
        db.select(AuditEvent.details).where(
            AuditEvent.action == "member.updated", AuditEvent.object_id == member.id
        )
    ).all()
    assert {"before": {"name": "Giulia Ferarri"}, "after": {"name": "Giulia Ferrari"}} in changes
    assert {
        "before": {"organisation": "ASST Lodi"},
        "after": {"organisation": "ASST di Lodi"},
    } in changes


def test_a_bad_name_is_refused_in_italian_and_nothing_typed_is_lost(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    desk = facilitator_desk(app)
    member, token = make.member(desk.workshop, Role.PARTICIPANT, name="Paola Pace")
    client = app.test_client()
    login(client, token)

    blank = client.post("/profilo", data={"name": "  ", f"organisation_{member.id}": "Caritas"})
    assert blank.status_code == 422
    assert "Manca il nome." in blank.text
    assert 'value="Caritas"' in blank.text

    too_long = client.post("/profilo", data={"name": "P" * 201})
    assert too_long.status_code == 422
    assert "Il campo nome è troppo lungo: al massimo 200 caratteri." in too_long.text
    assert 'value="' + "P" * 201 + '"' in too_long.text

    broken = client.post("/profilo", data={"name": "Paola\u2028Pace"})
    assert broken.status_code == 422
    assert "non può andare a capo né contenere caratteri di controllo" in broken.text
    assert _person(member.person.email).name == "Paola Pace"


def test_a_link_of_one_workshop_cannot_rename_the_person_in_another(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    """Whoever invited an address holds that person's link to their own workshop: it
    must not change how the person appears at a table that inviter cannot see."""
    mine = factories.workshop("Tavolo di chi invita")
    theirs = factories.workshop("Tavolo della persona")
    make.member(theirs, Role.PARTICIPANT, name="Anna Rossi", email="anna@example.org")
    membership, token = make.member(mine, Role.PARTICIPANT, email="anna@example.org")
    inviter = app.test_client()
    login(inviter, token)

    page = inviter.get("/profilo")
    assert "readonly" in page.text
    assert "Tavolo della persona" not in page.text  # nor does it learn where else she is
    refused = inviter.post(
        "/profilo", data={"name": "Qualcun altro", f"organisation_{membership.id}": "Ente X"}
    )

    assert refused.status_code == 409
    assert "Il tuo nome compare anche dove questo accesso non arriva" in refused.text
    assert 'value="Ente X"' in refused.text
    assert _person("anna@example.org").name == "Anna Rossi"
    assert db.session.get(Membership, membership.id).organisation == "Ente di prova"

    # The person herself, with both her links in one browser, may.
    _, own_token = people.invite(
        None, theirs, people.Invitee("Anna Rossi", "anna@example.org", role=Role.PARTICIPANT)
    )
    db.session.commit()
    login(inviter, own_token)
    renamed = inviter.post("/profilo", data={"name": "Anna Maria Rossi"})
    assert renamed.status_code == 302
    assert _person("anna@example.org").name == "Anna Maria Rossi"


def test_an_organiser_renames_only_through_their_organiser_link(app: Flask) -> None:
    organiser, token = organisers.make_organiser("Maria Bianchi", "maria@example.org", "")
    db.session.commit()
    workshop = factories.workshop()
    _, member_token = factories.member(workshop, Role.FACILITATOR, email="maria@example.org")
    as_member = app.test_client()
    login(as_member, member_token)
    assert as_member.post("/profilo", data={"name": "Altro nome"}).status_code == 409

    as_organiser = app.test_client()
    login(as_organiser, token)
    login(as_organiser, member_token)
    saved = as_organiser.post(
        "/profilo",
        data={"name": "Maria Bianchi", "organisation_organiser": "Ufficio di Piano"},
    )
    assert saved.status_code == 302
    db.session.refresh(organiser)
    assert organiser.organisation == "Ufficio di Piano"
    assert as_organiser.post("/profilo", data={"name": "Maria Rossi"}).status_code == 302
    assert _person("maria@example.org").name == "Maria Rossi"


def test_a_revoked_person_cannot_rename_themselves(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    desk = facilitator_desk(app)
    member, token = make.member(desk.workshop, Role.PARTICIPANT, name="Renato Riva")
    client = app.test_client()
    login(client, token)
    people.revoke(None, member)
    db.session.commit()

    assert client.post("/profilo", data={"name": "Nome offensivo"}).status_code == 409
    assert _person(member.person.email).name == "Renato Riva"


def test_a_new_own_link_keeps_this_login_and_ends_the_old_ones(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    desk = facilitator_desk(app)
    member, old = make.member(desk.workshop, Role.PARTICIPANT, name="Paola Pace")
    client, phone = app.test_client(), app.test_client()
    login(client, old)
    login(phone, old)

    page = client.post(f"/profilo/link/{member.id}")

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Il tuo link precedente non funziona più" in page.text
    assert page.text.count('class="qr"') == 1
    [path] = link_paths(page.text)
    assert client.get(desk.base).status_code == 200
    assert phone.get(desk.base).status_code == 302  # entered with the old link: out
    assert not enters(app.test_client(), old)
    assert enters(app.test_client(), path.removeprefix("/i/"))
    assert (
        "member.link_issued"
        in db.session.scalars(
            db.select(AuditEvent.action).where(AuditEvent.actor_id == member.person_id)
        ).all()
    )


def test_the_profile_speaks_english_when_asked(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    desk = facilitator_desk(app)
    desk.client.post("/lingua/en", data={"next": "/profilo"})
    page = desk.client.get("/profilo")
    assert "Your profile" in page.text and "New personal link" in page.text
    refused = desk.client.post("/profilo", data={"name": ""})
    assert "The name is missing." in refused.text
