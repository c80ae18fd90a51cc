"""`flask konsey generate`: realistic data in bulk, repeatable, and usable."""

from __future__ import annotations

import re
import shutil

import pytest
import sqlalchemy as sa

from konsey import storage
from konsey.extensions import db
from konsey.models import (
    ActionItem,
    ActionStatus,
    Document,
    DocumentVersion,
    Meeting,
    MeetingStatus,
    Membership,
    Minutes,
    MinutesStatus,
    Role,
    User,
    WorkingGroup,
)
from tests import factories as f

SMALL = [
    "--scale",
    "1",
    "--users",
    "150",
    "--meetings-per-group",
    "8",
    "--agenda-items",
    "3",
    "--documents-per-group",
    "25",
    "--actions-per-group",
    "40",
    "--today",
    "2026-11-29",
]
LABELS = {
    "users": User,
    "working groups": WorkingGroup,
    "memberships": Membership,
    "meetings": Meeting,
    "minutes": Minutes,
    "documents": Document,
    "document versions": DocumentVersion,
    "action items": ActionItem,
}


@pytest.fixture
def generate(app, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", f.PASSWORD)
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(args=["konsey", "generate", *args])

    return run


def _reported(output: str) -> dict[str, int]:
    return {
        label: int(number.replace(",", ""))
        for number, label in re.findall(r"^\s+([\d,]+) (.+)$", output, re.M)
    }


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_makes_what_it_reports(generate, ctx):
    result = generate(*SMALL)
    assert result.exit_code == 0, result.output
    reported = _reported(result.output)
    for label, model in LABELS.items():
        assert reported[label] == _count(model), label
    assert reported["users"] == 150 and reported["memberships"] == 60
    assert reported["meetings"] == 8 and reported["agenda items"] == 24
    assert reported["documents"] == 25 and reported["action items"] == 40

    # Six member states' delegations, coordinators and observers in the group.
    group = db.session.scalar(sa.select(WorkingGroup))
    roles = db.session.scalars(sa.select(Membership.role).where(Membership.group_id == group.id))
    assert sorted(set(roles)) == sorted(Role)
    states = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Membership.member_state_id))).where(
            Membership.role == Role.HEAD
        )
    )
    assert states == 6
    assert set(db.session.scalars(sa.select(Minutes.status))) == set(MinutesStatus)
    assert set(db.session.scalars(sa.select(ActionItem.status))) == set(ActionStatus)
    assert set(db.session.scalars(sa.select(Meeting.status))) == set(MeetingStatus)
    assert len(set(db.session.scalars(sa.select(User.locale)))) == 3
    assert len(set(db.session.scalars(sa.select(User.digest)))) == 4
    # Every version's file is in the store, under its hash, intact.
    store = storage.get_storage()
    for sha in db.session.scalars(sa.select(DocumentVersion.sha256)):
        assert storage.verify(store, sha)


def _dump() -> dict:
    tables = {}
    for table in db.metadata.sorted_tables:
        if table.name == "audit_event":  # one event, stamped with the time of the run
            continue
        order = list(table.primary_key.columns)
        rows = db.session.execute(sa.select(table).order_by(*order)).all()
        tables[table.name] = [tuple(row) for row in rows]
    tables["search_index"] = sorted(
        tuple(r)
        for r in db.session.execute(
            sa.text("SELECT kind, object_id, group_id, language, title, body FROM search_index")
        )
    )
    return tables


def _empty_everything(files_dir) -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM search_index"))
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    shutil.rmtree(files_dir, ignore_errors=True)


def test_same_seed_same_data(generate, ctx, files_dir):
    assert generate(*SMALL).exit_code == 0
    first = _dump()
    assert len(first["action_update"]) > 40
    _empty_everything(files_dir)
    assert generate(*SMALL).exit_code == 0
    assert _dump() == first
    _empty_everything(files_dir)
    assert generate(*SMALL, "--seed", "7").exit_code == 0
    assert _dump()["action_item"] != first["action_item"]


def test_pages_of_a_generated_group_load(generate, ctx, client):
    assert generate(*SMALL).exit_code == 0
    group = db.session.scalar(sa.select(WorkingGroup))
    head = db.session.scalar(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.HEAD)
        .order_by(User.id)
        .limit(1)
    )
    meeting = db.session.scalar(
        sa.select(Meeting).where(Meeting.status == MeetingStatus.HELD).limit(1)
    )
    document = db.session.scalar(
        sa.select(Document)
        .where(Document.visibility == "group", Document.deleted_at.is_(None))
        .limit(1)
    )
    action = db.session.scalar(sa.select(ActionItem).limit(1))
    word = document.title.split()[2]
    assert client.login(head.email).status_code == 302
    slug = group.slug
    pages = [
        f"/groups/{slug}",
        f"/groups/{slug}/roster",
        f"/groups/{slug}/meetings",
        f"/meetings/{meeting.id}",
        f"/meetings/{meeting.id}/minutes",
        f"/groups/{slug}/minutes",
        f"/groups/{slug}/documents",
        f"/groups/{slug}/documents/{document.id}",
        f"/groups/{slug}/documents/{document.id}/versions/1/file",
        f"/groups/{slug}/actions",
        f"/groups/{slug}/actions?status=open&status=in_progress",
        f"/groups/{slug}/actions/{action.id}",
        "/actions/mine",
        f"/search?kind=document&q={word}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    search = client.get(f"/search?kind=document&q={word}").get_data(as_text=True)
    assert "<mark>" in search


def test_refuses_bad_sizes_and_a_taken_prefix(generate, ctx):
    result = generate("--scale", "0")
    assert result.exit_code != 0 and "at least 1" in result.output
    assert _count(User) == 0
    assert generate(*SMALL).exit_code == 0
    users = _count(User)
    again = generate(*SMALL)
    assert again.exit_code != 0
    assert "already there" in again.output
    assert _count(User) == users
    other = generate(*SMALL, "--prefix", "more", "--users", "100")
    assert other.exit_code == 0, other.output
    assert _count(WorkingGroup) == 2


def test_a_page_of_a_large_library_costs_the_same_queries(generate, ctx, count_queries):
    """documents.queries.library_page: the newest documents first, a page at a time."""
    from konsey.documents import queries
    from konsey.policy import DocumentAudience

    assert generate(*SMALL).exit_code == 0
    group = db.session.scalar(sa.select(WorkingGroup))
    admin = db.session.scalar(sa.select(User).where(User.is_admin.is_(True)))
    audience = DocumentAudience.of(admin)
    everything = queries.library(group, audience, queries.LibraryFilter())
    assert len(everything) == 24  # 25 generated, one deleted
    seen, statements_per_page = [], []
    for number in (1, 2, 3):
        db.session.expunge_all()
        with count_queries() as statements:
            page = queries.library_page(
                group, audience, queries.LibraryFilter(), page=number, per_page=10
            )
            titles = [d.title for d in page.documents]
            versions = sum(len(d.versions) for d in page.documents)
        statements_per_page.append(len(statements))
        assert page.total == 24 and page.pages == 3
        assert page.has_next == (number < 3)
        assert versions >= len(titles)
        seen += titles
    assert seen == [d.title for d in everything]
    assert statements_per_page == [2, 2, 2]
    # A page past the end shows the last one rather than nothing.
    assert queries.library_page(group, audience, queries.LibraryFilter(), page=99).page == 1
