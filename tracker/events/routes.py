"""Regional meetings: list, page, create/edit/cancel, invitations, organiser view, RSVP."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from tracker.auth.permissions import can, editable_team_ids, public, requires
from tracker.clock import local_today, now
from tracker.csv_export import csv_response
from tracker.enums import Role, RsvpResponse
from tracker.events.forms import (
    CancelForm,
    EventActionForm,
    EventForm,
    InviteForm,
    MinutesForm,
    RsvpForm,
    SendMinutesForm,
)
from tracker.events.invitations import (
    has_remindable,
    invite,
    remind_non_responders,
    reminder_recipients,
)
from tracker.events.itip import unmatched_replies
from tracker.events.minutes import (
    action_owners,
    action_teams,
    create_action_from_event,
    event_actions,
    minutes_recipients,
    minutes_sent,
    save_minutes,
    send_minutes,
)
from tracker.events.models import Event, Invitation
from tracker.events.queries import (
    TEAMS_AS_LIST,
    event_lists,
    find_organisers,
    find_people,
    find_teams,
    invitation_page,
    invitation_summary,
    invitations_of,
    is_organiser_choice,
    local_day,
    team_count,
    team_list,
    waitlist_place,
)
from tracker.events.rsvp import RsvpClosed, answer
from tracker.events.rules import (
    answer_sentence,
    invitations_closed,
    is_ongoing,
    may_remind,
    rsvp_closed,
)
from tracker.events.services import cancel_event, create_event, update_event
from tracker.events.tokens import TokenError, check_not_expired, read_rsvp_token, rsvp_token
from tracker.extensions import db
from tracker.formatting import long_date, long_datetime
from tracker.forms import Refusal, flash_and_redirect, form_errors
from tracker.guards import search_args
from tracker.htmx import is_fragment
from tracker.network.models import District, Organisation, Team
from tracker.pagination import page_links, page_number
from tracker.validation import ValidationErrors, parse_id
from tracker.xlsx_export import Column, xlsx_bytes, xlsx_response

bp = Blueprint("events", __name__)

RESPONSE_CHOICES = [(r.value, r.label) for r in RsvpResponse]


def load_event(event_id: int, **_ignored) -> Event | None:
    return db.session.scalar(
        select(Event).where(Event.id == event_id)
        .options(selectinload(Event.team).selectinload(Team.memberships),
                 selectinload(Event.organiser), selectinload(Event.minutes))
    )


#: The query argument paging the current meetings (``pagina`` pages the past ones).
CURRENT_PAGE_ARG = "komend"


@bp.get("/events")
@requires("network.view")
def index():
    """A page of current (not yet ended, ongoing ones marked "nu bezig") and a page of
    past meetings, selected and paged in SQL."""
    moment = now()
    upcoming, past = event_lists(current_user, moment,
                                 page_number(request.args, CURRENT_PAGE_ARG),
                                 page_number(request.args))
    upcoming.link = page_links(anchor="komend", arg=CURRENT_PAGE_ARG)
    past.link = page_links(anchor="eerder")
    ongoing = {e.id for e in upcoming if is_ongoing(e, moment)}
    return render_template("events/index.html", upcoming=upcoming, past=past, ongoing=ongoing,
                           can_create=can(current_user, "event.create"))


# --- Create and edit -----------------------------------------------------------------------

#: The region of the event form that the organiser search fills (htmx swaps it).
ORGANISERS_ID = "gevonden-organisatoren"
#: The submit button of the event form that searches organisers instead of saving.
ORGANISER_SEARCH = "organisator_zoeken"
#: The region the team search fills and its submit button (when there are many teams).
TEAMS_ID, TEAM_SEARCH = "gevonden-teams", "team_zoeken"


def _may_choose_team(team_id: int | None) -> bool:
    """Whether ``team_id`` is one of :func:`_team_choices` (checks that one id)."""
    if team_id is None:
        return False
    ids = editable_team_ids(current_user)
    if ids is not None:
        return team_id in ids
    return db.session.scalar(select(Team.id).where(Team.id == team_id)) is not None


def _parse_form() -> EventForm:
    """The submitted event form, its team and organiser checked against what the user may
    choose (the one id submitted, not every choice)."""
    team_id = parse_id(request.form.get("team_id"))
    allowed_teams: set[int | None] = {team_id} if _may_choose_team(team_id) else set()
    if current_user.role == Role.BEHEERDER:
        allowed_teams.add(None)
    organiser_id = parse_id(request.form.get("organiser_id"))
    return EventForm(teams=allowed_teams,
                     organisers={organiser_id} if is_organiser_choice(organiser_id)
                     else set()).parse()


def _organisers_found(values):
    """The organiser search of the event form: ``organiser_zoek`` the words, the chosen
    ``organiser_id`` kept first."""
    return find_organisers(values.get("organiser_zoek"), parse_id(values.get("organiser_id")))


def _teams_offered(values) -> dict:
    """The teams the user may plan for (``team.edit``): a list when few, else a search
    (``team_zoek``) with the chosen ``team_id`` kept first."""
    ids = editable_team_ids(current_user)
    if team_count(ids) <= TEAMS_AS_LIST:
        return {"teams": team_list(ids), "team_search": None}
    return {"teams": None,
            "team_search": find_teams(ids, values.get("team_zoek"),
                                      parse_id(values.get("team_id")))}


def _searching() -> bool:
    """Whether the event form was sent with one of its Zoeken buttons (show it again)."""
    return ORGANISER_SEARCH in request.form or TEAM_SEARCH in request.form


def _form_page(*, event: Event | None, values, errors, status=200, is_conflict=False,
               version=None):
    return render_template(
        "events/form.html", event=event, values=values, errors=errors, is_conflict=is_conflict,
        organisers=_organisers_found(values), **_teams_offered(values),
        organisers_id=ORGANISERS_ID, search_button=ORGANISER_SEARCH,
        teams_id=TEAMS_ID, team_search_button=TEAM_SEARCH,
        version=version if version is not None else event.version if event else None,
        team_optional=current_user.role == Role.BEHEERDER,
    ), status


@bp.get("/events/organisatoren")
@requires("event.create")
@search_args("organiser_zoek")
def organisers():
    """Find an organiser for the event form (``?organiser_zoek=``; at most 20): for htmx
    the results region of the form; without JavaScript the form's own Zoeken button
    searches, so a plain request goes to a new meeting's form."""
    if not is_fragment(target=ORGANISERS_ID):
        return redirect(url_for("events.new"), code=303)
    response = make_response(render_template(
        "events/_organisers_found.html", organisers=_organisers_found(request.args),
        errors={}, oob=True))
    response.vary.add("HX-Request")
    return response


