"""Actions: create, edit, done/reopen in one click, cancel, comments, CSV, Mijn werk."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import cache

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.actions.conflicts import Conflict, describe_conflict
from tracker.actions.forms import ActionForm, BulkForm, CommentForm, parse_selection
from tracker.actions.models import Action, ActionComment
from tracker.actions.queries import (
    ActionFilter,
    assignable_people,
    districts,
    export_rows,
    my_work_listing,
    owner_options,
    selected_ids,
    team_counters,
)
from tracker.actions.rules import three_way_merge
from tracker.actions.services import (
    BULK_OPERATIONS,
    add_comment,
    bulk_change,
    cancel_action,
    complete_action,
    create_action,
    reopen_action,
    update_action,
)
from tracker.audit.models import AuditEntry
from tracker.auth.drafts import restored_value
from tracker.auth.models import User
from tracker.auth.permissions import can, requires
from tracker.auth.redirects import safe_next_url
from tracker.clock import local_today, now
from tracker.concurrency import CONFLICTS, parse_version
from tracker.csv_export import csv_response
from tracker.db import commit_keeping_state
from tracker.enums import ActionStatus
from tracker.extensions import db
from tracker.formatting import long_date
from tracker.forms import Refusal, form_errors
from tracker.home.queries import member_teams
from tracker.htmx import is_fragment, trigger
from tracker.milestones.models import Milestone
from tracker.network.models import Team
from tracker.network.queries import team_page
from tracker.pagination import page_links, page_number
from tracker.xlsx_export import Column, xlsx_bytes, xlsx_response

bp = Blueprint("actions", __name__)

ACTIONS_CHANGED = "actions-changed"


def load_action(action_id: int, **_ignored) -> Action | None:
    return db.session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .options(
            selectinload(Action.team).selectinload(Team.memberships),
            selectinload(Action.owner),
            selectinload(Action.milestone),
            selectinload(Action.district),
            selectinload(Action.event),
        )
    )


@cache
def _action_row_statement() -> Select:
    # Built once per process (it only varies by the bound id): building the statement and
    # its loader options cost as much CPU as running it.
    return (
        select(Action)
        .where(Action.id == bindparam("action_id"))
        .options(joinedload(Action.team), joinedload(Action.owner), joinedload(Action.event))
    )


def load_action_row(action_id: int, **_ignored) -> Action | None:
    """The action with what its list row shows (team, owner, meeting) in one SELECT: the
    done / reopen / cancel clicks answer with that row."""
    return db.session.scalar(_action_row_statement(), {"action_id": action_id})


def _form_choices(team: Team) -> dict:
    milestones = db.session.scalars(
        select(Milestone)
        .where((Milestone.team_id == team.id) | Milestone.team_id.is_(None))
        .order_by(Milestone.due_date)
    ).all()
    return {
        "owners": owner_options(team.id),
        "milestones": list(milestones),
        "districts": districts(),
    }


def _parse_form(team: Team) -> ActionForm:
    """The submitted action form, parsed against the team's choices (ValidationErrors)."""
    return parse_action_form(team)


def parse_action_form(team: Team, formdata=None) -> ActionForm:
    """The action form parsed against ``team``'s choices: the request's form, or
    ``formdata`` (a MultiDict of strings: the API's JSON body). Raises ValidationErrors."""
    choices = _form_choices(team)
    kwargs = {} if formdata is None else {"formdata": formdata}
    return ActionForm(
        owners={u.id for u in choices["owners"]},
        milestones={m.id for m in choices["milestones"]},
        districts={d.id for d in choices["districts"]},
        **kwargs,
    ).parse()


STATUS_OPTIONS = [(s.value, s.label) for s in ActionStatus]
#: The fields of the action form, in the order the conflict message lists them.
FORM_FIELDS = ("title", "description", "report_text", "owner_id", "due_date", "status",
               "milestone_id", "district_id")
#: Free-text fields kept as typed (not stripped) when merging.
MULTILINE_FIELDS = ("description", "report_text")


def form_values(action: Action) -> dict[str, str]:
    """The action as the edit form shows it (all strings)."""
    return {
        "title": action.title, "description": action.description or "",
        "report_text": action.report_text or "",
        "owner_id": str(action.owner_id or ""), "status": action.status.value,
        "due_date": action.due_date.isoformat() if action.due_date else "",
        "milestone_id": str(action.milestone_id or ""),
        "district_id": str(action.district_id or ""),
    }


