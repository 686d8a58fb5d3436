"""Italian first: the interface is Italian unless the person picked English."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import format_date, format_datetime, refresh, to_user_timezone

from app.extensions import babel


def select_locale() -> str:
    # Command-line tools translate too (their messages are Italian), without a session.
    if not has_request_context():
        return "it"
    chosen = session.get("lang")
    return chosen if chosen in current_app.config["LANGUAGES"] else "it"


def select_zone() -> str | None:
    """The zone of the workshop the request is about (see `use_zone`); None, the
    instance's TZ_NAME, on pages of no workshop."""
    return g.get("time_zone")


def use_zone(zone: str) -> None:
    """From now on this request (or command) dates everything in `zone`, the workshop's
    (app.modules.workshops.models.zone_of). Called where a page learns its workshop:
    Babel remembers the zone of a request once asked, so it is asked again."""
    g.time_zone = zone
    refresh()


@contextmanager
def in_zone(zone: str) -> Iterator[None]:
    """`use_zone` for a while: an export dates its cover, colophon and file name in its
    workshop's zone whoever asks for it (a page, a command, a test)."""
    before = g.get("time_zone")
    use_zone(zone)
    try:
        yield
    finally:
        g.time_zone = before
        refresh()


def long_date(value: dt.date | None) -> str:
    """ "5 marzo 2026" in Italian, "5 March 2026" in English. A moment (a stored UTC
    datetime) is dated in the workshop's zone (`use_zone`): at 00:30 in Rome it is
    already tomorrow there, whatever the date in UTC."""
    return format_date(value, "d MMMM y") if value else ""


def local_time(moment: dt.datetime) -> dt.datetime:
    """A stored UTC moment as the clock on the wall of the room shows it, for what is
    not formatted by Babel (file names, the date of a demo workshop)."""
    return to_user_timezone(moment).replace(tzinfo=None)


def short_datetime(value: dt.datetime | None) -> str:
    return format_datetime(value, "dd/MM/y HH:mm") if value else ""


def short_time(value: dt.datetime | None) -> str:
    return format_datetime(value, "HH:mm") if value else ""


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_zone,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["short_datetime"] = short_datetime
    app.jinja_env.filters["short_time"] = short_time
    app.context_processor(lambda: {"current_lang": select_locale()})
