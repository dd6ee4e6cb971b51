"""The network overview, a team's status page and in-place editing of its blocks."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.permissions import can, requires, visible_team_ids
from tracker.clock import local_today
from tracker.enums import ItemKind
from tracker.extensions import db
from tracker.forms import Refusal, form_errors
from tracker.htmx import render_page_or_fragment
from tracker.indicators.workbook import indicator_sheet
from tracker.network.models import ReportItem, Team
from tracker.network.queries import team_page
from tracker.pagination import page_links, page_number
from tracker.status import services
from tracker.status.forms import NOT_A_BUTTON, ItemForm, ItemVersionForm, MoveForm, NewItemForm
from tracker.status.queries import network_page, network_rows, team_section
from tracker.xlsx_export import workbook_bytes, xlsx_response

bp = Blueprint("status", __name__)

PAGE = "status/team.html"


def _team(slug: str, **_ids) -> Team | None:
    """The permission subject of every block route: the team in the URL."""
    return team_page(slug)

BLOCK = "status/_block.html"


def current_rows(team_ids: list[int] | None):
    """The network status page's rows (computed status, counters, next milestone, pilots)
    of ``team_ids`` (None: every team) as of today; the API answers from the same."""
    return network_rows(team_ids, local_today())


def current_section(team: Team):
    """A team's status page section as of today (the API's team status and indicators
    answer from the same)."""
    return team_section(team, local_today())


@bp.get("/status")
@requires("network.view")
def overview():
    """The teams in one table, a page at a time (``?pagina=N``): computed status, actions,
    next milestone, pilots; the lead sentence counts every team."""
    today = local_today()
    status = network_page(visible_team_ids(current_user), today, page_number(request.args))
    status.rows.link = page_links(anchor="netwerk-tabel")
    return render_page_or_fragment(
        "status/network.html", "status/network.html", rows=status.rows,
        network=status.network, today=today,
    )


def _render_status(team: Team, *, kind: str | None = None, status: int = 200, **extra):
    """The status page, or for htmx the one block that changed."""
    page = current_section(team)
    section = page.section
    context = {"team": team, "section": section, "today": local_today(),
               "more_actions": page.more_actions,
               "editable": can(current_user, "team.edit", team), "editing": None,
               "errors": {}, "conflict": None, "draft": {}, "focus": None}
    context.update(extra)
    if kind is not None:
        context["block"] = next(b for b in section.blocks if b[0] == kind)
        return render_page_or_fragment(PAGE, BLOCK, status=status, **context)
    return render_page_or_fragment(PAGE, PAGE, status=status, **context)


@bp.get("/teams/<slug>/status")
@requires("team.view", load=team_page)
def team_status(slug: str, subject: Team):
    """A team's living status: computed status with reasons, the four blocks, milestones,
    pilots and indicators. ``?bewerk=<id>`` opens one point for editing (no-JS path)."""
    editing = request.args.get("bewerk", type=int)
    return _render_status(subject, editing=editing)


@bp.get("/teams/<slug>/indicatoren.xlsx")
@requires("team.view", load=team_page)
def indicators_xlsx(slug: str, subject: Team):
    """The team's indicator tables as the status page shows them, one sheet each, as an
    Excel workbook (404 for a team without indicators)."""
    indicators = current_section(subject).section.indicators
    if not indicators:
        abort(404)
    today = local_today()
    data = workbook_bytes([indicator_sheet(ind, today, team_name=subject.name)
                           for ind in indicators])
    return xlsx_response(f"indicatoren-{subject.slug}-{today.isoformat()}.xlsx", data)


def _item(team: Team, item_id: int) -> ReportItem:
    item = db.session.scalar(
        select(ReportItem).where(ReportItem.id == item_id, ReportItem.team_id == team.id)
    )
    if item is None:
        abort(404)
    return item


def _done(team: Team, kind: str, focus: str | None = None, editing: int | None = None):
    """After a change: the block for htmx (``focus`` = id of the element to focus), a 303
    back to the page otherwise. ``editing``: the point whose controls stay open (a move:
    the next move is one key press away)."""
    from tracker.htmx import is_fragment

    if is_fragment():
        return _render_status(team, kind=kind, focus=focus or f"blok-{kind}-titel",
                              editing=editing)
    if editing:
        return redirect(url_for("status.team_status", slug=team.slug, bewerk=editing)
                        + f"#punt-{editing}", 303)
    return redirect(url_for("status.team_status", slug=team.slug) + f"#blok-{kind}", 303)


@bp.get("/teams/<slug>/status/punten/<int:item_id>/bewerken")
@requires("team.edit", load=_team)
def edit_item_form(slug: str, item_id: int, subject: Team):
    """The edit form of one point (htmx swaps it into its block)."""
    item = _item(subject, item_id)
    return _render_status(subject, kind=item.kind.value, editing=item.id,
                          focus=f"tekst-{item.id}")


def _not_a_button(refusal: Refusal) -> None:
    """A kind or direction that no button sends is a bad request (400), not a form error."""
    if any(name in refusal.errors for name in NOT_A_BUTTON):
        abort(400)


def _refused_new_item(refusal: Refusal, slug: str, subject: Team):
    _not_a_button(refusal)
    kind = ItemKind(request.form["kind"])
    return _render_status(subject, kind=kind.value, status=422,
                          errors={f"new-{kind.value}": refusal.message},
                          draft={f"new-{kind.value}": request.form.get("text", "")},
                          focus=f"nieuw-{kind.value}")


@bp.post("/teams/<slug>/status/punten")
@requires("team.edit", load=_team)
@form_errors(_refused_new_item)
def add_item(slug: str, subject: Team):
    """Add a point to a block."""
    form = NewItemForm().parse()
    kind = form.kind.data
    services.add_item(subject, kind, form.text.data, current_user)
    db.session.commit()
    return _done(subject, kind.value, focus=f"nieuw-{kind.value}")


def _refused_item(refusal: Refusal, slug: str, item_id: int, subject: Team):
    """422: the point's form with the message; 409: the other person's text beside mine."""
    _not_a_button(refusal)
    current = db.session.get(ReportItem, item_id)
    kind = current.kind.value if current else g.item_kind  # removed meanwhile: as loaded
    text = request.form.get("text", "")
    if refusal.is_conflict:
        return _render_status(subject, kind=kind, status=409,
                              editing=item_id if current else None,
                              conflict={"id": item_id, "mine": text,
                                        "theirs": current.text if current else None})
    return _render_status(subject, kind=kind, status=422, editing=item_id,
                          errors={f"item-{item_id}": refusal.message},
                          draft={f"item-{item_id}": text}, focus=f"tekst-{item_id}")


@bp.post("/teams/<slug>/status/punten/<int:item_id>")
@requires("team.edit", load=_team)
@form_errors(_refused_item)
def update_item(slug: str, item_id: int, subject: Team):
    """Save a point's new text (409 with the other person's text when it changed meanwhile)."""
    item = _item(subject, item_id)
    kind = g.item_kind = item.kind.value
    form = ItemForm(item=item).parse()
    services.update_item(item, form.text.data, form.version.data, current_user)
    db.session.commit()
    return _done(subject, kind, focus=f"bewerk-{item_id}")


@bp.post("/teams/<slug>/status/punten/<int:item_id>/verwijderen")
@requires("team.edit", load=_team)
@form_errors(_refused_item)
def delete_item(slug: str, item_id: int, subject: Team):
    """Remove a point (409 when it changed meanwhile)."""
    item = _item(subject, item_id)
    kind = g.item_kind = item.kind.value
    form = ItemVersionForm().parse()
    services.delete_item(item, form.version.data, current_user)
    db.session.commit()
    return _done(subject, kind)


@bp.post("/teams/<slug>/status/punten/<int:item_id>/verplaatsen")
@requires("team.edit", load=_team)
@form_errors(_refused_item)
def move_item(slug: str, item_id: int, subject: Team):
    """Move a point one place up or down within its block."""
    item = _item(subject, item_id)
    kind = g.item_kind = item.kind.value
    direction = MoveForm().parse().richting.data
    services.move_item(item, direction, current_user)
    db.session.commit()
    return _done(subject, kind, focus=f"{'omhoog' if direction == 'up' else 'omlaag'}-{item_id}",
                 editing=item_id)