def _form_page(team: Team, *, action: Action | None, values, errors, status=200,
               is_conflict=False, conflict=None, base=None, clashes=None, choices=None):
    return (
        render_template(
            "actions/form.html", team=team, action=action, values=values, errors=errors,
            is_conflict=is_conflict, conflict=conflict, status_options=STATUS_OPTIONS,
            base=base or {}, clashes=clashes or {}, field_labels=FIELD_LABELS,
            **(choices or _form_choices(team)),
        ),
        status,
    )


@bp.get("/teams/<slug>/actions/new")
@requires("team.edit", load=team_page)
def new(slug: str, subject: Team):
    """The form for a new action."""
    return _form_page(subject, action=None, values={"status": "open"}, errors={})


def _refused_new(refusal: Refusal, slug: str, subject: Team):
    return _form_page(subject, action=None, values=request.form, errors=refusal.errors,
                      status=refusal.status)


@bp.post("/teams/<slug>/actions")
@requires("team.edit", load=team_page)
@form_errors(_refused_new)
def create(slug: str, subject: Team):
    """Create an action; errors are shown next to their fields."""
    form = _parse_form(subject)
    action = create_action(subject, form.to_input(), actor=current_user, now=now())
    db.session.commit()
    flash(f"Actie “{action.title}” is toegevoegd.", "ok")
    return redirect(url_for("network.team", slug=slug), code=303)


@bp.get("/actions/<int:action_id>")
@requires("action.view", load=load_action)
def detail(action_id: int, subject: Action):
    """An action with its history (from the audit trail) and comments."""
    # A comment typed when the session ended comes back in the box (tracker.auth.drafts).
    kept = restored_value(url_for("actions.comment", action_id=action_id), "text")
    return _detail_page(subject, comment_text=kept)


def _detail_page(action: Action, *, status: int = 200, errors: dict[str, str] | None = None,
                 comment_text: str = "", announcement: str = ""):
    """The action page; for htmx swapping into ``#reacties`` only the comments section.

    ``errors``/``comment_text``: a refused comment shown at its field with the text kept.
    """
    comments = db.session.scalars(
        select(ActionComment)
        .where(ActionComment.action_id == action.id)
        .options(selectinload(ActionComment.author))
        .order_by(ActionComment.created_at)
    ).all()
    context = {
        "action": action, "comments": comments, "errors": errors or {},
        "comment_text": comment_text, "announcement": announcement,
        "can_comment": can(current_user, "action.comment", action),
    }
    if is_fragment(target="reacties"):
        response = make_response(render_template("actions/_comments.html", **context), status)
    else:
        history = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "actions", AuditEntry.object_id == action.id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        ).all()
        response = make_response(render_template(
            "actions/detail.html", team=action.team, history=history,
            today=local_today(), field_labels=FIELD_LABELS,
            display_value=_history_formatter(history),
            can_edit=can(current_user, "action.edit", action),
            can_view_event=action.event is not None and can(current_user, "event.view",
                                                            action.event),
            **context,
        ), status)
    response.vary.add("HX-Request")
    return response


FIELD_LABELS = {
    "title": "Titel", "description": "Toelichting", "report_text": "Tekst in de rapportage",
    "owner_id": "Eigenaar",
    "due_date": "Datum", "status": "Status", "milestone_id": "Mijlpaal",
    "district_id": "District",
}


def _history_formatter(history: list[AuditEntry]):
    """A function showing audit values in Dutch, with names looked up in three queries."""
    from datetime import date as date_type

    from tracker.formatting import long_date
    from tracker.network.models import District

    ids: dict[str, set[int]] = {"owner_id": set(), "milestone_id": set(), "district_id": set()}
    for entry in history:
        for side in (entry.before or {}, entry.after or {}):
            for key, bucket in ids.items():
                if isinstance(side.get(key), int):
                    bucket.add(side[key])
    names = {
        "owner_id": dict(db.session.execute(
            select(User.id, User.name).where(User.id.in_(ids["owner_id"]))).all()),
        "milestone_id": dict(db.session.execute(
            select(Milestone.id, Milestone.title).where(Milestone.id.in_(ids["milestone_id"])))
            .all()),
        "district_id": dict(db.session.execute(
            select(District.id, District.name).where(District.id.in_(ids["district_id"])))
            .all()),
    }

    def display(key: str, value, _people=None) -> str:
        if value in (None, ""):
            return "—"
        if key in names:
            return names[key].get(value, f"#{value}")
        if key == "status":
            try:
                return ActionStatus(value).label
            except ValueError:
                return str(value)
        if key == "due_date":
            return long_date(date_type.fromisoformat(value))
        text = str(value)
        return text if len(text) <= 80 else text[:79] + "…"

    return display


