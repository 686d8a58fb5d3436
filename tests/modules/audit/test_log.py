"""The facilitators' audit log: what it shows, how it filters and pages, the CSV it
hands out, and the refused attempts it records without a row per attempt."""

from __future__ import annotations

import csv
import io

from app.core.permissions import Role
from app.extensions import db
from app.modules.audit import services as audit
from app.modules.audit.models import AuditEvent
from app.modules.people import services as people
from tests.conftest import login
from tests.modules.people.helpers import facilitator_desk


def _refusals(workshop_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.execute(
            db.select(AuditEvent).where(
                AuditEvent.workshop_id == workshop_id, AuditEvent.action == audit.REFUSED
            )
        ).scalars()
    )


def test_the_log_tells_who_did_what_in_plain_italian_filtered_and_paged(app, make):
    desk = facilitator_desk(app)
    for n in range(audit.PAGE_SIZE):
        make.member(desk.workshop, Role.OBSERVER, name=f"Persona {n}")
    member, _ = make.member(desk.workshop, Role.PARTICIPANT, name="Paola <b>Pace</b>")
    desk.client.post(f"{desk.base}/members/{member.id}/role", data={"role": "observer"})

    page = desk.client.get(f"{desk.base}/registro?tipo=member")

    assert page.status_code == 200
    assert "Ruolo cambiato" in page.text and "Francesca Ferri" in page.text
    assert "<b>Pace" not in page.text
    assert "Tavolo creato" not in page.text
    assert "pagina 1 di 2" in page.text
    older = desk.client.get(f"{desk.base}/registro?tipo=member&pagina=2").text
    assert "pagina 2 di 2" in older and "Ruolo cambiato" not in older
    assert "Tavolo creato" in desk.client.get(f"{desk.base}/registro?pagina=99").text
    assert "registro" in desk.client.get(desk.base).text


def test_the_csv_opens_in_italian_excel_and_runs_no_formula(app, make):
    desk = facilitator_desk(app)
    hostile, _ = make.member(desk.workshop, Role.PARTICIPANT, name='=HYPERLINK("x";"y")')
    people.change_role(hostile.person, hostile, Role.OBSERVER)
    db.session.commit()

    response = desk.client.get(f"{desk.base}/registro.csv")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Data e ora", "Chi", "Azione", "Oggetto", "Dettagli"]
    by_hostile = [row for row in rows if "Ruolo cambiato" in row]
    assert by_hostile[0][1] == '\'=HYPERLINK("x";"y")'
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_refused_requests_are_logged_once_a_minute_with_their_count(app, make):
    desk = facilitator_desk(app)
    app.extensions["audit_refusals"] = audit.RefusalLog(flush_seconds=0)
    _, token = make.member(desk.workshop, Role.PARTICIPANT, name="Paola Pace")
    intruder = app.test_client()
    login(intruder, token)

    answers = {intruder.get(f"{desk.base}/registro").status_code for _ in range(30)}

    assert answers == {403}
    (row,) = _refusals(desk.workshop.id)
    assert row.details["count"] == 30
    assert row.details["what"] == f"GET {desk.base}/registro"
    assert "tentativi: 30" in desk.client.get(f"{desk.base}/registro?tipo=access").text
    assert "Tentativo non consentito" in desk.client.get(f"{desk.base}/registro?tipo=access").text


def test_between_flushes_a_flood_writes_nothing(app, make):
    desk = facilitator_desk(app)
    app.extensions["audit_refusals"] = audit.RefusalLog(flush_seconds=3600)
    _, token = make.member(desk.workshop, Role.OBSERVER)
    intruder = app.test_client()
    login(intruder, token)

    for _ in range(20):
        intruder.get(f"{desk.base}/members")

    (row,) = _refusals(desk.workshop.id)
    assert row.details["count"] == 1


def test_safe_cell_neutralises_every_formula_start():
    for start in "=+-@\t\r":
        assert audit.safe_cell(f"{start}1+1").startswith("'")
    assert audit.safe_cell("Paola") == "Paola"
