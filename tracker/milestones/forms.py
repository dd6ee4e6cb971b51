"""The milestone form, ticking a municipality and marking a milestone gehaald."""

from __future__ import annotations

from tracker.enums import MilestoneKind
from tracker.forms import (
    DateField,
    EnumField,
    FlagField,
    Form,
    IdListField,
    ParsedField,
    TextField,
    VersionField,
)
from tracker.milestones.services import NOTE_MAX_LENGTH


class MilestoneForm(Form):
    """Create and edit a milestone (``per_municipality`` only counts when creating)."""

    due_date = DateField("Datum", required=True)
    title = TextField("Titel", max_length=200)
    description = TextField("Toelichting", max_length=4000, required=False, multiline=True)
    kind = EnumField(MilestoneKind, invalid="Kies een bestaande soort.")
    per_municipality = FlagField()
    version = VersionField()


class TickForm(Form):
    """A municipality has done it: on a date (empty: today) with an optional note."""

    completed_on = DateField("Datum")
    note = TextField("Toelichting", max_length=NOTE_MAX_LENGTH, required=False)


class AchievedForm(Form):
    """Gehaald on a date (empty: today), or with ``undo`` not (yet) gehaald."""

    achieved_on = DateField("Datum")
    undo = ParsedField(parse=lambda raw, _field: bool(raw))
    version = VersionField()


BULK_ACTIONS = ("afvinken", "weghalen", "district-afvinken", "district-weghalen")


def _bulk_action(raw, field):
    from tracker.validation import ValidationError

    if raw not in BULK_ACTIONS:
        raise ValidationError(field.name, "Kies afvinken of vinkje weghalen.")
    return raw


class BulkTickForm(Form):
    """Tick or untick several municipalities of one district at once: the chosen ones
    (``municipality_id``, several) or the whole district (``handeling`` district-…)."""

    completed_on = DateField("Datum")
    municipality_id = IdListField(invalid="Kies gemeenten uit dit district.")
    handeling = ParsedField(parse=_bulk_action)
    version = VersionField()
    #: Unticking several loses their dates and notes: asked once more (see the route).
    bevestigd = FlagField()

    @property
    def whole_district(self) -> bool:
        return bool(self.handeling.data) and self.handeling.data.startswith("district-")

    @property
    def untick(self) -> bool:
        return bool(self.handeling.data) and self.handeling.data.endswith("weghalen")

    def check(self, errors: dict[str, str]) -> None:
        """The chosen-set buttons need at least one municipality."""
        if self.handeling.data and not self.whole_district and not self.municipality_id.data \
                and "municipality_id" not in errors:
            errors["municipality_id"] = "Kies eerst een of meer gemeenten."
