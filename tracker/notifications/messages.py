"""The e-mails: one function per kind, each rendering ``email/<name>.txt`` and ``.html``.

Every message carries a signed one-click unsubscribe link (a page whose button
POSTs) and the ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from markupsafe import Markup, escape

from tracker.formatting import days
from tracker.notifications import secret_links
from tracker.notifications.outbox import Email

UNSUBSCRIBE_SALT = "tracker.notifications.unsubscribe"
#: What an unsubscribe link switches off.
UNSUBSCRIBE_TOPICS = ("digest", "reminders")
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 90  # seconds: three months


def external_url(endpoint: str, _anchor: str | None = None, **values) -> str:
    """An absolute URL under ``TRACKER_BASE_URL``, built without a request."""
    url = _adapter(current_app.url_map, current_app.config["TRACKER_BASE_URL"]).build(
        endpoint, values, force_external=True)
    return f"{url}#{_anchor}" if _anchor else url


@lru_cache(maxsize=16)
def _adapter(url_map, base_url: str):
    """The URL adapter for ``base_url`` (bound once per app and base, not per link)."""
    base = urlsplit(base_url)
    return url_map.bind(base.netloc, script_name=base.path or "/",
                        url_scheme=base.scheme or "https")


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


DONE_SALT = "tracker.actions.done-link"
DONE_MAX_AGE = 60 * 60 * 24 * 14  # seconds: two weeks after delivery


def _done_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DONE_SALT)


def done_token(user_id: int, action_ids: list[int]) -> str:
    """A signed token for one person's "gereed" links in one bundle: this user, these actions.

    Signed at delivery (``secret_links``), so its age counts from the moment of sending.
    """
    return _done_serializer().dumps({"u": user_id, "a": sorted(set(action_ids))})


def read_done_token(token: str) -> tuple[int, frozenset[int]]:
    """``(user_id, action ids)`` of a genuine, unexpired token.

    Raises ``tracker.events.tokens.TokenError`` with status 410 when it expired
    (``TRACKER_DONE_LINK_MAX_AGE`` seconds, default two weeks) and 400 otherwise.
    """
    from tracker.events.tokens import TokenError

    age = current_app.config.get("TRACKER_DONE_LINK_MAX_AGE", DONE_MAX_AGE)
    try:
        data = _done_serializer().loads(token, max_age=age)
    except SignatureExpired as error:
        raise TokenError(410) from error
    except BadSignature as error:
        raise TokenError(400) from error
    if (not isinstance(data, dict) or type(data.get("u")) is not int
            or not isinstance(data.get("a"), list)
            or not all(type(a) is int for a in data["a"])):
        raise TokenError(400)
    return data["u"], frozenset(data["a"])


def _claims(user_id: int, topic: str, link_claims: dict[str, dict] | None = None) -> dict:
    """The claims of a message's secret links: ``link_claims`` and the unsubscribe link."""
    if topic not in UNSUBSCRIBE_TOPICS:
        raise ValueError(topic)
    claims: dict[str, dict] = {}
    for kind, values in (link_claims or {}).items():
        secret_links.merge(claims, kind, values)
    secret_links.merge(claims, "unsubscribe", {"u": user_id, "t": topic})
    return claims


def _render(name: str, user, to: str, subject: str, topic: str, *,
            link_claims: dict[str, dict] | None = None, **context) -> Email:
    """Render ``email/<name>``; token links hold placeholders, signed at delivery.

    ``link_claims`` adds the claims of further secret links in ``context`` (such
    as an RSVP link built with :func:`secret_url`).
    """
    claims = _claims(user.id, topic, link_claims)
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


def action_bundle(user, overdue: list, soon: list, notices: list, today) -> Email:
    """To one person, at most once a day: all their overdue and soon-due actions
    (``(action, days)`` pairs: days overdue / days left), each with a signed "gereed"
    link, and the notices they chose to get in the bundle."""
    ids = [a.id for a, _ in [*overdue, *soon]]
    claims = {"done": {"u": user.id, "a": sorted(ids)}} if ids else None
    parts = []
    if overdue:
        parts.append(f"{len(overdue)} te laat")
    if soon:
        parts.append(f"{len(soon)} binnenkort")
    if notices:
        parts.append(f"{len(notices)} {'melding' if len(notices) == 1 else 'meldingen'}")
    subject = f"Uw acties: {', '.join(parts)}" if parts else "Uw acties"
    token = secret_links.placeholder("done")
    return _render("action_bundle", user, user.email, subject, "reminders",
                   link_claims=claims, overdue=overdue, soon=soon, notices=notices,
                   notice_url=notice_url,
                   done_url=lambda action: external_url("notifications.done", token=token,
                                                        action_id=action.id),
                   action_url=lambda action: external_url("actions.detail",
                                                          action_id=action.id))


