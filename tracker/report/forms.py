"""The report's forms: publishing an edition (with its confirmation), the fixed texts and a
team's introduction."""

from __future__ import annotations

from tracker.clock import local_today
from tracker.forms import FlagField, Form, IdField, ParsedField, TextField
from tracker.privacy import refuse_bsn
from tracker.report.services import PeildatumError, parse_peildatum
from tracker.report.texts import (
    ITEM_MAX,
    LIST_MAX_ITEMS,
    PLACEHOLDERS,
    EditableText,
    stray_brace,
    unknown_placeholders,
)
from tracker.validation import ValidationError, clean_text

#: The longest team introduction (paragraphs separated by an empty line).
INTRODUCTION_MAX = 5000


def _peildatum(raw: str | None, field):
    """``YYYY-MM-DD``; empty is today; a day after today is refused."""
    try:
        return parse_peildatum(raw, local_today())
    except PeildatumError as error:
        raise ValidationError(field.name, str(error)) from error


class PreviewForm(Form):
    """What to preview: an edition for a peildatum, or the correction of an edition."""

    peildatum = ParsedField("Peildatum", parse=_peildatum)
    vervangt = IdField("Te herziene editie", invalid="Kies een gepubliceerde editie.",
                       any_id=True)


def _render_format(raw: str | None, field):
    from tracker.report.renders import FORMATS

    if raw not in FORMATS:
        raise ValidationError(field.name, "Kies PDF of Word.")
    return raw


class RenderForm(Form):
    """Ask for a report file to be made in the background: the peildatum and the format."""

    peildatum = ParsedField("Peildatum", parse=_peildatum)
    formaat = ParsedField("Formaat", parse=_render_format)


class PublishForm(PreviewForm):
    """The confirmation: the version label shown on the preview, and the tick."""

    versie = TextField("Versie", max_length=160, required=False, no_bsn=False)
    bevestigd = FlagField("Bevestigd")

    def check(self, errors):
        if "peildatum" not in errors and not self.bevestigd.data:
            errors["bevestigd"] = ("Bevestig de publicatie op de voorbeeldpagina: er is niets "
                                   "gepubliceerd.")


def _check_placeholders(text: str, field_name: str, label: str) -> str:
    unknown = unknown_placeholders(text)
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise ValidationError(field_name, f"{label} bevat een onbekende plaatshouder "
                              f"‘{{{unknown[0]}}}’: gebruik {allowed}.")
    stray = stray_brace(text)
    if stray:
        brace, around = stray
        kind = "openingsaccolade ‘{’ zonder sluitaccolade" if brace == "{" else (
            "sluitaccolade ‘}’ zonder openingsaccolade")
        raise ValidationError(field_name, f"{label} bevat een {kind} in ‘{around}’: zet een "
                              "plaatshouder tussen accolades, zoals {peildatum}, en laat geen "
                              "losse accolades staan.")
    return text


def parse_text(text: EditableText, raw: str | None, field_name: str = "tekst"):
    """The submitted text of ``text``: a string, or a list (one item per non-empty line)."""
    if not text.is_list:
        value = clean_text(raw, field=field_name, label=text.label, max_length=text.max_length,
                           required=text.required)
        return _check_placeholders(refuse_bsn(value, field=field_name), field_name, text.label)
    value = clean_text(raw, field=field_name, label=text.label, max_length=text.max_length,
                       required=False, multiline=True)
    items = [line.strip() for line in value.split("\n") if line.strip()]
    if len(items) > LIST_MAX_ITEMS:
        raise ValidationError(field_name, f"{text.label} mag hoogstens {LIST_MAX_ITEMS} regels "
                              f"hebben (nu {len(items)}).")
    for number, item in enumerate(items, start=1):
        if len(item) > ITEM_MAX:
            raise ValidationError(field_name, f"Regel {number} van {text.label.lower()} mag "
                                  f"hoogstens {ITEM_MAX} tekens lang zijn (nu {len(item)}).")
    refuse_bsn(value, field=field_name)
    _check_placeholders(value, field_name, text.label)
    return items


def text_form(text: EditableText) -> type[Form]:
    """The form of one fixed text."""

    class TextForm(Form):
        tekst = ParsedField(text.label, parse=lambda raw, field: parse_text(text, raw, field.name))

    return TextForm


def _introduction(raw: str | None, field) -> str:
    value = clean_text(raw, field=field.name, label="De inleiding", max_length=INTRODUCTION_MAX,
                       required=False, multiline=True)
    return _check_placeholders(refuse_bsn(value, field=field.name), field.name, "De inleiding")


class IntroductionForm(Form):
    """A team's introduction in the report: paragraphs separated by an empty line."""

    inleiding = ParsedField("Inleiding", parse=_introduction)
