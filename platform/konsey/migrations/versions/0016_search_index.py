"""search index: one table for documents, minutes, decisions, agenda items, actions

Replaces the documents-only ``document_search``. One row per (kind, object
id) with the group, the meeting, the text's language, a date, the title and
the text. PostgreSQL: a generated tsvector under the language's text search
configuration (konsey_russian, konsey_turkish, konsey_english, konsey_simple;
with ``unaccent`` when the extension can be created) and a GIN index.
SQLite: Snowball stems of title and text (computed by the application) in an
external-content FTS5 table kept in step by triggers.

The new index starts empty: ``flask --app wsgi konsey reindex`` fills it
(``make db`` runs it after the upgrade; run it once after upgrading).

Revision ID: 0016_search_index
Revises: 0015_official_documents
Create Date: 2026-12-03 15:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0016_search_index'
down_revision = '0015_official_documents'
branch_labels = None
depends_on = None

# Configuration: (the PostgreSQL one it copies, its stemming dictionary, unaccent?).
# Turkish keeps its letters: ç ğ ı ö ş ü are letters of their own, and its
# stemmer needs them to find the suffixes.
CONFIGS = {
    'konsey_russian': ('russian', 'russian_stem', True),
    'konsey_turkish': ('turkish', 'turkish_stem', False),
    'konsey_english': ('english', 'english_stem', True),
    'konsey_simple': ('simple', 'simple', True),
}
LANGUAGE_CONFIGS = {'ru': 'konsey_russian', 'tr': 'konsey_turkish', 'en': 'konsey_english'}


def _config_of_language() -> str:
    cases = ' '.join(
        f"WHEN '{code}' THEN '{name}'::regconfig" for code, name in LANGUAGE_CONFIGS.items()
    )
    return f"CASE language {cases} ELSE 'konsey_simple'::regconfig END"


def _unaccent_available(bind) -> bool:
    """CREATE EXTENSION needs a privilege the application's role may lack:
    without it, the configurations simply do not fold accents."""
    try:
        with bind.begin_nested():
            bind.execute(sa.text('CREATE EXTENSION IF NOT EXISTS unaccent'))
        return True
    except sa.exc.DBAPIError:
        return False


def upgrade():
    bind = op.get_bind()
    op.execute('DROP TABLE IF EXISTS document_search')
    if bind.dialect.name == 'postgresql':
        unaccent = _unaccent_available(bind)
        for name, (base, dictionary, folds) in CONFIGS.items():
            op.execute(f'DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}')
            op.execute(f'CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {base})')
            if unaccent and folds:
                op.execute(
                    f'ALTER TEXT SEARCH CONFIGURATION {name} '
                    # Words with letters beyond ASCII (ASCII ones have no accents).
                    f'ALTER MAPPING FOR word, hword, hword_part WITH unaccent, {dictionary}'
                )
        config = _config_of_language()
        op.execute(f"""
            CREATE TABLE search_index (
                id serial PRIMARY KEY,
                kind varchar(20) NOT NULL,
                object_id integer NOT NULL,
                group_id integer NOT NULL REFERENCES working_group (id) ON DELETE CASCADE,
                meeting_id integer,
                language varchar(8) NOT NULL DEFAULT '',
                date timestamp,  -- UTC, as every instant of the schema
                title text NOT NULL DEFAULT '',
                body text NOT NULL DEFAULT '',
                tsv tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector({config}, title), 'A')
                    || setweight(to_tsvector({config}, body), 'B')
                ) STORED,
                CONSTRAINT uq_search_index_object UNIQUE (kind, object_id)
            )
        """)
        op.execute('CREATE INDEX ix_search_index_tsv ON search_index USING gin (tsv)')
    elif bind.dialect.name == 'sqlite':
        op.execute("""
            CREATE TABLE search_index (
                id INTEGER PRIMARY KEY,
                kind varchar(20) NOT NULL,
                object_id integer NOT NULL,
                group_id integer NOT NULL REFERENCES working_group (id) ON DELETE CASCADE,
                meeting_id integer,
                language varchar(8) NOT NULL DEFAULT '',
                date datetime,
                title text NOT NULL DEFAULT '',
                body text NOT NULL DEFAULT '',
                title_stems text NOT NULL DEFAULT '',
                body_stems text NOT NULL DEFAULT '',
                CONSTRAINT uq_search_index_object UNIQUE (kind, object_id)
            )
        """)
        # The stems are already folded; the tokenizer must not fold them again.
        op.execute("""
            CREATE VIRTUAL TABLE search_index_fts USING fts5(
                title_stems, body_stems, content='search_index', content_rowid='id',
                tokenize = 'unicode61 remove_diacritics 0'
            )
        """)
        op.execute("""
            CREATE TRIGGER search_index_ai AFTER INSERT ON search_index BEGIN
                INSERT INTO search_index_fts (rowid, title_stems, body_stems)
                VALUES (new.id, new.title_stems, new.body_stems);
            END
        """)
        op.execute("""
            CREATE TRIGGER search_index_ad AFTER DELETE ON search_index BEGIN
                INSERT INTO search_index_fts (search_index_fts, rowid, title_stems, body_stems)
                VALUES ('delete', old.id, old.title_stems, old.body_stems);
            END
        """)
        op.execute("""
            CREATE TRIGGER search_index_au AFTER UPDATE ON search_index BEGIN
                INSERT INTO search_index_fts (search_index_fts, rowid, title_stems, body_stems)
                VALUES ('delete', old.id, old.title_stems, old.body_stems);
                INSERT INTO search_index_fts (rowid, title_stems, body_stems)
                VALUES (new.id, new.title_stems, new.body_stems);
            END
        """)
    else:
        raise NotImplementedError(f'no search index for {bind.dialect.name}')
    op.create_index('ix_search_index_group', 'search_index', ['group_id', 'kind'])


def downgrade():
    bind = op.get_bind()
    op.execute('DROP TABLE IF EXISTS search_index_fts')
    op.execute('DROP TABLE IF EXISTS search_index')
    # The documents-only index of 0003, empty (the previous release's
    # documents service fills it as documents change).
    if bind.dialect.name == 'postgresql':
        for name in CONFIGS:
            op.execute(f'DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}')
        op.execute("""
            CREATE TABLE document_search (
                document_id integer PRIMARY KEY REFERENCES document (id) ON DELETE CASCADE,
                title text NOT NULL DEFAULT '',
                description text NOT NULL DEFAULT '',
                filenames text NOT NULL DEFAULT '',
                body text NOT NULL DEFAULT '',
                tsv tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple', title), 'A')
                    || setweight(to_tsvector('simple', filenames), 'B')
                    || setweight(to_tsvector('simple', description), 'B')
                    || setweight(to_tsvector('simple', body), 'C')
                ) STORED
            )
        """)
        op.execute('CREATE INDEX ix_document_search_tsv ON document_search USING gin (tsv)')
    else:
        op.execute("""
            CREATE VIRTUAL TABLE document_search USING fts5(
                title, description, filenames, body,
                tokenize = 'unicode61 remove_diacritics 2'
            )
        """)
