"""Mail preferences, the signed unsubscribe page, and the beheerder's outbox viewer."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.admin.forms import SalutationForm
from tracker.auth.models import User
from tracker.auth.permissions import authenticated, can, public, requires
from tracker.auth.services import set_salutation
from tracker.db import utcnow
from tracker.extensions import csrf, db
from tracker.forms import Refusal, form_errors
from tracker.network.models import Team
from tracker.notifications.forms import PreferencesForm, TeamRulesForm
from tracker.notifications.messages import body_without_footer, read_unsubscribe_token
from tracker.notifications.models import DigestFrequency, OutboxMessage, OutboxStatus
from tracker.notifications.preferences import NOTICE_KINDS, NoticeChoice, preferences_for
from tracker.notifications.services import (
    retry_message,
    set_preferences,
    set_team_rules,
    unsubscribe,
)
from tracker.notifications.viewer import (
    attachment_data,
    attachments_of,
    frame_policy,
    kind_label,
)
from tracker.security_log import log_beheerder_actions

bp = Blueprint("notifications", __name__)
outbox_bp = Blueprint("outbox", __name__, url_prefix="/beheer/outbox")
log_beheerder_actions(outbox_bp)

TOPIC_LABELS = {"digest": "het bestuurlijk overzicht", "reminders": "herinneringen en meldingen"}
PAGE_SIZE = 100


def _preferences_page(errors=None, status=200, values=None):
    prefs = preferences_for([current_user])[current_user.id]
    teams = [t for t in db.session.scalars(select(Team).order_by(Team.position, Team.name))
             if can(current_user, "team.edit", t)]
    return render_template(
        "notifications/preferences.html", prefs=prefs, errors=errors or {}, teams=teams,
        digest_options=[(f.value, f.label) for f in DigestFrequency], values=values or {},
        notice_kinds=NOTICE_KINDS, notice_options=[(c.value, c.label) for c in NoticeChoice],
    ), status


@bp.get("/instellingen/meldingen")
@authenticated
def preferences():
    """Your own mail preferences."""
    return _preferences_page()


def _refused_preferences(refusal: Refusal):
    return _preferences_page(refusal.errors, 422)


@bp.post("/instellingen/meldingen")
@authenticated
@form_errors(_refused_preferences)
def save_preferences():
    """Store your digest frequency and whether you want reminders."""
    form = PreferencesForm().parse()
    set_preferences(current_user, digest=form.digest.data, reminders=form.reminders.data,
                    notices=form.notices(), actor=current_user)
    db.session.commit()
    flash("Uw voorkeuren voor e-mail zijn opgeslagen.", "ok")
    return redirect(url_for("notifications.preferences"), code=303)


def _refused_salutation(refusal: Refusal):
    return _preferences_page(refusal.errors, 422, request.form)


@bp.post("/instellingen/aanhef")
@authenticated
@form_errors(_refused_salutation)
def save_salutation():
    """Store how mail addresses you; empty: the default from your name."""
    form = SalutationForm().parse()
    set_salutation(current_user, form.salutation.data, actor=current_user)
    db.session.commit()
    flash("Uw aanhef is opgeslagen.", "ok")
    return redirect(url_for("notifications.preferences"), code=303)


@bp.get("/instellingen/overzicht")
@authenticated
def this_week():
    """Mijn overzicht van deze week: your digest as the job would send it now (changes nothing)."""
    from tracker.clock import now
    from tracker.jobs.digests import this_week as build_this_week

    week = build_this_week(current_user, now())
    return render_template("notifications/this_week.html", week=week,
                           text=body_without_footer(week.email.text),
                           off=week.frequency == DigestFrequency.OFF)


def _load_team(slug: str, **_ignored) -> Team | None:
    return db.session.scalar(select(Team).where(Team.slug == slug))


def _team_rules_page(team: Team, errors=None, values=None, status=200):
    from tracker.jobs.actions import team_rules

    default, per_team = team_rules()
    rules = per_team.get(team.id, default)
    current = {"reminder_days": ",".join(str(d) for d in sorted(rules.reminder_days, reverse=True)),
               "escalation_days": str(rules.escalation_days),
               "overdue_reminder": rules.overdue_reminder}
    return render_template("notifications/team_rules.html", team=team, errors=errors or {},
                           values=values or current), status


@bp.get("/teams/<slug>/herinneringen")
@requires("team.edit", load=_load_team)
def team_rules(slug: str, subject: Team):
    """When this team's action owners are reminded and overdue actions escalate."""
    return _team_rules_page(subject)


