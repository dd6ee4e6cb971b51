"""Controlled vocabularies of the domain, with their Dutch labels.

Stored as short strings guarded by CHECK constraints (no native PostgreSQL enum
types: adding a value stays a one-line migration on both databases).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum as SAEnum


class LabelledEnum(StrEnum):
    """A string enum whose members know their Dutch label."""

    @property
    def label(self) -> str:
        return LABELS[self]


class Role(LabelledEnum):
    BEHEERDER = "beheerder"
    COORDINATOR = "coordinator"
    BESTUURDER = "bestuurder"
    PARTNER = "partner"
    LEZER = "lezer"


class OrganisationKind(LabelledEnum):
    GEMEENTE = "gemeente"
    POLITIE = "politie"
    OM = "om"
    RIEC = "riec"
    GGZ = "ggz"
    OVERIG = "overig"


class TeamKind(LabelledEnum):
    EXPERTTEAM = "expertteam"
    PLATFORM = "platform"


class TeamStatus(LabelledEnum):
    ACTIEF = "actief"
    AFGEROND = "afgerond"


class TeamRole(LabelledEnum):
    VOORZITTER = "voorzitter"
    TREKKER = "trekker"
    COORDINATOR = "coordinator"
    LID = "lid"


class ItemKind(LabelledEnum):
    DOEL = "doel"
    RESULTAAT = "resultaat"
    AANDACHTSPUNT = "aandachtspunt"


class ActionStatus(LabelledEnum):
    OPEN = "open"
    BEZIG = "bezig"
    GEREED = "gereed"
    VERVALLEN = "vervallen"


class DatePrecision(LabelledEnum):
    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    HALF = "half"
    YEAR = "year"


class MilestoneKind(LabelledEnum):
    DEADLINE = "deadline"
    WET = "wet"
    EINDRAPPORTAGE = "eindrapportage"
    REVIEW = "review"
    MIJLPAAL = "mijlpaal"


class EventStatus(LabelledEnum):
    CONCEPT = "concept"
    GEPLAND = "gepland"
    GEANNULEERD = "geannuleerd"


class RsvpResponse(LabelledEnum):
    JA = "ja"
    NEE = "nee"
    MISSCHIEN = "misschien"


class PilotStatus(LabelledEnum):
    GEPLAND = "gepland"
    LOPEND = "lopend"
    GEEVALUEERD = "geevalueerd"
    GEBORGD = "geborgd"
    GESTOPT = "gestopt"


class IndicatorUnit(LabelledEnum):
    AANTAL = "aantal"
    PROCENT = "procent"


class Direction(LabelledEnum):
    DOWN = "down"
    UP = "up"


LABELS: dict[LabelledEnum, str] = {
    Role.BEHEERDER: "Beheerder (secretariaat)",
    Role.COORDINATOR: "Coördinator",
    Role.BESTUURDER: "Bestuurder",
    Role.PARTNER: "Partner",
    Role.LEZER: "Lezer",
    OrganisationKind.GEMEENTE: "Gemeente",
    OrganisationKind.POLITIE: "Politie",
    OrganisationKind.OM: "Openbaar Ministerie",
    OrganisationKind.RIEC: "RIEC",
    OrganisationKind.GGZ: "GGZ",
    OrganisationKind.OVERIG: "Overig",
    TeamKind.EXPERTTEAM: "Expertteam",
    TeamKind.PLATFORM: "Platform",
    TeamStatus.ACTIEF: "Actief",
    TeamStatus.AFGEROND: "Taak volbracht, eindrapportage volgt",
    TeamRole.VOORZITTER: "Bestuurlijk voorzitter",
    TeamRole.TREKKER: "Trekker",
    TeamRole.COORDINATOR: "Coördinator",
    TeamRole.LID: "Lid",
    ItemKind.DOEL: "Uitgangspunten / doelen",
    ItemKind.RESULTAAT: "Resultaten",
    ItemKind.AANDACHTSPUNT: "Aandachtspunten",
    ActionStatus.OPEN: "Open",
    ActionStatus.BEZIG: "Bezig",
    ActionStatus.GEREED: "Gereed",
    ActionStatus.VERVALLEN: "Vervallen",
    DatePrecision.DAY: "Dag",
    DatePrecision.MONTH: "Maand",
    DatePrecision.SEASON: "Seizoen",
    DatePrecision.HALF: "Halfjaar",
    DatePrecision.YEAR: "Jaar",
    MilestoneKind.DEADLINE: "Uiterste datum",
    MilestoneKind.WET: "Wetgeving",
    MilestoneKind.EINDRAPPORTAGE: "Eindrapportage",
    MilestoneKind.REVIEW: "Evaluatie",
    MilestoneKind.MIJLPAAL: "Mijlpaal",
    EventStatus.CONCEPT: "Datum nog niet definitief",
    EventStatus.GEPLAND: "Gepland",
    EventStatus.GEANNULEERD: "Geannuleerd",
    RsvpResponse.JA: "Ja",
    RsvpResponse.NEE: "Nee",
    RsvpResponse.MISSCHIEN: "Misschien",
    PilotStatus.GEPLAND: "Gepland",
    PilotStatus.LOPEND: "Lopend",
    PilotStatus.GEEVALUEERD: "Geëvalueerd",
    PilotStatus.GEBORGD: "Geborgd",
    PilotStatus.GESTOPT: "Gestopt",
    IndicatorUnit.AANTAL: "Aantal",
    IndicatorUnit.PROCENT: "Procent",
    Direction.DOWN: "Lager is beter",
    Direction.UP: "Hoger is beter",
}


def enum_column_type(enum_cls: type[LabelledEnum], name: str) -> SAEnum:
    """A VARCHAR column type with a CHECK constraint listing the enum's values."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda members: [m.value for m in members],
    )
