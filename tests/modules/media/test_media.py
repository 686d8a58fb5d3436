"""A document's images at /documents/<id>/media/<name>: for its workshop's members, for
everyone once it is published, under a strict name, with the right type and no
sniffing; nothing outside the document's own folder can be reached."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from app.core.permissions import DocumentStatus, Role
from app.extensions import db
from app.modules.documents import services as documents
from app.modules.media import services as media
from tests import factories
from tests.conftest import login
from tests.modules.imports import samples

NAME = "0123456789abcdef0123.png"


def _document_with_image(app: Flask):  # type: ignore[no-untyped-def]
    workshop = factories.workshop()
    document = factories.document(workshop)
    media.store(document.id, NAME, samples.png())
    return workshop, document


def test_members_see_a_drafts_image(app: Flask) -> None:
    workshop, document = _document_with_image(app)
    _, token = factories.member(workshop, Role.OBSERVER)
    client = app.test_client()
    login(client, token)
    response = client.get(f"/documents/{document.id}/media/{NAME}")
    assert response.status_code == 200
    assert response.data == samples.png()
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]
    assert (Path(app.instance_path) / "media" / str(document.id) / NAME).exists()


def test_outsiders_only_once_published(app: Flask) -> None:
    _workshop, document = _document_with_image(app)
    client = app.test_client()
    url = f"/documents/{document.id}/media/{NAME}"
    assert client.get(url).status_code == 302  # to the login help
    documents.set_status(None, document, DocumentStatus.FROZEN)
    documents.set_status(None, document, DocumentStatus.PUBLISHED)
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]


def test_names_outside_the_pattern_are_not_found(app: Flask) -> None:
    workshop, document = _document_with_image(app)
    other = factories.document(workshop)
    _, token = factories.member(workshop, Role.FACILITATOR)
    client = app.test_client()
    login(client, token)
    base = f"/documents/{document.id}/media"
    for name in (
        "..%2F..%2Fsecret_key",
        "0123456789abcdef0123.svg",
        "x.png",
        "%2Fetc%2Fpasswd",
        "0123456789ABCDEF0123.png",
    ):
        assert client.get(f"{base}/{name}").status_code == 404, name
    # Another document's folder does not hold this image.
    assert client.get(f"/documents/{other.id}/media/{NAME}").status_code == 404
    assert client.get(f"/documents/999/media/{NAME}").status_code == 404


def test_store_refuses_names_it_did_not_make(app: Flask) -> None:
    with pytest.raises(ValueError):
        media.store(1, "../../evil.png", b"x")
