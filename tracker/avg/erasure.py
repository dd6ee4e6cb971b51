"""Erasing a person (AVG art. 17): a stable pseudonym everywhere, history included.

What is replaced, and why some things are kept, is explained in ``docs/privacy.md``:
the person's name and e-mail address become a pseudonym in every text column of every
table (history tables, audit journal, outbox and JSON columns included); the text they
wrote themselves (comments, RSVP remarks) is removed; the account is deactivated, its
sessions and calendar link end and its password is dropped. Published report editions
are archive records (Archiefwet 1995) and are kept as published.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from markupsafe import escape
from sqlalchemy import Table, Text, cast, delete, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy_continuum import version_class

from tracker.actions.models import ActionComment
from tracker.audit.services import record
from tracker.auth.drafts import discard_drafts
from tracker.auth.models import MFA_COLUMNS, OidcIdentity, RecoveryCode, User
from tracker.auth.services import end_all_sessions
from tracker.avg.tables import all_tables, is_history, is_json, is_text, mapped_class
from tracker.events.models import Invitation
from tracker.extensions import db
from tracker.history import USER_COLUMNS_NOT_KEPT, rewrite_history
from tracker.notifications.models import OutboxMessage, OutboxStatus
from tracker.report.models import ReportRender
from tracker.report.renders import FORMATS as RENDER_FORMATS
from tracker.validation import ValidationError

#: Tables kept as they were: published report editions are archive records
#: (Archiefwet 1995, AVG art. 17(3)(b) and (d)); see docs/privacy.md.
KEPT_TABLES = frozenset({"report_editions"})
#: A name shorter than this is not searched for in free text ("Jan" would also hit
#: "januari"); the account row and history are pseudonymised regardless.
MIN_NAME_LENGTH = 4
#: Account columns emptied on erasure besides the secrets kept out of history
#: (``USER_COLUMNS_NOT_KEPT``, e.g. a second factor's secret): the function title (with
#: the organisation a title points at one person), the form of address (it names them)
#: and the work phone number (it points at one person).
ACCOUNT_COLUMNS_CLEARED: dict[str, Any] = {"title": None, "salutation": None, "phone": None}
#: JSON columns whose text is base64-encoded (mail attachments: an .ics names its attendees
#: and organiser): searched row by row, decoded, since SQL cannot see inside.
ENCODED_COLUMNS = frozenset({"outbox_messages.attachments"})
COMMENT_REMOVED = "Opmerking verwijderd: de schrijver is gewist (AVG)."
PSEUDONYM_DOMAIN = "gewist.invalid"


@dataclass(frozen=True)
class Pseudonym:
    """What stands in for an erased person: ``Persoon 7F3A9C`` and a non-routable address."""

    name: str
    email: str


@dataclass
class ErasureReport:
    """What an erasure changed: rows per table (history tables included)."""

    pseudonym: Pseudonym
    rows: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        tables = ", ".join(f"{name} {count}" for name, count in sorted(self.rows.items()))
        return f"Gewist als {self.pseudonym.name}; aangepaste rijen: {tables or 'geen'}"


def pseudonym_for(user_id: int) -> Pseudonym:
    """The stable pseudonym of user ``user_id``: the same on every call, not guessable
    from the id without the application's secret key."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    code = hmac.new(secret, f"avg-pseudonym:{user_id}".encode(), hashlib.sha256).hexdigest()
    code = code[:6].upper()
    # The id keeps the address unique (users.email is); .invalid never routes mail.
    return Pseudonym(f"Persoon {code}", f"persoon-{code.lower()}-{user_id}@{PSEUDONYM_DOMAIN}")


def is_erased(user: User) -> bool:
    """True when the account already carries its pseudonym."""
    return user.name == pseudonym_for(user.id).name


