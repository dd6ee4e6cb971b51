"""Controlled vocabularies of the domain, with their Dutch labels.

Stored as short strings guarded by CHECK constraints (no native PostgreSQL enum
types: adding a value stays a one-line migration on both databases).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum as SAEnum


class LabelledEnum(StrEnum):
    """A string enum whose members are declared with their Dutch label (and badge).

    ``OPEN = "open", "Open"`` stores ``"open"`` and shows ``"Open"``; an optional third
    item is the NL Design System status-badge variant (``"danger"``). The stored value
    is the first item only, so columns and CHECK constraints are unchanged.
    """

    def __new__(cls, value: str, label: str | None = None, badge: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value
        member._badge = badge
        return member

    @property
    def label(self) -> str:
        return self._label

    @property
    def badge(self) -> str:
        """The NL Design System status-badge variant ("" when the enum has none)."""
        return self._badge

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(value, label)`` pairs in declaration order, for select fields."""
        return [(m.value, m.label) for m in cls]


class Role(LabelledEnum):
    BEHEERDER = "beheerder", "Beheerder (secretariaat)"
    COORDINATOR = "coordinator", "Coördinator"
    BESTUURDER = "bestuurder", "Bestuurder"
    PARTNER = "partner", "Partner"
    LEZER = "lezer", "Lezer"


class OrganisationKind(LabelledEnum):
    GEMEENTE = "gemeente", "Gemeente"
    POLITIE = "politie", "Politie"
    OM = "om", "Openbaar Ministerie"
    RIEC = "riec", "RIEC"
    GGZ = "ggz", "GGZ"
    OVERIG = "overig", "Overig"


class TeamKind(LabelledEnum):
    EXPERTTEAM = "expertteam", "Expertteam"
    PLATFORM = "platform", "Platform"


class TeamStatus(LabelledEnum):
    ACTIEF = "actief", "Actief", "safe"
    AFGEROND = "afgerond", "Taak volbracht, eindrapportage volgt", "neutral"


class TeamRole(LabelledEnum):
    VOORZITTER = "voorzitter", "Bestuurlijk voorzitter"
    TREKKER = "trekker", "Trekker"
    COORDINATOR = "coordinator", "Coördinator"
    LID = "lid", "Lid"


class ItemKind(LabelledEnum):
    DOEL = "doel", "Uitgangspunten / doelen"
    RESULTAAT = "resultaat", "Resultaten"
    AANDACHTSPUNT = "aandachtspunt", "Aandachtspunten"


class ActionStatus(LabelledEnum):
    OPEN = "open", "Open"
    BEZIG = "bezig", "Bezig"
    GEREED = "gereed", "Gereed"
    VERVALLEN = "vervallen", "Vervallen"


class DatePrecision(LabelledEnum):
    DAY = "day", "Dag"
    MONTH = "month", "Maand"
    SEASON = "season", "Seizoen"
    HALF = "half", "Halfjaar"
    YEAR = "year", "Jaar"


class MilestoneKind(LabelledEnum):
    DEADLINE = "deadline", "Uiterste datum"
    WET = "wet", "Wetgeving"
    EINDRAPPORTAGE = "eindrapportage", "Eindrapportage"
    REVIEW = "review", "Evaluatie"
    MIJLPAAL = "mijlpaal", "Mijlpaal"


class EventStatus(LabelledEnum):
    CONCEPT = "concept", "Datum nog niet definitief"
    GEPLAND = "gepland", "Gepland"
    GEANNULEERD = "geannuleerd", "Geannuleerd"


class RsvpResponse(LabelledEnum):
    JA = "ja", "Ja"
    NEE = "nee", "Nee"
    MISSCHIEN = "misschien", "Misschien"


class PilotStatus(LabelledEnum):
    GEPLAND = "gepland", "Gepland", "neutral"
    LOPEND = "lopend", "Lopend", "warning"
    GEEVALUEERD = "geevalueerd", "Geëvalueerd", "neutral"
    GEBORGD = "geborgd", "Geborgd", "safe"
    GESTOPT = "gestopt", "Gestopt", "danger"


class IndicatorUnit(LabelledEnum):
    AANTAL = "aantal", "Aantal"
    PROCENT = "procent", "Procent"


class Direction(LabelledEnum):
    DOWN = "down", "Lager is beter"
    UP = "up", "Hoger is beter"


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