def escalation_bundle(trekker, items: list) -> Email:
    """To a team's trekker, at most once a day: the actions (``(action, days overdue)``)
    that went over the team's limit since the last such mail."""
    teams = sorted({a.team.short_name for a, _ in items})
    subject = (f"Escalatie: {len(items)} {'actie' if len(items) == 1 else 'acties'} "
               f"lang over de datum ({', '.join(teams)})")
    return _render("action_escalation", trekker, trekker.email, subject[:300], "reminders",
                   items=items,
                   action_url=lambda action: external_url("actions.detail",
                                                          action_id=action.id))


NOTICE_SUBJECTS = {"assigned": "Aan u toegewezen", "comment": "Nieuwe reactie",
                   "changed": "Uw actie is gewijzigd", "event": "Bijeenkomst gewijzigd"}


def notice_url(notice) -> str:
    """The page of the action or meeting a notice is about."""
    arg = "action_id" if notice.endpoint == "actions.detail" else "event_id"
    return external_url(notice.endpoint, **{arg: notice.object_id})


def notice_email(user, notice) -> Email:
    """One notice (``notices.Notice``) sent directly."""
    subject = f"{NOTICE_SUBJECTS[notice.kind]}: {notice.title}"
    return _render("notice", user, user.email, subject[:300], "reminders", notice=notice,
                   url=notice_url(notice))


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


def _each(store: dict) -> Callable:
    """For the digest's templates: ``each(fmt, lines, macro, *args)`` is the lines rendered
    by ``macro`` and joined, each line (or team's block of lines) rendered once.

    Digests built from one network share their line objects (``shared`` in
    :func:`tracker.notifications.digest.build_digest`), so a job renders each line once
    per format and argument, not once per digest; the rest is a join. The store keeps
    each line alive with its text, so an object's id is never reused meanwhile.
    """
    def each(fmt: str, lines, macro, *args):
        parts = []
        for line in lines:
            key = (fmt, macro.name, args, id(line))
            hit = store.get(key)
            if hit is None:
                text = macro(line, *args)
                if fmt == "html" and not isinstance(text, Markup):
                    raise TypeError(f"{macro.name} gaf geen Markup")
                hit = store[key] = (line, text)
            parts.append(hit[1])
        if fmt != "html":
            return "".join(parts)
        # Every part is a macro's output under autoescape (checked when it was stored).
        return Markup("".join(parts))  # noqa: S704

    return each


def digest_email(user, digest, horizon_weeks: int = 8, *, lines: dict | None = None) -> Email:
    """The mayors' digest (weekly or daily). ``lines``: a store of rendered lines the
    caller keeps for the digests of one run (see :func:`_each`)."""
    from tracker.enums import PilotStatus

    return _render("digest", user, user.email, digest.subject, "digest", digest=digest,
                   horizon=horizon_weeks, response_text=lambda r: RESPONSES.get(r, r),
                   pilot_label=lambda value: PilotStatus(value).label, owner_text=owner_text,
                   each=_each({} if lines is None else lines))


def digest_emails(people: list, digest, horizon_weeks: int = 8, *,
                  lines: dict | None = None) -> list[Email]:
    """``digest`` for each of ``people`` (``(user, greeting)`` pairs), rendered once.

    For people whose digests differ only in the greeting (equal
    :func:`tracker.notifications.digest.content_key`): the templates are rendered
    once with a marker for the greeting, which each person's copy replaces by their
    own (escaped in HTML, as the template would). Each copy has its own address and
    unsubscribe claims; the same as :func:`digest_email` per person.
    """
    if not people:
        return []
    marker = f"greeting-{secrets.token_hex(16)}"
    first = digest_email(people[0][0], dataclasses.replace(digest, greeting=marker),
                         horizon_weeks, lines=lines)
    return [Email(to=[user.email], subject=first.subject,
                  text=first.text.replace(marker, greeting),
                  html=first.html.replace(marker, str(escape(greeting))),
                  headers=dict(first.headers), link_claims=_claims(user.id, "digest"))
            for user, greeting in people]


def owner_text(name: str | None) -> str:
    """Who to call about an action: ``eigenaar Piet Jansen``, or ``geen eigenaar``."""
    return f"eigenaar {name}" if name else "geen eigenaar"


#: Where the body of a mail ends and the footer (preferences, unsubscribe) begins (RFC 3676).
SIGNATURE_SEPARATOR = "\n-- \n"


def body_without_footer(text: str) -> str:
    """A mail's plain text up to its footer: what a page may show of it (no token links)."""
    return text.split(SIGNATURE_SEPARATOR, 1)[0].rstrip() + "\n"
