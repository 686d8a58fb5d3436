"""The parts that may follow the text of an exported document, each one optional.

An annex comes from a provider: a key (the checkbox of the export form), a label, and
a function that writes the annex in Markdown for a document, or returns None when it
has nothing to say. Features that own other annexes (vote results, the dissent
register, commitments) keep it in their annex.py and add their provider with `register` when it
is imported; the export form and the CLI offer whatever is registered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.core.export import Participant, escape_markdown, participants_markdown
from app.extensions import db
from app.modules.attendance.services import ever_present
from app.modules.documents.models import Document
from app.modules.people.models import Membership


@dataclass(frozen=True)
class AnnexProvider:
    key: str
    label: object  # a lazy string: translated when the form is drawn
    title: Callable[[], str]
    build: Callable[[Document], str | None]


PROVIDERS: dict[str, AnnexProvider] = {}


def register(provider: AnnexProvider) -> None:
    PROVIDERS[provider.key] = provider


def load_all() -> None:
    """The pages import each feature's annex with its views; the command line, which
    imports no pages, loads them here."""
    for annex in sorted(Path(__file__).parents[1].glob("*/annex.py")):
        import_module(f"app.modules.{annex.parent.name}.annex")


def _participants(document: Document) -> str | None:
    """Active members of the workshop, facilitators and observers included: the annex
    says who was at the table, not who typed."""
    memberships = (
        db.session.execute(
            db.select(Membership).where(
                Membership.workshop_id == document.workshop_id, Membership.revoked_at.is_(None)
            )
        )
        .scalars()
        .all()
    )
    present = ever_present(document.workshop)
    people = [
        Participant(m.person.name, m.organisation, m.category, present is None or m.id in present)
        for m in memberships
    ]
    if not people:
        return None
    listing = participants_markdown(
        people,
        no_category=_("Altri partecipanti"),
        no_organisation=_("A titolo personale"),
        absent_mark=_("(invitato, non presente)"),
    )
    if present is None:
        return listing
    here = sum(1 for p in people if p.present)
    summary = ngettext(
        "%(num)d persona presente su %(invited)d invitate.",
        "%(num)d persone presenti su %(invited)d invitate.",
        here,
        invited=len(people),
    )
    return f"{escape_markdown(summary)}\n\n{listing}"


register(
    AnnexProvider(
        key="participants",
        label=_l("Partecipanti per organizzazione e categoria"),
        title=lambda: _("Partecipanti"),
        build=_participants,
    )
)