@bp.get("/events/teams")
@requires("event.create")
@search_args("team_zoek")
def teams():
    """Find a team for the event form when there are many (``?team_zoek=``; at most 20):
    for htmx the results region of the form, else (the form's own Zoeken button works
    without JavaScript) a new meeting's form."""
    if not is_fragment(target=TEAMS_ID):
        return redirect(url_for("events.new"), code=303)
    response = make_response(render_template(
        "events/_teams_found.html", errors={}, oob=True,
        team_optional=current_user.role == Role.BEHEERDER,
        team_search=find_teams(editable_team_ids(current_user), request.args.get("team_zoek"),
                               parse_id(request.args.get("team_id")))))
    response.vary.add("HX-Request")
    return response


def _local_input(moment) -> str:
    from tracker.formatting import to_local

    return to_local(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""


@bp.get("/events/new")
@requires("event.create")
def new():
    """The form for a new meeting."""
    return _form_page(event=None, values={"organiser_id": current_user.id}, errors={})


def _refused_new(refusal: Refusal):
    return _form_page(event=None, values=request.form, errors=refusal.errors, status=422)


@bp.post("/events")
@requires("event.create")
@form_errors(_refused_new)
def create():
    """Create a meeting; errors are shown next to their fields. A Zoeken button
    (organiser or team) shows the form again with what was found."""
    if _searching():
        return _form_page(event=None, values=request.form, errors={})
    event = create_event(_parse_form().values(), actor=current_user, now=now())
    db.session.commit()
    flash(f"Bijeenkomst “{event.title}” is aangemaakt. Nodig nu de deelnemers uit.", "ok")
    return redirect(url_for("events.detail", event_id=event.id), code=303)


@bp.get("/events/<int:event_id>/edit")
@requires("event.manage", load=load_event)
def edit(event_id: int, subject: Event):
    """The edit form, carrying the version it was built from."""
    values = {
        "title": subject.title, "team_id": subject.team_id, "description": subject.description,
        "starts_at": _local_input(subject.starts_at), "ends_at": _local_input(subject.ends_at),
        "rsvp_deadline": _local_input(subject.rsvp_deadline), "location": subject.location,
        "online_url": subject.online_url or "", "capacity": subject.capacity or "",
        "organiser_id": subject.organiser_id, "version": subject.version,
    }
    return _form_page(event=subject, values=values, errors={})


def _refused_edit(refusal: Refusal, event_id: int, subject: Event):
    return _form_page(event=load_event(event_id), values=request.form, errors=refusal.errors,
                      status=refusal.status, is_conflict=refusal.is_conflict)


@bp.post("/events/<int:event_id>")
@requires("event.manage", load=load_event)
@form_errors(_refused_edit)
def update(event_id: int, subject: Event):
    """Save the edit form; invitees get an updated calendar item; a stale version is a 409.
    A Zoeken button shows the form again (with the version it was built from)."""
    if _searching():
        return _form_page(event=subject, values=request.form, errors={},
                          version=parse_id(request.form.get("version")))
    form = _parse_form()
    data = form.values()
    if data["team_id"] is None and subject.team_id is not None \
            and current_user.role != Role.BEHEERDER:
        raise ValidationErrors({"team_id": "Team is verplicht."})
    queued = update_event(subject, data, expected_version=form.version.data,
                          actor=current_user, now=now())
    db.session.commit()
    message = f"Bijeenkomst “{subject.title}” is opgeslagen."
    if queued:
        message += f" {len(queued)} genodigde(n) krijgen de gewijzigde agenda-uitnodiging."
    flash(message, "ok")
    return redirect(url_for("events.detail", event_id=event_id), code=303)


def _detail_url(event_id: int, **_ignored) -> str:
    return url_for("events.detail", event_id=event_id)


@bp.post("/events/<int:event_id>/cancel")
@requires("event.manage", load=load_event)
@form_errors(flash_and_redirect(
    _detail_url, conflict="Niet geannuleerd: iemand anders heeft de bijeenkomst intussen "
                          "gewijzigd. Bekijk de actuele stand en probeer opnieuw."))
def cancel(event_id: int, subject: Event):
    """Cancel the meeting (after an explicit confirmation); invitees get METHOD:CANCEL."""
    form = CancelForm().parse()
    if not form.bevestig.data:
        flash("Niet geannuleerd: vink eerst aan dat u de bijeenkomst wilt annuleren en alle "
              "genodigden bericht wilt sturen.", "warning")
        return redirect(_detail_url(event_id) + "#annuleren", code=303)
    queued = cancel_event(subject, expected_version=form.version.data, actor=current_user,
                          now=now())
    db.session.commit()
    flash(f"Bijeenkomst geannuleerd; {len(queued)} genodigde(n) krijgen bericht.", "ok")
    return redirect(_detail_url(event_id), code=303)


# --- Page and organiser view ---------------------------------------------------------------

#: The region of the invitation form that the person search fills (htmx swaps it).
PEOPLE_ID = "gevonden-personen"


def _invite_choices() -> dict:
    return {
        "teams": db.session.execute(select(Team.id, Team.name).order_by(Team.position)).all(),
        "organisations": db.session.execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.name)).all(),
        "districts": db.session.execute(
            select(District.id, District.name).order_by(District.position)).all(),
    }