def _refused_team_rules(refusal: Refusal, slug: str, subject: Team):
    form = request.form
    values = {"reminder_days": form.get("reminder_days", ""),
              "escalation_days": form.get("escalation_days", ""),
              "overdue_reminder": form.get("overdue_reminder") == "1"}
    return _team_rules_page(subject, refusal.errors, values, 422)


@bp.post("/teams/<slug>/herinneringen")
@requires("team.edit", load=_load_team)
@form_errors(_refused_team_rules)
def save_team_rules(slug: str, subject: Team):
    """Store the team's reminder and escalation rules."""
    form = TeamRulesForm().parse()
    set_team_rules(subject, reminder_days=form.reminder_days.data,
                   overdue_reminder=form.overdue_reminder.data,
                   escalation_days=form.escalation_days.data, actor=current_user)
    db.session.commit()
    flash(f"Herinneringen voor {subject.short_name} opgeslagen.", "ok")
    return redirect(url_for("notifications.team_rules", slug=slug), code=303)


def _token_user(token: str) -> tuple[User, str] | None:
    data = read_unsubscribe_token(token)
    if data is None:
        return None
    user = db.session.get(User, data[0])
    return (user, data[1]) if user is not None else None


@bp.get("/afmelden/<token>", endpoint="unsubscribe")
@public
def unsubscribe_page(token: str):
    """The page a mail's unsubscribe link opens: a button, nothing changes on GET."""
    found = _token_user(token)
    if found is None:
        return render_template("notifications/unsubscribe.html", invalid=True), 404
    return render_template("notifications/unsubscribe.html", invalid=False, token=token,
                           topic=TOPIC_LABELS[found[1]], done=False)


@bp.post("/afmelden/<token>")
@public
def unsubscribe_confirm(token: str):
    """The page's button: switch this kind of mail off."""
    found = _token_user(token)
    if found is None:
        return render_template("notifications/unsubscribe.html", invalid=True), 404
    unsubscribe(*found)
    db.session.commit()
    return render_template("notifications/unsubscribe.html", invalid=False, token=token,
                           topic=TOPIC_LABELS[found[1]], done=True)


@bp.post("/afmelden/<token>/direct")
@public
@csrf.exempt
def unsubscribe_one_click(token: str):
    """RFC 8058 one-click unsubscribe (``List-Unsubscribe-Post``); the signed token authorises."""
    if request.form.get("List-Unsubscribe") != "One-Click":
        abort(400)
    found = _token_user(token)
    if found is None:
        abort(404)
    unsubscribe(*found)
    db.session.commit()
    return "Afgemeld.\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


DONE_LINK_ERRORS = {
    400: "Deze link is ongeldig. Gebruik de link uit de e-mail zoals die is, of meld de actie "
         "gereed in de tracker.",
    403: "Met deze link kunt u deze actie niet gereed melden: de link hoort bij een andere "
         "actie of de actie is niet (meer) van u.",
    404: "Deze actie bestaat niet meer.",
    410: "Deze link is verlopen. Meld de actie gereed in de tracker, of wacht op uw volgende "
         "overzicht.",
}


def _done_target(token: str, action_id: int):
    """``(user, action)`` the link allows, or the HTTP status of the refusal."""
    from tracker.actions.models import Action
    from tracker.events.tokens import TokenError
    from tracker.notifications.messages import read_done_token

    try:
        user_id, action_ids = read_done_token(token)
    except TokenError as error:
        return error.status
    user = db.session.get(User, user_id)
    action = db.session.get(Action, action_id)
    if user is None or not user.active or action_id not in action_ids:
        return 403
    if action is None:
        return 404
    if action.owner_id != user.id:
        return 403
    return user, action


