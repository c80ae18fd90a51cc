"""Roster rules: who may sit in which role, in which delegation."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from konsey import audit
from konsey.errors import Conflict, NotFound, ValidationError
from konsey.extensions import db
from konsey.models import Membership, Role, User, WorkingGroup
from konsey.validation import normalize_email


def check_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise ValidationError(_("Unknown role."), "role") from exc


def _check_fits(group: WorkingGroup, user: User, role: Role, *, exclude: Membership | None):
    """The rules of a roster, in one place; raise with a clear message."""
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."), "email")
    state = user.member_state
    if role == Role.COORDINATOR and state is not None:
        raise ValidationError(
            _("Coordinators come from the secretariat, not from a member state."), "role"
        )
    if role.is_delegation:
        if state is None:
            raise ValidationError(
                _("Only a person of a member state can sit in a delegation."), "role"
            )
        if not state.is_member:
            raise ValidationError(
                _(
                    "%(state)s is an observer state; its people can only be observers.",
                    state=state.display_name(),
                ),
                "role",
            )
    if role == Role.HEAD:
        head = db.session.scalar(
            select(Membership).where(
                Membership.group_id == group.id,
                Membership.member_state_id == state.id,
                Membership.role == Role.HEAD,
            )
        )
        if head is not None and head is not exclude:
            raise Conflict(
                _(
                    "%(state)s already has a head of delegation in this group: %(name)s.",
                    state=state.display_name(),
                    name=head.user.name,
                ),
                "role",
            )


def _lock_roster(group: WorkingGroup) -> None:
    """One roster change of a group at a time: two coordinators adding a head
    for the same state at the same moment are checked one after the other,
    so the second hears who the head is (the unique index stays the backstop)."""
    db.session.execute(select(WorkingGroup.id).where(WorkingGroup.id == group.id).with_for_update())


def find_person(email: str) -> User:
    """The account with this email address (deactivated ones too: adding them
    is refused with that reason), or ValidationError naming the field."""
    address = normalize_email(email, "email")
    user = db.session.scalar(select(User).where(User.email == address))
    if user is None:
        raise ValidationError(_("No account has this email address."), "email")
    return user


_OWN_STATE = object()


def add_member(
    actor: audit.Actor,
    group: WorkingGroup,
    user: User,
    role: str,
    *,
    member_state_id=_OWN_STATE,
) -> Membership:
    """Add ``user`` to ``group``.

    ``member_state_id`` is the delegation chosen on the form (None: the
    secretariat / no state); a person can only ever be added to their own
    state's delegation.
    """
    role = check_role(role)
    _lock_roster(group)
    if member_state_id is not _OWN_STATE and member_state_id != user.member_state_id:
        raise ValidationError(
            _(
                "%(name)s can only be added to the delegation of their own member state.",
                name=user.name,
            ),
            "member_state",
        )
    existing = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )
    if existing is not None:
        raise Conflict(_("%(name)s is already in this group.", name=user.name), "email")
    _check_fits(group, user, role, exclude=None)
    membership = Membership(group=group, user=user, role=role, member_state_id=user.member_state_id)
    db.session.add(membership)
    audit.record(actor, "membership.add", group, user=user.email, role=role)
    db.session.commit()
    return membership


def change_role(actor: audit.Actor, membership: Membership, role: str) -> None:
    role = check_role(role)
    if role == membership.role:
        return
    _lock_roster(membership.group)
    _check_fits(membership.group, membership.user, role, exclude=membership)
    old = membership.role
    membership.role = role
    audit.record(
        actor,
        "membership.role_change",
        membership.group,
        user=membership.user.email,
        old=old,
        new=role,
    )
    db.session.commit()


def remove_member(actor: audit.Actor, membership: Membership) -> None:
    audit.record(
        actor,
        "membership.remove",
        membership.group,
        user=membership.user.email,
        role=membership.role,
    )
    db.session.delete(membership)
    db.session.commit()


def get_membership(group: WorkingGroup, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.group_id != group.id:
        raise NotFound(_("This person is not in this group."))
    return membership
