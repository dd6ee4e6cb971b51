"""The forms of a team's status blocks: a new point, a point's text, delete and move."""

from __future__ import annotations

from tracker.enums import ItemKind
from tracker.forms import EnumField, Form, ParsedField, TextField, VersionField
from tracker.network.models import ReportItem
from tracker.status.services import ITEM_MAX_LENGTH, check_version
from tracker.validation import ValidationError

#: A kind or direction no button sends: answered 400 (a tampered request), not 422.
NOT_A_BUTTON = ("kind", "richting")


def _text():
    return TextField("Tekst", max_length=ITEM_MAX_LENGTH, multiline=True)


class NewItemForm(Form):
    """A new point at the end of one block."""

    kind = EnumField(ItemKind, invalid="Kies een bestaand blok.")
    text = _text()


class ItemVersionForm(Form):
    """The version of the point the page showed (delete)."""

    version = VersionField()


class ItemForm(ItemVersionForm):
    """A point's new text, from the version the page showed.

    The version is checked against ``item`` before the text's problems are reported, so a
    stale edit is a 409 with the other person's text even when the new text is bad.
    """

    text = _text()

    def __init__(self, *, item: ReportItem, **kwargs):
        super().__init__(**kwargs)
        self.item = item

    def check(self, errors: dict[str, str]) -> None:
        check_version(self.item, self.version.data)


def _direction(raw: str | None, field) -> str:
    if raw not in ("up", "down"):
        raise ValidationError(field.name, "Kies omhoog of omlaag.")
    return raw


class MoveForm(Form):
    """One place up or down within the block."""

    richting = ParsedField(parse=_direction)
