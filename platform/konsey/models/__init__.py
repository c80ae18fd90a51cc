"""The domain's tables; importing this module registers all of them."""

from konsey.models.audit import AuditEvent
from konsey.models.groups import ROSTER_ORDER, Membership, Role, WorkingGroup
from konsey.models.outbox import OutboxMessage, OutboxState
from konsey.models.states import MemberState, StateStatus
from konsey.models.users import ApiToken, DigestFrequency, User

__all__ = [
    "ROSTER_ORDER",
    "ApiToken",
    "AuditEvent",
    "DigestFrequency",
    "MemberState",
    "Membership",
    "OutboxMessage",
    "OutboxState",
    "Role",
    "StateStatus",
    "User",
    "WorkingGroup",
]
