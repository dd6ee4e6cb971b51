"""Account services: authentication, creating users, roles and team membership.

Services change state and ``flush``; the caller (a route or a CLI command)
commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update

from tracker.audit.services import record
from tracker.auth import throttle
from tracker.auth.models import User, new_session_nonce
from tracker.auth.passwords import hash_password, password_problems, verify_password
from tracker.db import end_transaction
from tracker.enums import Role, TeamRole
from tracker.extensions import db
from tracker.network.models import Organisation, Team, TeamMembership
from tracker.privacy import clean_free_text
from tracker.security_log import security_event, typed_address_ref
from tracker.validation import ValidationError


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


@dataclass(frozen=True)
class LoginResult:
    """Outcome of a login attempt: a user, or why not (``invalid`` / ``throttled``).

    ``retry_after`` is the number of seconds to wait when ``throttled``.
    """

    user: User | None
    reason: str | None = None
    retry_after: int = 0


def authenticate(email: str, password: str, *, client: str, now: datetime) -> LoginResult:
    """Check credentials, throttled per (typed address, client) and per client.

    The same answer for an unknown address, a wrong password, an inactive
    account and an account without a password, so that nobody can probe
    which addresses exist; failures from one client never slow down another
    (see tracker.auth.throttle). Logs the outcome on the security log.
    """
    address = normalise_email(email)[:254]
    user = db.session.scalar(select(User).where(User.email == address))
    target = user if user is not None else typed_address_ref(address)
    decision = throttle.check("login", address, client, now)
    if not decision.allowed:
        security_event("login.throttled", obj=target, result="throttled",
                       detail={"retry_after": decision.retry_after})
        return LoginResult(None, "throttled", decision.retry_after)
    # The hash costs far more than the queries: never hold SQLite's write lock over it
    # (twenty logins at once would queue on it into the busy timeout).
    end_transaction(db.session)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.can_log_in:
        throttle.record_failure("login", address, client, now)
        security_event("login.failed", obj=target, result="failed",
                       detail=_failure_reason(user, password_ok))
        return LoginResult(None, "invalid")
    throttle.clear("login", address, client)
    # Bookkeeping outside the optimistic lock: the moment is kept out of history
    # (USER_COLUMNS_NOT_KEPT), so this UPDATE skips no history row, and it must not bump
    # the account's version: logging in from two tabs at once, or while a beheerder edits
    # the account, is no conflict.
    db.session.execute(update(User).where(User.id == user.id).values(last_login_at=now))
    record("user.login", actor=user, obj=user, summary="Ingelogd")
    db.session.flush()
    security_event("login.ok", user=user, obj=user, result="ok")
    return LoginResult(user)


def _failure_reason(user: User | None, password_ok: bool) -> str:
    """Why a login failed, for the security log only (the visitor sees one answer)."""
    if user is None:
        return "onbekend account"
    if not password_ok:
        return "onjuist wachtwoord"
    return "account inactief" if not user.active else "account zonder wachtwoord"


def end_all_sessions(user: User) -> None:
    """Revoke every session of ``user`` (logout, password change, deactivation)."""
    user.session_nonce = new_session_nonce()


def clean_email(email: str | None) -> str:
    """The address as stored (trimmed, lower case, normalised) or ``ValidationError``."""
    address = normalise_email(email or "")
    if not address:
        raise ValidationError("email", "Vul een e-mailadres in.")
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationError("email", "Dit is geen geldig e-mailadres.") from error


def validate_new_email(email: str, *, existing_id: int | None = None) -> str:
    """A valid address no other account uses."""
    address = clean_email(email)
    clash = db.session.scalar(select(User.id).where(User.email == address))
    if clash is not None and clash != existing_id:
        raise ValidationError("email", "Er bestaat al een account met dit e-mailadres.")
    return address


def create_user(
    *,
    name: str,
    email: str,
    role: Role | str,
    title: str | None = None,
    organisation: Organisation | None = None,
    password: str | None = None,
    actor: User | None = None,
) -> User:
    """Create an account; partners may have no password (they use signed links)."""
    name = clean_free_text(name, field="name", label="Naam", max_length=120)
    address = validate_new_email(email)
    try:
        role = Role(role)
    except ValueError as error:
        raise ValidationError("role", "Kies een bestaande rol.") from error
    user = User(
        name=name,
        email=address,
        role=role,
        title=clean_free_text(title or "", field="title", label="Functie", max_length=120,
                              required=False) or None,
        organisation=organisation,
    )
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    record("user.create", actor=actor, obj=user, summary=f"Account aangemaakt: {user.name}",
           after={"name": user.name, "email": user.email, "role": user.role.value})
    return user


def set_password(user: User, password: str) -> None:
    problems = password_problems(password, email=user.email)
    if problems:
        raise ValidationError("password", " ".join(problems))
    user.password_hash = hash_password(password)
    if user.id is not None:
        end_all_sessions(user)


def update_user(user: User, *, role: Role | str, active: bool, actor: User) -> User:
    """Change role and active flag; deactivation ends every session of the user."""
    try:
        role = Role(role)
    except ValueError as error:
        raise ValidationError("role", "Kies een bestaande rol.") from error
    if user.id == actor.id and (role != user.role or not active):
        raise ValidationError("role", "U kunt uw eigen rol of account niet wijzigen.")
    before = {"role": user.role.value, "active": user.active}
    user.role = role
    if user.active and not active:
        end_all_sessions(user)
    user.active = active
    db.session.flush()
    record("user.update", actor=actor, obj=user, summary=f"Account gewijzigd: {user.name}",
           before=before, after={"role": role.value, "active": active})
    return user


def set_salutation(user: User, salutation: str | None, *, actor: User) -> User:
    """Store how mail addresses ``user`` (None: the default from the name); audited. Flushes."""
    before = {"salutation": user.salutation}
    user.salutation = salutation
    db.session.flush()
    record("user.salutation", actor=actor, obj=user, summary=f"Aanhef gewijzigd: {user.name}",
           before=before, after={"salutation": salutation})
    return user


def set_membership(team: Team, user: User, role: TeamRole | str, *, actor: User | None) -> None:
    """Put ``user`` in ``team`` with ``role`` (replacing their role there)."""
    try:
        role = TeamRole(role)
    except ValueError as error:
        raise ValidationError("team_role", "Kies een bestaande rol in het team.") from error
    membership = db.session.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team.id, TeamMembership.user_id == user.id
        )
    )
    before = {"role": membership.role.value} if membership else None
    if role == TeamRole.TREKKER:
        current = db.session.scalar(
            select(TeamMembership).where(
                TeamMembership.team_id == team.id, TeamMembership.role == TeamRole.TREKKER
            )
        )
        if current is not None and current.user_id != user.id:
            raise ValidationError(
                "team_role", f"{team.short_name} heeft al een trekker: {current.user.name}."
            )
    if membership is None:
        membership = TeamMembership(team=team, user=user, role=role)
        db.session.add(membership)
    else:
        membership.role = role
    db.session.flush()
    record("team.member_set", actor=actor, obj=team,
           summary=f"{user.name} is {role.label.lower()} van {team.short_name}",
           before=before, after={"user_id": user.id, "role": role.value})


def remove_membership(team: Team, user: User, *, actor: User | None) -> bool:
    # Locked: of two beheerders removing the same person at once, the second waits and
    # then finds nothing to remove (instead of deleting a row that is gone).
    membership = db.session.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team.id, TeamMembership.user_id == user.id
        ).with_for_update()
    )
    if membership is None:
        return False
    before = {"user_id": user.id, "role": membership.role.value}
    db.session.delete(membership)
    db.session.flush()
    record("team.member_remove", actor=actor, obj=team,
           summary=f"{user.name} uit {team.short_name} verwijderd", before=before)
    return True