def erase_person(user: User, *, actor: User | None, now: datetime,
                 reason: str = "verzoek") -> ErasureReport:
    """Replace ``user``'s name and address by their pseudonym in every table and its history,
    remove the text they wrote, deactivate the account and end its sessions. Flushes only.

    Raises ``ValidationError`` (field ``confirm``) when the account is the actor's own or
    was erased before. Returns the rows changed per table.
    """
    if actor is not None and actor.id == user.id:
        raise ValidationError("confirm", "U kunt uw eigen account niet wissen.")
    if is_erased(user):
        raise ValidationError("confirm", "Deze persoon is al gewist.")
    session = db.session
    pseudonym = pseudonym_for(user.id)
    report = ErasureReport(pseudonym)
    replacements = _replacements(session, user, pseudonym)

    _remove_own_text(session, user, now, report)
    user.name, user.email, user.active = pseudonym.name, pseudonym.email, False
    for column, value in _account_columns_cleared().items():
        setattr(user, column, value)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    # The link to a work account: an erased person no longer logs in by it.
    session.execute(delete(OidcIdentity).where(OidcIdentity.user_id == user.id))
    discard_drafts(user)  # typed text kept when a session ended: their own words
    # Report files made in the background name people and cannot be rewritten; they are
    # a cache of two days at most, made anew when asked (an edition's request is scrubbed
    # as text below).
    report.rows["report_renders"] += session.execute(
        delete(ReportRender).where(ReportRender.fmt.in_(RENDER_FORMATS))).rowcount or 0
    end_all_sessions(user)
    report.rows["users"] += 1
    session.flush()

    # Other people's accounts are theirs: a name that is also a phrase ("Secretariaat")
    # must not change a colleague's title. The person's own rows were done above.
    kept = KEPT_TABLES | {"users", "users_version"}
    live = [t for t in all_tables() if not is_history(t) and t.name not in kept]
    for table in live:
        report.rows[table.name] += _scrub_table(session, table, replacements)
    # The ORM changes above wrote new history rows; now rewrite every past version.
    session.flush()
    report.rows["users_version"] += rewrite_history(
        session, User, user.id, name=pseudonym.name, email=pseudonym.email,
        **ACCOUNT_COLUMNS_CLEARED)
    for table in all_tables():
        if is_history(table) and table.name not in kept:
            report.rows[table.name] += _scrub_table(session, table, replacements)
    record("person.erase", actor=actor, obj=user, summary=f"Persoon gewist ({reason}): "
           f"{pseudonym.name}", after={"pseudonym": pseudonym.name, "reason": reason})
    session.flush()
    report.rows = Counter({k: v for k, v in report.rows.items() if v})
    return report


def _account_columns_cleared() -> dict[str, Any]:
    """``ACCOUNT_COLUMNS_CLEARED`` plus every nullable secret of the account (None)."""
    columns = User.__table__.c
    secrets = {name: None for name in (*USER_COLUMNS_NOT_KEPT, *MFA_COLUMNS)
               if name in columns and columns[name].nullable}
    return {**secrets, **ACCOUNT_COLUMNS_CLEARED}


def _replacements(session: Session, user: User, pseudonym: Pseudonym) -> list[tuple[str, str]]:
    """``(needle, substitute)``: every address and name the person has had (history too),
    addresses first (a partner's name is often the start of it: "m.jansen"), longest first."""
    versions = version_class(User)
    past = session.execute(select(versions.name, versions.email).where(versions.id == user.id)).all()
    emails = {user.email, *(email for _, email in past if email)}
    names = {n.strip() for n in {user.name, *(name for name, _ in past if name)}
             if len(n.strip()) >= MIN_NAME_LENGTH}
    pairs = ([(e, pseudonym.email) for e in sorted(emails, key=len, reverse=True)]
             + [(n, pseudonym.name) for n in sorted(names, key=len, reverse=True)])
    # Mail HTML holds the name escaped ("Van &#39;t Hof").
    escaped = [(str(escape(n)), s) for n, s in pairs if str(escape(n)) != n]
    return pairs + escaped


