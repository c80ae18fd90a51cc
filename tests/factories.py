"""Factories for test data: ``make_user(**overrides)`` and friends."""

from __future__ import annotations

import itertools
from contextlib import contextmanager

from konsey.auth.passwords import hash_password
from konsey.extensions import db
from konsey.models import Membership, MemberState, Role, StateStatus, User, WorkingGroup

PASSWORD = "correct horse battery staple"
_HASH: str | None = None
_seq = itertools.count(1)


_batching = False


@contextmanager
def batch():
    """Create many objects with one commit at the end (faster fixtures)."""
    global _batching
    _batching = True
    try:
        yield
    finally:
        _batching = False
    db.session.commit()


def _save(obj):
    db.session.add(obj)
    if _batching:
        db.session.flush()
    else:
        db.session.commit()
    return obj


def _password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once
    return _HASH


def make_state(code="KZ", name=None, status="member", tz="Asia/Almaty") -> MemberState:
    state = db.session.query(MemberState).filter_by(code=code).one_or_none()
    if state is None:
        state = MemberState(
            code=code,
            name=name or f"State {code}",
            status=StateStatus(status),
            capital_timezone=tz,
            names={},
        )
        _save(state)
    return state


def make_user(email=None, *, state: MemberState | None = None, password=True, **kw) -> User:
    n = next(_seq)
    user = User(
        email=(email or f"user{n}@example.org").lower(),
        name=kw.pop("name", f"User {n}"),
        member_state=state,
        password_hash=_password_hash() if password else None,
        timezone=kw.pop("timezone", "UTC"),
        locale=kw.pop("locale", "en"),
        **kw,
    )
    return _save(user)


def make_group(slug=None, name=None, mandate="") -> WorkingGroup:
    n = next(_seq)
    group = WorkingGroup(slug=slug or f"group-{n}", name=name or f"Group {n}", mandate=mandate)
    return _save(group)


def add(group: WorkingGroup, user: User, role: str | Role) -> Membership:
    membership = Membership(
        group=group, user=user, role=Role(role), member_state_id=user.member_state_id
    )
    return _save(membership)
