"""`flask konsey backup` / `restore`: the demo instance, backed up while it
runs, restored into a second empty instance (another database, another file
folder) is the same table by table, row by row and file by file."""

from __future__ import annotations

import io
import json
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from konsey import audit, backup, storage
from konsey.documents import samples
from konsey.documents import services as documents
from konsey.extensions import db
from konsey.models import DocumentVersion, WorkingGroup
from tests.conftest import BACKEND, DATABASE_URL, PG_TEST_DB, Client


def run_cli(app, *args):
    # Commands run in the current app context: make it this instance's.
    with app.app_context():
        return app.test_cli_runner().invoke(args=["konsey", *args])


def table_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table the database holds (the search index included)."""
    with app.app_context():
        names = sorted(backup.current_tables())
        with db.engine.connect() as conn:
            return {
                name: sorted(
                    tuple(str(v) for v in row)
                    for row in conn.execute(sa.text(f'SELECT * FROM "{name}"'))
                )
                for name in names
            }


def stored_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".staging" not in p.parts
    }


@pytest.fixture
def make_instance(app, tmp_path):
    """A second, empty Konsey instance: its own database and file folder."""
    from konsey import create_app

    made = []

    def make(name: str = "restored", migrate: bool = False):
        if BACKEND == "postgresql":
            url = sa.engine.make_url(DATABASE_URL).set(database=f"{PG_TEST_DB}_{name}")
            admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
            admin.dispose()
            uri = url.render_as_string(hide_password=False)
        else:
            uri = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        config = {
            k: app.config[k]
            for k in ("KONSEY_ENV", "TESTING", "SECRET_KEY", "MAIL_FOLDER", "SERVER_NAME")
        }
        config |= {
            "SQLALCHEMY_DATABASE_URI": uri,
            "FILES_PATH": str(tmp_path / f"{name}-files"),
            "MAIL_DELIVERY": "inline",
            "REDIS_URL": None,
        }
        other = create_app(config)
        other.test_client_class = app.test_client_class
        if migrate:
            from flask_migrate import upgrade

            with other.app_context():
                upgrade()
        made.append((other, uri))
        return other

    yield make
    for other, uri in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        if uri.startswith("postgresql"):
            url = sa.engine.make_url(uri)
            admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def demo_backup(demo, tmp_path):
    target = tmp_path / "backup"
    result = run_cli(demo, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output
    return target


def test_backup_restores_the_demo_instance_exactly(demo, demo_backup, files_dir, make_instance):
    manifest = json.loads((demo_backup / "manifest.json").read_text())
    assert manifest["backend"] == BACKEND
    assert manifest["schema_revision"]
    assert manifest["konsey_version"]
    assert manifest["tables"]["document_version"] >= 3
    # Every file of the backup is listed with the hash of its content.
    for rel, entry in manifest["files"].items():
        assert storage.sha256_of((demo_backup / rel).open("rb")) == entry["sha256"]

    # Into an instance migrated but empty (`flask db upgrade` on a new server).
    other = make_instance(migrate=True)
    result = run_cli(other, "restore", str(demo_backup))
    assert result.exit_code == 0, result.output
    assert "every file matches the manifest" in result.output

    assert table_rows(other) == table_rows(demo)
    restored_files = Path(other.config["FILES_PATH"])
    assert stored_files(restored_files) == stored_files(files_dir)
    assert len(stored_files(restored_files)) == len(manifest["documents"]) >= 3

    # A delegate logs in to the restored instance and downloads a document.
    with other.app_context():
        version = db.session.scalars(sa.select(DocumentVersion).limit(1)).one()
        group = db.session.get(WorkingGroup, version.document.group_id)
        url = f"/groups/{group.slug}/documents/{version.document_id}/versions/{version.number}/file"
        sha = version.sha256
    browser = Client(other)
    assert browser.login("coordinator@secretariat.example.org").status_code == 302
    download = browser.get(url)
    assert download.status_code == 200
    assert storage.sha256_of(io.BytesIO(download.get_data())) == sha


def test_restore_into_a_fresh_database_without_schema(demo, demo_backup, make_instance):
    other = make_instance()
    result = run_cli(other, "restore", str(demo_backup))
    assert result.exit_code == 0, result.output
    assert table_rows(other) == table_rows(demo)


@pytest.mark.parametrize("damage", ["tamper", "remove", "add", "manifest"])
def test_a_damaged_backup_is_refused_and_changes_nothing(demo, demo_backup, make_instance, damage):
    manifest = json.loads((demo_backup / "manifest.json").read_text())
    blob = demo_backup / backup.blob_path(manifest["documents"][0])
    if damage == "tamper":
        blob.chmod(0o600)
        blob.write_bytes(blob.read_bytes().replace(b"%PDF", b"%PDX", 1) + b"x")
        expected = "does not match its SHA-256"
    elif damage == "remove":
        blob.unlink()
        expected = "missing"
    elif damage == "add":
        (demo_backup / "files" / "extra.txt").write_text("slipped in")
        expected = "not listed in the manifest"
    else:
        (demo_backup / "manifest.json").unlink()
        expected = "no manifest.json"
    other = make_instance(migrate=True)
    before = table_rows(other)
    result = run_cli(other, "restore", str(demo_backup))
    assert result.exit_code == 1
    assert expected in result.output
    assert table_rows(other) == before
    assert stored_files(Path(other.config["FILES_PATH"])) == {}


def test_restore_into_an_instance_with_data_is_refused(demo, demo_backup, files_dir):
    before, files_before = table_rows(demo), stored_files(files_dir)
    result = run_cli(demo, "restore", str(demo_backup))
    assert result.exit_code == 1
    assert "The target database is not empty" in result.output
    assert table_rows(demo) == before
    assert stored_files(files_dir) == files_before


def test_restore_into_an_instance_with_files_is_refused(demo_backup, make_instance):
    other = make_instance()
    stray = Path(other.config["FILES_PATH"]) / "ab" / "cd" / ("abcd" + "0" * 60)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"left over")
    result = run_cli(other, "restore", str(demo_backup))
    assert result.exit_code == 1
    assert "is not empty (1 files)" in result.output
    with other.app_context():
        assert sum(backup.current_tables().values()) == 0


def test_backup_refuses_a_folder_with_something_in_it(demo, tmp_path):
    target = tmp_path / "used"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = run_cli(demo, "backup", str(target))
    assert result.exit_code == 1
    assert "is not an empty folder" in result.output
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_backup_while_documents_are_uploaded_restores_consistently(
    demo, tmp_path, files_dir, make_instance
):
    group = db.session.scalars(sa.select(WorkingGroup).order_by(WorkingGroup.id)).first()
    group_id = group.id
    stop, uploaded, errors = threading.Event(), [], []

    def upload_continuously():
        with demo.app_context():
            actor = audit.Actor(user=None, ip="test")
            n = 0
            while not stop.is_set() and n < 400:
                n += 1
                content = samples.make_pdf([f"Upload during backup {n}"])
                try:
                    [doc] = documents.create_documents(
                        actor,
                        db.session.get(WorkingGroup, group_id),
                        [documents.Upload(io.BytesIO(content), f"during-{n}.pdf")],
                        title=f"During backup {n}",
                        kind="report",
                        language="en",
                        visibility="group",
                    )
                    uploaded.append(doc.id)
                except Exception as exc:
                    errors.append(repr(exc))
                    db.session.rollback()

    writer = threading.Thread(target=upload_continuously)
    writer.start()
    try:
        while len(uploaded) < 5 and writer.is_alive():
            threading.Event().wait(0.05)
        targets = [tmp_path / f"backup-{i}" for i in range(3)]
        for target in targets:
            result = run_cli(demo, "backup", str(target))
            assert result.exit_code == 0, result.output
    finally:
        stop.set()
        writer.join(60)
    assert not errors
    assert len(uploaded) > 5
    for i, target in enumerate(targets):
        manifest = json.loads((target / "manifest.json").read_text())
        other = make_instance(f"during{i}")
        result = run_cli(other, "restore", str(target))
        assert result.exit_code == 0, result.output
        with other.app_context():
            store = storage.get_storage()
            hashes = db.session.scalars(sa.select(DocumentVersion.sha256)).all()
            assert len(hashes) == manifest["tables"]["document_version"]
            assert hashes and all(storage.verify(store, sha) for sha in hashes)
    # The uploads went on during the backups: the last one saw more than the first.
    first, last = (json.loads((t / "manifest.json").read_text()) for t in (targets[0], targets[-1]))
    assert last["tables"]["document"] >= first["tables"]["document"]


def test_manifest_lists_exactly_the_database_and_its_files(demo, demo_backup):
    manifest = json.loads((demo_backup / "manifest.json").read_text())
    on_disk = {
        p.relative_to(demo_backup).as_posix()
        for p in demo_backup.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert on_disk == set(manifest["files"])
    assert manifest["database_file"] in on_disk
    shutil.rmtree(demo_backup)
