"""Milestones: network-wide and per team, with the 78-municipality grid."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.actions.models import Action
from tracker.auth.permissions import can, requires, visible_team_ids
from tracker.clock import local_today, now
from tracker.enums import MilestoneKind
from tracker.extensions import db
from tracker.formatting import long_date
from tracker.forms import Refusal, flash_and_redirect, form_errors
from tracker.htmx import is_fragment, trigger
from tracker.milestones.forms import AchievedForm, BulkTickForm, MilestoneForm, TickForm
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.milestones.queries import (
    grid_progress,
    milestone_page,
    milestone_views,
    municipality_grid,
    visible_milestones_query,
)
from tracker.milestones.services import (
    create_milestone,
    set_achieved,
    tick_many,
    tick_municipality,
    untick_many,
    untick_municipality,
    update_milestone,
)
from tracker.network.models import District, Municipality, Team
from tracker.network.queries import team_page
from tracker.pagination import page_links, page_number
from tracker.xlsx_export import Column, xlsx_bytes, xlsx_response

bp = Blueprint("milestones", __name__)

TICKS_CHANGED = "ticks-changed"
KIND_OPTIONS = [(k.value, k.label) for k in MilestoneKind]


def load_milestone(milestone_id: int, **_ignored) -> Milestone | None:
    return db.session.scalar(
        select(Milestone).where(Milestone.id == milestone_id)
        .options(selectinload(Milestone.team).selectinload(Team.memberships))
    )


def _timeline(views):
    """Group milestone views by year for the timeline."""
    years: dict[int, list] = {}
    for view in views:
        years.setdefault(view.milestone.due_date.year, []).append(view)
    return sorted(years.items())


@bp.get("/milestones")
@requires("network.view")
def index():
    """The milestones the user may see, a page at a time (opening at what is coming), as a
    list and a timeline by year."""
    return _list_page(visible_milestones_query(visible_team_ids(current_user)), team=None)


def _list_page(query, *, team: Team | None, can_edit: bool = False):
    today = local_today()
    views = milestone_page(query, page_number(request.args), today)
    views.link = page_links(anchor="mijlpalen-tabel", bare_first=False)
    return render_template("milestones/index.html", views=views, timeline=_timeline(views),
                           team=team, today=today, can_edit=can_edit)


@bp.get("/teams/<slug>/milestones")
@requires("team.view", load=team_page)
def team_list(slug: str, subject: Team):
    """One team's milestones, a page at a time (opening at what is coming)."""
    query = (select(Milestone).where(Milestone.team_id == subject.id)
             .options(joinedload(Milestone.team)).order_by(Milestone.due_date, Milestone.id))
    return _list_page(query, team=subject, can_edit=can(current_user, "team.edit", subject))


@bp.get("/milestones/<int:milestone_id>")
@requires("milestone.view", load=load_milestone)
def detail(milestone_id: int, subject: Milestone):
    """A milestone: state, linked actions and (if tracked so) the municipality grid."""
    return _detail_page(subject)


def _detail_page(subject: Milestone, status: int = 200, **refused):
    """The detail page; ``refused`` carries a refused tick back (row_errors, row_dates,
    row_notes by municipality id; bulk: the district form's error, date and choice)."""
    view = milestone_views([subject], local_today())[0]
    actions = db.session.scalars(
        select(Action).where(Action.milestone_id == subject.id)
        .options(selectinload(Action.owner), selectinload(Action.team))
        .order_by(Action.due_date)).all()
    grid = municipality_grid(subject) if subject.per_municipality else None
    return render_template(
        "milestones/detail.html", milestone=subject, view=view, actions=actions, grid=grid,
        can_edit=can(current_user, "milestone.edit", subject), today=local_today(), **refused,
    ), status


@bp.get("/milestones/<int:milestone_id>/progress")
@requires("milestone.view", load=load_milestone)
def progress(milestone_id: int, subject: Milestone):
    """The x / 78 figures, refreshed by htmx after a tick, with the state they lead to
    (swapped out of band, so that the page never shows an old state beside new figures)."""
    overall, per_district = grid_progress(subject)
    view = milestone_views([subject], local_today())[0]
    return render_template("milestones/_progress.html", milestone=subject, overall=overall,
                           per_district=per_district, view=view, refresh_facts=True, oob=True)


