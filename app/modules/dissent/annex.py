"""The dissent register as an annex of the exported document."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.export import escape_markdown
from app.modules.dissent.services import Entry, Kind, register
from app.modules.documents.models import Document
from app.modules.exports.annexes import AnnexProvider
from app.modules.exports.annexes import register as register_annex
from app.modules.timeutil import utcnow


def _kind(kind: Kind) -> str:
    return {
        Kind.OBJECTION: _("Voto contrario"),
        Kind.RESERVATION: _("Favorevole con riserve"),
        Kind.SECRET: _("Voto contrario segreto"),
        Kind.MINORITY: _("Posizione di minoranza"),
    }[kind]


def _line(entry: Entry) -> str:
    who = " · ".join(escape_markdown(part) for part in (entry.name, entry.organisation) if part)
    head = f"**{_kind(entry.kind)}**" + (f" ({who})" if who else "")
    text = escape_markdown(entry.text) or _("(nessuna motivazione)")
    return f"- {head}: {text}"


def dissent_markdown(document: Document) -> str | None:
    """None when nobody objected: an empty annex would suggest a register nobody kept."""
    parts = [part for part in register(document, utcnow()) if part.entries]
    if not parts:
        return None
    blocks = []
    for part in parts:
        lines = "\n".join(_line(entry) for entry in part.entries)
        blocks.append(f"**{escape_markdown(part.section.title)}**\n\n{lines}")
    return "\n\n".join(blocks)


register_annex(
    AnnexProvider(
        key="dissent",
        label=_l("Registro del dissenso"),
        title=lambda: _("Registro del dissenso"),
        build=dissent_markdown,
    )
)
