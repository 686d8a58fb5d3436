"""One time zone: an export made at 00:30 in Rome is dated the day it is in Rome, on
the cover, in the colophon, in the Markdown and in its file name, whatever UTC says."""

from __future__ import annotations

import datetime as dt

import pypdf
import pytest

from app.modules.exports import services

# UTC moments that are half past midnight in Rome, in winter (UTC+1) and summer (UTC+2).
AFTER_MIDNIGHT = [
    (dt.datetime(2026, 12, 5, 23, 30), "6 dicembre 2026", "06/12/2026 00:30", "2026-12-06-0030"),
    (dt.datetime(2026, 7, 5, 22, 30), "6 luglio 2026", "06/07/2026 00:30", "2026-07-06-0030"),
]


@pytest.mark.parametrize(("utc", "day", "stamp", "in_name"), AFTER_MIDNIGHT)
def test_the_markdown_and_its_name_carry_the_day_in_rome(  # type: ignore[no-untyped-def]
    app, policy, monkeypatch, utc, day, stamp, in_name
) -> None:
    monkeypatch.setattr(services, "utcnow", lambda: utc)
    row = services.export(None, policy.document, services.options_from("md"))
    text = (services.exports_dir() / row.file_name).read_text()
    assert day in text and stamp in text
    assert row.file_name.endswith(f"-{in_name}.md"), row.file_name


def test_the_pdf_cover_and_colophon_agree(app, policy, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    utc, day, stamp, in_name = AFTER_MIDNIGHT[0]
    monkeypatch.setattr(services, "utcnow", lambda: utc)
    row = services.export(None, policy.document, services.options_from("pdf"))
    pages = pypdf.PdfReader(services.exports_dir() / row.file_name).pages
    assert day in pages[0].extract_text()
    assert "5 dicembre" not in pages[0].extract_text()
    assert stamp in pages[-1].extract_text()
    assert in_name in row.file_name


def test_a_workshop_in_london_dates_the_same_moment_the_day_before(  # type: ignore[no-untyped-def]
    app, policy, monkeypatch
) -> None:
    """The zone is the workshop's, not the instance's: at 23:30 UTC on 5 December it is
    already the 6th in Rome and still the 5th in London."""
    policy.document.workshop.time_zone = "Europe/London"
    monkeypatch.setattr(services, "utcnow", lambda: dt.datetime(2026, 12, 5, 23, 30))
    row = services.export(None, policy.document, services.options_from("pdf"))
    pages = pypdf.PdfReader(services.exports_dir() / row.file_name).pages
    assert "5 dicembre 2026" in pages[0].extract_text()
    assert "6 dicembre" not in pages[0].extract_text()
    assert "05/12/2026 23:30" in pages[-1].extract_text()
    assert row.file_name.endswith("-2026-12-05-2330.pdf"), row.file_name
