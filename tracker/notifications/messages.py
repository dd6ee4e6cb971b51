"""The e-mails: one function per kind, each rendering ``email/<name>.txt`` and ``.html``.

Every message carries a signed one-click unsubscribe link (a page whose button
POSTs) and the ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tracker.formatting import days
from tracker.notifications import secret_links
from tracker.notifications.outbox import Email

UNSUBSCRIBE_SALT = "tracker.notifications.unsubscribe"
#: What an unsubscribe link switches off.
UNSUBSCRIBE_TOPICS = ("digest", "reminders")
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 90  # seconds: three months


def external_url(endpoint: str, _anchor: str | None = None, **values) -> str:
    """An absolute URL under ``TRACKER_BASE_URL``, built without a request."""
    base = urlsplit(current_app.config["TRACKER_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{_anchor}" if _anchor else url


def secret_url(endpoint: str, kind: str, **values) -> str:
    """:func:`external_url` with the placeholder of a ``kind`` secret link as its ``token``."""
    return external_url(endpoint, token=secret_links.placeholder(kind), **values)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, topic: str) -> str:
    """A signed, purpose-bound token: this user, this kind of mail."""
    if topic not in UNSUBSCRIBE_TOPICS:
        raise ValueError(topic)
    return _serializer().dumps({"u": user_id, "t": topic})


def read_unsubscribe_token(token: str, max_age: int | None = None) -> tuple[int, str] | None:
    """``(user_id, topic)`` for a valid, unexpired token; None otherwise."""
    age = current_app.config.get("TRACKER_UNSUBSCRIBE_MAX_AGE", UNSUBSCRIBE_MAX_AGE)
    try:
        data = _serializer().loads(token, max_age=max_age if max_age is not None else age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or data.get("t") not in UNSUBSCRIBE_TOPICS:
        return None
    if not isinstance(data.get("u"), int):
        return None
    return data["u"], data["t"]


def _render(name: str, user, to: str, subject: str, topic: str, *,
            link_claims: dict[str, dict] | None = None, **context) -> Email:
    """Render ``email/<name>``; token links hold placeholders, signed at delivery.

    ``link_claims`` adds the claims of further secret links in ``context`` (such
    as an RSVP link built with :func:`secret_url`).
    """
    if topic not in UNSUBSCRIBE_TOPICS:
        raise ValueError(topic)
    claims: dict[str, dict] = {}
    for kind, values in (link_claims or {}).items():
        secret_links.merge(claims, kind, values)
    secret_links.merge(claims, "unsubscribe", {"u": user.id, "t": topic})
    token = secret_links.placeholder("unsubscribe")
    unsubscribe_page = external_url("notifications.unsubscribe", token=token)
    one_click = external_url("notifications.unsubscribe_one_click", token=token)
    context.update(
        user=user,
        subject=subject,
        unsubscribe_url=unsubscribe_page,
        preferences_url=external_url("notifications.preferences"),
        app_url=external_url("network.dashboard"),
        external_url=external_url,
    )
    return Email(
        to=[to],
        subject=subject,
        text=render_template(f"email/{name}.txt", **context),
        html=render_template(f"email/{name}.html", **context),
        headers={
            "List-Unsubscribe": f"<{one_click}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
        link_claims=claims,
    )


def action_reminder(action, user, days_left: int) -> Email:
    """To the owner: the action is due in ``days_left`` days (negative: overdue)."""
    if days_left < 0:
        subject = f"Actie over de datum: {action.title}"
    elif days_left == 0:
        subject = f"Actie vandaag gereed: {action.title}"
    else:
        subject = f"Herinnering: actie gereed over {days(days_left)}"
    return _render("action_reminder", user, user.email, subject, "reminders",
                   action=action, days_left=days_left)


def action_escalation(action, trekker, days_overdue: int) -> Email:
    """To the team's trekker: an action is overdue for more than the team's limit."""
    subject = f"Escalatie: actie {days(days_overdue)} over de datum ({action.team.short_name})"
    return _render("action_escalation", trekker, trekker.email, subject, "reminders",
                   action=action, days_overdue=days_overdue)


def milestone_alert(milestone, user, days_left: int, done: int | None, total: int | None
                    ) -> Email:
    """To the team's chair, trekker and coordinators: a milestone is near or passed."""
    if days_left < 0:
        subject = f"Mijlpaal te laat: {milestone.title}"
    else:
        subject = f"Mijlpaal over {days(days_left)}: {milestone.title}"
    return _render("milestone_alert", user, user.email, subject, "reminders",
                   milestone=milestone, days_left=days_left, done=done, total=total)


def event_reminder(invitation, days_left: int) -> Email:
    """To an invitee: the meeting is soon; says whether they answered."""
    event = invitation.event
    subject = f"Herinnering: {event.title}"
    from tracker.events.mail import greeting, rsvp_claims, rsvp_url

    return _render("event_reminder", invitation.user, invitation.user.email, subject[:300],
                   "reminders", event=event, invitation=invitation, days_left=days_left,
                   greeting=greeting(invitation.user),
                   rsvp_url=rsvp_url(), link_claims=rsvp_claims(invitation))


RESPONSES = {None: "u bent niet uitgenodigd", "": "u heeft nog niet gereageerd",
             "ja": "u komt", "nee": "u komt niet", "misschien": "u komt misschien"}


def digest_email(user, digest, horizon_weeks: int = 8) -> Email:
    """The mayors' digest (weekly or daily)."""
    from tracker.enums import PilotStatus

    return _render("digest", user, user.email, digest.subject, "digest", digest=digest,
                   horizon=horizon_weeks, response_text=lambda r: RESPONSES.get(r, r),
                   pilot_label=lambda value: PilotStatus(value).label, owner_text=owner_text)


def owner_text(name: str | None) -> str:
    """Who to call about an action: ``eigenaar Piet Jansen``, or ``geen eigenaar``."""
    return f"eigenaar {name}" if name else "geen eigenaar"


#: Where the body of a mail ends and the footer (preferences, unsubscribe) begins (RFC 3676).
SIGNATURE_SEPARATOR = "\n-- \n"


def body_without_footer(text: str) -> str:
    """A mail's plain text up to its footer: what a page may show of it (no token links)."""
    return text.split(SIGNATURE_SEPARATOR, 1)[0].rstrip() + "\n"
