"""Parts of pages rendered once and kept, each under a key naming everything it shows
(a section's text by its hash, its title, its state, the reader's language…), so a
page opened by forty people at once is assembled forty times but rendered once.

Measured on the 100-page national plan: its document page took 150 ms of the server's
only event loop per person (every socket of the room waited meanwhile), its public
page rendered the same unchanging text for every reader. A key never goes stale, since
a change to anything shown makes another key; so processes need not agree on anything,
and the cache only has to forget, oldest first, what no longer fits.

Forms carry the reader's own CSRF token: it is kept as a placeholder and put back for
each reader. A part whose Markdown could not be rendered in time (shown as typed, see
app/web/rendering.py) is not kept: the next reader gets another chance."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.web.blocking import let_others_run
from app.web.i18n import select_zone

# Unguessable, so no text typed by anyone can be taken for it.
_TOKEN_SLOT = f"csrf-{secrets.token_hex(16)}"
_FALLBACKS = "tavolo_render_fallbacks"
_SETTING = "tavolo_page_setting"
# A render that another request is making is waited for at most this long.
_WAIT_SECONDS = 10.0


class FragmentCache:
    """Bounded by the size of what it holds; a part being rendered for someone else is
    waited for, not rendered again (forty people open the document at the same time)."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._held = 0
        self._parts: OrderedDict[Hashable, str] = OrderedDict()
        self._running: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def fetch(self, key: Hashable, render: Callable[[], tuple[str, bool]]) -> str:
        """The part kept under `key`, else what `render` makes: (html, whether to keep
        it)."""
        with self._lock:
            found = self._take(key)
            running = self._running.get(key) if found is None else None
            if found is None and running is None:
                self._running[key] = mine = threading.Event()
        if found is not None:
            return found
        if running is not None:
            running.wait(_WAIT_SECONDS)
            with self._lock:
                found = self._take(key)
            # Not kept by whoever rendered it (or still running): rendered here.
            return found if found is not None else render()[0]
        try:
            html, keep = render()
            if keep:
                self._keep(key, html)
        finally:
            with self._lock:
                del self._running[key]
            mine.set()
        return html

    def held_bytes(self) -> int:
        with self._lock:
            return self._held

    def clear(self) -> None:
        with self._lock:
            self._parts.clear()
            self._held = 0

    def _take(self, key: Hashable) -> str | None:
        found = self._parts.get(key)
        if found is not None:
            self._parts.move_to_end(key)
        return found

    def _keep(self, key: Hashable, html: str) -> None:
        with self._lock:
            old = self._parts.pop(key, None)
            if old is not None:
                self._held -= _size(old)
            self._parts[key] = html
            self._held += _size(html)
            while self._held > self._max_bytes and self._parts:
                _key, dropped = self._parts.popitem(last=False)
                self._held -= _size(dropped)


def _size(html: str) -> int:
    return 128 + len(html)


def cached(key: Hashable | None, caller: Callable[[], str]) -> Markup:
    """`{% call cached(key) %}…{% endcall %}` in a template: the block's HTML, kept
    under `key` (None renders it every time: a form that came back with its errors)."""
    if key is None:
        return Markup(caller())
    token = generate_csrf()

    def render() -> tuple[str, bool]:
        before = g.get(_FALLBACKS, 0)
        html = str(caller()).replace(token, _TOKEN_SLOT)
        return html, g.get(_FALLBACKS, 0) == before

    html = fragments().fetch((key, _page_setting()), render)
    # A long page is put together part by part: live edits go out in between.
    let_others_run()
    return Markup(html.replace(_TOKEN_SLOT, token) if _TOKEN_SLOT in html else html)


def rendered_in_fallback() -> None:
    """Called by the Markdown renderer when it shows a text as typed: the part being
    rendered is then not kept."""
    setattr(g, _FALLBACKS, g.get(_FALLBACKS, 0) + 1)


def _page_setting() -> tuple[str, str | None, str]:
    """What every part depends on besides its own key: the reader's language, the zone
    its dates are in, and where the application is mounted (the addresses in links).
    The language is asked once per request: a page has a hundred parts."""
    found = g.get(_SETTING)
    if found is None:
        found = (str(get_locale()), request.script_root)
        setattr(g, _SETTING, found)
    return found[0], select_zone(), found[1]


def fragments() -> FragmentCache:
    return current_app.extensions["tavolo.fragments"]


def conditional_page(html: str) -> Response:
    """A page answered "not modified" to a reader who already has it. The tag is the
    page's own content, so nothing that changes what it shows can be missed; the
    reader's CSRF token, signed anew at every request, counts by the secret it signs,
    which stays the same for the whole session."""
    response = make_response(html)
    digest = hashlib.blake2b(html.replace(generate_csrf(), "").encode(), digest_size=16)
    digest.update(str(session.get("csrf_token", "")).encode())
    response.set_etag(digest.hexdigest())
    # Kept by the browser, asked again every time: the commitments' statuses change.
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    app.extensions["tavolo.fragments"] = FragmentCache(app.config["PAGE_CACHE_BYTES"])
    app.jinja_env.globals["cached"] = cached
