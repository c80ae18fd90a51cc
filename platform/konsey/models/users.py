"""People who log in, and their personal API tokens."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from konsey.extensions import db
from konsey.models.base import UTCDateTime, enum_column, utcnow
from konsey.models.states import MemberState


class NoticeMode(enum.StrEnum):
    """How "needs you" notices reach a person: an email each, or only the digest."""

    IMMEDIATELY = "immediately"
    DIGEST = "digest"


class DigestFrequency(enum.StrEnum):
    OFF = "off"
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"


SCOPE_READ_ONLY = "read-only"
SCOPE_READ_WRITE = "read-write"
TOKEN_SCOPES = (SCOPE_READ_ONLY, SCOPE_READ_WRITE)


def new_session_nonce() -> str:
    return secrets.token_urlsafe(16)


class User(db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalised to lower case, so uniqueness is case-insensitive on
    # every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    member_state_id: Mapped[int | None] = mapped_column(
        ForeignKey("member_state.id", ondelete="RESTRICT"), index=True
    )
    locale: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    digest: Mapped[DigestFrequency] = mapped_column(
        enum_column(DigestFrequency),
        default=DigestFrequency.DAILY,
    )
    # "Needs you" notices (konsey.notifications.notices): an email each by default.
    notices: Mapped[NoticeMode] = mapped_column(
        enum_column(NoticeMode), default=NoticeMode.IMMEDIATELY
    )
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # May sign agreed minutes (e.g. the Secretary General) without coordinating.
    is_signatory: Mapped[bool] = mapped_column(Boolean, default=False)
    # SHA-256 of the secret in the user's private calendar feed URL.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_active_account: Mapped[bool] = mapped_column("active", Boolean, default=True)
    # Part of the login session's identity: rotating it ends every session
    # and "remember me" cookie of the user (password change, deactivation).
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_session_nonce)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TOTP (RFC 6238) second factor: the base32 secret is set when enrolment
    # starts and counts only once a code has confirmed it (totp_enabled_at).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last time step a code was accepted for: a code cannot be replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    member_state: Mapped[MemberState | None] = relationship(lazy="joined")
    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.id"
    )

    # Flask-Login protocol ------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # "<user id>:<session token>": the token names a live UserSession row
        # (konsey.auth.sessions), set on the object when the session starts
        # or is loaded. Without one the id matches no session.
        return f"{self.id}:{getattr(self, 'session_token', '')}"

    # ----------------------------------------------------------------------
    @property
    def is_secretariat(self) -> bool:
        return self.member_state_id is None

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # First characters of the token, shown in lists so a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the token: tokens are long random strings, so a fast hash is
    # enough and lets us look a token up by its hash.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every token expires (konsey.auth.api_tokens caps the lifetime).
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "read-only" tokens may only read (GET); "read-write" act as the user.
    scope: Mapped[str] = mapped_column(String(10), default=SCOPE_READ_WRITE)

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.expires_at

    @property
    def is_read_only(self) -> bool:
        return self.scope == SCOPE_READ_ONLY
