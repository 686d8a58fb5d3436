from __future__ import annotations

import pytest
from flask import Flask

from app import create_app
from app.config import TestConfig
from app.extensions import db
from tests.conftest import FreshContextClient


@pytest.fixture
def app(tmp_path) -> Flask:  # type: ignore[no-untyped-def]
    """The shared fixture with bursts of zero seconds: every change typed here is a
    revision of its own, so tests can count revisions without waiting."""
    application = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'test.db'}",
        EXPORTS_DIR=tmp_path / "exports",
        WTF_CSRF_ENABLED=False,
        LIVE_BURST_SECONDS=0,
    )
    application.instance_path = str(tmp_path)
    application.test_client_class = FreshContextClient
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()
