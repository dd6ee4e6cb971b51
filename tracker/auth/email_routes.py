"""The page behind a link confirming a new e-mail address (public: the person may be
logged out, or have no password at all). GET shows a button; only the POST changes."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from tracker.auth.email_change import confirm_email_change, read_token
from tracker.auth.permissions import public
from tracker.auth.routes import bp
from tracker.extensions import db
from tracker.forms import Form, Refusal, form_errors


class ConfirmEmailForm(Form):
    """Only the CSRF token: the button confirms."""


@bp.get("/e-mailadres/<token>")
@public
def email_confirm_form(token: str):
    """What confirming does, with the button (changes nothing)."""
    found = read_token(token)
    if found is None:
        return render_template("auth/email_link_invalid.html"), 410
    user, address = found
    return render_template("auth/email_confirm.html", user=user, address=address, token=token,
                           errors={})


def _refused(refusal: Refusal, token: str):
    found = read_token(token)
    if found is None:
        return render_template("auth/email_link_invalid.html"), 410
    user, address = found
    return render_template("auth/email_confirm.html", user=user, address=address, token=token,
                           errors=refusal.errors), refusal.status


@bp.post("/e-mailadres/<token>")
@public
@form_errors(_refused)
def email_confirm(token: str):
    """Make the new address the login name; the link then stops working."""
    found = read_token(token)
    if found is None:
        return render_template("auth/email_link_invalid.html"), 410
    ConfirmEmailForm().parse()
    user, address = found
    confirm_email_change(user, address)
    db.session.commit()
    flash(f"Uw e-mailadres is gewijzigd in {address}. Log voortaan met dit adres in.", "ok")
    return redirect(url_for("auth.login"), code=303)