def _done_page(found, token: str, done: bool = False):
    if isinstance(found, int):
        return render_template("notifications/done.html", error=DONE_LINK_ERRORS[found]), found
    user, action = found
    return render_template("notifications/done.html", error=None, action=action, user=user,
                           done=done, closed=action.is_closed, token=token)


@bp.get("/gereed/<token>/<int:action_id>", endpoint="done")
@public
def done_page(token: str, action_id: int):
    """The page a bundle's "gereed melden" link opens: a button, nothing changes on GET."""
    return _done_page(_done_target(token, action_id), token)


@bp.post("/gereed/<token>/<int:action_id>")
@public
def done_confirm(token: str, action_id: int):
    """The page's button: mark this action of the link's holder done."""
    from tracker.actions.services import complete_action

    found = _done_target(token, action_id)
    if isinstance(found, int):
        return _done_page(found, token)
    user, action = found
    if not action.is_closed:
        complete_action(action, expected_version=action.version, actor=user, now=utcnow())
        db.session.commit()
    return _done_page(found, token, done=True)


@outbox_bp.get("")
@requires("outbox.manage")
def index():
    """The outbox: queued, sent and failed messages, newest first."""
    status = request.args.get("status", "")
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(OutboxMessage.status)
    ).all())
    query = select(OutboxMessage).options(selectinload(OutboxMessage.user))
    if status in {s.value for s in OutboxStatus}:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    else:
        status = ""
    messages = db.session.scalars(
        query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(PAGE_SIZE)
    ).all()
    return render_template("notifications/outbox.html", messages=messages, status=status,
                           counts={s: counts.get(s, 0) for s in OutboxStatus},
                           statuses=list(OutboxStatus), page_size=PAGE_SIZE)


def _load_message(message_id: int, **_ignored) -> OutboxMessage | None:
    return db.session.get(OutboxMessage, message_id)


@outbox_bp.get("/<int:message_id>")
@requires("outbox.manage", load=_load_message)
def show(message_id: int, subject: OutboxMessage):
    """One message as it was (or will be) sent: headers, text, the HTML in a frame, attachments."""
    return render_template("notifications/message.html", message=subject,
                           kind=kind_label(subject.kind), attachments=attachments_of(subject))


@outbox_bp.get("/<int:message_id>/html")
@requires("outbox.manage", load=_load_message)
def html_part(message_id: int, subject: OutboxMessage):
    """The message's HTML part (links redacted) for the viewer's sandboxed frame.

    Its own policy (``viewer.frame_policy``): nothing loads or runs, the mail's
    ``<style>`` by hash, framed only by this application.
    """
    if not subject.body_html:
        abort(404)
    response = Response(subject.shown_html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = frame_policy(subject.shown_html)
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@outbox_bp.get("/<int:message_id>/bijlage/<int(min=0):index>")
@requires("outbox.manage", load=_load_message)
def attachment(message_id: int, index: int, subject: OutboxMessage):
    """Download one attachment as stored (secret links are placeholders; text redacted)."""
    found = attachment_data(subject, index)
    if found is None:
        abort(404)
    item, data = found
    # Downloaded, never rendered (``attachment``); a calendar keeps its type for the
    # calendar program, anything else goes as plain bytes.
    calendar = str(item.get("content_type", "")).lower().startswith("text/calendar")
    response = Response(data, mimetype="text/calendar" if calendar else "application/octet-stream")
    response.headers.set("Content-Disposition", "attachment",
                         filename=item.get("filename") or f"bijlage-{index + 1}")
    return response


@outbox_bp.post("/<int:message_id>/opnieuw")
@requires("outbox.manage", load=_load_message)
def retry(message_id: int, subject: OutboxMessage):
    """Queue a failed message again."""
    if subject.status != OutboxStatus.FAILED:
        flash("Alleen een mislukt bericht kan opnieuw worden verzonden.", "warning")
        return redirect(url_for("outbox.show", message_id=message_id), code=303)
    retry_message(subject, actor=current_user, now=utcnow())
    db.session.commit()
    flash("Het bericht staat weer in de wachtrij.", "ok")
    return redirect(url_for("outbox.show", message_id=message_id), code=303)
