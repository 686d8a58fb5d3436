"""Tavolo: a closed workshop writes one policy document together, section by section.

Importing the package imports the configuration and nothing more: the commands that read
the database through its driver alone (app/dbapi.py) must not pay for Flask and
SQLAlchemy, so the factories import them when they build an application."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.config import ROOT, Config, instance_path

if TYPE_CHECKING:
    from flask import Flask

FEATURES = (
    "workshops",
    "people",
    "documents",
    "exports",
    "comments",
    "notifications",
    "imports",
    "media",
    "history",
    "amendments",
    "votes",
    "agenda",
    "dissent",
    "commitments",
    "audit",
    "attendance",
    "room",
    "labs",
    "synthesis",
)


def create_app(config: type[Config] | None = None, **overrides: object) -> Flask:
    app = _application(config, overrides)
    _init_extensions(app)
    _register_blueprints(app)
    from app import cli, realtime
    from app.web import errors, fragments, i18n, labels, qr, rendering, security

    errors.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    rendering.init_app(app)
    fragments.init_app(app)
    qr.init_app(app)
    cli.init_app(app)
    realtime.init_app(app)
    _trust_proxies(app)
    return app


def create_command_app(config: type[Config] | None = None, **overrides: object) -> Flask:
    """What a `tavolo` command needs: the configuration, the database with every model,
    the translations and the templates. None of the pages, the live channel or the
    migrations: a command that prints one line starts in a fraction of the server's
    time, and each command imports what it uses when it runs (app/cli.py)."""
    from importlib import import_module

    from app.extensions import db
    from app.web import i18n

    app = _application(config, overrides)
    db.init_app(app)
    _configure_sqlite(app)
    _storable_strings(app)
    i18n.init_app(app)
    # Every model, so that the relationships between them resolve at the first query.
    for models in sorted(Path(__file__).parent.glob("modules/*/models.py")):
        import_module(f"app.modules.{models.parent.name}.models")
    return app


def _application(config: type[Config] | None, overrides: dict[str, object]) -> Flask:
    from app.web.context import Tavolo

    app = Tavolo(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(instance_path()),
    )
    app.config.from_object(config or Config)
    app.config.update(overrides)
    Config.finalise(app.config, Path(app.instance_path))
    return app


def _trust_proxies(app: Flask) -> None:
    """Outermost, so that Socket.IO's connections see the same address as pages."""
    from app.web.proxies import TrustedProxies, parse_networks

    networks = parse_networks(app.config["TRUSTED_PROXIES"])
    if networks:
        app.wsgi_app = TrustedProxies(app.wsgi_app, networks)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    from flask_migrate import Migrate

    from app.extensions import csrf, db, limiter, login_manager
    from app.web.channel import socketio

    db.init_app(app)
    Migrate(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        client_manager=_client_manager(app.config["SOCKETIO_MESSAGE_QUEUE"]),
        cors_allowed_origins=list(app.config["ORIGINS"]),
        max_http_buffer_size=4 * 1024 * 1024,
        # Each connection's events run in its own reader thread, one after another: a
        # client's updates are handled in the order it sent them, and an overloaded
        # server queues work per connection instead of starting a thread per event
        # (measured: 4,000+ threads and an exhausted connection pool under load).
        async_handlers=False,
    )
    _configure_sqlite(app)
    _storable_strings(app)


def _client_manager(queue: str | None) -> object:
    """Who holds the live connections: this process alone, or every process through
    Redis (app/realtime/relay.py). Always given, so that an application built after one
    with a queue does not inherit it (the Socket.IO server keeps its options)."""
    from socketio import Manager

    from app.realtime.relay import Relay

    return Relay(queue, channel="flask-socketio") if queue else Manager()


def _configure_sqlite(app: Flask) -> None:
    """WAL lets the people reading the document never block the person typing;
    FULL synchronous keeps acknowledged edits through a power cut of the laptop."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    from app.extensions import db

    synchronous = app.config["SQLITE_SYNCHRONOUS"]

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def _storable_strings(app: Flask) -> None:
    """A NUL typed or pasted into any field becomes U+FFFD in every statement, on every
    database: PostgreSQL's text cannot hold it (the statement would fail, a server error
    for a page or a lookup), and SQLite then keeps what PostgreSQL would."""
    from sqlalchemy import event

    from app.core.sync import storable
    from app.extensions import db

    def has_nul(value: object) -> bool:
        """Parameters are a row (mapping or sequence) or, for executemany, rows."""
        if isinstance(value, str):
            return "\x00" in value
        if isinstance(value, dict):
            return any(has_nul(item) for item in value.values())
        if isinstance(value, tuple | list):
            return any(has_nul(item) for item in value)
        return False

    def cleaned(value: object) -> object:
        if isinstance(value, str):
            return storable(value)
        if isinstance(value, dict):
            return {key: cleaned(item) for key, item in value.items()}
        if isinstance(value, tuple | list):
            return type(value)(cleaned(item) for item in value)
        return value

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _without_nul(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        return statement, cleaned(parameters) if has_nul(parameters) else parameters


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    from app.web.views import bp as web_bp

    app.register_blueprint(web_bp)
    for feature in FEATURES:
        views = import_module(f"app.modules.{feature}.views")
        app.register_blueprint(views.bp)


__all__ = ["create_app"]
