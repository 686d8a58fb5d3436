"""Backups of a whole instance in one file, and their restoration.

An archive (tar.gz) holds the database (a copy made with SQLite's online backup, or
`pg_dump` in its custom format), the media folder, the exports folder and
`manifest.json`: format, version, date, database kind, Alembic revision and the SHA-256
of every other member. A restoration checks all of that, unpacks and loads everything
beside the instance, and only then swaps it in, so a refused or failed restoration
leaves the instance as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import psycopg
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.engine import URL, make_url

from app.extensions import db
from app.modules.exports.services import exports_dir
from app.modules.media.services import media_dir

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/tavolo.db"
POSTGRES_MEMBER = "database/tavolo.dump"
FOLDERS = ("media", "exports")
PREFIX = "tavolo-"
SUFFIX = ".tar.gz"
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

# Called between the slow steps (each file of the archive): the automatic rotation
# passes a cooperative sleep, so the live channel keeps its turn while a backup runs.
Pause = Callable[[], None]
# Runs the copy of the SQLite file: directly, or on gevent's thread pool.
Blocking = Callable[[Callable[[], None]], None]


class BackupError(Exception):
    """A backup or restoration refused, with the reason in Italian."""


@dataclass(frozen=True)
class Instance:
    """Where an instance keeps what a backup holds."""

    database_url: URL
    media: Path
    exports: Path

    @property
    def kind(self) -> str:
        return "postgresql" if self.database_url.get_backend_name() == "postgresql" else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.database or "")


def current_instance() -> Instance:
    return Instance(
        make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]), media_dir(), exports_dir()
    )


def backups_dir() -> Path:
    return Path(current_app.instance_path) / "backups"


# -- creating -------------------------------------------------------------------------


def create(
    out_dir: Path,
    instance: Instance,
    pause: Pause = lambda: None,
    blocking: Blocking = lambda work: work(),
    keep: int | None = None,
) -> Path:
    """Writes one archive into `out_dir` and returns its path. It appears under its
    final name only once complete, so a rotation never keeps half an archive. With
    `keep`, the oldest archives go just before it appears, once it is complete: the
    folder never holds more than `keep`, so the disk the room sized for is enough."""
    out_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    archive = out_dir / f"{PREFIX}{now:%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:6]}{SUFFIX}"
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".copia-") as staging:
        if instance.kind == "sqlite":
            member, dump = SQLITE_MEMBER, Path(staging) / "tavolo.db"
            blocking(lambda: _copy_sqlite(instance.sqlite_path, dump))
            revision = _sqlite_revision(dump)
        else:
            member, dump = POSTGRES_MEMBER, Path(staging) / "tavolo.dump"
            revision = _postgres_revision(instance.database_url)
            _pg_dump(instance.database_url, dump)
        partial = Path(staging) / "archivio.part"
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            sums = {member: _add(tar, member, dump.read_bytes())}
            for folder, path in zip(FOLDERS, (instance.media, instance.exports), strict=True):
                for name, data in _files(path):
                    sums[f"{folder}/{name}"] = _add(tar, f"{folder}/{name}", data)
                    pause()
            manifest = {
                "format": FORMAT,
                "version": _version(),
                "created_at": now.isoformat(timespec="seconds"),
                "database": instance.kind,
                "revision": revision,
                "sha256": sums,
            }
            _add(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
        partial.chmod(0o600)
        if keep is not None:
            rotate(out_dir, max(0, keep - 1))
        os.replace(partial, archive)
    return archive


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup in one step: a single read transaction, consistent while
    the server goes on writing (in WAL mode writers do not wait for it). Done in steps,
    every write by the server would restart the copy from its first page."""
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def _sqlite_revision(path: Path) -> str | None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        connection.close()
    return row[0] if row else None


def libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _postgres_revision(url: URL) -> str | None:
    with psycopg.connect(libpq(url)) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    return row[0] if row else None