@bp.get("/actions/<int:action_id>/edit")
@requires("action.edit", load=load_action)
def edit(action_id: int, subject: Action):
    """The edit form, carrying the version it was built from."""
    values = form_values(subject)
    return _form_page(subject.team, action=subject, values=values, errors={}, base=values)


def _refused_edit(refusal: Refusal, action_id: int, subject: Action):
    """422: the form with its messages; 409: the three-way merge with the colleague's change."""
    current = load_action(action_id)
    if not refusal.is_conflict:
        return _form_page(current.team, action=current, values=request.form,
                          errors=refusal.errors, status=422, base=_submitted_base())
    theirs = form_values(current)
    mine = {f: (request.form.get(f) or "").strip() if f not in MULTILINE_FIELDS
            else request.form.get(f) or "" for f in FORM_FIELDS}
    merged, clashes = three_way_merge(_submitted_base(), mine, theirs)
    choices = _form_choices(current.team)
    return _form_page(current.team, action=current, values=merged, errors={}, status=409,
                      is_conflict=True,
                      conflict=describe_conflict(current, parse_version(request.form.get("version"))),
                      base=theirs,
                      clashes=_readable(choices, clashes), choices=choices)


@bp.post("/actions/<int:action_id>")
@requires("action.edit", load=load_action)
@form_errors(_refused_edit)
def update(action_id: int, subject: Action):
    """Save the edit form; a stale version answers 409 and overwrites nothing."""
    form = _parse_form(subject.team)
    update_action(subject, form.to_input(), expected_version=form.version.data,
                  actor=current_user, now=now())
    db.session.commit()
    flash(f"Actie “{subject.title}” is opgeslagen.", "ok")
    return redirect(url_for("actions.detail", action_id=action_id), code=303)


def _readable(choices: dict, values: dict[str, str]) -> dict[str, str]:
    """Form values as a person reads them: names instead of ids, Dutch dates and statuses."""
    from datetime import date as date_type

    from tracker.formatting import long_date

    names = {
        "owner_id": {str(u.id): u.name for u in choices["owners"]},
        "milestone_id": {str(m.id): m.title for m in choices["milestones"]},
        "district_id": {str(d.id): d.name for d in choices["districts"]},
        "status": {s.value: s.label for s in ActionStatus},
    }
    readable = {}
    for key, value in values.items():
        if key == "due_date" and value:
            with contextlib.suppress(ValueError):
                value = long_date(date_type.fromisoformat(value))
        readable[key] = names.get(key, {}).get(value, value)
    return readable


def _submitted_base() -> dict[str, str]:
    """The values the submitted form was built from (hidden ``base_*`` fields)."""
    return {f: request.form.get(f"base_{f}", "") for f in FORM_FIELDS}


def _status_change(action_id: int, subject: Action, service, message: str):
    """Shared flow of done / reopen / cancel: a row fragment for htmx, a redirect otherwise."""
    expected = parse_version(request.form.get("version"))
    is_conflict, conflict = False, None
    try:
        changed = service(subject, expected_version=expected, actor=current_user, now=now())
        # The row below is drawn from what was just written: no reload after the commit.
        commit_keeping_state(db.session)
    except CONFLICTS:  # a stale form, or a colleague's click committed between read and write
        db.session.rollback()
        changed, is_conflict = False, True
        subject = load_action(action_id)
        conflict = describe_conflict(subject, expected)
    back = safe_next_url(request.form.get("next"), url_for("network.team", slug=subject.team.slug))
    if not is_fragment():
        if is_conflict:
            return _conflict_page(subject, conflict)
        if changed:
            flash(message.format(title=subject.title), "ok")
        return redirect(back, code=303)
    announcement = (
        "Niet opgeslagen: iemand anders heeft deze actie intussen gewijzigd."
        if is_conflict else message.format(title=subject.title)
    )
    response = make_response(
        render_template(
            "actions/_row_response.html", action=subject, today=local_today(), next_url=back,
            can_edit=True, just_changed=changed, conflict=conflict, is_conflict=is_conflict,
            announcement=announcement,
        ),
        409 if is_conflict else 200,
    )
    response.vary.add("HX-Request")
    return trigger(response, ACTIONS_CHANGED)


def _conflict_page(action: Action, conflict: Conflict):
    return (
        render_template("actions/conflict.html", action=action, conflict=conflict,
                        team=action.team),
        409,
    )


@bp.post("/actions/<int:action_id>/done")
@requires("action.edit", load=load_action_row)
def done(action_id: int, subject: Action):
    """Mark an action done in one click (idempotent; undo offered in the row)."""
    return _status_change(action_id, subject, complete_action, "Actie “{title}” is gereed gemeld.")