def _remove_own_text(session: Session, user: User, now: datetime, report: ErasureReport) -> None:
    """Comments and RSVP remarks are the person's own words: removed, not pseudonymised.
    Mail still waiting for them is not sent."""
    for comment in session.scalars(select(ActionComment).where(ActionComment.author_id == user.id)):
        comment.text = COMMENT_REMOVED
        report.rows["action_comments"] += 1
    for invitation in session.scalars(select(Invitation).where(Invitation.user_id == user.id,
                                                               Invitation.remark != "")):
        invitation.remark = ""
        report.rows["invitations"] += 1
    # Calendar replies from the person (also unmatched ones sent from their address):
    # their own words and address, kept only to show the organiser; removed.
    from tracker.events.itip import ItipReply

    own = or_(ItipReply.invitation_id.in_(select(Invitation.id).where(
                  Invitation.user_id == user.id)),
              func.lower(ItipReply.attendee_email) == user.email.lower())
    for reply in session.scalars(select(ItipReply).where(own)):
        reply.attendee_email = reply.attendee_name = reply.comment = None
        report.rows["itip_replies"] += 1
    for message in session.scalars(select(OutboxMessage).where(
            OutboxMessage.user_id == user.id, OutboxMessage.status == OutboxStatus.QUEUED)):
        message.status = OutboxStatus.FAILED
        message.last_error = "Niet verzonden: de ontvanger is gewist (AVG)."
        report.rows["outbox_messages"] += 1


def _scrub_table(session: Session, table: Table, replacements: list[tuple[str, str]]) -> int:
    """Replace every needle in every text column of ``table``; return the rows changed.

    Live rows of a model go through the ORM (history and optimistic locking see the
    change); history tables and tables without a model are rewritten directly.
    """
    columns = [c for c in table.columns if is_text(c)]
    if not columns:
        return 0
    model = mapped_class(table)
    keys = list(table.primary_key.columns)
    changed = 0
    for column in columns:
        encoded = f"{table.name}.{column.name}" in ENCODED_COLUMNS
        condition = column.is_not(None) if encoded else _mentions(column, replacements)
        rows = session.execute(select(*keys, column).where(condition)).all()
        for row in rows:
            new = _replace(row[-1], replacements, column)
            if new == row[-1]:
                continue
            pk = tuple(row[:-1])
            if model is not None:
                obj = session.get(model, pk if len(pk) > 1 else pk[0])
                attr = model.__mapper__.get_property_by_column(column).key
                setattr(obj, attr, new)
            else:
                session.execute(table.update().where(
                    *(k == v for k, v in zip(keys, pk, strict=True))).values({column.name: new}))
            changed += 1
    return changed


def _mentions(column, replacements: list[tuple[str, str]]):
    """SQL: the column's text holds a needle (as typed, or JSON-escaped), case-insensitively."""
    text = func.lower(cast(column, Text))
    conditions = []
    for needle, _ in replacements:
        for form in {needle.lower(), json.dumps(needle)[1:-1].lower()}:
            escaped = form.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(text.like(f"%{escaped}%", escape="\\"))
    return or_(*conditions)


def _replace(value: Any, replacements: list[tuple[str, str]], column) -> Any:
    if isinstance(value, str):
        for needle, substitute in replacements:
            value = re.sub(re.escape(needle), substitute, value, flags=re.IGNORECASE)
        length = getattr(column.type, "length", None) if not is_json(column) else None
        return value[:length] if length else value
    if isinstance(value, list):
        return [_replace(v, replacements, column) for v in value]
    if isinstance(value, dict):
        if isinstance(value.get("data"), str) and str(value.get("content_type", "")).startswith(
                "text/"):
            return {**value, "data": _replace_encoded(value["data"], replacements, column)}
        return {_replace(k, replacements, column): _replace(v, replacements, column)
                for k, v in value.items()}
    return value


def _replace_encoded(data: str, replacements: list[tuple[str, str]], column) -> str:
    """Replace inside a base64 text attachment; an .ics is unfolded first (RFC 5545 folds
    long lines, which could split a name)."""
    try:
        text = base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return data
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    replaced = _replace(unfolded, replacements, column)
    if replaced == unfolded:
        return data
    return base64.b64encode(replaced.encode("utf-8")).decode("ascii")
