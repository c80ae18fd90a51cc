"""Reads for the admin pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from konsey.extensions import db
from konsey.models import AuditEvent, OutboxMessage, User

PAGE_SIZE = 50


@dataclass
class AuditFilter:
    action: str | None = None
    actor: str | None = None  # email fragment
    object_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    page: int = 1


def audit_events(f: AuditFilter) -> tuple[list[AuditEvent], bool]:
    """One page of events (newest first) and whether there is a next page."""
    query = select(AuditEvent).options(joinedload(AuditEvent.actor))
    if f.action:
        query = query.where(AuditEvent.action.startswith(f.action, autoescape=True))
    if f.object_type:
        query = query.where(AuditEvent.object_type == f.object_type)
    if f.actor:
        query = query.join(AuditEvent.actor).where(
            User.email.contains(f.actor.lower(), autoescape=True)
        )
    if f.since:
        query = query.where(AuditEvent.created_at >= f.since)
    if f.until:
        query = query.where(AuditEvent.created_at < f.until)
    page = max(1, f.page)
    rows = db.session.scalars(
        query.order_by(AuditEvent.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    return list(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE


def outbox(state: str | None, page: int) -> tuple[list[OutboxMessage], bool]:
    query = select(OutboxMessage)
    if state:
        query = query.where(OutboxMessage.state == state)
    page = max(1, page)
    rows = db.session.scalars(
        query.order_by(OutboxMessage.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    return list(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE
