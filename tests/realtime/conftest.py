"""One real server for the live tests, with a workshop, its people and a pool of fresh
documents, all made through the `tavolo` commands."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.realtime.server import LiveServer

# persona → (role, name). Each has a personal link; links can be used more than once.
PEOPLE = {
    "facilitator": ("facilitator", "Francesca Ferri"),
    "observer": ("observer", "Oscar Orsini"),
    "participant": ("participant", "Paola Pace"),
    "revoked": ("facilitator", "Renato Riva"),
    "leaving": ("participant", "Lucia Lodi"),
    # Participants who lead a lab: the event matrix names their labs.
    "lead": ("participant", "Lara Leone"),
    "lead_elsewhere": ("participant", "Elio Esposito"),
    **{f"writer{i}": ("participant", f"Scrittrice {i} Àèìòù") for i in range(1, 9)},
}
DOCUMENTS = 47


@dataclass(frozen=True)
class Doc:
    id: int
    section_id: int


@dataclass
class World:
    server: LiveServer
    workshop_id: int
    links: dict[str, str]
    emails: dict[str, str]
    other_document: Doc
    pool: list[Doc] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def document(self, body: str = "", state: str = "open", status: str = "draft") -> Doc:
        """A document nobody has opened yet, its one section holding `body`."""
        doc = self.pool.pop()
        self.server.sql(
            "UPDATE section SET body = ?, state = ? WHERE id = ?", body, state, doc.section_id
        )
        self.set_status(doc, status)
        return doc

    def set_status(self, doc: Doc, status: str) -> None:
        self.server.sql("UPDATE document SET status = ? WHERE id = ?", status, doc.id)

    def set_state(self, doc: Doc, state: str) -> None:
        self.server.sql("UPDATE section SET state = ? WHERE id = ?", state, doc.section_id)

    def body(self, doc: Doc) -> str:
        return self.server.settled_body(doc.section_id)

    def lead(self, persona: str, doc: Doc) -> None:
        """Makes the persona the lead of the document's lab."""
        self.server.sql(
            "INSERT INTO lab_assignment (membership_id, document_id, leads, created_at) "
            "SELECT membership.id, ?, 1, CURRENT_TIMESTAMP FROM membership "
            "JOIN person ON person.id = membership.person_id "
            "WHERE person.email = ? AND membership.workshop_id = ?",
            doc.id,
            self.emails[persona],
            self.workshop_id,
        )

    def revoke(self, persona: str) -> None:
        self.server.tavolo(["tavolo", "revoke", str(self.workshop_id), self.emails[persona]])


def _email(persona: str) -> str:
    return f"{persona}@live.example.org"


def seed(server: LiveServer) -> World:
    commands = [
        ["tavolo", "create-workshop", "Tavolo dal vivo"],
        ["tavolo", "create-workshop", "Un altro tavolo"],
        ["tavolo", "create-document", "{1}", "Documento di un altro tavolo"],
        ["tavolo", "invite", "{1}", "--name", "Ugo Ulivi", "--email", _email("uninvited")],
        # This workshop's facilitator, also invited to the other one: that link opens
        # only the other workshop.
        ["tavolo", "invite", "{1}", "--name", "Francesca Ferri", "--email", _email("facilitator")],
    ]
    for persona, (role, name) in PEOPLE.items():
        commands.append(
            ["tavolo", "invite", "{0}", "--name", name, "--email", _email(persona), "--role", role]
        )
    # This workshop's facilitator is the organiser too: that link opens no workshop of theirs.
    server.env["TAVOLO_ORGANISER_NAME"] = PEOPLE["facilitator"][1]
    server.env["TAVOLO_ORGANISER_EMAIL"] = _email("facilitator")
    commands.append(["tavolo", "init"])
    commands += [["tavolo", "create-document", "{0}", f"Documento {n}"] for n in range(DOCUMENTS)]
    outputs = server.tavolo(*commands)
    links = {"uninvited": outputs[3], "other_link": outputs[4]}
    links.update(zip(PEOPLE, outputs[5 : 5 + len(PEOPLE)], strict=True))
    links["organiser"] = outputs[5 + len(PEOPLE)]
    documents = [int(out) for out in outputs[6 + len(PEOPLE) :]]

    def with_section(document_id: int) -> Doc:
        rows = server.sql("SELECT id FROM section WHERE document_id = ?", document_id)
        return Doc(document_id, rows[0][0])

    return World(
        server=server,
        workshop_id=int(outputs[0]),
        links=links,
        emails={persona: _email(persona) for persona in [*PEOPLE, "uninvited"]},
        other_document=with_section(int(outputs[2])),
        pool=[with_section(d) for d in documents],
    )


def started(instance, **settings: str) -> Iterator[World]:  # type: ignore[no-untyped-def]
    server = LiveServer(instance, **settings)
    server.prepare_database()
    world = seed(server)
    server.start()
    try:
        yield world
    finally:
        server.stop()


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> Iterator[World]:  # type: ignore[no-untyped-def]
    yield from started(tmp_path_factory.mktemp("live"))