#: The invitation form's search button: search, keep the form, invite nobody.
PEOPLE_SEARCH_BUTTON = "personen_zoeken"


def _people_found(event: Event, values=None):
    """The person search of the invitation form: ``zoek`` the words, ``user_id`` the
    people ticked so far (kept ticked; after a refusal, those of the refused form)."""
    values = request.args if values is None else MultiDict(values)
    chosen = [i for i in (parse_id(v) for v in values.getlist("user_id")[:200]) if i]
    return find_people(event.id, values.get("zoek"), chosen)


def _detail_page(event: Event, *, invite_errors=None, invite_values=None, status=200,
                 invite_error_lead: str | None = None):
    manage = can(current_user, "event.manage", event)
    moment = now()
    keeps_minutes = can(current_user, "event.minutes", event)
    context = {"event": event, "can_manage": manage, "invite_errors": invite_errors or {},
               "invite_error_lead": invite_error_lead,
               "invite_values": invite_values or {},
               "can_invite": invitations_closed(event, moment) is None,
               "minutes": event.minutes, "can_keep_minutes": keeps_minutes,
               "ongoing": is_ongoing(event, moment),
               "actions": [a for a in event_actions(event.id)
                           if can(current_user, "action.view", a)]}
    if manage:
        summary = invitation_summary(event.id)
        invitations = invitation_page(event.id, page_number(request.args), summary)
        invitations.link = page_links(anchor="genodigden")
        context.update(invitations=invitations, summary=summary,
                       can_remind=may_remind(event, moment) and has_remindable(event),
                       unmatched_replies=unmatched_replies(event.id),
                       people=_people_found(event, invite_values) if context["can_invite"]
                       else None, people_id=PEOPLE_ID, people_search_button=PEOPLE_SEARCH_BUTTON,
                       **_invite_choices())
    else:
        mine = db.session.scalar(select(Invitation).where(
            Invitation.event_id == event.id, Invitation.user_id == current_user.id))
        context["mine"] = mine
        context["my_answer"] = (answer_sentence(mine, waitlist_place(mine))
                                if mine is not None else None)
        context["my_rsvp_url"] = (url_for("events.rsvp", token=rsvp_token(mine.id))
                                  if mine is not None else None)
    return render_template("events/detail.html", **context), status


