"""``DocumentAudience.admits`` (Python, for digests) gives the answers of
``DocumentAudience.condition`` (SQL, for pages and lists) for every case."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from konsey.extensions import db
from konsey.models import Document, Role, Visibility
from konsey.models.base import utcnow
from konsey.policy import DocumentAudience
from tests import factories as f
from tests.integration.digest_world import _upload


def test_admits_agrees_with_the_sql_condition(ctx):
    from konsey import audit

    mine, other = f.make_group("mine"), f.make_group("other")
    documents = []
    for group, visibility, deleted in itertools.product(
        (mine, other), list(Visibility), (False, True)
    ):
        doc = _upload(audit.SYSTEM, group, f"{group.slug} {visibility} {deleted}", visibility)
        if deleted:
            doc.deleted_at = utcnow()
        documents.append(doc)
    db.session.commit()
    admin = f.make_user(is_admin=True)
    person = f.make_user()
    audiences = [DocumentAudience.from_roles(admin, {}), DocumentAudience.from_roles(None, {})]
    for roles in ({}, {mine.id: Role.OBSERVER}, {mine.id: Role.DELEGATE}, {other.id: Role.HEAD}):
        audiences.append(DocumentAudience.from_roles(person, roles))
    for audience in audiences:
        readable = set(db.session.scalars(select(Document.id).where(audience.condition())))
        assert {d.id for d in documents if audience.admits(d)} == readable, audience
