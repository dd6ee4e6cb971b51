"""Pilots: registry per team, overview matrix, pilot page, lifecycle."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.auth.permissions import can, requires, visible_team_ids
from tracker.clock import now
from tracker.enums import PilotStatus
from tracker.extensions import db
from tracker.forms import Refusal, flash_and_redirect, form_errors
from tracker.network.models import District, Municipality, Team, TeamMembership
from tracker.network.queries import team_choices, team_page
from tracker.pagination import page_links, page_number
from tracker.pilots.forms import BuildingBlockForm, CorrectionForm, PilotForm, StatusForm
from tracker.pilots.models import BuildingBlock, Pilot
from tracker.pilots.queries import PilotFilter, matrix, pilot_page
from tracker.pilots.rules import (
    allowed_next,
    can_move,
    correction_targets,
    is_terminal,
    needs_confirmation,
    needs_findings,
)
from tracker.pilots.services import (
    add_building_block,
    change_status,
    correct_status,
    create_pilot,
    update_pilot,
)
from tracker.validation import parse_id

bp = Blueprint("pilots", __name__)

STATUS_OPTIONS = [(s.value, s.label) for s in PilotStatus]


def load_pilot(pilot_id: int, **_ignored) -> Pilot | None:
    return db.session.scalar(
        select(Pilot).where(Pilot.id == pilot_id).options(
            selectinload(Pilot.team).selectinload(Team.memberships),
            selectinload(Pilot.municipalities), selectinload(Pilot.district),
            selectinload(Pilot.building_block), selectinload(Pilot.lead)))


@bp.get("/pilots")
@requires("network.view")
def index():
    """All pilots: the districts × bouwstenen matrix (counted in the database) and one page
    of the filtered list."""
    teams = team_choices(current_user)
    flt = PilotFilter.from_args(request.args)
    team_ids = ([t.id for t in teams if t.slug == flt.team] if flt.team
                else visible_team_ids(current_user))
    rows = pilot_page(team_ids, flt, page_number(request.args))
    rows.link = page_links(anchor="pilots-lijst")
    cells = matrix(team_ids, PilotFilter(team=flt.team, status=flt.status))
    return render_template(
        "pilots/index.html", rows=rows, matrix=cells, filter=flt,
        teams=teams, status_options=STATUS_OPTIONS, team=None,
    )


@bp.get("/teams/<slug>/pilots")
@requires("team.view", load=team_page)
def team_list(slug: str, subject: Team):
    """One team's pilot registry, a page at a time."""
    rows = pilot_page([subject.id], None, page_number(request.args))
    rows.link = page_links(anchor="pilots-lijst")
    blocks = db.session.scalars(select(BuildingBlock).where(BuildingBlock.team_id == subject.id)
                                .order_by(BuildingBlock.number)).all()
    return render_template("pilots/team.html", team=subject, rows=rows, blocks=blocks,
                           can_edit=can(current_user, "team.edit", subject), errors={})


@bp.get("/pilots/<int:pilot_id>")
@requires("pilot.view", load=load_pilot)
def detail(pilot_id: int, subject: Pilot):
    """A pilot's page with its lifecycle and history."""
    history = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "pilots",
                                 AuditEntry.object_id == pilot_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())).all()
    return render_template(
        "pilots/detail.html", pilot=subject, team=subject.team, history=history,
        next_statuses=[(target, needs_confirmation(target) or needs_findings(target))
                       for target in allowed_next(subject.status)],
        can_edit=can(current_user, "pilot.edit", subject),
        can_correct=(can(current_user, "pilot.correct", subject)
                     and bool(correction_targets(subject.status))),
    )


def _form_context(team: Team) -> dict:
    leads = list(db.session.scalars(
        select(User).join(TeamMembership, TeamMembership.user_id == User.id)
        .where(TeamMembership.team_id == team.id).order_by(User.name)))
    municipalities = list(db.session.scalars(
        select(Municipality).options(selectinload(Municipality.district))
        .order_by(Municipality.name)))
    return {
        "leads": leads,
        "districts": list(db.session.scalars(select(District).order_by(District.position))),
        "blocks": list(db.session.scalars(select(BuildingBlock).where(
            BuildingBlock.team_id == team.id).order_by(BuildingBlock.number))),
        "municipalities": municipalities,
    }


def municipality_groups(districts: list[District], municipalities: list[Municipality],
                        chosen: list[int]) -> list[dict]:
    """The picker's groups: per district (report order) its municipalities with whether
    each is ticked, and whether the whole district is (the toggle's label follows it)."""
    ticked = set(chosen)
    groups = []
    for district in districts:
        items = [(m, m.id in ticked) for m in municipalities if m.district_id == district.id]
        groups.append({"district": district, "items": items,
                       "all_checked": bool(items) and all(checked for _, checked in items)})
    return groups


