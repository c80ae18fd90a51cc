"""The domain's tables; importing this module registers all of them."""

from konsey.models.actions import (
    PENDING_STATUSES,
    UNSETTLED_STATUSES,
    ActionItem,
    ActionPriority,
    ActionStatus,
    ActionUpdate,
)
from konsey.models.audit import AuditEvent
from konsey.models.documents import (
    OFFICIAL_KINDS,
    Distribution,
    Document,
    DocumentKind,
    DocumentTranslation,
    DocumentVersion,
    Relation,
    StoredFile,
    SymbolCounter,
    TranslationStatus,
    Visibility,
)
from konsey.models.groups import ROSTER_ORDER, Membership, Role, WorkingGroup
from konsey.models.meetings import AgendaItem, Meeting, MeetingStatus
from konsey.models.minutes import (
    Decision,
    Minutes,
    MinutesComment,
    MinutesParticipant,
    MinutesPosition,
    MinutesStatus,
    MinutesVersion,
    ParticipationReason,
    PositionKind,
    VersionDecision,
)
from konsey.models.notifications import DigestRun, NotificationCursor
from konsey.models.outbox import OutboxMessage, OutboxState
from konsey.models.participants import Delegation, MeetingParticipant
from konsey.models.sessions import LoginThrottle, RecoveryCode, UserSession
from konsey.models.states import MemberState, StateStatus
from konsey.models.users import ApiToken, DigestFrequency, NoticeMode, User

__all__ = [
    "OFFICIAL_KINDS",
    "PENDING_STATUSES",
    "ROSTER_ORDER",
    "UNSETTLED_STATUSES",
    "ActionItem",
    "ActionPriority",
    "ActionStatus",
    "ActionUpdate",
    "AgendaItem",
    "ApiToken",
    "AuditEvent",
    "Decision",
    "Delegation",
    "DigestFrequency",
    "DigestRun",
    "Distribution",
    "Document",
    "DocumentKind",
    "DocumentTranslation",
    "DocumentVersion",
    "LoginThrottle",
    "Meeting",
    "MeetingParticipant",
    "MeetingStatus",
    "MemberState",
    "Membership",
    "Minutes",
    "MinutesComment",
    "MinutesParticipant",
    "MinutesPosition",
    "MinutesStatus",
    "MinutesVersion",
    "NoticeMode",
    "NotificationCursor",
    "OutboxMessage",
    "OutboxState",
    "ParticipationReason",
    "PositionKind",
    "RecoveryCode",
    "Relation",
    "Role",
    "StateStatus",
    "StoredFile",
    "SymbolCounter",
    "TranslationStatus",
    "User",
    "UserSession",
    "VersionDecision",
    "Visibility",
    "WorkingGroup",
]