#: The columns of the municipality grid's workbook.
GRID_COLUMNS = [Column("Gemeente"), Column("District"), Column("Gereed"),
                Column("Datum gereed", "date"), Column("Opmerking")]


@bp.get("/milestones/<int:milestone_id>/gemeenten.xlsx")
@requires("milestone.view", load=load_milestone)
def grid_xlsx(milestone_id: int, subject: Milestone):
    """The municipality grid as an Excel workbook: per municipality its district, whether
    it is done, the date and the note (404 for a milestone not tracked per municipality)."""
    if not subject.per_municipality:
        abort(404)
    grid = municipality_grid(subject)
    today = local_today()
    rows = [[row.municipality.name, district.name, "ja" if row.tick else "nee",
             row.tick.completed_on if row.tick else None, row.tick.note if row.tick else None]
            for district, district_rows in grid.districts for row in district_rows]
    lines = [f"Peildatum: {long_date(today)}",
             f"Gereed: {grid.overall.done} van {grid.overall.total} {grid.overall.unit}"]
    if subject.team:
        lines.insert(0, f"Team: {subject.team.name}")
    data = xlsx_bytes(GRID_COLUMNS, rows, sheet="Gemeenten", title=subject.title, lines=lines)
    return xlsx_response(f"mijlpaal-{subject.id}-gemeenten-{today.isoformat()}.xlsx", data)


def _load_municipality(municipality_id: int) -> Municipality:
    municipality = db.session.get(Municipality, municipality_id)
    if municipality is None:
        abort(404)
    return municipality


def _row_response(milestone: Milestone, municipality: Municipality, *, error: str | None = None,
                  status: int = 200, message: str = ""):
    tick = db.session.scalar(select(MunicipalityTick).where(
        MunicipalityTick.milestone_id == milestone.id,
        MunicipalityTick.municipality_id == municipality.id))
    # A refused tick keeps what was typed (the date, the note) beside the reason.
    typed_date = request.form.get("completed_on") if error else None
    typed_note = request.form.get("note") if error else None
    if not is_fragment():
        if error:
            flash(f"{municipality.name}: {error}", "error")
            return _detail_page(milestone, status, row_errors={municipality.id: error},
                                row_dates={municipality.id: typed_date},
                                row_notes={municipality.id: typed_note})
        if message:
            flash(message, "ok")
        return redirect(url_for("milestones.detail", milestone_id=milestone.id)
                        + f"#gemeente-{municipality.id}", code=303)
    response = make_response(render_template(
        "milestones/_tick_response.html", milestone=milestone,
        row={"municipality": municipality, "tick": tick}, error=error, can_edit=True,
        today=local_today(), announcement=error or message, focus=True, typed_date=typed_date,
        typed_note=typed_note), status)
    response.vary.add("HX-Request")
    return trigger(response, TICKS_CHANGED) if not error else response


def _refused_tick(refusal: Refusal, milestone_id: int, municipality_id: int, subject: Milestone):
    return _row_response(subject, _load_municipality(municipality_id), error=refusal.message,
                         status=422)


@bp.post("/milestones/<int:milestone_id>/municipalities/<int:municipality_id>/tick")
@requires("milestone.edit", load=load_milestone)
@form_errors(_refused_tick)
def tick(milestone_id: int, municipality_id: int, subject: Milestone):
    """Tick a municipality with a date and a note."""
    municipality = _load_municipality(municipality_id)
    form = TickForm().parse()
    tick_municipality(subject, municipality, completed_on=form.completed_on.data or local_today(),
                      note=form.note.data, actor=current_user, now=now(), today=local_today())
    db.session.commit()
    return _row_response(subject, municipality, message=f"{municipality.name} is afgevinkt.")


@bp.post("/milestones/<int:milestone_id>/municipalities/<int:municipality_id>/untick")
@requires("milestone.edit", load=load_milestone)
def untick(milestone_id: int, municipality_id: int, subject: Milestone):
    """Remove a municipality's tick."""
    municipality = _load_municipality(municipality_id)
    untick_municipality(subject, municipality, actor=current_user)
    db.session.commit()
    return _row_response(subject, municipality,
                         message=f"Het vinkje van {municipality.name} is weggehaald.")


