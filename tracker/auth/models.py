"""Accounts: people who use the tracker, and counted attempts for throttling."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
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
    #: How mail addresses the person ("Geachte burgemeester Welten,"); None: a default
    #: from the name (:func:`tracker.auth.address.greeting`).
    salutation: Mapped[str | None] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    #: Work phone number as typed ("06-12345678", "+31 38 123 4567"); None when unknown.
    phone: Mapped[str | None] = mapped_column(String(40))
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
    def greeting(self) -> str:
        """The first line of a mail to this person: the stored form of address or a default."""
        from tracker.auth.address import greeting

        return greeting(self.salutation, self.name)

    @property
    def can_log_in(self) -> bool:
        return self.active and self.password_hash is not None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class ThrottleFailure(db.Model):
    """One counted attempt for throttling: a failed login or TOTP code, a password-link request.

    Kept per (kind, account, client address) so that a stranger's failures never
    slow down the account's owner at another address (see tracker.auth.throttle).
    """

    __tablename__ = "throttle_failures"
    __table_args__ = (
        Index("ix_throttle_failures_pair", "kind", "account", "client", "at"),
        Index("ix_throttle_failures_client", "kind", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What was tried: ``login``, ``password_link`` or ``totp``.
    kind: Mapped[str] = mapped_column(String(20))
    #: The normalised address typed (known account or not), or another account key.
    account: Mapped[str] = mapped_column(String(254))
    #: The client address (after ProxyFix) the attempt came from.
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RecoveryCode(db.Model):
    """A single-use code that replaces the TOTP code once (lost phone); stored as a keyed
    hash only (tracker.crypto.keyed_hashes), shown in full once, at enrolment."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OidcIdentity(db.Model):
    """The account at an OpenID Connect provider that logs in as ``user``.

    Stored at the first login matched by verified e-mail (tracker/auth/oidc.py); from then
    on the pair (issuer, subject) finds the account, even when the address at the provider
    changes. The subject is the provider's stable, non-secret id of the person.
    """

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The provider's ``iss`` exactly as in its tokens.
    issuer: Mapped[str] = mapped_column(String(255))
    #: The ``sub`` claim (Entra ID: a pairwise id per application, at most 255 characters).
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
