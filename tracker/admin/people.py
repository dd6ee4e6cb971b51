"""Beheer: a person's details and e-mail address — routes on the admin blueprint."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from tracker.admin.forms import EmailChangeForm, PersonForm
from tracker.admin.routes import _load_user, _organisations, _user_page, bp
from tracker.auth.email_change import request_email_change
from tracker.auth.models import User
from tracker.auth.people import PersonDetails, update_person
from tracker.auth.permissions import requires
from tracker.avg.erasure import is_erased
from tracker.clock import now
from tracker.extensions import db
from tracker.forms import Refusal, form_errors
from tracker.validation import ValidationError

CONFLICT = ("Niet opgeslagen: iemand anders heeft de gegevens van deze persoon intussen "
            "gewijzigd. Hieronder staat de actuele stand; uw invoer staat in het formulier.")


def _refused_person(refusal: Refusal, user_id: int, **_ignored):
    errors = refusal.errors or {"version": CONFLICT}
    return _user_page(_load_user(user_id), errors, refusal.status, request.form)


@bp.post("/gebruikers/<int:user_id>/gegevens")
@requires("users.manage", load=_load_user)
@form_errors(_refused_person)
def update_details(user_id: int, subject: User):
    """Save name, function, organisation, phone and form of address (409 when stale)."""
    organisations = {o.id: o for o in _organisations()}
    form = PersonForm(organisations=set(organisations)).parse()
    changed = update_person(subject, PersonDetails(
        name=form.name.data, title=form.title.data or None,
        organisation=organisations.get(form.organisation_id.data),
        phone=form.phone.data, salutation=form.salutation.data,
    ), expected_version=form.version.data, actor=current_user)
    db.session.commit()
    flash("Gegevens opgeslagen." if changed else "Er was niets gewijzigd.", "ok")
    return redirect(url_for("admin.user", user_id=user_id), code=303)


@bp.post("/gebruikers/<int:user_id>/e-mailadres")
@requires("users.manage", load=_load_user)
@form_errors(_refused_person)
def change_email(user_id: int, subject: User):
    """Mail a confirmation link to the new address; the old one stays until it is used."""
    if is_erased(subject):
        raise ValidationError("email", "Deze persoon is gewist.")
    form = EmailChangeForm().parse()
    address = request_email_change(subject, form.email.data, actor=current_user, now=now())
    db.session.commit()
    flash(f"Er is een link gestuurd naar {address}. Het e-mailadres wijzigt pas als de "
          f"persoon die link gebruikt; tot dan blijft {subject.email} in gebruik.", "ok")
    return redirect(url_for("admin.user", user_id=user_id), code=303)
