"""Markdown to HTML, one function for every place a section's text reaches a reader:
the document page, the public page, previews and exports.

Safe by construction: the `js-default` preset has raw HTML off (the `commonmark` and
`gfm-like` presets of markdown-it-py turn it on), links are limited to http, https,
mailto and this site, and images to the document's own media (app/core/urls.py), so
the reader's browser (or the PDF renderer) fetches nothing else. The result then goes
through nh3 anyway, so a future plugin that forgets an escape still cannot smuggle
markup through."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from html import unescape as html_unescape
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import footnote_ref

from app.core import urls

_ENV_KEY = "tavolo"
LINK_REL = "noopener noreferrer"
PLACEHOLDER_CLASS = "tv-placeholder"
# How deep blocks and inline markup may nest, as in markdown-it's CommonMark preset:
# what lies deeper is left out of the page (the text itself is kept). Quotes nest up to
# 20 levels, lists up to 10 (a list and its item count one each). The inline parser
# pays for this depth at every opening bracket it cannot close (it skips nested tokens
# back to it): at the js-default preset's 100, 40 000 brackets took 2 s, at 20 half a
# second; the 100-page national ICT plan renders the same at both.
MAX_NESTING = 20


# Longer labels than this ("[^…]") are text. The plugin looks for the closing bracket
# of a label to the end of the paragraph, at every "[^" it meets: 40 000 characters of
# "^[" took minutes once a note was defined anywhere in the text.
NOTE_LABEL_MAX = 200
_NOTE_REF = re.compile(rf"\[\^[^\]\s]{{1,{NOTE_LABEL_MAX}}}\]")


def _bounded_note_ref(state: StateInline, silent: bool) -> bool:
    if _NOTE_REF.match(state.src, state.pos, state.posMax) is None:
        return False
    return footnote_ref(state, silent)


def use_notes(md: MarkdownIt, *, move_to_end: bool = True) -> MarkdownIt:
    """Footnotes as pandoc writes them, labelled and inline, with labels of a bounded
    length; the importer reads notes exactly as the renderer shows them."""
    md.use(footnote_plugin, move_to_end=move_to_end)
    md.inline.ruler.at("footnote_ref", _bounded_note_ref)
    return md


def slugify(text: str, fallback: str = "titolo", max_length: int = 80) -> str:
    """ASCII only ("Socialità" → "socialita"): ids and addresses survive every browser,
    e-mail client and PDF bookmark without percent-encoding."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or fallback


def _allowed_url(url: str) -> bool:
    """Shared by links and images (markdown-it asks one question for both); the images
    are judged again in `_image`, which knows the document, and the data: images let
    through here are taken off links again in `_link_open`."""
    return urls.link_allowed(url) or urls.raster_data(url)


def _link_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    token = tokens[idx]
    if not urls.link_allowed(str(token.attrGet("href") or "")):
        token.attrs.pop("href", None)
    else:
        token.attrSet("rel", LINK_REL)
    return renderer.renderToken(tokens, idx, options, env)