def _event_with_team(event_id: int, **_ignored) -> Event | None:
    """The event with only what ``event.manage`` asks (its team's memberships)."""
    return db.session.scalar(select(Event).where(Event.id == event_id).options(
        selectinload(Event.team).selectinload(Team.memberships)))


@bp.get("/events/<int:event_id>/personen")
@requires("event.manage", load=_event_with_team)
@search_args("zoek")
def people(event_id: int, subject: Event):
    """Find people to invite (``?zoek=`` name, e-mail address or organisation; at most 20):
    for htmx the results region of the invitation form, else the meeting page with them."""
    if not is_fragment(target=PEOPLE_ID):
        return redirect(url_for("events.detail", event_id=event_id,
                                zoek=request.args.get("zoek", "")[:200] or None,
                                _anchor="uitnodigen"), code=303)
    response = make_response(render_template(
        "events/_people_found.html", event=subject, people=_people_found(subject),
        people_id=PEOPLE_ID, invite_errors={}, oob=True))
    response.vary.add("HX-Request")
    return response


@bp.get("/events/<int:event_id>")
@requires("event.view", load=load_event)
@search_args("zoek")
def detail(event_id: int, subject: Event):
    """The meeting; for its organisers also the answers and the invitation tools."""
    return _detail_page(subject)


def _refused_invite(refusal: Refusal, event_id: int, subject: Event):
    return _detail_page(load_event(event_id), invite_errors=refusal.errors,
                        invite_values=request.form, status=422)