def _district_rows(milestone: Milestone, district_id: int):
    """The district and its grid rows (404 for an unknown district)."""
    district = db.session.get(District, district_id)
    if district is None:
        abort(404)
    grid = municipality_grid(milestone)
    rows = next(rows for d, rows in grid.districts if d.id == district.id)
    return district, rows


def _bulk_response(milestone: Milestone, district_id: int, *, status: int = 200, error: str = "",
                   message: str = "", conflict: bool = False, chosen=(), typed_date=None):
    """htmx: the district block (with the outcome, or the refusal with what was typed and
    chosen); without JavaScript: 303 to the page, or the page itself with the refusal."""
    bulk = {"district_id": district_id, "error": error, "date": typed_date,
            "chosen": list(chosen), "message": message, "conflict": conflict}
    if not is_fragment():
        if status >= 400:
            return _detail_page(milestone, status, bulk=bulk)
        flash(message, "ok")
        return redirect(url_for("milestones.detail", milestone_id=milestone.id)
                        + f"#district-blok-{district_id}", code=303)
    district, rows = _district_rows(milestone, district_id)
    response = make_response(render_template(
        "milestones/_district.html", milestone=milestone, district=district, rows=rows,
        can_edit=True, today=local_today(), bulk=bulk), status)
    response.vary.add("HX-Request")
    return trigger(response, TICKS_CHANGED) if status < 400 else response


def _refused_bulk(refusal: Refusal, milestone_id: int, district_id: int, subject: Milestone):
    current = load_milestone(milestone_id)
    chosen = [int(v) for v in request.form.getlist("municipality_id") if v.isdigit()]
    if refusal.is_conflict:
        return _bulk_response(
            current, district_id, status=409, conflict=True, chosen=chosen,
            typed_date=request.form.get("completed_on"),
            message="Niets gewijzigd: iemand anders heeft deze mijlpaal intussen gewijzigd. "
                    "Bekijk de stand en probeer het opnieuw.")
    return _bulk_response(current, district_id, status=422, error=refusal.message, chosen=chosen,
                          typed_date=request.form.get("completed_on"))


@bp.post("/milestones/<int:milestone_id>/districts/<int:district_id>/ticks")
@requires("milestone.edit", load=load_milestone)
@form_errors(_refused_bulk)
def bulk_tick(milestone_id: int, district_id: int, subject: Milestone):
    """Tick or untick the chosen municipalities of a district, or the whole district, in one
    transaction (each municipality audited as a single tick)."""
    district_municipalities = list(db.session.scalars(
        select(Municipality).where(Municipality.district_id == district_id)
        .order_by(Municipality.name)))
    if not district_municipalities:
        abort(404)
    form = BulkTickForm()
    form.municipality_id.allowed = {m.id for m in district_municipalities}
    form.parse()
    chosen = set(form.municipality_id.data or [])
    targets = [m for m in district_municipalities if form.whole_district or m.id in chosen]
    if not form.untick:
        changed = tick_many(subject, targets, completed_on=form.completed_on.data or local_today(),
                            expected_version=form.version.data, actor=current_user, now=now(),
                            today=local_today())
        message = (f"{len(changed)} gemeenten afgevinkt." if changed
                   else "Alle gekozen gemeenten waren al afgevinkt.")
    else:
        district, rows = _district_rows(subject, district_id)
        losing = [row for row in rows if row.tick is not None and row.municipality in targets]
        if len(losing) > 1 and not form.bevestigd.data:
            # Several ticks with their own dates and notes cannot be brought back by one
            # click: say which, and ask once more (nothing changed yet).
            return _untick_confirmation(subject, district, losing)
        changed = untick_many(subject, targets, expected_version=form.version.data,
                              actor=current_user)
        message = (f"Bij {len(changed)} gemeenten is het vinkje weggehaald." if changed
                   else "Geen van de gekozen gemeenten was afgevinkt.")
    db.session.commit()
    return _bulk_response(subject, district_id, message=message)


