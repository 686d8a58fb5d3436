from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, inspect, text

from app.core.tally import CHOICES, Scale
from app.extensions import db
from app.modules.people import services as people
from app.modules.timeutil import utcnow
from app.modules.votes import services
from app.modules.votes.models import Visibility, VoteRound
from tests.modules.amendments.conftest import Table


def _open(table: Table, **settings: object) -> VoteRound:
    vote_round = services.open_round(
        table.people["facilitator"],
        table.document,
        table.section,
        None,
        services.RoundSettings(
            **{"question": "Approviamo la sezione?", "scale": Scale.CONSENT, **settings}  # type: ignore[arg-type]
        ),
        utcnow(),
    )
    db.session.commit()
    return vote_round


def _cast(table: Table, who: str, vote_round: VoteRound, choice: str, reason: str = "") -> None:
    services.cast(table.memberships[who], vote_round, choice, reason, utcnow())
    db.session.commit()


def test_an_open_vote_counts_by_category_and_can_be_changed_until_the_close(
    table: Table,
) -> None:
    vote_round = _open(table, results_visible=Visibility.LIVE, quorum=3)
    _cast(table, "anna", vote_round, "contrario", "Manca la scuola.")
    _cast(table, "anna", vote_round, "riserve", "Manca la scuola.")
    _cast(table, "bruno", vote_round, "favorevole")
    result = services.result(vote_round, utcnow())
    assert result is not None
    assert result.counts == {"favorevole": 1, "riserve": 1, "contrario": 0, "astenuto": 0}
    assert result.by_category["Comuni"]["riserve"] == 1
    assert result.eligible == 4 and not result.quorum_reached
    services.close(table.people["facilitator"], vote_round, utcnow())
    db.session.commit()
    with pytest.raises(services.VoteError):
        _cast(table, "anna", vote_round, "favorevole")
    assert services.my_ballot(vote_round, table.people["anna"]).choice == "riserve"


def test_results_stay_hidden_until_the_close_when_the_facilitator_says_so(table: Table) -> None:
    vote_round = _open(table)
    _cast(table, "anna", vote_round, "favorevole")
    assert services.result(vote_round, utcnow()) is None
    assert services.voters_so_far(vote_round) == 1
    services.close(table.people["facilitator"], vote_round, utcnow())
    assert services.result(vote_round, utcnow()).counts["favorevole"] == 1


def test_a_vote_after_the_closing_time_is_refused(table: Table) -> None:
    vote_round = _open(table, closes_at=utcnow() + dt.timedelta(minutes=5))
    later = utcnow() + dt.timedelta(minutes=6)
    with pytest.raises(services.VoteError):
        services.cast(table.memberships["anna"], vote_round, "favorevole", "", later)
    # Its time has passed: it is closed, and closing it again is refused.
    with pytest.raises(services.VoteError):
        services.close(table.people["facilitator"], vote_round, later)


def test_an_observer_cannot_vote_even_in_a_secret_round(table: Table) -> None:
    vote_round = _open(table, secret=True)
    with pytest.raises(services.VoteError):
        _cast(table, "oscar", vote_round, "favorevole")
    db.session.rollback()
    assert services.voters_so_far(vote_round) == 0


def test_closing_twice_is_refused_and_changes_nothing(table: Table) -> None:
    vote_round = _open(table)
    services.close(table.people["facilitator"], vote_round, utcnow())
    closed_at = vote_round.closed_at
    with pytest.raises(services.VoteError):
        services.close(table.people["facilitator"], vote_round, utcnow())
    assert vote_round.closed_at == closed_at


def test_a_choice_outside_the_scale_and_a_missing_required_reason_are_refused(
    table: Table,
) -> None:
    vote_round = _open(table, reason_required_for_objection=True)
    with pytest.raises(services.VoteError):
        _cast(table, "anna", vote_round, "si")
    with pytest.raises(services.VoteError):
        _cast(table, "anna", vote_round, "contrario", "  ")
    _cast(table, "anna", vote_round, "contrario", "Non condivido.")


@pytest.mark.parametrize(
    "settings",
    [
        {"question": "  "},
        {"closes_at": utcnow() - dt.timedelta(minutes=1)},
        {"quorum": 0},
        {"secret": True, "results_visible": Visibility.LIVE},
    ],
)
def test_a_round_with_bad_settings_is_not_opened(table: Table, settings: dict) -> None:
    with pytest.raises(services.VoteError):
        _open(table, **settings)


