"""Accounts: people who use the tracker, and failed login attempts."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.enums import Role, enum_column_type
from tracker.extensions import db
from tracker.history import USER_COLUMNS_NOT_KEPT

if TYPE_CHECKING:
    from tracker.network.models import Organisation, TeamMembership


#: The second factor's columns: a secret and its bookkeeping, never kept in history.
MFA_COLUMNS = ["totp_secret_encrypted", "totp_enabled_at", "totp_last_step"]


def new_session_nonce() -> str:
    """A fresh random value; changing it ends every session of the user."""
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    """A person in the network, with or without the right to log in.

    Partners invited to meetings are people without a password: they answer
    invitations through signed links and cannot log in.
    """

    __tablename__ = "users"
    #: History keeps names, functions and organisations, never secrets.
    __versioned__ = {"exclude": [*USER_COLUMNS_NOT_KEPT, *MFA_COLUMNS]}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Work e-mail address, stored lower-case; the login name.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: Function or title, e.g. "burgemeester" or "hoofdofficier van justitie".
    title: Mapped[str | None] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "user_role"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    #: Part of the session identifier; rotating it revokes every session.
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_session_nonce)
    #: SHA-256 of the secret in the personal calendar-feed URL; empty when revoked.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The TOTP secret, encrypted with TRACKER_DATA_KEY (tracker.crypto); set while
    #: enrolling, active only once ``totp_enabled_at`` is set.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last 30-second time step whose code was accepted (a code works only once).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation | None] = relationship()
    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive accounts cannot log in
        return self.active

    def get_id(self) -> str:
        """Session identifier: the id plus the nonce, so a nonce change logs out."""
        return f"{self.id}:{self.session_nonce}"

    @property
    def has_mfa(self) -> bool:
        """Whether logging in asks for a second factor (enrolment confirmed)."""
        return self.totp_enabled_at is not None and self.totp_secret_encrypted is not None

    @property
    def can_log_in(self) -> bool:
        return self.active and self.password_hash is not None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class LoginFailure(db.Model):
    """A failed login for an e-mail address (known or not), for throttling.

    ``kind`` keeps the steps apart: ``password``, or ``second_step`` (a wrong TOTP or
    recovery code), so that a correct password never clears second-step failures.
    """

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The normalised address typed at login, whether an account exists or not.
    email: Mapped[str] = mapped_column(String(254), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(16), default="password",
                                      server_default="password")


class RecoveryCode(db.Model):
    """A single-use code that replaces the TOTP code once (lost phone); stored as a keyed
    hash only (tracker.crypto.keyed_hashes), shown in full once, at enrolment."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
