"""Configuration read from the environment, so one code base serves the laptop in the
room (SQLite, one process) and a region-wide deployment (PostgreSQL, Redis)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from app.web.addresses import base_url

ROOT = Path(__file__).resolve().parent.parent


def instance_path() -> Path:
    """The folder of this installation's own files: the SQLite database, the secret key,
    the organiser's link, media and backups."""
    return Path(os.environ.get("TAVOLO_INSTANCE", ROOT / "instance"))


def database_url(configured: str, instance: Path) -> str:
    """The database's address: the one configured (DATABASE_URL), else the SQLite file
    in the instance folder. The server and every command agree on it by asking here."""
    return configured or f"sqlite:///{instance / 'tavolo.db'}"


def _secret_key(instance_path: Path) -> str:
    """A random key kept in the instance folder: sessions survive a restart of the
    laptop without anyone having to invent or export a secret."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    HOST = os.environ.get("HOST", "127.0.0.1")
    PORT = int(os.environ.get("PORT", "5000"))
    # Unset: chosen at start from HOST (app/web/addresses.py), with ORIGINS.
    BASE_URL = os.environ.get("BASE_URL", "").rstrip("/")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("REDIS_URL") or None
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # While Redis is unreachable (a restart, say) each process counts in its own memory
    # and asks Redis again now and then: without it, every limited page (entering with
    # a personal link among them) answered with an error until Redis came back. A Redis
    # that hangs holds a request for a second at most.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    RATELIMIT_HEADERS_ENABLED = True
    INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "30"))
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "it"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TZ_NAME", "Europe/Rome")
    LANGUAGES = ("it", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
    # A login lasts the whole workshop day and the day after, on the server (the Login
    # row, checked on every request and live event) and in the cookie alike; logout,
    # revocation and expiry end it on the server. No "remember me" cookie is ever set;
    # its settings match the session's in case a future login asks for one.
    LOGIN_LIFETIME = int(os.environ.get("LOGIN_LIFETIME", 3 * 24 * 3600))
    PERMANENT_SESSION_LIFETIME = LOGIN_LIFETIME
    REMEMBER_COOKIE_DURATION = LOGIN_LIFETIME
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Addresses of the reverse proxies in front of Tavolo (comma-separated IPs or
    # networks). Only a request coming from one of them may say, in X-Forwarded-For,
    # whom it comes from: per-address limits then count people, not the proxy.
    TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "")
    WTF_CSRF_TIME_LIMIT = None
    EXPORTS_DIR = Path(os.environ.get("EXPORTS_DIR", ROOT / "exports"))
    # Exports: limits of the worker process that renders a PDF, DOCX or ODT (a 90-page
    # PDF takes about 6 s and 150 MB of memory; address space counts more than that).
    EXPORT_TIME_LIMIT = float(os.environ.get("EXPORT_TIME_LIMIT", "60"))
    EXPORT_MEMORY_LIMIT_MB = int(os.environ.get("EXPORT_MEMORY_LIMIT_MB", "1200"))
    EXPORT_CONCURRENCY = int(os.environ.get("EXPORT_CONCURRENCY", "2"))
    # The longest a section's text may be, in UTF-8 bytes, wherever it comes from (typing,
    # a merged amendment, an import, a restore): three times the largest chapter of the
    # 100-page national ICT plan (52 KB), about 70 pages of prose. Longer texts belong
    # in several sections.
    SECTION_MAX_BYTES = int(os.environ.get("SECTION_MAX_BYTES", str(150 * 1024)))
    # Markdown rendered for pages (app/web/rendering.py): texts up to RENDER_INLINE_BYTES
    # render at once (the worst 1 KB costs about 10 ms), longer ones in a pool of worker
    # processes, each render with a time and a memory limit; results are kept by hash.
    # A 150 KB section of ordinary prose renders in about 0.1 s.
    RENDER_INLINE_BYTES = int(os.environ.get("RENDER_INLINE_BYTES", "1024"))
    RENDER_POOL_SIZE = int(os.environ.get("RENDER_POOL_SIZE", "2"))
    RENDER_TIME_LIMIT = float(os.environ.get("RENDER_TIME_LIMIT", "3"))
    RENDER_MEMORY_MB = int(os.environ.get("RENDER_MEMORY_MB", "512"))
    RENDER_CACHE_BYTES = int(os.environ.get("RENDER_CACHE_BYTES", str(64 * 1024 * 1024)))
    # The server renders the documents' text ahead, after its start and after an import
    # (app/modules/documents/pages.py), so the first readers do not wait for it.
    RENDER_AHEAD = os.environ.get("RENDER_AHEAD", "1") == "1"
    # Parts of pages kept once rendered (app/web/fragments.py): a 100-page document's
    # page keeps about 1 MB per language and role.
    PAGE_CACHE_BYTES = int(os.environ.get("PAGE_CACHE_BYTES", str(64 * 1024 * 1024)))
    DOCUMENT_TEMPLATES_DIR = ROOT / "documents"
    SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "FULL")
    # "threading" or "gevent" (docs/deployment.md says when to choose which); wsgi.py
    # patches the standard library for gevent.
    ASYNC_MODE = os.environ.get("TAVOLO_ASYNC_MODE", "gevent")
    # How many connections may wait for the server to accept them (docs/deployment.md):
    # a room, or an audience scanning a QR code, arrives within the same second. Checked
    # at start (app/web/serving.py).
    LISTEN_BACKLOG = os.environ.get("LISTEN_BACKLOG", "1024")
    # Import of drafts (DOCX, ODT, Markdown) and the images they bring. Unset directories
    # are <instance>/media and <instance>/imports, resolved where they are used (see
    # app.modules.media.services.media_dir); the limits hold for web and CLI alike.
    MEDIA_DIR = os.environ.get("MEDIA_DIR") or None
    IMPORTS_DIR = os.environ.get("IMPORTS_DIR") or None
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 8 * 1024 * 1024))
    IMPORT_ZIP_MAX_ENTRIES = 1000
    IMPORT_ZIP_MAX_TOTAL = 100 * 1024 * 1024
    IMPORT_ZIP_MAX_RATIO = 100
    IMPORT_TIMEOUT_SECONDS = float(os.environ.get("IMPORT_TIMEOUT_SECONDS", "4.5"))
    IMPORT_MEMORY_MB = int(os.environ.get("IMPORT_MEMORY_MB", "512"))
    # Reading the converted text into sections, in a worker process: the national plan
    # takes half a second; a text built to choke the parser is stopped here.
    IMPORT_SPLIT_SECONDS = float(os.environ.get("IMPORT_SPLIT_SECONDS", "20"))
    IMPORT_PENDING_SECONDS = 3600
    # Automatic backups while the server runs (docs/deployment.md); 0 turns them off.
    BACKUP_EVERY_MINUTES = float(os.environ.get("BACKUP_EVERY_MINUTES", "10"))
    BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "12"))
    # How often the agenda's automatic openings and lockings are looked for: a section
    # locks at most this late after its session's end. 0 turns them off.
    AGENDA_TICK_SECONDS = float(os.environ.get("AGENDA_TICK_SECONDS", "2"))
    # How long every screen of the room shares one grid of the labs while nothing is
    # decided (app/modules/labs/grid.py): what typing and presence may lag behind.
    LABS_GRID_SECONDS = 2.0
    SECRET_KEY: str = ""

    @classmethod
    def finalise(cls, app_config: dict, instance_path: Path) -> None:
        if not app_config.get("SECRET_KEY"):
            app_config["SECRET_KEY"] = _secret_key(instance_path)
        if not app_config.get("BASE_URL"):
            app_config["BASE_URL"], app_config["ORIGINS"] = base_url(
                app_config["HOST"], app_config["PORT"]
            )
        app_config.setdefault("ORIGINS", (app_config["BASE_URL"],))
        configured = app_config.get("SQLALCHEMY_DATABASE_URI") or ""
        if not configured:
            instance_path.mkdir(parents=True, exist_ok=True)
        app_config["SQLALCHEMY_DATABASE_URI"] = database_url(configured, instance_path)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SERVER_NAME = "localhost"
    BASE_URL = "http://localhost"
    RATELIMIT_STORAGE_URI = "memory://"
    # Said outright: Flask-Limiter takes an application's default from the one made before
    # it, so a test that turned limits off would turn them off for every later one.
    RATELIMIT_ENABLED = True
    SOCKETIO_MESSAGE_QUEUE = None
    SQLITE_SYNCHRONOUS = "NORMAL"
    # Nothing runs behind a test's back in its own process (the live servers do it).
    RENDER_AHEAD = False
    # The application the tests build in their own process is not monkey-patched.
    ASYNC_MODE = "threading"