def test_a_secret_vote_is_cast_once_and_counted_by_category(table: Table) -> None:
    vote_round = _open(table, secret=True, quorum=3)
    _cast(table, "anna", vote_round, "contrario", "Manca la scuola.")
    _cast(table, "bruno", vote_round, "favorevole")
    _cast(table, "carla", vote_round, "contrario")
    with pytest.raises(services.VoteError):
        _cast(table, "anna", vote_round, "favorevole")
    db.session.rollback()
    services.close(table.people["facilitator"], vote_round, utcnow())
    result = services.result(vote_round, utcnow())
    assert result.counts == {"favorevole": 1, "riserve": 0, "contrario": 2, "astenuto": 0}
    assert result.by_category["Comuni"]["contrario"] == 2
    assert result.quorum_reached
    assert services.secret_reasons(vote_round) == ["Manca la scuola."]


def test_a_secret_round_leaves_no_per_person_choice_anywhere_in_the_database(
    table: Table,
) -> None:
    """Every row of every table, read as text: no row holds a voter's id (or name, or
    e-mail) together with a choice, and no row holding a choice has a time."""
    vote_round = _open(table, secret=True)
    # Categories differ, so a per-category count cannot single anyone out either...
    _cast(table, "bruno", vote_round, "contrario", "Troppo vago.")
    # ...except by a table's own row order: the rows for the others come later.
    _cast(table, "facilitator", vote_round, "astenuto")
    voters = {p: table.people[p] for p in ("bruno", "facilitator")}
    choices = {"contrario", "astenuto", "favorevole", "riserve"}
    engine = db.engine
    with engine.connect() as connection:
        for name in inspect(engine).get_table_names():
            columns = [c["name"] for c in inspect(engine).get_columns(name)]
            for row in connection.execute(text(f'SELECT * FROM "{name}"')):
                cells = {col: str(value) for col, value in zip(columns, row, strict=True)}
                values = set(cells.values())
                if not values & choices:
                    continue
                assert name == "vote_tally", f"a choice in {name}: {cells}"
                for person in voters.values():
                    assert not {person.name, person.email} & values, (name, cells)
                    person_columns = [c for c in columns if c.endswith("person_id")]
                    assert all(cells[c] != str(person.id) for c in person_columns), (name, cells)
                assert not [c for c in columns if c.endswith("_at")], (name, columns)
    # The tally rows were all there before anyone voted: their order says nothing.
    rows = db.session.execute(
        text("SELECT choice, category FROM vote_tally WHERE round_id = :r ORDER BY id"),
        {"r": vote_round.id},
    ).all()
    order = CHOICES[Scale.CONSENT]
    assert rows == sorted(rows, key=lambda r: (r.category, order.index(r.choice)))
    assert len(rows) == len(order) * len({"Regione", "Comuni", "Aziende sanitarie"})


def test_eligible_voters_are_the_participants_and_facilitators_at_the_close(
    table: Table,
) -> None:
    vote_round = _open(table, results_visible=Visibility.LIVE)
    assert services.result(vote_round, utcnow()).eligible == 4
    services.close(table.people["facilitator"], vote_round, utcnow())
    db.session.commit()
    people.revoke(None, table.memberships["carla"])
    db.session.commit()
    assert services.result(vote_round, utcnow()).eligible == 4


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_a_ballot_stored_by_another_request_of_the_same_person_meanwhile_is_a_refusal_not_an_error(
    table: Table, secret: bool
) -> None:
    """A double tap reaching two processes at once: the other request stores its ballot
    between this one's reading and writing, on a connection of its own."""
    vote_round = _open(table, secret=secret)
    anna = table.memberships["anna"]
    ballots = "vote_participation" if secret else "ballot"

    @event.listens_for(db.session, "before_flush", once=True)
    def other_request(*_: object) -> None:
        values = {"round_id": vote_round.id, "person_id": anna.person_id}
        if not secret:
            values |= {"choice": "favorevole", "reason": "", "updated_at": utcnow()}
        names = ", ".join(values)
        with db.engine.connect() as other:
            other.execute(
                text(f"INSERT INTO {ballots} ({names}) VALUES (:{', :'.join(values)})"), values
            )
            other.commit()

    with pytest.raises(services.VoteError, match="registrat"):
        services.cast(anna, vote_round, "contrario", "Manca la scuola.", utcnow())
    db.session.rollback()
    assert services.voters_so_far(vote_round) == 1