@bp.post("/actions/<int:action_id>/reopen")
@requires("action.edit", load=load_action_row)
def reopen(action_id: int, subject: Action):
    """Reopen a done or cancelled action (also the undo of done)."""
    return _status_change(action_id, subject, reopen_action, "Actie “{title}” is heropend.")


@bp.post("/actions/<int:action_id>/cancel")
@requires("action.edit", load=load_action_row)
def cancel(action_id: int, subject: Action):
    """Mark an action vervallen."""
    return _status_change(action_id, subject, cancel_action, "Actie “{title}” is vervallen.")


def _refused_comment(refusal: Refusal, action_id: int, subject: Action, **_ignored):
    """422 with the typed text kept and the reason at the field (page, or htmx section)."""
    return _detail_page(subject, status=refusal.status, errors=refusal.errors,
                        comment_text=request.form.get("text", ""))


@bp.post("/actions/<int:action_id>/comments")
@requires("action.comment", load=load_action)
@form_errors(_refused_comment)
def comment(action_id: int, subject: Action):
    """Add a plain-text comment: 303 back to the page, or for htmx the comments section."""
    form = CommentForm().parse()
    add_comment(subject, form.text.data, actor=current_user, now=now())
    db.session.commit()
    if is_fragment(target="reacties"):
        return _detail_page(subject, announcement="Reactie geplaatst.")
    flash("Reactie geplaatst.", "ok")
    return redirect(url_for("actions.detail", action_id=action_id) + "#reacties", code=303)


@bp.get("/teams/<slug>/counters")
@requires("team.view", load=team_page)
def counters(slug: str, subject: Team):
    """The team's action counters (refreshed by htmx after a change)."""
    return render_template("actions/_counters.html", team=subject,
                           counters=team_counters(subject.id, local_today()))


@bp.get("/teams/<slug>/actions.csv")
@requires("team.view", load=team_page)
def export(slug: str, subject: Team):
    """The filtered list as CSV for Excel."""
    today = local_today()
    rows = export_rows(subject.id, ActionFilter.from_args(request.args), today)
    header = ["Nummer", "Titel", "Toelichting", "Eigenaar", "Datum", "Status", "District",
              "Mijlpaal", "Gereed op"]
    # Dates as they are: csv_export.csv_cell writes every date column in one ISO form.
    return csv_response(
        f"acties-{subject.slug}-{today.isoformat()}.csv",
        header,
        (
            [a.id, a.title, a.description, a.owner.name if a.owner else "", a.due_date,
             a.status.label, a.district.name if a.district else "",
             a.milestone.title if a.milestone else "", a.completed_at]
            for a in rows
        ),
    )


#: The columns of the actions workbook (the CSV's, with their kinds).
ACTION_COLUMNS = [
    Column("Nummer", "integer"), Column("Titel"), Column("Toelichting"), Column("Eigenaar"),
    Column("Datum", "date"), Column("Status"), Column("District"), Column("Mijlpaal"),
    Column("Gereed op", "datetime"),
]


@bp.get("/teams/<slug>/actions.xlsx")
@requires("team.view", load=team_page)
def export_xlsx(slug: str, subject: Team):
    """The filtered list as an Excel workbook (real dates, numbers as numbers)."""
    today = local_today()
    rows = export_rows(subject.id, ActionFilter.from_args(request.args), today)
    data = xlsx_bytes(
        ACTION_COLUMNS,
        ([a.id, a.title, a.description, a.owner.name if a.owner else None, a.due_date,
          a.status.label, a.district.name if a.district else None,
          a.milestone.title if a.milestone else None, a.completed_at] for a in rows),
        sheet="Acties", title=f"Acties {subject.name}",
        lines=[f"Peildatum: {long_date(today)}", f"{len(rows)} acties"],
    )
    return xlsx_response(f"acties-{subject.slug}-{today.isoformat()}.xlsx", data)


@bp.get("/mijn-werk")
@requires("network.view")
def my_work_page():
    """The logged-in person's actions across teams, a page at a time."""
    today = local_today()
    work = my_work_listing(current_user.id, today, now(), page_number(request.args))
    work.page.link = page_links(anchor="mijn-werk-lijst")
    shown = work.actions
    bulk = can(current_user, "actions.bulk", Selection(rows=[]))
    # Hand work over: the people any of the editable rows' teams may assign to (the bulk
    # route checks the chosen person against every selected action's team).
    teams = sorted({a.team_id for a in shown if can(current_user, "action.edit", a)})
    # Someone who owns nothing is pointed to their teams (tracker.home.queries).
    my_teams = member_teams(current_user.id) if work.is_empty else []
    return render_template("actions/my_work.html", work=work, today=today, my_teams=my_teams,
                           next_url=page_links()(work.page.number), bulk=bulk,
                           bulk_operations=BULK_OPERATIONS,
                           bulk_owners=assignable_people(teams) if bulk else None,
                           selected=selected_ids(request.args.get("selectie"), shown))


