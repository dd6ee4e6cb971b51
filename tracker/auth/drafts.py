"""What was typed when a session ended: kept encrypted for the account, restored after login.

A POST (form or htmx) that arrives after the session expired (idle 30 minutes, absolute
12 hours) or was revoked is not carried out. When the account the session belonged to is
known (the signed session cookie still names it), the submitted values are kept as a
:class:`Draft`: encrypted with the data key (:mod:`tracker.crypto`), never the CSRF token
or a password, for at most :data:`DRAFT_LIFETIME`. After that account logs in again it
returns to the page it was on; the page offers the values again in the form and says the
change was *not* saved. Nothing is replayed: the user checks and submits again.

A draft is shown once (the session remembers which page gets it) and removed by the next
POST of that account, by expiry, or by the AVG erasure of the account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import g, request, session
from sqlalchemy import ForeignKey, String, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from tracker.auth.redirects import safe_next_url
from tracker.crypto import decrypt, encrypt
from tracker.db import UTCDateTime
from tracker.extensions import db

#: How long a draft is kept when its owner does not log in again.
DRAFT_LIFETIME = timedelta(hours=24)
#: The message on the page after login (the user submits again; nothing is replayed).
NOT_SAVED = "Uw wijziging is nog niet opgeslagen. Controleer de gegevens en verstuur opnieuw."
#: On the login page, right after the refused request.
SESSION_ENDED = ("Uw sessie is verlopen. Uw wijziging is nog niet opgeslagen: log opnieuw in, "
                 "dan ziet u het formulier terug.")
#: On the login page when nothing could be kept (the browser had no session left to name
#: the account: logged out in another tab, cookies cleared): say so, promise nothing.
SESSION_ENDED_NOTHING_KEPT = ("Uw sessie is beëindigd. Wat u net verstuurde is niet "
                              "opgeslagen en kon niet worden bewaard: log opnieuw in en voer "
                              "het nogmaals in.")
#: Submitted names never kept: the CSRF token (a fresh one comes with the page) and secrets.
NEVER_KEPT = ("csrf_token", "password", "wachtwoord", "code", "token")
#: What a refused click did, for the message after login (endpoint -> Dutch wording).
CLICK_LABELS = {
    "actions.done": "Gereed melden",
    "actions.reopen": "Heropenen",
    "actions.cancel": "Laten vervallen",
    "actions.comment": "Reactie plaatsen",
    "actions.update": "Actie opslaan",
    "actions.create": "Actie toevoegen",
}
#: Session key: {page path: draft id} of drafts to show once after login.
SESSION_KEY = "drafts_to_show"
#: Session key: ids of drafts shown on a page; the next POST of the account removes them.
SHOWN_KEY = "drafts_shown"
MAX_KEPT_CHARACTERS = 100_000


class Draft(db.Model):
    """The values of one refused form submission, for the account whose session ended."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The account the ended session belonged to; only it gets the values back.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The page the form was on (local path and query), where login returns to.
    page: Mapped[str] = mapped_column(String(2000))
    #: The path the form was posted to (which form on the page gets the values).
    form_action: Mapped[str] = mapped_column(String(2000))
    #: The endpoint of ``form_action`` (wording of the message for one-click buttons).
    endpoint: Mapped[str] = mapped_column(String(120))
    #: JSON ``{name: [values]}`` encrypted with the data key (Fernet token).
    values_token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


@dataclass(frozen=True)
class RestoredDraft:
    """A draft as a page shows it: which form, the values, and the wording of the notice."""

    form_action: str
    values: dict[str, list[str]]
    label: str | None

    def value(self, name: str, default: str = "") -> str:
        """The first kept value of field ``name`` (``default`` when none was kept)."""
        kept = self.values.get(name)
        return kept[0] if kept else default

    def as_json(self) -> str:
        return json.dumps({"action": self.form_action, "values": self.values})


def kept_values(form) -> dict[str, list[str]]:
    """The submitted values worth keeping: every name but the CSRF token and secrets.

    ``form`` is a werkzeug ``MultiDict``; returns ``{name: [values]}`` (empty when the
    values together exceed :data:`MAX_KEPT_CHARACTERS`).
    """
    values = {name: form.getlist(name) for name in form
              if not any(word in name.lower() for word in NEVER_KEPT)}
    if sum(len(v) for vs in values.values() for v in vs) > MAX_KEPT_CHARACTERS:
        return {}
    return values


def origin_page(req=None) -> str | None:
    """The local page the request was made from (htmx's ``HX-Current-URL``, else the
    ``Referer``), as a safe ``/path?query``; None when it is another site or unknown."""
    req = req or request
    for header in ("HX-Current-URL", "Referer"):
        address = req.headers.get(header)
        if not address:
            continue
        parts = urlsplit(address)
        if parts.netloc and parts.netloc != req.host:
            return None
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return safe_next_url(path, "") or None
    return None


