"""The one forms layer: a base form, the custom fields, and the error boundary.

Every feature declares its forms in its own ``forms.py`` with the fields below.
A field turns the submitted text into a Python value with the shared parsers of
:mod:`tracker.validation` (and :mod:`tracker.privacy`, :mod:`tracker.indicators.numbers`,
:mod:`tracker.concurrency`), so each rule and each Dutch message exists once.
``Form.parse()`` validates every field and raises one :class:`ValidationErrors`
listing the first problem of each bad field.

CSRF is checked globally by ``CSRFProtect`` for every POST (also with htmx);
forms do not check it a second time (``meta.csrf = False``).

The templates render fields by hand from ``values`` (the submitted text) and
``errors`` (``{field: message}``); WTForms' own rendering is not used.

:func:`form_errors` is the request boundary: a view that raises a
``ValidationError`` or ``ConflictError`` is rolled back and answered by the view's
renderer with 422 or 409, so routes contain no rollback blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, flash, has_app_context, has_request_context, redirect, request
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Field
from wtforms.validators import StopValidation
from wtforms.widgets import HiddenInput, TextInput

from tracker.concurrency import CONFLICTS, ConflictError, parse_version
from tracker.privacy import refuse_bsn_in
from tracker.validation import (
    ValidationError,
    ValidationErrors,
    clean_text,
    clean_url,
    field_errors,
    has_control_characters,
    parse_date,
    parse_id,
    parse_local_datetime,
)

DEFAULT_TIMEZONE = "Europe/Amsterdam"
#: A control character in a value that is not one of the form's fields.
CONTROL_MESSAGE = ("Het formulier bevat niet-toegestane stuurtekens (zoals een nul-teken). "
                   "Verwijder ze en probeer het opnieuw.")


class Parsing:
    """What every form can do: parse all fields, collect Dutch messages, cross-field rules.

    A mixin so that the fields can be unit-tested on a plain ``wtforms.Form`` without an app.
    """

    def check(self, errors: dict[str, str]) -> None:
        """Rules across fields; ``errors`` holds the fields' own problems so far (a field
        with a problem has ``data`` None). Raise ValidationError(s) or add to ``errors``."""

    def stray_errors(self) -> dict[str, str]:
        """Problems of submitted values that are no field of this form (none here)."""
        return {}

    def parse(self):
        """Validate every field; raise :class:`ValidationErrors` or return the form."""
        self.validate()
        errors = {name: messages[0] for name, messages in self.errors.items()
                  if name is not None and messages}
        errors.update(self.stray_errors())
        try:
            self.check(errors)
        except ValidationError as error:
            errors.update(field_errors(error))
        if errors:
            raise ValidationErrors(errors)
        return self

    def values(self, *names: str) -> dict[str, Any]:
        """The parsed values of ``names`` (all fields but the version when none given)."""
        wanted = names or [n for n in self._fields if not isinstance(self[n], VersionField)]
        return {name: self[name].data for name in wanted}


class Form(Parsing, FlaskForm):
    """Base of every form; bound to ``request.form`` when the request is a POST.

    Besides its own fields, ``parse`` refuses a control character in any other value
    of the request (a view may read ``next`` or hidden merge fields itself): the
    request guard (:mod:`tracker.guards`) leaves the views under :func:`form_errors` to
    this layer, which names the field in its message.
    """

    class Meta:
        csrf = False  # CSRFProtect already refuses a POST without a valid token

    def stray_errors(self) -> dict[str, str]:
        if not has_request_context():
            return {}
        return {name: CONTROL_MESSAGE for name, values in request.form.lists()
                if name not in self._fields and any(has_control_characters(v) for v in values)}


# --- Fields ----------------------------------------------------------------------------------


class ParsedField(Field):
    """A field whose submitted text ``raw`` is turned into ``data`` by :meth:`parse`.

    ``parse`` may raise :class:`tracker.validation.ValidationError`; its Dutch message
    becomes the field's error. ``parse=`` gives a one-off parser ``fn(raw, field)``.

    The privacy rule lives here, once for every field of every form: a parsed value that
    is text (or a list of texts) is refused when it holds a citizen service number, and
    so is any value holding a control character. ``no_bsn=False`` only for what is not
    free text: a password (never stored readable), an address to look up, typed numbers
    (tests/test_bsn_everywhere.py lists each exception and why).
    """

    widget = TextInput()

    def __init__(self, label: str = "", validators=None, *, parse: Callable | None = None,
                 no_bsn: bool = True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.dutch_label = label
        self._parse = parse
        self.no_bsn = no_bsn
        self.raw: str | None = None

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else None

    def _value(self) -> str:
        return self.raw or ""

    def parse(self, raw: str | None) -> Any:
        if self._parse is None:
            return raw
        return self._parse(raw, self)

    def pre_validate(self, form) -> None:
        try:
            if has_control_characters(self.raw):  # every field, passwords included
                raise ValidationError(
                    self.name, f"{self.dutch_label or 'Dit veld'} bevat niet-toegestane stuurtekens.")
            value = self.parse(self.raw)
            self.data = refuse_bsn_in(value, field=self.name) if self.no_bsn else value
        except ValidationError as error:
            self.data = None
            raise StopValidation(error.message) from error


class TextField(ParsedField):
    """Text cleaned by ``clean_text`` (control and bidi characters, length); refused
    when it holds a citizen service number (by :class:`ParsedField`): free text is work
    data about officials, never case data about citizens (QUALITY: privacy)."""

    def __init__(self, label: str, *, max_length: int, required: bool = True,
                 multiline: bool = False, **kwargs):
        super().__init__(label, **kwargs)
        self.max_length, self.required = max_length, required
        self.multiline = multiline

    def parse(self, raw):
        return clean_text(raw, field=self.name, label=self.dutch_label,
                          max_length=self.max_length, required=self.required,
                          multiline=self.multiline)


class DateField(ParsedField):
    """A date typed as ``YYYY-MM-DD`` or ``DD-MM-YYYY`` (2013..2100); empty is None."""

    def __init__(self, label: str, *, required: bool = False, **kwargs):
        super().__init__(label, **kwargs)
        self.required = required

    def parse(self, raw):
        day = parse_date(raw, field=self.name, label=self.dutch_label)
        if day is None and self.required:
            raise ValidationError(self.name, f"{self.dutch_label} is verplicht.")
        return day


def local_timezone() -> ZoneInfo:
    """The tracker's time zone (``TRACKER_TIMEZONE``; Europe/Amsterdam without an app)."""
    name = current_app.config.get("TRACKER_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


class LocalDateTimeField(ParsedField):
    """A local wall-clock time (``YYYY-MM-DDTHH:MM``) as aware UTC; the hour skipped
    when summer time starts and impossible dates are refused."""

    def __init__(self, label: str, *, required: bool = False, **kwargs):
        super().__init__(label, **kwargs)
        self.required = required

    def parse(self, raw):
        return parse_local_datetime(raw, field=self.name, label=self.dutch_label,
                                    required=self.required, tz=local_timezone())


class UrlField(ParsedField):
    """An absolute http(s) link or None."""

    def parse(self, raw):
        return clean_url(raw, field=self.name, label=self.dutch_label)


class DutchNumberField(ParsedField):
    """A number as Dutch people type it (``1.525``, ``3,1``) as a ``Decimal``."""

    def parse(self, raw):
        from tracker.indicators.numbers import parse_dutch_number

        return parse_dutch_number(raw, field=self.name, label=self.dutch_label)


class IdField(ParsedField):
    """The id of one of the offered choices (``allowed``, set by the form; ``any_id``: any
    number, the service looks it up); empty is None unless ``missing`` (the message for an
    empty choice) is given."""

    def __init__(self, label: str = "", *, invalid: str, missing: str | None = None,
                 any_id: bool = False, **kwargs):
        super().__init__(label, **kwargs)
        self.invalid, self.missing, self.any_id = invalid, missing, any_id
        self.allowed: set[int] = set()

    def parse(self, raw):
        text = (raw or "").strip()
        if not text:
            if self.missing:
                raise ValidationError(self.name, self.missing)
            return None
        number = parse_id(text)
        if number is None or (not self.any_id and number not in self.allowed):
            raise ValidationError(self.name, self.invalid)
        return number


class IdListField(ParsedField):
    """Several ids (a multiple select or checkboxes), each one of ``allowed`` (``any_id``:
    any numbers, at most ``max_count``; the service looks them up)."""

    def __init__(self, label: str = "", *, invalid: str, any_id: bool = False,
                 max_count: int | None = None, **kwargs):
        super().__init__(label, **kwargs)
        self.invalid, self.any_id, self.max_count = invalid, any_id, max_count
        self.allowed: set[int] = set()
        self.raw_list: list[str] = []

    def process_formdata(self, valuelist):
        self.raw_list = list(valuelist)

    def parse(self, raw):
        if self.max_count is not None and len(self.raw_list) > self.max_count:
            raise ValidationError(self.name, self.invalid)
        wanted = {parse_id(v) for v in self.raw_list}
        if None in wanted or (not self.any_id and wanted - self.allowed):
            raise ValidationError(self.name, self.invalid)
        return sorted(wanted)


class EnumField(ParsedField):
    """One value of ``enum``; empty is ``default`` (or refused when there is none)."""

    def __init__(self, enum: type[Enum], *, invalid: str, default_value: Enum | None = None,
                 **kwargs):
        super().__init__("", **kwargs)
        self.enum, self.invalid, self.default_value = enum, invalid, default_value

    def parse(self, raw):
        if not raw and self.default_value is not None:
            return self.default_value
        try:
            return self.enum(raw)
        except ValueError as error:
            raise ValidationError(self.name, self.invalid) from error


class FlagField(ParsedField):
    """A checkbox that sends ``1`` when ticked."""

    def parse(self, raw):
        return raw == "1"


class VersionField(ParsedField):
    """The hidden optimistic-lock version the form was built from (None when absent or
    malformed: the save then answers 409, never overwrites)."""

    widget = HiddenInput()

    def parse(self, raw):
        return parse_version(raw)


# --- The request boundary ------------------------------------------------------------------


@dataclass
class Refusal:
    """Why a form was not saved: 422 with ``errors`` per field, or 409 for a conflict."""

    status: int
    errors: dict[str, str] = field(default_factory=dict)
    conflict: ConflictError | StaleDataError | None = None

    @property
    def is_conflict(self) -> bool:
        return self.status == 409

    @property
    def message(self) -> str:
        return " ".join(self.errors.values())


def form_errors(render: Callable[..., Any]):
    """Decorate a view that saves: a ``ValidationError`` (422) or ``ConflictError`` /
    ``StaleDataError`` (409) raised inside it is rolled back and answered by
    ``render(refusal, **view_kwargs)``.

    Put it under ``@requires``: permissions are decided before anything is parsed.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            from tracker.extensions import db

            try:
                return view(*args, **kwargs)
            except CONFLICTS as error:
                db.session.rollback()
                refusal = Refusal(409, conflict=error)
            except ValidationError as error:
                db.session.rollback()
                refusal = Refusal(422, field_errors(error))
            return render(refusal, *args, **kwargs)

        #: The request guard leaves control characters to ``Form.parse`` here (field messages).
        wrapper.parses_form = True
        return wrapper

    return decorate


def flash_and_redirect(target: Callable[..., str], *, prefix: str = "", category: str = "error",
                       conflict: str = "") -> Callable[..., Any]:
    """A renderer for buttons without a form page: the reason as a flash, 303 to ``target``."""

    def render(refusal: Refusal, *args, **kwargs):
        if refusal.is_conflict:
            flash(conflict, "warning")
        else:
            flash(prefix + refusal.message, category)
        return redirect(target(**kwargs), code=303)

    return render


__all__ = [
    "DateField", "DutchNumberField", "EnumField", "FlagField", "Form", "IdField", "IdListField",
    "Parsing",
    "LocalDateTimeField", "ParsedField", "Refusal", "TextField", "UrlField", "ValidationError",
    "ValidationErrors", "VersionField", "flash_and_redirect", "form_errors", "local_timezone",
]
