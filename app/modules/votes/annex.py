"""The results of a document's closed votes as an annex of the exported document."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.export import escape_markdown
from app.core.tally import Result
from app.extensions import db
from app.modules.documents.models import Document
from app.modules.exports.annexes import AnnexProvider, register
from app.modules.timeutil import utcnow
from app.modules.votes import services
from app.modules.votes.models import VoteRound
from app.web.labels import vote_choice_label as choice_label


def _quorum(result: Result) -> str:
    if result.quorum is None:
        return _("Nessun quorum richiesto.")
    if result.quorum_reached:
        return _("Quorum raggiunto (richiesti %(num)d votanti).", num=result.quorum)
    return _("Quorum non raggiunto (richiesti %(num)d votanti).", num=result.quorum)


def _round(vote_round: VoteRound, result: Result) -> str:
    kind = _("voto segreto") if vote_round.secret else _("voto palese")
    counts = "; ".join(f"{choice_label(c)}: {n}" for c, n in result.counts.items())
    return (
        f"**{escape_markdown(vote_round.question)}** ({escape_markdown(vote_round.section.title)}, "
        f"{kind})\n\n"
        f"{counts}. "
        + _(
            "%(voters)d votanti su %(eligible)d aventi diritto.",
            voters=result.voters,
            eligible=result.eligible,
        )
        + f" {_quorum(result)}"
    )


def votes_markdown(document: Document) -> str | None:
    """Closed rounds only: an open round has no result to hand over yet."""
    now = utcnow()
    rounds = db.session.scalars(
        db.select(VoteRound).where(VoteRound.document_id == document.id).order_by(VoteRound.id)
    )
    blocks = []
    for vote_round in rounds:
        result = services.result(vote_round, now)
        if result is not None and not vote_round.is_open(now):
            blocks.append(_round(vote_round, result))
    return "\n\n".join(blocks) or None


register(
    AnnexProvider(
        key="votes",
        label=_l("Risultati delle votazioni"),
        title=lambda: _("Risultati delle votazioni"),
        build=votes_markdown,
    )
)