def _pg_dump(url: URL, target: Path) -> None:
    _run_tool(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", libpq(url)])


def _run_tool(argv: list[str]) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(
            _("Manca il programma %(tool)s: installa il pacchetto postgresql-client.", tool=argv[0])
        )
    completed = subprocess.run(argv, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BackupError(
            _("%(tool)s non è riuscito: %(error)s", tool=argv[0], error=completed.stderr[-500:])
        )


def _files(folder: Path) -> Iterator[tuple[str, bytes]]:
    """Each regular file once, read once: its checksum is that of what was archived even
    if it changes meanwhile. Links are skipped: an archive holds no pointer out of it."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
            yield path.relative_to(folder).as_posix(), path.read_bytes()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> str:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))
    return hashlib.sha256(data).hexdigest()


def _version() -> str:
    try:
        return version("tavolo")
    except PackageNotFoundError:
        return "0"


def rotate(out_dir: Path, keep: int) -> list[Path]:
    """Deletes all but the newest `keep` archives (names sort by time); returns them."""
    archives = sorted(out_dir.glob(f"{PREFIX}*{SUFFIX}"))
    removed = archives[: max(0, len(archives) - keep)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


# -- restoring ------------------------------------------------------------------------


def restore(archive: Path, instance: Instance, force: bool = False) -> dict[str, Any]:
    """Restores `archive` into `instance` (whose server must be stopped); returns the
    manifest. Everything is checked and loaded beside the instance first."""
    parent = instance.sqlite_path.parent if instance.kind == "sqlite" else instance.media.parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=parent, prefix=".ripristino-") as staging:
        unpacked = Path(staging)
        manifest = _unpack(archive, unpacked)
        _check_compatible(manifest, instance)
        if instance.kind == "sqlite" and not _sound_sqlite(unpacked / SQLITE_MEMBER):
            raise _corrupt(archive)
        if not force and _has_data(instance):
            raise BackupError(
                _(
                    "L'istanza di destinazione contiene già dei dati: per sostituirli "
                    "con quelli del backup usa --force."
                )
            )
        db.session.remove()
        db.engine.dispose()
        if instance.kind == "sqlite":
            _swap_folders(instance, unpacked, lambda: _swap_sqlite(instance, unpacked))
        else:
            loaded = _load_postgres(instance.database_url, unpacked / POSTGRES_MEMBER)
            _swap_folders(instance, unpacked, lambda: _swap_postgres(instance, loaded))
    return manifest


def _corrupt(archive: Path) -> BackupError:
    return BackupError(
        _("Il file %(name)s è danneggiato o non è un backup di Tavolo.", name=archive.name)
    )


def _unpack(archive: Path, target: Path) -> dict[str, Any]:
    corrupt = _corrupt(archive)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            if any(not m.isfile() or not _safe_name(m.name) for m in members):
                raise corrupt
            tar.extractall(target, filter="data")
        manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, EOFError, tarfile.TarError, ValueError, UnicodeDecodeError) as error:
        raise corrupt from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise corrupt
    sums = manifest.get("sha256")
    names = {m.name for m in members} - {MANIFEST}
    database = SQLITE_MEMBER if manifest.get("database") == "sqlite" else POSTGRES_MEMBER
    if not isinstance(sums, dict) or set(sums) != names or database not in names:
        raise corrupt
    for name, expected in sums.items():
        if hashlib.sha256((target / name).read_bytes()).hexdigest() != expected:
            raise corrupt
    return manifest


def _sound_sqlite(path: Path) -> bool:
    """Checksums prove the file is the one archived, not that it is a database."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return False


def _safe_name(name: str) -> bool:
    parts = Path(name).parts
    return (
        name == MANIFEST
        or name in (SQLITE_MEMBER, POSTGRES_MEMBER)
        or (len(parts) > 1 and parts[0] in FOLDERS and ".." not in parts)
    ) and not Path(name).is_absolute()


def _check_compatible(manifest: dict[str, Any], instance: Instance) -> None:
    if manifest.get("database") != instance.kind:
        raise BackupError(
            _(
                "Il backup è di un database %(archived)s, questa istanza usa %(current)s: "
                "non si può ripristinare qui.",
                archived=manifest.get("database"),
                current=instance.kind,
            )
        )
    revision = manifest.get("revision")
    if revision not in known_revisions():
        raise BackupError(
            _(
                "Il backup viene da una versione di Tavolo più recente di questa (schema "
                "%(revision)s): aggiorna Tavolo e riprova.",
                revision=revision,
            )
        )


def known_revisions() -> set[str]:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def _has_data(instance: Instance) -> bool:
    if any(_files(instance.media)):
        return True
    if instance.kind == "sqlite":
        if not instance.sqlite_path.is_file():
            return False
        connection = sqlite3.connect(f"file:{instance.sqlite_path}?mode=ro", uri=True)
        try:
            return connection.execute("SELECT count(*) FROM workshop").fetchone()[0] > 0
        except sqlite3.OperationalError:
            return False
        finally:
            connection.close()
    try:
        with psycopg.connect(libpq(instance.database_url)) as connection:
            return connection.execute("SELECT count(*) FROM workshop").fetchone()[0] > 0
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
        return False


def _swap_folders(instance: Instance, unpacked: Path, swap_database: Callable[[], None]) -> None:
    """Moves the current folders aside, the restored ones in, then the database; any
    failure puts the folders back, so the instance is either old or new, never mixed."""
    moved: list[tuple[Path, Path]] = []
    try:
        for folder, current in zip(FOLDERS, (instance.media, instance.exports), strict=True):
            aside = unpacked / f"prima-{folder}"
            if current.exists():
                shutil.move(current, aside)
                moved.append((aside, current))
            restored = unpacked / folder
            restored.mkdir(exist_ok=True)
            current.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(restored, current)
            moved.append((current, restored))
        swap_database()
    except BaseException:
        for source, target in reversed(moved):
            if target.exists() and target.is_dir():
                shutil.rmtree(target)
            shutil.move(source, target)
        raise


def _swap_sqlite(instance: Instance, unpacked: Path) -> None:
    target = instance.sqlite_path
    # A write-ahead log left by the old file would be replayed onto the new one.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(unpacked / SQLITE_MEMBER, target)


def _admin(url: URL) -> psycopg.Connection:
    return psycopg.connect(libpq(url.set(database="postgres")), autocommit=True)


def _load_postgres(url: URL, dump: Path) -> str:
    """Loads the dump into a new database beside the target; returns its name."""
    loading = f"{url.database}_ripristino_{uuid.uuid4().hex[:8]}"
    with _admin(url) as admin:
        admin.execute(f'CREATE DATABASE "{loading}"')
    try:
        _run_tool(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={libpq(url.set(database=loading))}",
                str(dump),
            ]
        )
    except BaseException:
        with _admin(url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{loading}"')
        raise
    return loading


def _swap_postgres(instance: Instance, loaded: str) -> None:
    """Renames: the loaded database takes the target's name, the old one is dropped."""
    name = instance.database_url.database
    old = f"{name}_prima_{uuid.uuid4().hex[:8]}"
    with _admin(instance.database_url) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            try:
                admin.execute(f'ALTER DATABASE "{name}" RENAME TO "{old}"')
            except psycopg.errors.ObjectInUse as error:
                admin.execute(f'DROP DATABASE IF EXISTS "{loaded}"')
                raise BackupError(
                    _("Il database %(name)s è in uso: ferma il server e riprova.", name=name)
                ) from error
        try:
            admin.execute(f'ALTER DATABASE "{loaded}" RENAME TO "{name}"')
        except psycopg.Error:
            if exists:
                admin.execute(f'ALTER DATABASE "{old}" RENAME TO "{name}"')
            admin.execute(f'DROP DATABASE IF EXISTS "{loaded}"')
            raise
        if exists:
            admin.execute(f'DROP DATABASE "{old}" WITH (FORCE)')