def _image(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    """Any image but the document's own would be fetched by every reader's browser, with
    the reader's session (and would leak who reads the draft): it is shown as its
    description instead (app/core/urls.py)."""
    token = tokens[idx]
    document_id = env.get(_ENV_KEY, {}).get("document_id")
    if urls.image_allowed(str(token.attrGet("src") or ""), document_id):
        return renderer.image(tokens, idx, options, env)
    return f"[{escapeHtml(renderer.renderInlineAsText(token.children or [], options, env))}]"


def _headings(state: StateCore) -> None:
    """Prefixed ids (a heading called "location" or "forms" must not become a global of
    the page: DOM clobbering), and levels placed right below the heading the page puts
    above the text, so the page keeps one outline, with a single h1 and no skipped
    level, whether writers start their subheadings at "#" or at "##"."""
    settings = state.env.get(_ENV_KEY, {})
    prefix, above = settings.get("prefix", ""), settings.get("above", 0)
    headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    if above and headings:
        shift = above + 1 - min(int(t.tag[1]) for t in headings)
        for token in headings:
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    used: set[str] = set()
    for idx, token in enumerate(state.tokens):
        if token.type == "heading_open":
            slug = slugify(_plain_text(state.tokens[idx + 1]))
            token.attrSet("id", _unique(f"{prefix}-{slug}" if prefix else slug, used))


# A template's placeholder: a bracketed hint in italics, the whole emphasis ("_[Ente]_").
# Some character other than a space, told by a look ahead: "[^…]*\S[^…]*" tries every
# place for it, and an open bracket before a long line took minutes.
_PLACEHOLDER = re.compile(r"\[(?=[^\S\n]*[^\s\[\]])[^\[\]\n]*\]")


def is_placeholder(text: str) -> bool:
    """Whether the whole text is a bracketed hint ("[Ente]")."""
    return _PLACEHOLDER.fullmatch(text) is not None


def _placeholder_spans(tokens: list[Token]) -> Iterator[tuple[Token, str]]:
    """Each emphasis that holds nothing but a bracketed hint, with the hint: what a
    template leaves for writers to replace, and what must not reach an institution."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        children = token.children
        for i in range(len(children) - 2):
            opening, inner, closing = children[i : i + 3]
            if (
                opening.type == "em_open"
                and inner.type == "text"
                and closing.type == "em_close"
                and is_placeholder(inner.content)
            ):
                yield opening, inner.content


def _flag_placeholders(state: StateCore) -> None:
    for opening, _hint in _placeholder_spans(state.tokens):
        opening.attrSet("class", PLACEHOLDER_CLASS)


_FLAGGED = re.compile(rf'<em class="{PLACEHOLDER_CLASS}">([^<]*)</em>')


def placeholders_in_html(html: str) -> list[str]:
    """The template's hints still in a text ("[Ente]"), in order, read off the HTML
    `render_markdown` made of it: brackets in code, links and notes are text, not hints,
    as the renderer reads them. Pages have that HTML already (cached, and made by a
    worker when the text is long); parsing every section again for the freeze checklist
    took the server's loop seconds for a hostile text."""
    return [html_unescape(hint) for hint in _FLAGGED.findall(html)]


def _plain_text(inline: Token) -> str:
    return "".join(
        child.content for child in inline.children or [] if child.type in ("text", "code_inline")
    )


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    used.add(candidate)
    return candidate


def _build() -> MarkdownIt:
    md = MarkdownIt(
        "js-default",
        {"html": False, "linkify": False, "typographer": False, "maxNesting": MAX_NESTING},
    )
    md.enable(["table", "strikethrough"])
    use_notes(md)
    md.validateLink = _allowed_url  # type: ignore[method-assign]
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image)
    md.core.ruler.push("tavolo_headings", _headings)
    md.core.ruler.push("tavolo_placeholders", _flag_placeholders)
    return md


_MD = _build()

_CLEANER = nh3.Cleaner(
    tags={
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "em",
        "strong",
        "s",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "br",
        "sup",
        "section",
    },
    attributes={
        "h1": {"id"},
        "h2": {"id"},
        "h3": {"id"},
        "h4": {"id"},
        "h5": {"id"},
        "h6": {"id"},
        "a": {"href", "id", "class", "title"},
        "img": {"src", "alt", "title"},
        "th": {"style"},
        "td": {"style"},
        "ol": {"start", "class"},
        "ul": {"class"},
        "li": {"id", "class"},
        "sup": {"class"},
        "section": {"class"},
        "hr": {"class"},
        "code": {"class"},
        "em": {"class"},
    },
    url_schemes={"http", "https", "mailto", "data"},
    filter_style_properties={"text-align"},
    link_rel=LINK_REL,
)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~^&])")


def escape_markdown(text: str) -> str:
    """A name or an organisation shown literally in an annex or a note: "Coop. *Il
    Ponte*" must not turn into emphasis, "1. Comune" into a list, "&amp;" into "&"."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _without_inline_notes() -> MarkdownIt:
    md = _build()
    md.inline.ruler.disable("footnote_inline")
    return md


_MD_LIKE_PANDOC = _without_inline_notes()


def markdown_tokens(text: str, inline_notes: bool = True) -> list[Token]:
    """The text as `render_markdown` reads it, for whoever must know how a change would
    be read before making it (a note call added at export time, app/core/footnotes.py).
    Without `inline_notes`, "^[…]" is no note, as in pandoc's Markdown (DOCX, ODT),
    where "2^[link](…)" is a superscript and a link."""
    return (_MD if inline_notes else _MD_LIKE_PANDOC).parse(text, {_ENV_KEY: {}})


def render_markdown(
    text: str, prefix: str = "", heading_level: int = 0, document_id: int | None = None
) -> str:
    """HTML ready to be marked safe. `prefix` keeps the ids of several sections on one
    page apart (use "s{section_id}"); `heading_level` is the level of the heading the
    page puts above this text (0: none, the text's own levels are kept); `document_id`
    names the document whose media files the text may show (None: none)."""
    env: dict[str, Any] = {
        _ENV_KEY: {"prefix": prefix, "above": heading_level, "document_id": document_id}
    }
    if prefix:
        env["docId"] = prefix
    return _CLEANER.clean(_MD.render(text, env))
