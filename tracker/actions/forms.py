"""The action form and the comment form."""

from __future__ import annotations

from tracker.actions.models import COMMENT_MAX_LENGTH, TITLE_MAX_LENGTH
from tracker.actions.services import BULK_OPERATIONS, DESCRIPTION_MAX_LENGTH, NO_OWNER, ActionInput
from tracker.enums import ActionStatus
from tracker.forms import (
    DateField,
    EnumField,
    Form,
    IdField,
    ParsedField,
    TextField,
    ValidationError,
    VersionField,
)
from tracker.validation import parse_id


class ActionForm(Form):
    """Create and edit an action; the choices are the team's people, milestones and districts."""

    title = TextField("Titel", max_length=TITLE_MAX_LENGTH)
    description = TextField("Toelichting", max_length=DESCRIPTION_MAX_LENGTH, required=False,
                            multiline=True)
    #: Other wording for the status pages and the report; empty: they show the title.
    report_text = TextField("Tekst in de rapportage", max_length=DESCRIPTION_MAX_LENGTH,
                            required=False, multiline=True)
    owner_id = IdField(invalid="Kies een bestaande eigenaar.")
    due_date = DateField("Datum")
    milestone_id = IdField(invalid="Kies een bestaande mijlpaal.")
    district_id = IdField(invalid="Kies een bestaand district.")
    status = EnumField(ActionStatus, invalid="Kies een bestaande status.",
                       default_value=ActionStatus.OPEN)
    version = VersionField()

    def __init__(self, *, owners: set[int], milestones: set[int], districts: set[int], **kwargs):
        super().__init__(**kwargs)
        self.owner_id.allowed = owners
        self.milestone_id.allowed = milestones
        self.district_id.allowed = districts

    def to_input(self) -> ActionInput:
        return ActionInput(**self.values())


class CommentForm(Form):
    text = TextField("Reactie", max_length=COMMENT_MAX_LENGTH, multiline=True)


def parse_selection(values: list[str]) -> list[tuple[int, int | None]] | None:
    """Selected rows as ``[(action id, version)]`` from checkbox values ``"12:3"``; a
    missing or malformed version is None (that row then answers 409). None when any
    id is malformed. Repeats are dropped, the order kept."""
    from tracker.concurrency import parse_version
    from tracker.validation import parse_id

    rows: dict[int, int | None] = {}
    for value in values:
        ident, _, version = (value or "").partition(":")
        number = parse_id(ident.strip())
        if number is None:
            return None
        rows.setdefault(number, parse_version(version.strip()))
    return list(rows.items())


class SelectionField(ParsedField):
    """The ticked rows of a list (checkboxes ``acties`` with ``"id:version"``)."""

    def __init__(self, label: str = "", **kwargs):
        super().__init__(label, **kwargs)
        self.raw_list: list[str] = []

    def process_formdata(self, valuelist):
        self.raw_list = list(valuelist)

    def parse(self, raw):
        rows = parse_selection(self.raw_list)
        if rows is None:
            raise ValidationError(self.name, "De selectie is ongeldig. Laad de lijst opnieuw.")
        if not rows:
            raise ValidationError(self.name, "Selecteer eerst een of meer acties.")
        return rows


def _operation(raw, field):
    if raw not in BULK_OPERATIONS:
        raise ValidationError(field.name, "Kies wat u met de geselecteerde acties wilt doen.")
    return raw


def _new_owner(raw, field):
    text = (raw or "").strip()
    if text == "geen":
        return NO_OWNER
    if not text:
        return None
    number = parse_id(text)
    if number is None or number not in field.allowed:
        raise ValidationError(field.name, "Kies een eigenaar uit het team.")
    return number


class BulkForm(Form):
    """Change the selected actions at once: done, reopen, another owner or another due date.

    ``owners``: the people every selected action's team may assign to.
    """

    acties = SelectionField("Acties")
    handeling = ParsedField("Wijziging", parse=_operation)
    eigenaar = ParsedField("Nieuwe eigenaar", parse=_new_owner)
    einddatum = DateField("Nieuwe einddatum")

    def __init__(self, *, owners: set[int], **kwargs):
        super().__init__(**kwargs)
        self.eigenaar.allowed = owners

    def check(self, errors: dict[str, str]) -> None:
        if self.handeling.data == "eigenaar" and self.eigenaar.data is None \
                and "eigenaar" not in errors:
            errors["eigenaar"] = "Kies de nieuwe eigenaar (of “geen eigenaar”)."
        if self.handeling.data == "einddatum" and self.einddatum.data is None \
                and "einddatum" not in errors:
            errors["einddatum"] = "Vul de nieuwe einddatum in."
