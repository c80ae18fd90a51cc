"""The workflow of an action item: one table of the moves that exist and who
may make each, read by the web routes, the API and the services alike.

Two sides act on an item: its *owner* (the owing state's delegation, or the
named person: ``policy.can(user, Action.ACTION_UPDATE, item)``) and the
*coordinators* of its group (``Action.ACTION_MANAGE``; admins act as
coordinators). An owner *reports* an item done (``reported``); a coordinator
*acknowledges* it (``done``) or *sends it back* (``in_progress``). A
coordinator's own "done" is immediate; an owner's "done" is a report.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from konsey import policy
from konsey.actions.labels import STATUS_LABELS
from konsey.errors import Conflict, ServiceError, ValidationError
from konsey.models import ActionItem, ActionStatus
from konsey.policy import Action

S = ActionStatus


class Side(enum.StrEnum):
    OWNER = "owner"
    COORDINATOR = "coordinator"


OWNER, COORDINATOR = Side.OWNER, Side.COORDINATOR
BOTH = frozenset({OWNER, COORDINATOR})


class NotYours(ServiceError):
    """The move exists, but not for this side (a delegate acknowledging)."""

    status = 403
    code = "forbidden"


@dataclass(frozen=True)
class Move:
    name: str  # start, pause, report, close, acknowledge, send_back, cancel, reopen
    sides: frozenset[Side]
    needs_comment: bool = False
    refused: object = None  # why another side may not (lazy text)


_COORDINATORS_ONLY = frozenset({COORDINATOR})

# (from, to) → the move. Anything not listed does not exist.
MOVES: dict[tuple[ActionStatus, ActionStatus], Move] = {
    (S.OPEN, S.IN_PROGRESS): Move("start", BOTH),
    (S.IN_PROGRESS, S.OPEN): Move("pause", BOTH),
    (S.OPEN, S.REPORTED): Move(
        "report",
        frozenset({OWNER}),
        refused=_l("Only the owing delegation reports an action done; a coordinator sets it done."),
    ),
    (S.IN_PROGRESS, S.REPORTED): Move(
        "report",
        frozenset({OWNER}),
        refused=_l("Only the owing delegation reports an action done; a coordinator sets it done."),
    ),
    (S.OPEN, S.DONE): Move("close", _COORDINATORS_ONLY),
    (S.IN_PROGRESS, S.DONE): Move("close", _COORDINATORS_ONLY),
    (S.REPORTED, S.DONE): Move(
        "acknowledge",
        _COORDINATORS_ONLY,
        refused=_l("Only a coordinator can acknowledge a reported action."),
    ),
    (S.REPORTED, S.IN_PROGRESS): Move(
        "send_back",
        _COORDINATORS_ONLY,
        needs_comment=True,
        refused=_l("Only a coordinator can send a reported action back."),
    ),
    **{
        (old, S.CANCELLED): Move(
            "cancel",
            _COORDINATORS_ONLY,
            needs_comment=True,
            refused=_l("Only a coordinator can cancel an action."),
        )
        for old in (S.OPEN, S.IN_PROGRESS, S.REPORTED)
    },
    **{
        (old, new): Move(
            "reopen",
            _COORDINATORS_ONLY,
            refused=_l("Only a coordinator can reopen an action."),
        )
        for old in (S.DONE, S.CANCELLED)
        for new in (S.OPEN, S.IN_PROGRESS)
    },
}

COMMENT_REQUIRED = {
    "cancel": _l("Give the reason for cancelling in the comment."),
    "send_back": _l("Say in the comment why the report is sent back."),
}


def side_of(user, item: ActionItem) -> Side | None:
    """Which side ``user`` acts on, or None if they may not act at all."""
    if policy.can(user, Action.ACTION_MANAGE, item):
        return COORDINATOR
    if policy.can(user, Action.ACTION_UPDATE, item):
        return OWNER
    return None


def moves_for(status: ActionStatus, side: Side | None) -> dict[ActionStatus, Move]:
    """The statuses ``side`` may move an item in ``status`` to."""
    return {new: move for (old, new), move in MOVES.items() if old == status and side in move.sides}


def label(status: ActionStatus) -> str:
    return str(STATUS_LABELS[status])


@dataclass(frozen=True)
class Decided:
    new: ActionStatus
    move: Move | None  # None: a comment, no status change
    reported_instead: bool = False  # an owner's "done" became "reported"


def decide(status: ActionStatus, requested: ActionStatus, side: Side) -> Decided:
    """What a request for ``requested`` does to an item in ``status``; raises
    Conflict (409) when the item's state forbids it, NotYours (403) when the
    move is another side's, ValidationError (422) when it does not exist."""
    reported_instead = False
    closed_report = requested in (S.DONE, S.REPORTED) and status.is_closed
    if closed_report and (requested != status or side == OWNER):
        raise Conflict(
            _("This action is %(status)s; it cannot be reported done.", status=label(status)),
            "status",
        )
    if side == OWNER and status.is_closed:
        raise ValidationError(
            _("This action is %(status)s; only a coordinator can reopen or change it.",
              status=label(status)),
            "status",
        )  # fmt: skip
    if side == OWNER and requested == S.DONE and (status, S.REPORTED) in MOVES:
        requested, reported_instead = S.REPORTED, True
    if side == OWNER and requested == S.DONE and status == S.REPORTED:
        raise NotYours(str(MOVES[(S.REPORTED, S.DONE)].refused), "status")
    if requested == status:
        return Decided(status, None)
    move = MOVES.get((status, requested))
    if move is None:
        raise ValidationError(
            _("An action cannot go from %(old)s to %(new)s.",
              old=label(status), new=label(requested)),
            "status",
        )  # fmt: skip
    if side not in move.sides:
        raise NotYours(str(move.refused), "status")
    return Decided(requested, move, reported_instead)


def check_comment(decided: Decided, comment: str) -> None:
    if decided.move is not None and decided.move.needs_comment and not comment:
        raise ValidationError(str(COMMENT_REQUIRED[decided.move.name]), "comment")


def table() -> list[tuple[ActionStatus, ActionStatus, Move]]:
    """The table, for the README and the OpenAPI description."""
    return [(old, new, move) for (old, new), move in MOVES.items()]


def describe() -> str:
    """The workflow as Markdown lines (the API's schema description)."""
    lines = []
    for old, new, move in table():
        who = " or ".join(sorted(s.value for s in move.sides))
        lines.append(f"- `{old.value}` → `{new.value}` ({move.name}): {who}")
    return "\n".join(lines)