def ended_session_account() -> int | None:
    """The account id the ended or revoked session named, if any.

    Set by the session limits (:mod:`tracker.auth.sessions`) when they end a timed-out
    session (also kept in the cleared session, for a second tab); for a revoked session
    the signed cookie still holds ``user_id:nonce``.
    """
    from tracker.auth.sessions import ENDED_ACCOUNT_KEY

    ended = g.get("ended_session_user_id") or session.get(ENDED_ACCOUNT_KEY)
    if isinstance(ended, int):
        return ended
    user_id = str(session.get("_user_id") or "").partition(":")[0]
    return int(user_id) if user_id.isdigit() else None


def keep_draft(user_id: int, *, page: str, now: datetime) -> Draft | None:
    """Keep the current POST's values for ``user_id`` (flushes); None when nothing to keep.

    Expired drafts of anyone are removed on the way (they are never shown).
    """
    from tracker.auth.models import User

    db.session.execute(delete(Draft).where(Draft.expires_at <= now))
    owner = db.session.get(User, user_id)
    if owner is None or not owner.active:  # a deactivated or erased account gets nothing back
        return None
    draft = Draft(user_id=user_id, page=page, form_action=request.path,
                  endpoint=request.endpoint or "",
                  values_token=encrypt(json.dumps(kept_values(request.form))),
                  created_at=now, expires_at=now + DRAFT_LIFETIME)
    db.session.add(draft)
    db.session.flush()
    return draft


def pending_drafts(user, now: datetime) -> list[Draft]:
    """``user``'s unexpired drafts, newest first."""
    return list(db.session.scalars(
        select(Draft).where(Draft.user_id == user.id, Draft.expires_at > now)
        .order_by(Draft.created_at.desc(), Draft.id.desc())))


def after_login(user, next_url: str, now: datetime) -> tuple[str, str | None]:
    """Where to go after a login and the notice to flash there.

    With a pending draft: its page (unless ``next_url`` names another page) and
    :data:`NOT_SAVED`; the session remembers which page shows which draft. Otherwise
    ``(next_url, None)``. Call after :func:`tracker.auth.sessions.start_session`.
    """
    drafts = pending_drafts(user, now)
    if not drafts:
        return next_url, None
    by_page: dict[str, int] = {}
    for draft in reversed(drafts):  # the newest wins for a page
        by_page[draft.page] = draft.id
    session[SESSION_KEY] = by_page
    target = next_url if next_url in by_page else drafts[0].page
    notice = NOT_SAVED
    shown = next(d for d in drafts if d.id == by_page[target])
    label = CLICK_LABELS.get(shown.endpoint)
    if label:
        notice += f" Niet uitgevoerd: “{label}”."
    return target, notice


def restore_for_page(user, path: str, now: datetime) -> RestoredDraft | None:
    """The draft to show on ``path`` right after login, once; None otherwise (no query
    unless the session names this page)."""
    by_page = session.get(SESSION_KEY)
    if not by_page or path not in by_page:
        return None
    draft_id = by_page.pop(path)
    session[SESSION_KEY] = by_page
    if not by_page:
        session.pop(SESSION_KEY)
    draft = db.session.get(Draft, draft_id)
    session[SHOWN_KEY] = [*session.get(SHOWN_KEY, []), draft_id]
    if draft is None or draft.user_id != user.id or draft.expires_at <= now:
        return None
    try:
        values = json.loads(decrypt(draft.values_token))
    except ValueError:  # the data key was rotated away: nothing to offer
        return None
    return RestoredDraft(draft.form_action, values, CLICK_LABELS.get(draft.endpoint))


def restored_value(form_action: str, name: str) -> str:
    """The kept value of ``name`` when this page restores the form posted to
    ``form_action`` (so a view can fill its field without JavaScript); "" otherwise."""
    draft = g.get("restored_draft")
    if draft is None or draft.form_action != form_action:
        return ""
    return draft.value(name)


def discard_drafts(user, ids: list[int] | None = None) -> None:
    """Remove ``user``'s drafts (flushes), only ``ids`` when given: shown and then
    submitted again, or the account is erased."""
    condition = Draft.user_id == user.id
    if ids is not None:
        condition = condition & Draft.id.in_(ids)
    db.session.execute(delete(Draft).where(condition))


def purge_expired(now: datetime) -> int:
    """Remove every expired draft (flushes); returns how many."""
    return db.session.execute(delete(Draft).where(Draft.expires_at <= now)).rowcount or 0
