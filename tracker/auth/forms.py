"""The login form (plain Flask-WTF), the set-password form and the reset request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from tracker.forms import Form, ParsedField
from tracker.validation import ValidationError


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mailadres",
        validators=[DataRequired("Vul uw e-mailadres in."), Length(max=254)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Wachtwoord",
        validators=[DataRequired("Vul uw wachtwoord in."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


NOT_EQUAL = "De twee wachtwoorden zijn niet gelijk."


def _as_typed(raw: str | None, _field) -> str:
    """A password exactly as typed (spaces count)."""
    return raw or ""


class SetPasswordForm(Form):
    """A new password, typed twice; the password rules themselves are ``set_password``'s."""

    # Not free text: a password is stored only as a hash, and any password is allowed.
    password = ParsedField("Nieuw wachtwoord", parse=_as_typed, no_bsn=False)
    password_again = ParsedField("Herhaal het wachtwoord", parse=_as_typed, no_bsn=False)

    def check(self, errors: dict[str, str]) -> None:
        if self.password.data != self.password_again.data:
            errors["password_again"] = NOT_EQUAL


class ForgotPasswordForm(Form):
    """The address to send a link to; never refused (the answer is the same for any address)."""

    # Only looked up, never stored, and never refused (the answer is always the same).
    email = ParsedField("E-mailadres", parse=lambda raw, _field: (raw or "").strip(),
                        no_bsn=False)


CODE_MISSING = "Vul de code in."
CODE_SHAPE = "Een code bestaat uit 6 cijfers; een herstelcode uit 10 letters en cijfers."


def _code(raw: str | None, _field) -> str:
    """A TOTP code (6 digits) or a recovery code (10 characters), spaces and dashes dropped."""
    from tracker.auth.mfa import RECOVERY_CODE_LENGTH, normalise_code

    code = normalise_code(raw)
    if not code:
        raise ValidationError("code", CODE_MISSING)
    if not ((len(code) == 6 and code.isdigit()) or len(code) == RECOVERY_CODE_LENGTH):
        raise ValidationError("code", CODE_SHAPE)
    return code


def _totp_code(raw: str | None, _field) -> str:
    """A TOTP code: 6 digits (spaces allowed)."""
    from tracker.auth.mfa import normalise_code

    code = normalise_code(raw)
    if not code:
        raise ValidationError("code", CODE_MISSING)
    if len(code) != 6 or not code.isdigit():
        raise ValidationError("code", "De code bestaat uit 6 cijfers.")
    return code


class SecondStepForm(Form):
    """The second login step: the app's code, or one of the recovery codes."""

    code = ParsedField("Code", parse=_code)


class EnrolmentForm(Form):
    """The first code from the authenticator app, which confirms the enrolment."""

    code = ParsedField("Code uit de app", parse=_totp_code)
