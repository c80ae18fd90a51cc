"""Demo distribution and embargo: in Cyber Security, Turkey's delegation
uploads a restricted paper that becomes general in two weeks, and a draft
statement under embargo until a few minutes after the demo is loaded (the
worker of ``make run`` releases it while you watch: log in as another
delegation's delegate and it appears, with its digest line). Idempotent by
title; a second load leaves both as they are."""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select

from konsey import audit
from konsey.documents import samples
from konsey.documents import services as document_services
from konsey.documents.services import Upload
from konsey.extensions import db
from konsey.models import Document, User, WorkingGroup

UPLOADER = "head.tr@tr.example.org"
RESTRICTED_TITLE = "Cyber Security: national CERT capacities"
EMBARGOED_TITLE = "Cyber Security: draft statement of the ministers"
EMBARGO_MINUTES = 5


def _exists(group: WorkingGroup, title: str) -> bool:
    query = select(Document.id).where(Document.group_id == group.id, Document.title == title)
    return db.session.scalar(query) is not None


def load_embargo(created: Counter, now: datetime) -> None:
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == "cyber-security"))
    uploader = db.session.scalar(select(User).where(User.email == UPLOADER))
    if group is None or uploader is None:
        return
    actor = audit.Actor(user=uploader, ip="cli")
    papers = [
        (
            RESTRICTED_TITLE,
            "cert-capacities.pdf",
            {"distribution": "restricted", "derestrict_at": now + timedelta(days=14)},
        ),
        (
            EMBARGOED_TITLE,
            "draft-statement.pdf",
            {"distribution": "limited", "embargo_until": now + timedelta(minutes=EMBARGO_MINUTES)},
        ),
    ]
    for title, filename, marking in papers:
        if _exists(group, title):
            continue
        document_services.create_documents(
            actor,
            group,
            [Upload(io.BytesIO(samples.make_pdf([title, "Turkey, 2017."])), filename)],
            title=title,
            kind="working_paper",
            language="en",
            visibility="council",
            zone_name=uploader.timezone,
            **marking,
        )
        created["documents"] += 1
