"""The pilot form, the lifecycle button and a team's own bouwsteen."""

from __future__ import annotations

from tracker.enums import PilotStatus
from tracker.forms import (
    DateField,
    EnumField,
    FlagField,
    Form,
    IdField,
    IdListField,
    TextField,
    VersionField,
)
from tracker.pilots.services import TEXT_MAX_LENGTH, PilotInput


class PilotForm(Form):
    """Register and edit a pilot; the choices are set from the team's data."""

    title = TextField("Titel", max_length=200)
    description = TextField("Omschrijving", max_length=TEXT_MAX_LENGTH, required=False,
                            multiline=True)
    results = TextField("Resultaten", max_length=TEXT_MAX_LENGTH, required=False,
                        multiline=True)
    lessons = TextField("Geleerde lessen", max_length=TEXT_MAX_LENGTH, required=False,
                        multiline=True)
    district_id = IdField(invalid="Kies een bestaand district.")
    building_block_id = IdField(invalid="Kies een bestaande bouwsteen.")
    lead_id = IdField(invalid="Kies een bestaande trekker van de pilot.")
    municipality_ids = IdListField(invalid="Kies bestaande gemeenten.")
    start_date = DateField("Startdatum")
    end_date = DateField("Einddatum")
    version = VersionField()

    def __init__(self, *, districts: set[int], blocks: set[int], leads: set[int],
                 municipalities: set[int], **kwargs):
        super().__init__(**kwargs)
        self.district_id.allowed, self.building_block_id.allowed = districts, blocks
        self.lead_id.allowed, self.municipality_ids.allowed = leads, municipalities

    def check(self, errors: dict[str, str]) -> None:
        start, end = self.start_date.data, self.end_date.data
        if start and end and end < start:
            errors["end_date"] = "De einddatum ligt vóór de startdatum."

    def to_input(self) -> PilotInput:
        return PilotInput(**self.values())


class StatusForm(Form):
    """Move the pilot along its lifecycle (the rules decide which moves are allowed).

    ``confirm`` is the confirmation page's button (terminal moves); ``results`` and
    ``lessons`` come with a move to geëvalueerd or geborgd (absent: keep the stored text).
    """

    status = EnumField(PilotStatus, invalid="Kies een bestaande status.")
    confirm = FlagField()
    results = TextField("Resultaten", max_length=TEXT_MAX_LENGTH, required=False,
                        multiline=True)
    lessons = TextField("Geleerde lessen", max_length=TEXT_MAX_LENGTH, required=False,
                        multiline=True)
    version = VersionField()


class CorrectionForm(Form):
    """Put the pilot's status back a step; the reason is required and audited."""

    status = EnumField(PilotStatus, invalid="Kies een bestaande status.")
    reason = TextField("Reden van de correctie", max_length=500)
    version = VersionField()


class BuildingBlockForm(Form):
    name = TextField("Naam", max_length=160)
