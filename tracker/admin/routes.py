"""Beheer: accounts and team membership (beheerder only)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.admin.forms import (
    EraseForm,
    MembershipForm,
    MfaResetForm,
    NewUserForm,
    SalutationForm,
    UserForm,
)
from tracker.auth.mfa import mfa_status_label, reset_mfa
from tracker.auth.models import User
from tracker.auth.permissions import requires
from tracker.auth.services import (
    create_user,
    remove_membership,
    set_membership,
    set_salutation,
    update_user,
)
from tracker.avg.erasure import erase_person, is_erased
from tracker.avg.export import export_person
from tracker.enums import Role, TeamRole
from tracker.extensions import db
from tracker.forms import Refusal, form_errors
from tracker.network.models import Organisation, Team, TeamMembership
from tracker.security_log import log_beheerder_actions

bp = Blueprint("admin", __name__, url_prefix="/beheer")
log_beheerder_actions(bp)

ROLE_OPTIONS = [(role.value, role.label) for role in Role]


def _load_user(user_id: int, **_ignored) -> User | None:
    return db.session.scalar(
        select(User)
        .where(User.id == user_id)
        .options(
            selectinload(User.memberships).selectinload(TeamMembership.team),
            selectinload(User.organisation),
        )
    )


def _organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def _teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.position, Team.name)))


def _users_page(errors=None, values=None, status=200):
    users = db.session.scalars(
        select(User)
        .options(
            selectinload(User.organisation),
            selectinload(User.memberships).selectinload(TeamMembership.team),
        )
        .order_by(User.name)
    ).all()
    return (
        render_template(
            "admin/users.html",
            users=users,
            role_options=ROLE_OPTIONS,
            organisation_options=[(o.id, o.name) for o in _organisations()],
            errors=errors or {},
            values=values or {},
        ),
        status,
    )


@bp.get("/gebruikers")
@requires("users.manage")
def users():
    """All accounts, with a form to add one."""
    return _users_page()


def _refused_new(refusal: Refusal):
    return _users_page(refusal.errors, request.form, 422)


@bp.post("/gebruikers")
@requires("users.manage")
@form_errors(_refused_new)
def create():
    """Create an account without a password; the person sets it later."""
    organisations = {o.id: o for o in _organisations()}
    form = NewUserForm(organisations=set(organisations)).parse()
    user = create_user(
        name=form.name.data,
        email=form.email.data,
        role=form.role.data,
        title=form.title.data,
        organisation=organisations.get(form.organisation_id.data),
        actor=current_user,
    )
    db.session.commit()
    flash(f"Account voor {user.name} aangemaakt.", "ok")
    return redirect(url_for("admin.user", user_id=user.id), code=303)


def _user_page(user: User, errors=None, status=200, values=None):
    return (
        render_template(
            "admin/user.html",
            user=user,
            role_options=ROLE_OPTIONS,
            team_role_options=[(r.value, r.label) for r in TeamRole],
            team_options=[(t.id, t.name) for t in _teams()],
            mfa_status=mfa_status_label(user),
            mfa_resettable=user.totp_secret_encrypted is not None,
            erased=is_erased(user),
            errors=errors or {},
            values=values or {},
            # helper "people": the person form's choices and the unconfirmed new address
            organisation_options=[(o.id, o.name) for o in _organisations()],
            pending_emails=_pending_emails(user),
        ),
        status,
    )


def _pending_emails(user: User) -> list[str]:
    from tracker.auth.email_change import pending_requests

    return pending_requests(user)


@bp.get("/gebruikers/<int:user_id>")
@requires("users.manage", load=_load_user)
def user(user_id: int, subject: User):
    """One account: role, active flag and team memberships."""
    return _user_page(subject)


def _refused_user(refusal: Refusal, user_id: int, **_ignored):
    return _user_page(_load_user(user_id), refusal.errors, 422)


@bp.post("/gebruikers/<int:user_id>")
@requires("users.manage", load=_load_user)
@form_errors(_refused_user)
def update(user_id: int, subject: User):
    """Change role or active flag."""
    form = UserForm().parse()
    update_user(subject, role=form.role.data, active=form.active.data, actor=current_user)
    db.session.commit()
    flash("Account bijgewerkt.", "ok")
    return redirect(url_for("admin.user", user_id=user_id), code=303)


def _refused_salutation(refusal: Refusal, user_id: int, **_ignored):
    return _user_page(_load_user(user_id), refusal.errors, 422, request.form)


@bp.post("/gebruikers/<int:user_id>/aanhef")
@requires("users.manage", load=_load_user)
@form_errors(_refused_salutation)
def update_salutation(user_id: int, subject: User):
    """Store how mail addresses the person; empty: the default from the name."""
    form = SalutationForm().parse()
    set_salutation(subject, form.salutation.data, actor=current_user)
    db.session.commit()
    flash(f"Aanhef voor {subject.name} opgeslagen.", "ok")
    return redirect(url_for("admin.user", user_id=user_id), code=303)


@bp.post("/gebruikers/<int:user_id>/teams")
@requires("users.manage", load=_load_user)
@form_errors(_refused_user)
def add_membership(user_id: int, subject: User):
    """Add the person to a team, or change their role in it."""
    teams = {t.id: t for t in _teams()}
    form = MembershipForm(teams=set(teams)).parse()
    team = teams[form.team_id.data]
    set_membership(team, subject, form.team_role.data, actor=current_user)
    db.session.commit()
    flash(f"{subject.name} is toegevoegd aan {team.short_name}.", "ok")
    return redirect(url_for("admin.user", user_id=user_id), code=303)


@bp.post("/gebruikers/<int:user_id>/teams/<int:team_id>/verwijderen")
@requires("users.manage", load=_load_user)
def remove_team(user_id: int, team_id: int, subject: User):
    """Take the person out of a team."""
    team = db.session.get(Team, team_id)
    if team is None:
        return _user_page(subject, {"team_id": "Onbekend team."}, 404)
    removed = remove_membership(team, subject, actor=current_user)
    db.session.commit()
    if removed:
        flash(f"{subject.name} is uit {team.short_name} verwijderd.", "ok")
    return redirect(url_for("admin.user", user_id=user_id), code=303)


@bp.post("/gebruikers/<int:user_id>/wachtwoordlink")
@requires("users.manage", load=_load_user)
def send_password_link(user_id: int, subject: User):
    """Mail the person a link to set their password (new account or reset)."""
    from tracker.auth.password_links import queue_password_link
    from tracker.clock import now

    if is_erased(subject):
        flash("Deze persoon is gewist: er gaat geen mail naar het pseudoniem.", "warning")
    elif not subject.active:
        flash("Dit account is niet actief; zet het eerst aan.", "warning")
    elif queue_password_link(subject, now=now(), actor=current_user, reason="door beheerder"):
        flash(f"Een link om een wachtwoord in te stellen is verstuurd naar {subject.email}.", "ok")
    else:
        flash("Er is kort geleden al een link verstuurd; die blijft 24 uur geldig.", "info")
    db.session.commit()
    return redirect(url_for("admin.user", user_id=user_id), code=303)


@bp.post("/gebruikers/<int:user_id>/tweestapsverificatie/herstellen")
@requires("users.manage", load=_load_user)
@form_errors(_refused_user)
def reset_second_factor(user_id: int, subject: User):
    """Remove the person's second factor (lost phone): audited, every session ends."""
    MfaResetForm().parse()
    reset_mfa(subject, actor=current_user)
    db.session.commit()
    flash(f"De tweestapsverificatie van {subject.name} is verwijderd; alle sessies zijn "
          "beëindigd. Bij de volgende keer inloggen stelt de persoon een nieuwe in.", "ok")
    return redirect(url_for("admin.user", user_id=user_id), code=303)