# --- Bulk changes (issue 13) -----------------------------------------------------------------

@dataclass
class Selection:
    """The actions ticked in a list, with the version each row showed.

    ``missing``: an id in the form that is no action (the whole request is refused).
    """

    rows: list[tuple[Action, int | None]]
    missing: bool = False


def load_selection(**_ignored) -> Selection:
    """The ticked actions of the submitted bulk form (one query; malformed values are
    left to the form, which refuses them with 422)."""
    parsed = parse_selection(request.form.getlist("acties")) or []
    ids = [ident for ident, _version in parsed]
    found = {action.id: action for action in db.session.scalars(
        # Locked in id order (FOR UPDATE on PostgreSQL; SQLite writers are serial): no
        # colleague commits between the version check and the write of a row.
        select(Action).where(Action.id.in_(ids)).order_by(Action.id).with_for_update(
            of=Action).options(
            selectinload(Action.team).selectinload(Team.memberships),
            selectinload(Action.owner)))} if ids else {}
    return Selection(rows=[(found[i], v) for i, v in parsed if i in found],
                     missing=any(i not in found for i in ids))


#: The result line of a bulk change, per operation ({n}: "3 acties").
BULK_DONE = {
    "gereed": "{n} gereed gemeld.",
    "heropenen": "{n} heropend.",
    "eigenaar": "Eigenaar van {n} gewijzigd.",
    "einddatum": "Einddatum van {n} gewijzigd.",
}


def _count(n: int) -> str:
    from tracker.formatting import number

    return f"{number(n)} {'actie' if n == 1 else 'acties'}"


def _bulk_back(selected: list[int] | None = None) -> str:
    """Where the bulk form came from; with ``selected`` ticked again (``?selectie=1,2``)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    back = safe_next_url(request.form.get("next"), url_for("actions.my_work_page"))
    parts = urlsplit(back)
    # The list the form came from may itself carry ticks (?selectie=, after a refusal or
    # "alles selecteren"): never carry those on, or the next change would reach rows the
    # user no longer ticked.
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "selectie"]
    if selected:
        query.append(("selectie", ",".join(str(i) for i in selected)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _refused_bulk(refusal: Refusal, subject: Selection, **_ignored):
    """A missing choice: the reason as a message, back to the list with the ticks kept."""
    if refusal.is_conflict:  # not expected: the rows are locked while they are changed
        flash("Niets gewijzigd: iemand anders wijzigde intussen een van deze acties.", "warning")
        return redirect(_bulk_back(), code=303)
    flash("Niets gewijzigd: " + refusal.message, "error")
    return redirect(_bulk_back([a.id for a, _v in subject.rows]), code=303)


@bp.post("/actions/bulk")
@requires("actions.bulk", load=load_selection)
@form_errors(_refused_bulk)
def bulk(subject: Selection):
    """Apply one change to the ticked actions in one transaction.

    Fresh rows are saved and committed; a stale row (its version changed since the list
    was shown) is left as it is. All saved: 303 back to the list. Any stale row: 409 with
    the rows saved and, per stale row, who changed which field.
    """
    teams = {action.team_id for action, _version in subject.rows}
    owners = set.intersection(*({u.id for u in owner_options(t)} for t in teams)) \
        if teams else set()
    form = BulkForm(owners=owners).parse()
    operation = form.handeling.data
    outcome = bulk_change(subject.rows, operation, owner_id=form.eigenaar.data,
                          due_date=form.einddatum.data, actor=current_user, now=now())
    db.session.commit()
    done = BULK_DONE[operation].format(n=_count(len(outcome.saved)))
    if outcome.conflicts:
        return render_template(
            "actions/bulk_result.html", outcome=outcome, done=done, back=_bulk_back(),
            operation=BULK_OPERATIONS[operation],
        ), 409
    message = done if outcome.saved else "Niets gewijzigd."
    if outcome.unchanged:
        many = len(outcome.unchanged) > 1
        message += f" {_count(len(outcome.unchanged))} stond{'en' if many else ''} al zo."
    flash(message[0].upper() + message[1:], "ok")
    return redirect(_bulk_back(), code=303)
