"""The JSON API, version 1: read teams, actions, milestones, pilots, meetings, status and
indicator tables; create, change, complete and reopen actions.

Every view acts as the token's user (tracker.api.auth) and asks the pages' permission
module (``can(current_user, rule, obj)``, ``visible_team_ids``); writes call the pages'
services, so history, audit entries and notices are written as on the pages, and a
stale ``version`` answers 409 with the stored action. Lists are paged with ``limit`` and
``offset``; ``meta.total`` is counted in SQL; a ``Link`` header names the next and
previous pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import abort, g, request, url_for
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from tracker.actions.models import Action
from tracker.actions.queries import ActionFilter, apply_filter
from tracker.actions.rules import is_overdue
from tracker.api.auth import API_PREFIX, token_required
from tracker.api.problems import problem
from tracker.api.schemas import (
    ActionCreate,
    ActionListArgs,
    ActionPage,
    ActionSchema,
    ActionUpdate,
    IndicatorTables,
    MeetingPage,
    MeetingSchema,
    MilestoneDetail,
    MilestonePage,
    NetworkStatusSchema,
    PageArgs,
    PilotListArgs,
    PilotPage,
    PilotSchema,
    TeamActionListArgs,
    TeamPage,
    TeamSchema,
    TeamStatusSchema,
    VersionBody,
)
from tracker.auth.permissions import can, visible_team_ids
from tracker.clock import local_today, now
from tracker.concurrency import CONFLICTS
from tracker.extensions import db
from tracker.network.models import Team
from tracker.validation import ValidationError, ValidationErrors

bp = Blueprint("api", __name__, url_prefix=API_PREFIX,
               description="De JSON-API van de tracker (versie 1).")


# --- Helpers -------------------------------------------------------------------------------


def _errors(*codes: int):
    """Document the JSON problems an operation may answer (besides the default)."""

    def decorate(view):
        for code in codes:
            view = bp.alt_response(code, response=_RESPONSE_NAMES[code])(view)
        return view

    return decorate


_RESPONSE_NAMES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
                   409: "CONFLICT", 422: "UNPROCESSABLE_ENTITY", 429: "TOO_MANY_REQUESTS"}


def _page(query, args: dict, *, count_query=None) -> tuple[list[Any], dict[str, int]]:
    """One page of ``query`` (``limit``/``offset`` from ``args``) and its meta; the total
    is one COUNT over the same query. Sets the ``Link`` header (next, prev)."""
    limit, offset = args["limit"], args["offset"]
    total = db.session.scalar(
        select(func.count()).select_from((count_query if count_query is not None else query)
                                         .order_by(None).subquery())) or 0
    rows = list(db.session.scalars(query.limit(limit).offset(offset)))
    links = []
    base = {k: v for k, v in request.args.items(multi=False) if k not in ("limit", "offset")}
    if offset + limit < total:
        links.append(_link(base, limit, offset + limit, "next"))
    if offset > 0:
        links.append(_link(base, limit, max(0, offset - limit), "prev"))
    if links:
        g.api_link_header = ", ".join(links)
    return rows, {"total": total, "limit": limit, "offset": offset}


def _link(base: dict, limit: int, offset: int, rel: str) -> str:
    query = urlencode({**base, "limit": limit, "offset": offset})
    return f'<{request.base_url}?{query}>; rel="{rel}"'


def _team_ref(team: Team | None) -> dict | None:
    if team is None:
        return None
    return {"id": team.id, "slug": team.slug, "name": team.name}


def _visible_or_abort(found, rule: str):
    """``found`` when the token's user may ``rule`` it (as the pages decide);
    404 when it does not exist, 403 when the user may not."""
    if found is None:
        abort(404)
    if not can(current_user, rule, found):
        abort(403)
    return found


def _visible_team(slug: str) -> Team:
    """The team ``slug`` (404) that the token's user may see (403, as the pages)."""
    from tracker.network.queries import team_page

    return _visible_or_abort(team_page(slug), "team.view")


def _scope(query, team_column):
    """Restrict ``query`` to the teams the user sees (permissions.visible_team_ids)."""
    team_ids = visible_team_ids(current_user)
    if team_ids is not None:
        query = query.where(team_column.in_(team_ids))
    return query


# --- Teams ---------------------------------------------------------------------------------


def team_json(team: Team) -> dict:
    return {"id": team.id, "slug": team.slug, "name": team.name, "short_name": team.short_name,
            "kind": team.kind.value, "status": team.status.value, "parent_id": team.parent_id,
            "url": url_for("network.team", slug=team.slug, _external=True)}