def _untick_confirmation(milestone: Milestone, district: District, rows):
    """The question before several ticks go: the district block (htmx) or a page."""
    template = ("milestones/_untick_confirm.html" if is_fragment()
                else "milestones/untick_confirm.html")
    response = make_response(render_template(template, milestone=milestone, district=district,
                                             rows=rows))
    response.vary.add("HX-Request")
    return response


def _detail_url(milestone_id: int, **_ignored) -> str:
    return url_for("milestones.detail", milestone_id=milestone_id)


@bp.post("/milestones/<int:milestone_id>/achieved")
@requires("milestone.edit", load=load_milestone)
@form_errors(flash_and_redirect(
    _detail_url, conflict="Niet opgeslagen: iemand anders heeft deze mijlpaal intussen gewijzigd."))
def achieved(milestone_id: int, subject: Milestone):
    """Mark the milestone gehaald (or, with ``undo``, not yet)."""
    form = AchievedForm().parse()
    day = None if form.undo.data else (form.achieved_on.data or local_today())
    set_achieved(subject, day, expected_version=form.version.data, actor=current_user,
                 today=local_today())
    db.session.commit()
    flash("Mijlpaal bijgewerkt.", "ok")
    return redirect(_detail_url(milestone_id), code=303)


@bp.get("/teams/<slug>/milestones/new")
@requires("team.edit", load=team_page)
def new(slug: str, subject: Team):
    """Form for a new milestone of the team."""
    return render_template("milestones/form.html", team=subject, values={"kind": "deadline"},
                           errors={}, kind_options=KIND_OPTIONS)


def _refused_new(refusal: Refusal, slug: str, subject: Team):
    return render_template("milestones/form.html", team=subject, values=request.form,
                           errors=refusal.errors, kind_options=KIND_OPTIONS), 422


FORM_FIELDS = ("title", "description", "due_date", "kind")


@bp.post("/teams/<slug>/milestones")
@requires("team.edit", load=team_page)
@form_errors(_refused_new)
def create(slug: str, subject: Team):
    """Create a milestone of the team."""
    form = MilestoneForm().parse()
    milestone = create_milestone(subject, **form.values(*FORM_FIELDS),
                                 per_municipality=form.per_municipality.data, actor=current_user)
    db.session.commit()
    flash(f"Mijlpaal “{milestone.title}” is toegevoegd.", "ok")
    return redirect(url_for("milestones.detail", milestone_id=milestone.id), code=303)


def _edit_values(milestone: Milestone) -> dict:
    return {"title": milestone.title, "description": milestone.description,
            "due_date": milestone.due_date.isoformat(), "kind": milestone.kind.value}


@bp.get("/milestones/<int:milestone_id>/edit")
@requires("milestone.edit", load=load_milestone)
def edit(milestone_id: int, subject: Milestone):
    """The edit form of a milestone, carrying its version."""
    return render_template("milestones/form.html", team=subject.team, milestone=subject,
                           values=_edit_values(subject), errors={}, kind_options=KIND_OPTIONS)


def _refused_edit(refusal: Refusal, milestone_id: int, subject: Milestone):
    """422 with the messages; 409 with the values someone else saved first."""
    current = load_milestone(milestone_id)
    extra = {"is_conflict": True, "current": _edit_values(current)} if refusal.is_conflict else {}
    return render_template("milestones/form.html", team=current.team, milestone=current,
                           values=request.form, errors=refusal.errors, kind_options=KIND_OPTIONS,
                           **extra), refusal.status


@bp.post("/milestones/<int:milestone_id>")
@requires("milestone.edit", load=load_milestone)
@form_errors(_refused_edit)
def update(milestone_id: int, subject: Milestone):
    """Save the edit form (409 with the current values when someone saved first)."""
    form = MilestoneForm().parse()
    update_milestone(subject, **form.values(*FORM_FIELDS), expected_version=form.version.data,
                     actor=current_user)
    db.session.commit()
    flash("Mijlpaal opgeslagen.", "ok")
    return redirect(url_for("milestones.detail", milestone_id=milestone_id), code=303)
