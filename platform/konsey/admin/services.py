"""Secretariat administration: member states, users, working groups."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from konsey import audit
from konsey.auth.services import send_invitation
from konsey.documents import symbols
from konsey.errors import Conflict, ValidationError
from konsey.extensions import db
from konsey.models import Membership, MemberState, Role, StateStatus, User, WorkingGroup
from konsey.models.users import new_session_nonce
from konsey.validation import (
    check_iso_code,
    check_line,
    check_locale,
    check_slug,
    check_text,
    check_timezone,
    normalize_email,
)


def _changes(obj, values: dict) -> dict:
    changed = {}
    for key, value in values.items():
        old = getattr(obj, key)
        if old != value:
            changed[key] = [old, value]
            setattr(obj, key, value)
    return changed


# Member states ------------------------------------------------------------
def check_state_status(value: str) -> StateStatus:
    try:
        return StateStatus(value)
    except ValueError as exc:
        raise ValidationError(_("Choose member or observer."), "status") from exc


def save_state(
    actor: audit.Actor,
    state: MemberState | None,
    *,
    code: str,
    name: str,
    status: str,
    capital_timezone: str,
    names: dict | None = None,
) -> MemberState:
    values = {
        "code": check_iso_code(code),
        "name": check_line(name, "name", max_length=120),
        "status": check_state_status(status),
        "capital_timezone": check_timezone(capital_timezone, "capital_timezone"),
    }
    if names is not None:
        # Official names: an empty one is cleared (CLDR's name is shown); names
        # in languages the form does not offer (no longer enabled) are kept.
        kept = {k: v for k, v in ((state.names or {}) if state else {}).items() if k not in names}
        given = {
            lang: check_line(text, f"name_{lang}", required=False, max_length=120)
            for lang, text in names.items()
        }
        values["names"] = kept | {lang: text for lang, text in given.items() if text}
    clash = db.session.scalar(select(MemberState).where(MemberState.code == values["code"]))
    if clash is not None and clash is not state:
        raise Conflict(_("A member state with this code exists already."), "code")
    if state is not None and values["status"] == StateStatus.OBSERVER:
        _check_no_delegation_roles(state)
    if state is None:
        state = MemberState(**values)
        db.session.add(state)
        audit.record(actor, "state.create", state)
    else:
        changed = _changes(state, values)
        if changed:
            audit.record(actor, "state.update", state, changed=changed)
    db.session.commit()
    return state


def _check_no_delegation_roles(state: MemberState) -> None:
    delegations = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.member_state_id == state.id,
            Membership.role.in_([Role.HEAD, Role.DELEGATE, Role.EXPERT]),
        )
    )
    if delegations:
        raise Conflict(
            _("This state still has delegates in groups; make them observers first."), "status"
        )


# Users ----------------------------------------------------------------------
def _state_or_none(state_id: int | None) -> MemberState | None:
    if not state_id:
        return None
    state = db.session.get(MemberState, state_id)
    if state is None:
        raise ValidationError(_("Unknown member state."), "member_state")
    return state


def _unique_email(email: str, user: User | None) -> str:
    email = normalize_email(email)
    clash = db.session.scalar(select(User).where(User.email == email))
    if clash is not None and clash is not user:
        raise Conflict(_("Another account uses this email address."), "email")
    return email


def invite_user(
    actor: audit.Actor,
    *,
    email: str,
    name: str,
    member_state_id: int | None,
    locale: str,
    timezone: str,
    is_admin: bool = False,
    send_email: bool = True,
) -> User:
    """Create an account without a password; the person sets it from an email."""
    user = User(
        email=_unique_email(email, None),
        name=check_line(name, "name"),
        member_state=_state_or_none(member_state_id),
        locale=check_locale(locale),
        timezone=check_timezone(timezone),
        is_admin=bool(is_admin),
    )
    db.session.add(user)
    audit.record(actor, "user.invite", user)
    if send_email:
        send_invitation(actor, user)
    db.session.commit()
    return user


def update_user(
    actor: audit.Actor,
    user: User,
    *,
    email: str,
    name: str,
    member_state_id: int | None,
    locale: str,
    timezone: str,
    is_admin: bool,
) -> User:
    state = _state_or_none(member_state_id)
    if state is not user.member_state and _memberships(user):
        raise Conflict(
            _("Remove this person from their groups before changing their member state."),
            "member_state",
        )
    if user.id == (actor.user_id or 0) and not is_admin:
        raise ValidationError(_("You cannot take away your own admin rights."), "is_admin")
    changed = _changes(
        user,
        {
            "email": _unique_email(email, user),
            "name": check_line(name, "name"),
            "member_state_id": state.id if state else None,
            "locale": check_locale(locale),
            "timezone": check_timezone(timezone),
            "is_admin": bool(is_admin),
        },
    )
    if changed:
        audit.record(actor, "user.update", user, changed=changed)
    db.session.commit()
    return user


def _memberships(user: User) -> list[Membership]:
    return list(db.session.scalars(select(Membership).where(Membership.user_id == user.id)))


def set_active(actor: audit.Actor, user: User, active: bool) -> None:
    if user.id == actor.user_id and not active:
        raise ValidationError(_("You cannot deactivate your own account."), "active")
    if user.is_active_account == active:
        return
    from konsey.auth.api_tokens import revoke_all
    from konsey.auth.sessions import end_all

    user.is_active_account = active
    # Ends every session and remember-me cookie on the server, and outstanding links.
    user.session_nonce = new_session_nonce()
    end_all(user)
    # Either way the old credentials stay dead: reactivation never revives the
    # API tokens or the calendar feed address the account had before.
    action = "user.activate" if active else "user.deactivate"
    tokens = revoke_all(actor, user, reason=action)
    feed = user.calendar_token_hash is not None
    user.calendar_token_hash = None
    audit.record(actor, action, user, tokens_ended=tokens, calendar_feed_ended=feed)
    db.session.commit()


# Working groups -----------------------------------------------------------
def save_group(
    actor: audit.Actor,
    group: WorkingGroup | None,
    *,
    slug: str,
    name: str,
    mandate: str,
    symbol_pattern: str | None = None,
) -> WorkingGroup:
    values = {
        "slug": check_slug(slug),
        "name": check_line(name, "name"),
        "mandate": check_text(mandate, "mandate", required=False, max_length=10_000),
    }
    # The pattern of its documents' symbols (konsey.documents.symbols).
    values["symbol_pattern"] = symbols.check_pattern(symbol_pattern, group_slug=values["slug"])
    clash = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == values["slug"]))
    if clash is not None and clash is not group:
        raise Conflict(_("A group with this short name exists already."), "slug")
    if group is None:
        group = WorkingGroup(**values)
        db.session.add(group)
        audit.record(actor, "group.create", group)
    else:
        changed = _changes(group, values)
        if changed:
            audit.record(actor, "group.update", group, changed=changed)
    db.session.commit()
    return group