@bp.post("/gebruikers/<int:user_id>/export")
@requires("users.manage", load=_load_user)
def export(user_id: int, subject: User):
    """Download everything the tracker holds about the person (zip with JSON and CSV); audited."""
    from tracker.clock import now

    data = export_person(subject, actor=current_user)
    db.session.commit()
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="persoonsgegevens-{user_id}-{now():%Y%m%d}.zip"')
    return response


def _erase_page(user: User, errors=None, status=200):
    return render_template("admin/erase.html", user=user, erased=is_erased(user),
                           errors=errors or {}), status


@bp.get("/gebruikers/<int:user_id>/wissen")
@requires("users.manage", load=_load_user)
def erase_confirm(user_id: int, subject: User):
    """What erasing the person does, and the form that confirms it (changes nothing)."""
    return _erase_page(subject)


def _refused_erase(refusal: Refusal, user_id: int, **_ignored):
    return _erase_page(_load_user(user_id), refusal.errors, refusal.status)


@bp.post("/gebruikers/<int:user_id>/wissen")
@requires("users.manage", load=_load_user)
@form_errors(_refused_erase)
def erase(user_id: int, subject: User):
    """Replace the person by a pseudonym everywhere and deactivate the account."""
    from tracker.clock import now

    EraseForm(expected_name=subject.name).parse()
    report = erase_person(subject, actor=current_user, now=now(), reason="verzoek")
    db.session.commit()
    flash(f"De persoon is gewist en heet nu {report.pseudonym.name}.", "ok")
    return redirect(url_for("admin.user", user_id=user_id), code=303)


# Helper "people" (issue 13): organisations and the person form live in their own modules
# on this blueprint; imported here so that registering ``bp`` registers their routes.
from tracker.admin import organisations as _organisation_routes  # noqa: E402, F401
from tracker.admin import people as _people_routes  # noqa: E402, F401
