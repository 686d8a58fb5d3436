"""`tavolo backup` and `tavolo restore` on real databases and folders: a restored
instance holds everything the original held, and every archive a restoration should
not trust is refused with the instance left as it was."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from app import create_app
from app.config import TestConfig
from app.core.export import ExportOptions, Format
from app.core.permissions import Role
from app.extensions import db
from app.modules.backups import rotation, services
from app.modules.comments import services as comments
from app.modules.comments.models import Comment
from app.modules.documents.models import Document
from app.modules.exports import services as exports
from app.modules.history import services as history
from app.modules.history.models import Version
from app.modules.media.services import media_dir
from app.modules.revisions import services as revisions
from app.modules.revisions.models import Revision
from app.modules.timeutil import utcnow
from tests import databases, factories

IMAGE = b"\x89PNG\r\n\x1a\n immagine di prova"


def _app(folder: Path, url: str | None = None) -> Flask:
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=url or f"sqlite:///{folder / 'tavolo.db'}",
        EXPORTS_DIR=folder / "exports",
        MEDIA_DIR=str(folder / "media"),
    )
    app.instance_path = str(folder)
    return app


def _cli(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["tavolo", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, (result.stdout + result.stderr).strip()


def _fill(app: Flask) -> dict:
    """A workshop with a document, text, a comment, a revision, a version, an image and
    an export."""
    with app.app_context():
        upgrade()
        workshop = factories.workshop("Tavolo «da salvare»")
        facilitator, _ = factories.member(workshop, Role.FACILITATOR, name="Francesca Ferri")
        document = factories.document(workshop, "Documento àèìòù")
        section = document.sections[0]
        section.body = "Testo con **grassetto** e ![logo](/documents/1/media/logo.png)"
        comments.add_comment(facilitator.person, Role.FACILITATOR, section, "Un commento", None)
        revisions.record_change(
            section.id, facilitator.person_id, "Testo rivisto", 1, utcnow(), "restored", None
        )
        history.save_version(facilitator.person, document, "Prima versione")
        db.session.commit()
        (media_dir() / str(document.id)).mkdir(parents=True)
        (media_dir() / str(document.id) / "logo.png").write_bytes(IMAGE)
        row = exports.export(facilitator.person, document, ExportOptions(format=Format.MARKDOWN))
        db.session.commit()
        exported = (exports.exports_dir() / row.file_name).read_bytes()
        facts = {"document": document.id, "export": row.file_name, "exported": exported}
        db.session.remove()
        db.engine.dispose()
    return facts


def _found(app: Flask, facts: dict) -> None:
    with app.app_context():
        document = db.session.get(Document, facts["document"])
        assert document.title == "Documento àèìòù"
        assert document.workshop.title == "Tavolo «da salvare»"
        assert document.sections[0].body.startswith("Testo con **grassetto**")
        assert [c.body for c in db.session.execute(db.select(Comment)).scalars()] == ["Un commento"]
        assert [v.name for v in db.session.execute(db.select(Version)).scalars()] == [
            "Prima versione"
        ]
        assert [r.text for r in db.session.execute(db.select(Revision)).scalars()] == [
            "Testo rivisto"
        ]
        assert (media_dir() / str(document.id) / "logo.png").read_bytes() == IMAGE
        assert (exports.exports_dir() / facts["export"]).read_bytes() == facts["exported"]
        db.session.remove()
        db.engine.dispose()


def test_a_backup_restored_into_a_fresh_instance_holds_everything(tmp_path):
    source = _app(tmp_path / "origine")
    facts = _fill(source)
    code, archive = _cli(source, "backup", "--out", str(tmp_path / "archivi"))
    assert code == 0, archive
    target = _app(tmp_path / "nuova")

    code, said = _cli(target, "restore", archive)

    assert code == 0, said
    assert "file verificati" in said
    _found(target, facts)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(services.MANIFEST).read())
    assert manifest["database"] == "sqlite"
    assert manifest["revision"] in services.known_revisions()
    assert set(manifest["sha256"]) == {
        services.SQLITE_MEMBER,
        f"media/{facts['document']}/logo.png",
        f"exports/{facts['export']}",
    }
    assert Path(archive).stat().st_mode & 0o077 == 0


def test_restoring_over_data_needs_force_and_then_replaces_it(tmp_path):
    source = _app(tmp_path / "origine")
    facts = _fill(source)
    _, archive = _cli(source, "backup", "--out", str(tmp_path / "archivi"))
    target = _app(tmp_path / "occupata")
    with target.app_context():
        upgrade()
        factories.workshop("Un tavolo già qui")
        db.engine.dispose()

    code, said = _cli(target, "restore", archive)
    assert code != 0 and "--force" in said and "contiene già dei dati" in said
    with target.app_context():
        assert db.session.execute(db.select(Document)).first() is None
        db.engine.dispose()

    code, said = _cli(target, "restore", "--force", archive)
    assert code == 0, said
    _found(target, facts)


def _tampered(archive: Path, out: Path, change) -> Path:  # type: ignore[no-untyped-def]
    """A copy of `archive` whose members went through `change(name, data)`."""
    with tarfile.open(archive) as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(out, "w:gz") as tar:
        for name, data in members:
            for new_name, new_data in change(name, data):
                info = tarfile.TarInfo(new_name)
                info.size = len(new_data)
                tar.addfile(info, io.BytesIO(new_data))
    return out


def _newer_schema(name: str, data: bytes):  # type: ignore[no-untyped-def]
    if name == services.MANIFEST:
        manifest = json.loads(data)
        manifest["revision"] = "9999_dal_futuro"
        data = json.dumps(manifest).encode()
    yield name, data


def _flipped_image(name: str, data: bytes):  # type: ignore[no-untyped-def]
    yield name, data.replace(b"immagine", b"IMMAGINE") if name.startswith("media/") else data


def _escaping(name: str, data: bytes):  # type: ignore[no-untyped-def]
    yield name, data
    if name == services.MANIFEST:
        yield "media/../../fuori.txt", b"fuori"


def _unlisted(name: str, data: bytes):  # type: ignore[no-untyped-def]
    yield name, data
    if name == services.MANIFEST:
        yield "media/1/in-piu.png", b"non elencato"


def _database_dropped(name: str, data: bytes):  # type: ignore[no-untyped-def]
    if name == services.MANIFEST:
        manifest = json.loads(data)
        del manifest["sha256"][services.SQLITE_MEMBER]
        data = json.dumps(manifest).encode()
    if name != services.SQLITE_MEMBER:
        yield name, data


def _not_a_database(name: str, data: bytes):  # type: ignore[no-untyped-def]
    """A database file replaced by garbage, with a checksum that matches it."""
    garbage = b"SQLite format 3\x00" + bytes(range(256)) * 64
    if name == services.MANIFEST:
        manifest = json.loads(data)
        manifest["sha256"][services.SQLITE_MEMBER] = hashlib.sha256(garbage).hexdigest()
        data = json.dumps(manifest).encode()
    yield name, garbage if name == services.SQLITE_MEMBER else data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_newer_schema, "più recente"),
        (_database_dropped, "danneggiato"),
        (_not_a_database, "danneggiato"),
        (_flipped_image, "danneggiato"),
        (_escaping, "danneggiato"),
        (_unlisted, "danneggiato"),
    ],
)
def test_an_untrustworthy_archive_is_refused_and_changes_nothing(tmp_path, change, message):
    source = _app(tmp_path / "origine")
    _fill(source)
    _, archive = _cli(source, "backup", "--out", str(tmp_path / "archivi"))
    bad = _tampered(Path(archive), tmp_path / "alterato.tar.gz", change)
    target = _app(tmp_path / "nuova")

    code, said = _cli(target, "restore", str(bad))

    assert code != 0 and message in said, said
    assert list((tmp_path / "nuova").iterdir()) == []
    assert not (tmp_path / "fuori.txt").exists()


@pytest.mark.parametrize("cut", [0, 100, -100])
def test_a_truncated_or_foreign_file_is_refused(tmp_path, cut):
    source = _app(tmp_path / "origine")
    _fill(source)
    _, archive = _cli(source, "backup", "--out", str(tmp_path / "archivi"))
    data = Path(archive).read_bytes()
    bad = tmp_path / "rotto.tar.gz"
    bad.write_bytes(data[:cut] if cut else b"PK\x03\x04 non un archivio")

    code, said = _cli(_app(tmp_path / "nuova"), "restore", str(bad))

    assert code != 0 and "danneggiato" in said, said


def test_a_backup_of_another_database_kind_is_refused(tmp_path):
    source = _app(tmp_path / "origine")
    _fill(source)
    _, archive = _cli(source, "backup", "--out", str(tmp_path / "archivi"))
    target = _app(tmp_path / "nuova", "postgresql+psycopg://postgres@127.0.0.1:5432/nessuno")

    code, said = _cli(target, "restore", archive)

    assert code != 0 and "sqlite" in said and "postgresql" in said, said


def test_rotation_keeps_the_newest_and_one_process_holds_the_lock(tmp_path):
    app = _app(tmp_path / "origine")
    _fill(app)
    backups = tmp_path / "origine" / "backups"
    with app.app_context():
        made = [rotation.once(backups, keep=3) for _ in range(5)]
        instance = services.current_instance()
    assert sorted(backups.glob("*.tar.gz")) == sorted(made[-3:])
    first, second = rotation.lock_for(instance, backups), rotation.lock_for(instance, backups)
    assert first.acquire() and first.acquire()
    assert not second.acquire()


@pytest.fixture
def postgres_pair() -> Iterator[tuple[str, str]]:
    names = [f"tavolo_test_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    admin = databases.admin()
    admin.execute(f'CREATE DATABASE "{names[0]}"')
    yield tuple(databases.url(name) for name in names)
    for name in names:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    leftovers = admin.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{names[1]}_%",)
    ).fetchall()
    admin.close()
    assert leftovers == []


@pytest.mark.postgres
def test_a_postgresql_backup_restores_into_a_fresh_database(tmp_path, postgres_pair):
    source = _app(tmp_path / "origine", postgres_pair[0])
    facts = _fill(source)
    code, archive = _cli(source, "backup", "--out", str(tmp_path / "archivi"))
    assert code == 0, archive
    target = _app(tmp_path / "nuova", postgres_pair[1])

    code, said = _cli(target, "restore", archive)

    assert code == 0, said
    _found(target, facts)
    code, said = _cli(target, "restore", archive)
    assert code != 0 and "--force" in said
    code, said = _cli(target, "restore", "--force", archive)
    assert code == 0, said
    _found(target, facts)
    with target.app_context():
        instance = services.current_instance()
        backups = tmp_path / "nuova" / "backups"
        first, second = rotation.lock_for(instance, backups), rotation.lock_for(instance, backups)
        assert first.acquire() and not second.acquire()


def test_archive_checksums_are_those_of_the_files(tmp_path):
    app = _app(tmp_path / "origine")
    _fill(app)
    _, archive = _cli(app, "backup", "--out", str(tmp_path / "archivi"))
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(services.MANIFEST).read())
        for name, expected in manifest["sha256"].items():
            assert hashlib.sha256(tar.extractfile(name).read()).hexdigest() == expected
