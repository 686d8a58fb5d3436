"""A comparison's text as HTML, built in one pass in Python: a long comparison has
hundreds of changes, and a Jinja loop with a translated label per change costs several
times the markup it writes. What it writes is what templates/history/_diff.html
describes: insertions underlined and deletions struck through, each named for screen
readers, with who inserted it on hover."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from app.core.diff import Op
from app.modules.history.services import MarkedChunk


def diff_text(chunks: Sequence[MarkedChunk], sides: Iterable[str] = ("insert", "delete")) -> Markup:
    """`sides`: the changes to show, both inline, one of them in each column side by
    side; unchanged text is always shown."""
    shown = set(sides)
    inserted = str(escape(_("[aggiunto:]")))
    removed = str(escape(_("[tolto:]")))
    by: dict[tuple[str, ...], str] = {}
    out = ['<div class="diff-text">']
    for chunk in chunks:
        text = str(escape(chunk.text))
        if chunk.op is Op.EQUAL:
            out.append(_gap(chunk.skipped) if chunk.skipped else text)
        elif chunk.op.value not in shown:
            continue
        elif chunk.op is Op.DELETE:
            out.append(f'<del><span class="visually-hidden">{removed} </span>{text}</del>')
        elif chunk.authors:
            if chunk.authors not in by:
                by[chunk.authors] = _authors(chunk.authors)
            out.append(f"{by[chunk.authors]}{text}</ins>")
        else:
            out.append(f'<ins><span class="visually-hidden">{inserted} </span>{text}</ins>')
    out.append("</div>")
    return Markup("".join(out))


def _authors(authors: tuple[str, ...]) -> str:
    """The opening of an insertion by these people: their names on hover and read out."""
    names = ", ".join(authors)
    title = escape(_("Aggiunto da %(names)s", names=names))
    spoken = escape(_("[aggiunto da %(names)s:]", names=names))
    return f'<ins title="{title}"><span class="visually-hidden">{spoken} </span>'


def _gap(paragraphs: int) -> str:
    label = ngettext(
        "… %(num)d paragrafo senza modifiche …",
        "… %(num)d paragrafi senza modifiche …",
        paragraphs,
    )
    return f'<span class="diff-gap">{escape(label)}</span>'