@bp.post("/events/<int:event_id>/invitations")
@requires("event.manage", load=load_event)
@form_errors(_refused_invite)
def invite_people(event_id: int, subject: Event):
    """Invite the people ticked in the person search, a team, an organisation, a district
    and/or a pasted list of addresses. The form's "Zoeken" button (``personen_zoeken``, the
    search without JavaScript) invites nobody: the page comes back with the people found
    and everything chosen so far still in the form."""
    if request.form.get(PEOPLE_SEARCH_BUTTON):
        return _detail_page(subject, invite_values=request.form)
    form = InviteForm().parse()
    report = invite(subject, actor=current_user, now=now(),
                    user_ids=form.user_id.data or [],
                    team_id=form.team_id.data, organisation_id=form.organisation_id.data,
                    district_id=form.district_id.data, addresses=form.addresses.data)
    db.session.commit()
    parts = [f"{len(report.invited)} uitgenodigd"]
    if report.created:
        parts.append(f"{len(report.created)} nieuwe partner(s) aangemaakt")
    if report.already:
        parts.append(f"{len(report.already)} al eerder uitgenodigd (overgeslagen)")
    flash("; ".join(parts) + ".", "ok" if report.invited else "info")
    if report.invalid:
        # The valid ones are invited; the rest stays in the box to be corrected, never lost.
        problem = (f"{len(report.invalid)} adres(sen) niet uitgenodigd: geen geldig e-mailadres. "
                   "Verbeter ze hieronder en nodig opnieuw uit.")
        return _detail_page(subject, invite_errors={"addresses": problem},
                            invite_values={"addresses": "\n".join(report.invalid)},
                            invite_error_lead="Fout: niet iedereen is uitgenodigd.",
                            status=422)
    return redirect(url_for("events.detail", event_id=event_id) + "#genodigden", code=303)


@bp.get("/events/<int:event_id>/remind")
@requires("event.manage", load=load_event)
def remind_confirm(event_id: int, subject: Event):
    """Who the reminder will go to, and the button that sends it (changes nothing)."""
    moment = now()
    return render_template("events/remind.html", event=subject,
                           recipients=reminder_recipients(subject),
                           can_remind=may_remind(subject, moment),
                           reminded_today=subject.reminded_on == local_day(moment))


@bp.post("/events/<int:event_id>/remind")
@requires("event.manage", load=load_event)
@form_errors(flash_and_redirect(_detail_url, category="warning"))
def remind(event_id: int, subject: Event):
    """Remind those who have not answered (at most once a day per meeting)."""
    queued = remind_non_responders(subject, actor=current_user, now=now())
    db.session.commit()
    flash(f"Herinnering verstuurd aan {len(queued)} genodigde(n) zonder antwoord.", "ok")
    return redirect(_detail_url(event_id), code=303)


@bp.get("/events/<int:event_id>/invitations.csv")
@requires("event.manage", load=load_event)
def export(event_id: int, subject: Event):
    """The invitees and their answers as CSV for Excel."""
    rows = invitations_of(event_id)
    header = ["Naam", "E-mailadres", "Organisatie", "Antwoord", "Wachtlijst", "Opmerking",
              "Geantwoord op"]
    return csv_response(
        f"bijeenkomst-{event_id}-genodigden.csv", header,
        ([i.user.name, i.user.email, i.user.organisation.name if i.user.organisation else "",
          i.response.label if i.response else "geen antwoord",
          "ja" if i.waitlisted_at else "", i.remark,
          i.responded_at] for i in rows))  # csv_cell writes the moment in ISO form


#: The columns of the invitations workbook (the CSV's, with their kinds).
INVITATION_COLUMNS = [
    Column("Naam"), Column("E-mailadres"), Column("Organisatie"), Column("Antwoord"),
    Column("Wachtlijst"), Column("Opmerking"), Column("Geantwoord op", "datetime"),
]


