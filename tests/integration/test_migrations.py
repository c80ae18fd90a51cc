"""The migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from konsey.models.documents import SEARCH_INDEX_TABLE, include_object, is_search_index
from tests.conftest import DATABASE_URL, PG_ADMIN_URL


def _fresh_postgres():
    name = f"konsey_migr_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, drop


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migr.sqlite3'}"
        return
    if DATABASE_URL is None:
        pytest.skip("PostgreSQL is not available")
    url, drop = _fresh_postgres()
    yield url
    drop()


def _app(url, tmp_path):
    from konsey import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "x",
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
        }
    )


def test_migrations_match_the_models(empty_database, tmp_path):
    from flask_migrate import downgrade, upgrade

    from konsey.extensions import db

    app = _app(empty_database, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    # The per-database search index is not a model (see env.py).
                    "include_object": include_object,
                },
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"

        names = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert {n for n in names if not is_search_index(n)} == set(db.metadata.tables)
        assert SEARCH_INDEX_TABLE in names

        downgrade(revision="base")
        left = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        db.engine.dispose()


def test_one_head_per_state_is_enforced_by_the_database_too(empty_database, tmp_path):
    """The partial unique index works on both databases (not only the service check)."""
    from flask_migrate import upgrade

    from konsey.extensions import db

    app = _app(empty_database, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO member_state (id, code, name, names, status, capital_timezone) "
                    "VALUES (1, 'KZ', 'Kazakhstan', '{}', 'member', 'Asia/Almaty')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO working_group (id, slug, name, mandate, created_at) "
                    "VALUES (1, 'wg', 'WG', '', CURRENT_TIMESTAMP)"
                )
            )
            for uid in (1, 2, 3):
                conn.execute(
                    sa.text(
                        "INSERT INTO user_account (id, email, name, member_state_id, locale,"
                        " timezone, digest, is_admin, active, session_nonce, created_at) VALUES "
                        f"({uid}, 'u{uid}@kz.example.org', 'U', 1, 'en', 'UTC', 'daily',"
                        " false, true, 'n', CURRENT_TIMESTAMP)"
                    )
                )
            insert = sa.text(
                "INSERT INTO membership (group_id, user_id, member_state_id, role, since) "
                "VALUES (1, :u, 1, :role, CURRENT_TIMESTAMP)"
            )
            conn.execute(insert, {"u": 1, "role": "head"})
            conn.execute(insert, {"u": 2, "role": "delegate"})
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(insert, {"u": 3, "role": "head"})
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(insert, {"u": 3, "role": "chief"})  # not a role
        db.engine.dispose()