def _form(team: Team, pilot: Pilot | None, values, errors, status=200, is_conflict=False):
    context = _form_context(team)
    groups = municipality_groups(context["districts"], context["municipalities"],
                                 values.get("municipality_ids") or [])
    return render_template("pilots/form.html", team=team, pilot=pilot, values=values,
                           errors=errors, is_conflict=is_conflict, municipality_groups=groups,
                           **context), status


def _district_toggled(team: Team, pilot: Pilot | None):
    """The form again with one district's municipalities all ticked (or, when they all
    were, all unticked), keeping everything typed: the no-JavaScript "hele district"
    button. None when the request is a normal save."""
    district_id = parse_id(request.form.get("select_district"))
    if district_id is None:
        return None
    values = _values(request.form)
    in_district = [m.id for m in _form_context(team)["municipalities"]
                   if m.district_id == district_id]
    chosen = values["municipality_ids"]
    if in_district and all(i in chosen for i in in_district):
        values["municipality_ids"] = [i for i in chosen if i not in in_district]
    else:
        values["municipality_ids"] = chosen + [i for i in in_district if i not in chosen]
    return _form(team, pilot, values, {})


def _parse_form(team: Team) -> PilotForm:
    """The submitted pilot form, checked against the team's choices."""
    context = _form_context(team)
    return PilotForm(
        districts={d.id for d in context["districts"]}, blocks={b.id for b in context["blocks"]},
        leads={u.id for u in context["leads"]},
        municipalities={m.id for m in context["municipalities"]},
    ).parse()


@bp.get("/teams/<slug>/pilots/new")
@requires("team.edit", load=team_page)
def new(slug: str, subject: Team):
    """Form to register a pilot."""
    return _form(subject, None, {"municipality_ids": []}, {})


def _refused_new(refusal: Refusal, slug: str, subject: Team):
    return _form(subject, None, _values(request.form), refusal.errors, 422)


@bp.post("/teams/<slug>/pilots")
@requires("team.edit", load=team_page)
@form_errors(_refused_new)
def create(slug: str, subject: Team):
    """Register a pilot (status gepland); "hele district" only re-renders the form."""
    toggled = _district_toggled(subject, None)
    if toggled is not None:
        return toggled
    form = _parse_form(subject)
    pilot = create_pilot(subject, form.to_input(), actor=current_user, now=now())
    db.session.commit()
    flash(f"Pilot “{pilot.title}” is geregistreerd.", "ok")
    return redirect(url_for("pilots.detail", pilot_id=pilot.id), code=303)


def _values(form) -> dict:
    values = dict(form.items())
    values["municipality_ids"] = [n for n in map(parse_id, form.getlist("municipality_ids")) if n]
    return values


@bp.get("/pilots/<int:pilot_id>/edit")
@requires("pilot.edit", load=load_pilot)
def edit(pilot_id: int, subject: Pilot):
    """Edit form of a pilot."""
    values = {
        "title": subject.title, "description": subject.description,
        "district_id": subject.district_id, "building_block_id": subject.building_block_id,
        "municipality_ids": [m.id for m in subject.municipalities],
        "start_date": subject.start_date.isoformat() if subject.start_date else "",
        "end_date": subject.end_date.isoformat() if subject.end_date else "",
        "lead_id": subject.lead_id, "results": subject.results, "lessons": subject.lessons,
    }
    return _form(subject.team, subject, values, {})


def _refused_edit(refusal: Refusal, pilot_id: int, subject: Pilot):
    current = load_pilot(pilot_id)
    return _form(current.team, current, _values(request.form), refusal.errors, refusal.status,
                 is_conflict=refusal.is_conflict)


@bp.post("/pilots/<int:pilot_id>")
@requires("pilot.edit", load=load_pilot)
@form_errors(_refused_edit)
def update(pilot_id: int, subject: Pilot):
    """Save the pilot form (409 on a stale version); "hele district" only re-renders it."""
    toggled = _district_toggled(subject.team, subject)
    if toggled is not None:
        return toggled
    form = _parse_form(subject.team)
    update_pilot(subject, form.to_input(), expected_version=form.version.data, actor=current_user)
    db.session.commit()
    flash("Pilot opgeslagen.", "ok")
    return redirect(url_for("pilots.detail", pilot_id=pilot_id), code=303)


def _detail_url(pilot_id: int, **_ignored) -> str:
    return url_for("pilots.detail", pilot_id=pilot_id)