@bp.get("/events/<int:event_id>/invitations.xlsx")
@requires("event.manage", load=load_event)
def export_xlsx(event_id: int, subject: Event):
    """The invitees and their answers as an Excel workbook (the answer moment a real date)."""
    rows = invitations_of(event_id)
    lines = [f"Datum: {long_datetime(subject.starts_at)}"] if subject.starts_at else []
    data = xlsx_bytes(
        INVITATION_COLUMNS,
        ([i.user.name, i.user.email, i.user.organisation.name if i.user.organisation else None,
          i.response.label if i.response else "geen antwoord",
          "ja" if i.waitlisted_at else None, i.remark, i.responded_at] for i in rows),
        sheet="Genodigden", title=subject.title,
        lines=[*lines, f"Peildatum: {long_date(local_today())}", f"{len(rows)} genodigden"],
    )
    return xlsx_response(f"bijeenkomst-{event_id}-genodigden.xlsx", data)


# --- RSVP through the signed link ----------------------------------------------------------

def _rsvp_invitation(token: str) -> Invitation:
    claim = read_rsvp_token(token)
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.id == claim.invitation_id)
        .options(selectinload(Invitation.event).selectinload(Event.organiser),
                 selectinload(Invitation.user)))
    if invitation is None:
        raise TokenError(404)
    check_not_expired(invitation.event, now())
    return invitation


def _invalid_link(error: TokenError):
    return render_template("events/rsvp_invalid.html"), error.status


def _rsvp_context(invitation: Invitation, token: str, **extra) -> dict:
    event = invitation.event
    return {"invitation": invitation, "event": event, "token": token,
            "closed": rsvp_closed(event, now()), "choices": RESPONSE_CHOICES,
            "cancelled": event.is_cancelled, "errors": {},
            "answer_text": answer_sentence(invitation, waitlist_place(invitation)),
            "remark": invitation.remark, **extra}


@bp.get("/rsvp/<token>")
@public
def rsvp(token: str):
    """The page a mail's RSVP link opens: the meeting and the current answer. Changes nothing."""
    try:
        invitation = _rsvp_invitation(token)
    except TokenError as error:
        return _invalid_link(error)
    return render_template("events/rsvp.html", **_rsvp_context(invitation, token))


def _rsvp_reply(token: str, status: int, **extra):
    """After an answer (or a refusal): the answer region for htmx, else the page or a 303."""
    invitation = _rsvp_invitation(token)
    context = _rsvp_context(invitation, token, **extra)
    if status == 200:
        context["announcement"] = _announcement(invitation)
    if is_fragment():
        response = make_response(render_template("events/_rsvp_response.html", **context), status)
        response.vary.add("HX-Request")
        return response
    if status != 200:
        return render_template("events/rsvp.html", **context), status
    flash(context["announcement"], "ok")
    return redirect(url_for("events.rsvp", token=token), code=303)


def _refused_answer(refusal: Refusal, token: str):
    return _rsvp_reply(token, 422, errors=refusal.errors, remark=request.form.get("remark", ""))


@bp.post("/rsvp/<token>")
@public
@form_errors(_refused_answer)
def rsvp_answer(token: str):
    """Store the answer; htmx swaps the answer region, without JavaScript a 303 to the page.

    CSRF stays on: the page sets the session's token in the form.
    """
    try:
        invitation = _rsvp_invitation(token)
    except TokenError as error:
        db.session.rollback()
        return _invalid_link(error)
    form = RsvpForm().parse()
    try:
        answer(invitation.id, form.response.data, form.remark.data, now=now())
    except RsvpClosed:
        db.session.rollback()
        return _rsvp_reply(token, 409)
    db.session.commit()
    return _rsvp_reply(token, 200)


def _announcement(invitation: Invitation) -> str:
    """What a screen reader hears after an answer: the same sentence the page shows."""
    return "Uw antwoord is opgeslagen. " + answer_sentence(invitation, waitlist_place(invitation))


# --- Minutes and actions from a meeting ----------------------------------------------------

