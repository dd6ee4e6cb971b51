"""The publish form: the peildatum of a new edition."""

from __future__ import annotations

from tracker.clock import local_today
from tracker.forms import Form, ParsedField
from tracker.report.services import PeildatumError, parse_peildatum
from tracker.validation import ValidationError


def _peildatum(raw: str | None, field):
    """``YYYY-MM-DD``; empty is today; a day after today is refused."""
    try:
        return parse_peildatum(raw, local_today())
    except PeildatumError as error:
        raise ValidationError(field.name, str(error)) from error


class PublishForm(Form):
    peildatum = ParsedField("Peildatum", parse=_peildatum)