def _status_page(pilot: Pilot, target: PilotStatus, values=None, errors=None, status=200,
                 correcting: bool = False):
    """The confirmation page of a status change (or the correction form): what happens."""
    return render_template(
        "pilots/status.html", pilot=pilot, team=pilot.team, target=target,
        values=values or {}, errors=errors or {},
        terminal=is_terminal(target), findings_needed=needs_findings(target),
        correcting=correcting, correction_options=[
            (s.value, s.label) for s in correction_targets(pilot.status)],
    ), status


def _target(pilot: Pilot) -> PilotStatus | None:
    try:
        return PilotStatus(request.values.get("status") or request.values.get("naar") or "")
    except ValueError:
        return None


@bp.get("/pilots/<int:pilot_id>/status")
@requires("pilot.edit", load=load_pilot)
def status_confirm(pilot_id: int, subject: Pilot):
    """What moving to ``?naar=<status>`` does, with the button that does it (changes nothing)."""
    target = _target(subject)
    if target is None or target not in allowed_next(subject.status):
        flash(f"Van “{subject.status.label}” kan een pilot daar niet naartoe.", "error")
        return redirect(_detail_url(pilot_id), code=303)
    return _status_page(subject, target, {"results": subject.results,
                                          "lessons": subject.lessons})


def _refused_status(refusal: Refusal, pilot_id: int, subject: Pilot):
    if refusal.is_conflict or not ({"results", "lessons"} & set(refusal.errors)):
        return flash_and_redirect(
            _detail_url, conflict="Niet opgeslagen: iemand anders heeft deze pilot intussen "
                                  "gewijzigd. Bekijk de actuele stand.")(refusal, pilot_id=pilot_id)
    current = load_pilot(pilot_id)
    return _status_page(current, _target(current) or current.status, request.form,
                        refusal.errors, 422)


@bp.post("/pilots/<int:pilot_id>/status")
@requires("pilot.edit", load=load_pilot)
@form_errors(_refused_status)
def status(pilot_id: int, subject: Pilot):
    """Move the pilot to its next status; a terminal move without ``confirm`` only shows
    the confirmation page, a move that needs results and lessons without them is 422."""
    form = StatusForm().parse()
    target = form.status.data
    if needs_confirmation(target) and not form.confirm.data and can_move(subject.status, target):
        return _status_page(subject, target, {"results": subject.results,
                                              "lessons": subject.lessons})
    change_status(subject, target, expected_version=form.version.data, actor=current_user,
                  now=now(),
                  results=form.results.data if "results" in request.form else None,
                  lessons=form.lessons.data if "lessons" in request.form else None)
    db.session.commit()
    flash(f"Status van “{subject.title}”: {subject.status.label}.", "ok")
    return redirect(_detail_url(pilot_id), code=303)


@bp.get("/pilots/<int:pilot_id>/status/corrigeren")
@requires("pilot.correct", load=load_pilot)
def correct_form(pilot_id: int, subject: Pilot):
    """The "Status corrigeren" form: an earlier status and a required reason."""
    if not correction_targets(subject.status):
        flash("Deze pilot staat in de eerste stap; er is niets te corrigeren.", "info")
        return redirect(_detail_url(pilot_id), code=303)
    return _status_page(subject, subject.status, correcting=True)


def _refused_correction(refusal: Refusal, pilot_id: int, subject: Pilot):
    current = load_pilot(pilot_id)
    errors = refusal.errors or {"status": "Niet opgeslagen: iemand anders heeft deze pilot "
                                          "intussen gewijzigd. Bekijk de actuele stand."}
    return _status_page(current, current.status, request.form, errors, refusal.status,
                        correcting=True)


@bp.post("/pilots/<int:pilot_id>/status/corrigeren")
@requires("pilot.correct", load=load_pilot)
@form_errors(_refused_correction)
def correct(pilot_id: int, subject: Pilot):
    """Put the status back a step (coordinator of the team), audited with the reason."""
    form = CorrectionForm().parse()
    correct_status(subject, form.status.data, reason=form.reason.data,
                   expected_version=form.version.data, actor=current_user, now=now())
    db.session.commit()
    flash(f"Status van “{subject.title}” gecorrigeerd naar {subject.status.label}.", "ok")
    return redirect(_detail_url(pilot_id), code=303)


def _blocks_url(slug: str, **_ignored) -> str:
    return url_for("pilots.team_list", slug=slug) + "#bouwstenen"


@bp.post("/teams/<slug>/building-blocks")
@requires("team.edit", load=team_page)
@form_errors(flash_and_redirect(_blocks_url, prefix="Bouwsteen niet toegevoegd: "))
def add_block(slug: str, subject: Team):
    """Add a bouwsteen of the team's own."""
    form = BuildingBlockForm().parse()
    add_building_block(subject, form.name.data, actor=current_user)
    db.session.commit()
    flash("Bouwsteen toegevoegd.", "ok")
    return redirect(_blocks_url(slug), code=303)
