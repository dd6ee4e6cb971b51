"""Beheer: organisations (list, add, rename, merge) — routes on the admin blueprint."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from tracker.admin.forms import MergeForm, OrganisationForm
from tracker.admin.routes import bp
from tracker.auth.models import User
from tracker.auth.permissions import requires
from tracker.enums import OrganisationKind
from tracker.extensions import db
from tracker.forms import Refusal, form_errors
from tracker.network.models import Organisation
from tracker.network.organisations import (
    create_organisation,
    merge_organisations,
    people_count,
    rename_organisation,
)

KIND_OPTIONS = [(k.value, k.label) for k in OrganisationKind]


def _load(organisation_id: int, **_ignored) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def _rows() -> list[tuple[Organisation, int]]:
    """Every organisation with its number of people, in one query (kind, then name)."""
    people = func.count(User.id)
    return [(o, n) for o, n in db.session.execute(
        select(Organisation, people).outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id).order_by(Organisation.kind, Organisation.name))]


def _list_page(errors=None, values=None, status=200):
    rows = _rows()
    return render_template("admin/organisations.html", rows=rows, kind_options=KIND_OPTIONS,
                           errors=errors or {}, values=values or {}), status


@bp.get("/organisaties")
@requires("organisations.manage")
def organisations():
    """All organisations with their number of people, and a form to add one."""
    return _list_page()


def _refused_new(refusal: Refusal):
    return _list_page(refusal.errors, request.form, 422)


@bp.post("/organisaties")
@requires("organisations.manage")
@form_errors(_refused_new)
def organisation_create():
    """Add an organisation."""
    form = OrganisationForm().parse()
    organisation = create_organisation(form.name.data, form.kind.data, actor=current_user)
    db.session.commit()
    flash(f"Organisatie „{organisation.name}” toegevoegd.", "ok")
    return redirect(url_for("admin.organisation", organisation_id=organisation.id), code=303)


def _others(organisation: Organisation) -> list[tuple[int, str]]:
    return [(o.id, o.name) for o in db.session.scalars(
        select(Organisation).where(Organisation.id != organisation.id)
        .order_by(Organisation.name))]


def _page(organisation: Organisation, errors=None, values=None, status=200):
    return render_template(
        "admin/organisation.html", organisation=organisation, kind_options=KIND_OPTIONS,
        people=db.session.scalars(select(User).where(User.organisation_id == organisation.id)
                                  .order_by(User.name)).all(),
        others=_others(organisation), errors=errors or {}, values=values or {}), status


@bp.get("/organisaties/<int:organisation_id>")
@requires("organisations.manage", load=_load)
def organisation(organisation_id: int, subject: Organisation):
    """One organisation: its people, the rename form and the merge form."""
    return _page(subject)


def _refused_rename(refusal: Refusal, organisation_id: int, **_ignored):
    return _page(_load(organisation_id), refusal.errors, request.form, refusal.status)


@bp.post("/organisaties/<int:organisation_id>")
@requires("organisations.manage", load=_load)
@form_errors(_refused_rename)
def organisation_rename(organisation_id: int, subject: Organisation):
    """Rename the organisation (and change its kind)."""
    form = OrganisationForm().parse()
    rename_organisation(subject, form.name.data, form.kind.data, actor=current_user)
    db.session.commit()
    flash(f"Organisatie „{subject.name}” opgeslagen.", "ok")
    return redirect(url_for("admin.organisation", organisation_id=organisation_id), code=303)


@bp.post("/organisaties/<int:organisation_id>/samenvoegen")
@requires("organisations.manage", load=_load)
@form_errors(_refused_rename)
def organisation_merge(organisation_id: int, subject: Organisation):
    """Merge into the chosen organisation; without ``confirm`` only the confirmation page
    (naming how many people move) is shown and nothing changes."""
    form = MergeForm(organisations={o for o, _ in _others(subject)}).parse()
    survivor = db.session.get(Organisation, form.survivor_id.data)
    if not form.confirm.data:
        return render_template("admin/organisation_merge.html", organisation=subject,
                               survivor=survivor, moving=people_count(subject.id))
    name = subject.name
    moved = merge_organisations(subject, survivor, actor=current_user)
    db.session.commit()
    flash(f"{name} is samengevoegd met {survivor.name}; "
          f"{moved.get('users.organisation_id', 0)} personen verplaatst.", "ok")
    return redirect(url_for("admin.organisation", organisation_id=survivor.id), code=303)