@bp.route("/teams", methods=["GET"], tags=["Teams"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, TeamPage)
@_errors(401, 429)
@token_required
def teams(args):
    """Teams die u mag zien

    Partners zien alleen hun eigen teams; elke andere rol ziet alle teams.
    """
    query = _scope(select(Team).order_by(Team.position, Team.name, Team.id), Team.id)
    rows, meta = _page(query, args)
    return {"data": [team_json(t) for t in rows], "meta": meta}


@bp.route("/teams/<slug>", methods=["GET"], tags=["Teams"])
@bp.response(200, TeamSchema)
@_errors(401, 403, 404, 429)
@token_required
def team(slug: str):
    """Eén team"""
    return team_json(_visible_team(slug))


# --- Actions -------------------------------------------------------------------------------


def action_json(action: Action, today) -> dict:
    owner = action.owner
    return {
        "id": action.id, "team": _team_ref(action.team), "title": action.title,
        "description": action.description or "", "report_text": action.report_text or "",
        "status": action.status, "status_label": action.status.label,
        "owner": {"id": owner.id, "name": owner.name} if owner is not None else None,
        "due_date": action.due_date,
        "overdue": is_overdue(action.status, action.due_date, today),
        "milestone_id": action.milestone_id, "district_id": action.district_id,
        "event_id": action.event_id, "completed_at": action.completed_at,
        "created_at": action.created_at, "updated_at": action.updated_at,
        "version": action.version,
        "url": url_for("actions.detail", action_id=action.id, _external=True),
    }


def _actions_query(status: str | None):
    query = select(Action).options(selectinload(Action.team), selectinload(Action.owner))
    if status:
        query = apply_filter(query, ActionFilter(status=status), local_today())
    return query.order_by(Action.due_date.is_(None), Action.due_date, Action.position, Action.id)


@bp.route("/actions", methods=["GET"], tags=["Acties"])
@bp.arguments(ActionListArgs, location="query")
@bp.response(200, ActionPage)
@_errors(401, 403, 404, 429)
@token_required
def actions(args):
    """Acties, te filteren op team en status

    Alleen acties van teams die u mag zien. Zonder ``team``: van al die teams.
    """
    query = _actions_query(args.get("status"))
    if args.get("team"):
        query = query.where(Action.team_id == _visible_team(args["team"]).id)
    else:
        query = _scope(query, Action.team_id)
    rows, meta = _page(query, args)
    today = local_today()
    return {"data": [action_json(a, today) for a in rows], "meta": meta}


@bp.route("/teams/<slug>/actions", methods=["GET"], tags=["Acties"])
@bp.arguments(TeamActionListArgs, location="query")
@bp.response(200, ActionPage)
@_errors(401, 403, 404, 429)
@token_required
def team_actions(args, slug: str):
    """De acties van één team"""
    team = _visible_team(slug)
    query = _actions_query(args.get("status")).where(Action.team_id == team.id)
    rows, meta = _page(query, args)
    today = local_today()
    return {"data": [action_json(a, today) for a in rows], "meta": meta}


def _action(action_id: int, rule: str) -> Action:
    from tracker.actions.routes import load_action

    return _visible_or_abort(load_action(action_id), rule)


@bp.route("/actions/<int:action_id>", methods=["GET"], tags=["Acties"])
@bp.response(200, ActionSchema)
@_errors(401, 403, 404, 429)
@token_required
def action(action_id: int):
    """Eén actie (met haar versie)"""
    return action_json(_action(action_id, "action.view"), local_today())


def _form_data(values: dict[str, Any]) -> MultiDict:
    """JSON values as the form's strings (None -> empty, dates ISO, enums by value)."""
    out = {}
    for key, value in values.items():
        if value is None:
            out[key] = ""
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        else:
            out[key] = str(getattr(value, "value", value))
    return MultiDict(out)


def _invalid(error: ValidationError):
    errors = error.errors if isinstance(error, ValidationErrors) else {error.field: error.message}
    return problem(422, "Niet opgeslagen: " + "; ".join(errors.values()), errors=errors)


def _conflict(action_id: int):
    """409: nothing saved; the stored action (with its version) in ``current``."""
    db.session.rollback()
    current = _action(action_id, "action.view")
    return problem(409, current=ActionSchema().dump(action_json(current, local_today())))


@bp.route("/teams/<slug>/actions", methods=["POST"], tags=["Acties"])
@bp.arguments(ActionCreate)
@bp.response(201, ActionSchema)
@_errors(400, 401, 403, 404, 422, 429)
@token_required
def create_action(body, slug: str):
    """Een actie aanmaken

    Dezelfde controles als het formulier op de pagina's (eigenaar uit het team, geen
    BSN in vrije tekst); de wijziging komt in het logboek. Vereist een sleutel met scope
    ``write`` en het recht het werk van het team te wijzigen (trekker, coördinator of
    beheerder).
    """
    from tracker.actions.routes import parse_action_form
    from tracker.actions.services import create_action as create

    team = _visible_team(slug)
    if not can(current_user, "team.edit", team):
        abort(403)
    try:
        form = parse_action_form(team, _form_data(body))
    except ValidationError as error:
        return _invalid(error)
    created = create(team, form.to_input(), actor=current_user, now=now())
    db.session.commit()
    response_body = action_json(_action(created.id, "action.view"), local_today())
    return response_body, 201, {"Location": url_for("api.action", action_id=created.id,
                                                    _external=True)}


@bp.route("/actions/<int:action_id>", methods=["PATCH"], tags=["Acties"])
@bp.arguments(ActionUpdate)
@bp.response(200, ActionSchema)
@_errors(400, 401, 403, 404, 409, 422, 429)
@token_required
def update_action(body, action_id: int):
    """Een actie wijzigen

    ``version`` is verplicht: de versie die u het laatst ophaalde. Velden die u weglaat,
    houden hun waarde. Is de actie intussen gewijzigd, dan volgt 409 met de huidige stand
    in ``current`` en is er niets opgeslagen.
    """
    from tracker.actions.routes import form_values, parse_action_form
    from tracker.actions.services import update_action as update

    subject = _action(action_id, "action.edit")
    values: dict[str, Any] = dict(form_values(subject))
    values.update(_form_data({k: v for k, v in body.items() if k != "version"}))
    values["version"] = str(body["version"])
    try:
        form = parse_action_form(subject.team, MultiDict(values))
    except ValidationError as error:
        return _invalid(error)
    try:
        update(subject, form.to_input(), expected_version=form.version.data, actor=current_user,
               now=now())
        db.session.commit()
    except CONFLICTS:
        return _conflict(action_id)
    return action_json(_action(action_id, "action.view"), local_today())


def _status_change(action_id: int, version: int, service):
    subject = _action(action_id, "action.edit")
    try:
        service(subject, expected_version=version, actor=current_user, now=now())
        db.session.commit()
    except CONFLICTS:
        return _conflict(action_id)
    return action_json(_action(action_id, "action.view"), local_today())


@bp.route("/actions/<int:action_id>/complete", methods=["POST"], tags=["Acties"])
@bp.arguments(VersionBody)
@bp.response(200, ActionSchema)
@_errors(400, 401, 403, 404, 409, 422, 429)
@token_required
def complete_action(body, action_id: int):
    """Een actie gereed melden

    Een actie die al gereed is, blijft zoals ze is (200). Verouderde ``version``: 409.
    """
    from tracker.actions.services import complete_action as complete

    return _status_change(action_id, body["version"], complete)


@bp.route("/actions/<int:action_id>/reopen", methods=["POST"], tags=["Acties"])
@bp.arguments(VersionBody)
@bp.response(200, ActionSchema)
@_errors(400, 401, 403, 404, 409, 422, 429)
@token_required
def reopen_action(body, action_id: int):
    """Een actie heropenen

    De actie krijgt weer de open status van vóór het sluiten (bezig blijft bezig). Een
    open actie blijft zoals ze is (200). Verouderde ``version``: 409.
    """
    from tracker.actions.services import reopen_action as reopen

    return _status_change(action_id, body["version"], reopen)


# --- Milestones ----------------------------------------------------------------------------


def milestone_json(view) -> dict:
    m = view.milestone
    progress = view.progress
    return {
        "id": m.id, "team": _team_ref(m.team), "title": m.title,
        "description": m.description or "", "kind": m.kind.value, "due_date": m.due_date,
        "per_municipality": m.per_municipality, "achieved_on": m.achieved_on,
        "state": view.state.value, "state_label": view.state.label,
        "days_left": view.days_left,
        "progress": None if progress is None else {
            "done": progress.done, "total": progress.total, "unit": progress.unit,
            "percent": progress.percent, "text": progress.text},
        "version": m.version,
        "url": url_for("milestones.detail", milestone_id=m.id, _external=True),
    }


@bp.route("/milestones", methods=["GET"], tags=["Mijlpalen"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, MilestonePage)
@_errors(401, 429)
@token_required
def milestones(args):
    """Mijlpalen met hun stand en voortgang

    Van de teams die u ziet, en de mijlpalen van het hele netwerk (``team`` null). De
    voortgang telt de gemeenten (per gemeente) of de gekoppelde acties.
    """
    from tracker.milestones.queries import milestone_views, visible_milestones_query

    rows, meta = _page(visible_milestones_query(visible_team_ids(current_user)), args)
    return {"data": [milestone_json(v) for v in milestone_views(rows, local_today())],
            "meta": meta}


@bp.route("/milestones/<int:milestone_id>", methods=["GET"], tags=["Mijlpalen"])
@bp.response(200, MilestoneDetail)
@_errors(401, 403, 404, 429)
@token_required
def milestone(milestone_id: int):
    """Eén mijlpaal, met de voortgang per district en per gemeente"""
    from tracker.milestones.models import Milestone
    from tracker.milestones.queries import milestone_views, municipality_grid

    found = db.session.scalar(select(Milestone).where(Milestone.id == milestone_id)
                              .options(selectinload(Milestone.team)))
    _visible_or_abort(found, "milestone.view")
    body = milestone_json(milestone_views([found], local_today())[0])
    body["per_district"], body["municipalities"] = [], []
    if found.per_municipality:
        grid = municipality_grid(found)
        body["per_district"] = [{"district": d.district, "done": d.done, "total": d.total,
                                 "percent": d.percent} for d in grid.per_district]
        body["municipalities"] = [
            {"id": row.municipality.id, "name": row.municipality.name, "district": district.name,
             "done": row.tick is not None,
             "completed_on": row.tick.completed_on if row.tick is not None else None}
            for district, rows in grid.districts for row in rows]
    return body


# --- Pilots --------------------------------------------------------------------------------


def pilot_json(pilot) -> dict:
    return {
        "id": pilot.id, "team": _team_ref(pilot.team), "title": pilot.title,
        "description": pilot.description or "", "status": pilot.status,
        "status_label": pilot.status.label,
        "district": pilot.district.name if pilot.district is not None else None,
        "building_block": (pilot.building_block.name if pilot.building_block is not None
                           else None),
        "municipalities": sorted(m.name for m in pilot.municipalities),
        "start_date": pilot.start_date, "end_date": pilot.end_date, "version": pilot.version,
        "url": url_for("pilots.detail", pilot_id=pilot.id, _external=True),
    }


@bp.route("/pilots", methods=["GET"], tags=["Pilots"])
@bp.arguments(PilotListArgs, location="query")
@bp.response(200, PilotPage)
@_errors(401, 403, 404, 429)
@token_required
def pilots(args):
    """Pilots, te filteren op team en status"""
    from tracker.pilots.models import Pilot
    from tracker.pilots.queries import PilotFilter, pilots_query

    status = args.get("status")
    flt = PilotFilter(status=status.value if status else "")
    if args.get("team"):
        query = pilots_query([_visible_team(args["team"]).id], flt)
    else:
        query = pilots_query(visible_team_ids(current_user), flt)
    rows, meta = _page(query, args, count_query=query.with_only_columns(Pilot.id))
    return {"data": [pilot_json(p) for p in rows], "meta": meta}


@bp.route("/pilots/<int:pilot_id>", methods=["GET"], tags=["Pilots"])
@bp.response(200, PilotSchema)
@_errors(401, 403, 404, 429)
@token_required
def pilot(pilot_id: int):
    """Eén pilot"""
    from tracker.pilots.models import Pilot

    found = db.session.scalar(select(Pilot).where(Pilot.id == pilot_id).options(
        selectinload(Pilot.team).selectinload(Team.memberships), selectinload(Pilot.district),
        selectinload(Pilot.building_block), selectinload(Pilot.municipalities)))
    _visible_or_abort(found, "pilot.view")
    return pilot_json(found)


# --- Meetings ------------------------------------------------------------------------------


def meeting_json(event) -> dict:
    return {
        "id": event.id, "team": _team_ref(event.team), "title": event.title,
        "description": event.description or "", "starts_at": event.starts_at,
        "ends_at": event.ends_at, "date_note": event.date_note, "location": event.location or "",
        "status": event.status.value, "capacity": event.capacity,
        "rsvp_deadline": event.rsvp_deadline, "version": event.version,
        "url": url_for("events.detail", event_id=event.id, _external=True),
    }


@bp.route("/meetings", methods=["GET"], tags=["Bijeenkomsten"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, MeetingPage)
@_errors(401, 429)
@token_required
def meetings(args):
    """Bijeenkomsten die u mag zien (nieuwste eerst)

    Partners zien de bijeenkomsten van hun teams en die waarvoor zij zijn uitgenodigd.
    """
    from tracker.events.models import Event
    from tracker.events.queries import visible_events_query

    query = visible_events_query(current_user).options(selectinload(Event.team)).order_by(
        Event.starts_at.is_(None), Event.starts_at.desc(), Event.id.desc())
    rows, meta = _page(query, args)
    return {"data": [meeting_json(e) for e in rows], "meta": meta}


@bp.route("/meetings/<int:meeting_id>", methods=["GET"], tags=["Bijeenkomsten"])
@bp.response(200, MeetingSchema)
@_errors(401, 403, 404, 429)
@token_required
def meeting(meeting_id: int):
    """Eén bijeenkomst"""
    from tracker.events.routes import load_event

    found = load_event(meeting_id)
    _visible_or_abort(found, "event.view")
    return meeting_json(found)


# --- Status and indicators -----------------------------------------------------------------


def team_status_json(section) -> dict:
    computed = section.computed
    upcoming = section.next_milestone
    return {
        "team": {"id": section.id, "slug": section.slug, "name": section.name},
        "level": computed.level.value, "label": computed.level.label,
        "reasons": [{"level": r.level.value, "text": r.text} for r in computed.reasons],
        "actions": dict(section.counts),
        "next_milestone": {"id": upcoming.id, "name": upcoming.title} if upcoming else None,
        "url": url_for("status.team_status", slug=section.slug, _external=True),
    }


@bp.route("/status", methods=["GET"], tags=["Status"])
@bp.response(200, NetworkStatusSchema)
@_errors(401, 429)
@token_required
def network_status():
    """De stand van het netwerk en van elk team, zoals de statuspagina haar toont

    Berekend door dezelfde functies als de statuspagina (status.rollup): het netwerk is zo
    slecht als zijn slechtste team; per team de redenen.
    """
    from tracker.status.rollup import network_status as rollup_network
    from tracker.status.routes import current_rows

    sections = current_rows(visible_team_ids(current_user))
    network = rollup_network([s.computed for s in sections])
    return {
        "today": local_today(),
        "network": {"level": network.level.value, "label": network.level.label,
                    "counts": {level.value: n for level, n in network.counts.items()}},
        "teams": [team_status_json(s) for s in sections],
    }


@bp.route("/teams/<slug>/status", methods=["GET"], tags=["Status"])
@bp.response(200, TeamStatusSchema)
@_errors(401, 403, 404, 429)
@token_required
def team_status(slug: str):
    """De stand van één team, met de redenen"""
    from tracker.status.routes import current_section

    return team_status_json(current_section(_visible_team(slug)).section)


def _number(value) -> float | None:
    return None if value is None else float(value)


def _indicator_json(ind) -> dict:
    table = ind.table
    rows = [*table.rows, *([table.total] if table.total is not None else [])]
    return {
        "key": ind.key, "name": ind.name, "unit": ind.unit, "source": ind.source or "",
        "periods": [label for _key, label in table.periods],
        "change_between": list(table.change_between) if table.change_between else None,
        "rows": [{"label": r.label, "is_total": r.is_total,
                  "values": [_number(v) for v in r.values], "change": _number(r.change),
                  "change_pct": _number(r.change_pct)} for r in rows],
    }


@bp.route("/teams/<slug>/indicators", methods=["GET"], tags=["Status"])
@bp.response(200, IndicatorTables)
@_errors(401, 403, 404, 429)
@token_required
def indicators(slug: str):
    """De indicatortabellen van een team, zoals de statuspagina ze toont

    Per bron-tabel de indicatoren met per district (en het totaal) de waarde per periode
    en de verschillen, berekend door dezelfde functies als de pagina's.
    """
    from tracker.status.routes import current_section

    section = current_section(_visible_team(slug)).section
    return {
        "team": {"id": section.id, "slug": section.slug, "name": section.name},
        "today": local_today(),
        "groups": [{"title": group.title, "subtitle": group.subtitle,
                    "indicators": [_indicator_json(i) for i in group.indicators]}
                   for group in section.indicator_groups],
    }


@bp.after_request
def _etag_and_links(response):
    """ETag on every successful read (304 on a matching If-None-Match); the Link header
    of a paged list."""
    link = g.pop("api_link_header", None)
    if link:
        response.headers["Link"] = link
    if request.method in ("GET", "HEAD") and response.status_code == 200 and response.is_json:
        response.add_etag()
        response.make_conditional(request)
    return response