def _minutes_page(event: Event, *, values=None, errors=None, action_values=None,
                  action_errors=None, status=200, is_conflict=False):
    minutes = event.minutes
    if values is None:
        values = {"notes": minutes.notes, "decisions": minutes.decisions,
                  "version": minutes.version} if minutes else {}
    teams = action_teams(event, current_user, lambda t: can(current_user, "team.edit", t))
    return render_template(
        "events/minutes.html", event=event, minutes=minutes, values=values,
        errors=errors or {}, is_conflict=is_conflict,
        action_values=action_values or {"team_id": event.team_id},
        action_errors=action_errors or {},
        teams=[(t.id, t.name) for t in teams],
        owners=[(u.id, u.name) for u in action_owners()],
        actions=event_actions(event.id)), status


@bp.get("/events/<int:event_id>/minutes")
@requires("event.minutes", load=load_event)
def minutes(event_id: int, subject: Event):
    """The minutes form and the form for an action arising from the meeting."""
    return _minutes_page(subject)


def _refused_minutes(refusal: Refusal, event_id: int, subject: Event):
    return _minutes_page(load_event(event_id), values=request.form, errors=refusal.errors,
                         status=refusal.status, is_conflict=refusal.is_conflict)


@bp.post("/events/<int:event_id>/minutes")
@requires("event.minutes", load=load_event)
@form_errors(_refused_minutes)
def save_minutes_view(event_id: int, subject: Event):
    """Save notes and decisions; a stale version is a 409 with the current text."""
    form = MinutesForm().parse()
    save_minutes(subject, notes=form.notes.data, decisions=form.decisions.data,
                 expected_version=form.version.data, actor=current_user, now=now())
    db.session.commit()
    flash("Het verslag is opgeslagen.", "ok")
    return redirect(url_for("events.detail", event_id=event_id) + "#verslag", code=303)


def _refused_action(refusal: Refusal, event_id: int, subject: Event):
    return _minutes_page(load_event(event_id), action_values=request.form,
                         action_errors=refusal.errors, status=refusal.status)


@bp.post("/events/<int:event_id>/actions")
@requires("event.minutes", load=load_event)
@form_errors(_refused_action)
def create_action_view(event_id: int, subject: Event):
    """An action for a team, arising from this meeting; it lands in that team's list."""
    teams = {t.id: t for t in action_teams(subject, current_user,
                                           lambda t: can(current_user, "team.edit", t))}
    form = EventActionForm(teams=set(teams), owners={u.id for u in action_owners()}).parse()
    action = create_action_from_event(
        subject, teams[form.team_id.data], title=form.title.data,
        description=form.description.data, owner_id=form.owner_id.data,
        due_date=form.due_date.data, actor=current_user, now=now())
    db.session.commit()
    flash(f"Actie “{action.title}” is toegevoegd aan {teams[form.team_id.data].name}.", "ok")
    return redirect(url_for("events.detail", event_id=event_id) + "#acties", code=303)


@bp.get("/events/<int:event_id>/minutes/send")
@requires("event.minutes", load=load_event)
def send_minutes_confirm(event_id: int, subject: Event):
    """Who the minutes will go to (those who said yes), and the button that sends them."""
    return render_template("events/minutes_send.html", event=subject, minutes=subject.minutes,
                           recipients=minutes_recipients(subject),
                           already_sent=minutes_sent(subject))


@bp.post("/events/<int:event_id>/minutes/send")
@requires("event.minutes", load=load_event)
@form_errors(flash_and_redirect(
    _detail_url, category="warning",
    conflict="Niet verstuurd: het verslag is intussen gewijzigd. Bekijk het en verstuur opnieuw."))
def send_minutes_view(event_id: int, subject: Event):
    """Queue the minutes mail for the attendees (once per version of the minutes)."""
    form = SendMinutesForm().parse()
    queued = send_minutes(subject, expected_version=form.version.data, actor=current_user,
                          now=now())
    db.session.commit()
    if queued:
        flash(f"Het verslag gaat naar {len(queued)} deelnemer(s).", "ok")
    else:
        flash("Deze versie van het verslag was al verstuurd; er gaat niets opnieuw uit.", "info")
    return redirect(_detail_url(event_id) + "#verslag", code=303)
