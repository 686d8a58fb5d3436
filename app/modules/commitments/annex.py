"""The commitments as an annex of the exported document: what each institution took on,
by when, how it will be measured, and where in the text it comes from."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.export import escape_markdown
from app.modules.commitments.services import STATUS_LABELS, Entry, of_document
from app.modules.documents.models import Document
from app.modules.exports.annexes import AnnexProvider
from app.modules.exports.annexes import register as register_annex
from app.web.i18n import long_date


def _block(number: int, entry: Entry) -> str:
    commitment = entry.commitment
    head = _("Impegno %(n)d", n=number)
    lines = [
        f"**{head} · {escape_markdown(commitment.institution)}** "
        f"({STATUS_LABELS[commitment.status]})",
        "",
        f"- {_('Azione')}: {escape_markdown(commitment.action)}",
    ]
    if commitment.responsible:
        lines.append(f"- {_('Responsabile')}: {escape_markdown(commitment.responsible)}")
    if commitment.due_on:
        lines.append(f"- {_('Scadenza')}: {long_date(commitment.due_on)}")
    if commitment.indicator:
        lines.append(f"- {_('Indicatore')}: {escape_markdown(commitment.indicator)}")
    if commitment.section is not None:
        clause = f"«{escape_markdown(commitment.section.title)}»"
        if entry.passage:
            clause += f": «{escape_markdown(entry.passage)}»"
        lines.append(f"- {_('Dal testo')}: {clause}")
    return "\n".join(lines)


def commitments_markdown(document: Document) -> str | None:
    """None when no commitment was agreed: an empty annex would promise a register."""
    entries = of_document(document)
    if not entries:
        return None
    return "\n\n".join(_block(n, entry) for n, entry in enumerate(entries, start=1)) + "\n"


register_annex(
    AnnexProvider(
        key="commitments",
        label=_l("Impegni istituzionali"),
        title=lambda: _("Impegni istituzionali"),
        build=commitments_markdown,
    )
)
