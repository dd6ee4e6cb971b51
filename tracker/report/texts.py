"""The report's fixed texts: which ones the beheerder edits, and their placeholders (pure).

The texts are stored as ``ReportText`` rows (versioned, so the report as of an earlier
day shows the text as it was then). Two texts of the editor share one stored key: the
Leeswijzer is the first paragraph of ``intro`` and the organisation text the rest.

A text may hold a placeholder such as ``{peildatum}``: it is filled when the report is
built, from the edition (its peildatum and version label), never from the demo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date

from tracker.formatting import long_date

#: Placeholder → what it becomes (shown to the editor).
PLACEHOLDERS: dict[str, str] = {
    "peildatum": "de peildatum, bijvoorbeeld ‘1 februari 2018’",
    "maand": "de maand van de peildatum, bijvoorbeeld ‘februari 2018’",
    "versie": "het versielabel van de editie, bijvoorbeeld ‘versie februari 2018’",
}

#: ``{maand}``; also the ``{{maand}}`` and ``{ maand }`` that people used to other template
#: languages type: the whole of it is the placeholder, so no stray brace is left over.
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]{1,40})\s*\}\}|\{\s*([^{}\s]{1,40})\s*\}")


def _name(match: re.Match[str]) -> str:
    return match.group(1) or match.group(2)

#: The longest list item or paragraph, the most items in a list, the longest single text.
ITEM_MAX = 3000
LIST_MAX_ITEMS = 40
TEXT_MAX = 3000


@dataclass(frozen=True)
class EditableText:
    """A text on the editor page: its Dutch name and how it is stored."""

    slug: str          #: in the URL, Dutch
    label: str         #: the Dutch name
    key: str           #: the ``ReportText`` key
    is_list: bool      #: one item (paragraph or bullet) per line
    description: str
    part: str = ""     #: "first" / "rest": a part of a list stored under ``key``

    @property
    def required(self) -> bool:
        """A single text may not be empty (the BBG's introduction may); a list may."""
        return not self.is_list and self.key != "network_goals_intro"

    @property
    def max_length(self) -> int:
        return ITEM_MAX * LIST_MAX_ITEMS if self.is_list else TEXT_MAX


EDITABLE_TEXTS: tuple[EditableText, ...] = (
    EditableText("titel", "Titel", "title", False, "Boven aan de titelpagina."),
    EditableText("ondertitel", "Ondertitel", "subtitle", False, "Onder de titel."),
    EditableText("kernpunten", "Kernpunten op de titelpagina", "key_facts", True,
                 "Eén kernpunt per regel."),
    EditableText("leeswijzer", "Leeswijzer", "intro", False,
                 "Eén alinea. Gebruik {peildatum}, {maand} of {versie} voor de peildatum en "
                 "de versie van de editie.", part="first"),
    EditableText("organisatie", "Organisatiestructuur", "intro", True,
                 "De tekst over de organisatie van het netwerk: één alinea per regel.",
                 part="rest"),
    EditableText("voetnoten", "Voetnoten bij de organisatiestructuur", "footnotes", True,
                 "Eén voetnoot per regel; de eerste hoort bij de eerste alinea."),
    EditableText("voorzitters", "Inleiding bij de voorzitters", "chairs_intro", False,
                 "De zin boven de lijst met bestuurlijke voorzitters."),
    EditableText("doelen-titel", "Titel van de doelen van de BBG", "network_goals_title",
                 False, "De kop boven de doelen van het netwerk."),
    EditableText("doelen-inleiding", "Inleiding bij de doelen van de BBG",
                 "network_goals_intro", False, "De zin boven de doelen (mag leeg zijn)."),
    EditableText("doelen", "Doelen van de BBG", "network_goals", True,
                 "Eén doel per regel."),
    EditableText("teams-kop", "Kop boven de teams", "teams_heading", False,
                 "De kop boven de stand van zaken per team."),
)

TEXTS_BY_SLUG = {t.slug: t for t in EDITABLE_TEXTS}

#: The Dutch name of each stored key (for the changes between editions).
KEY_LABELS: dict[str, str] = {
    "title": "Titel", "subtitle": "Ondertitel", "key_facts": "Kernpunten",
    "intro": "Leeswijzer en organisatiestructuur", "footnotes": "Voetnoten",
    "chairs_intro": "Inleiding bij de voorzitters",
    "network_goals_title": "Titel van de doelen van de BBG",
    "network_goals_intro": "Inleiding bij de doelen van de BBG",
    "network_goals": "Doelen van de BBG", "teams_heading": "Kop boven de teams",
}


def as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def current_value(text: EditableText, stored: Any) -> str | list[str]:
    """The editable part of the stored value (``stored``: the value under ``text.key``)."""
    if text.part == "first":
        items = as_list(stored)
        return items[0] if items else ""
    if text.part == "rest":
        return as_list(stored)[1:]
    if text.is_list:
        return as_list(stored)
    return stored if isinstance(stored, str) else " ".join(as_list(stored))


def as_form_text(text: EditableText, stored: Any) -> str:
    """The value as the textarea shows it: a list one item per line."""
    value = current_value(text, stored)
    return "\n".join(value) if isinstance(value, list) else value


def stored_value(text: EditableText, stored: Any, value: str | list[str]) -> Any:
    """The new value under ``text.key`` when ``text`` becomes ``value``."""
    if text.part == "first":
        rest = as_list(stored)[1:]
        return ([value] if value else [""] if rest else []) + rest
    if text.part == "rest":
        first = as_list(stored)[:1]
        return (first or [""]) + list(value) if value else first
    return value


def unknown_placeholders(text: str) -> list[str]:
    """The ``{names}`` in ``text`` that are no placeholder, in order, once each."""
    names = [_name(m) for m in _PLACEHOLDER.finditer(text)]
    return list(dict.fromkeys(n for n in names if n not in PLACEHOLDERS))


def stray_brace(text: str) -> tuple[str, str] | None:
    """The first brace in ``text`` that is part of no placeholder (``{peildatum``, a ``}``
    left over), as ``(brace, the text around it)``; None when every brace is paired.

    A stray brace would be printed as typed in the report, so the editor refuses it.
    """
    # Blank out every placeholder (keeping positions), then any brace left is stray.
    blanked = _PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)
    for index, char in enumerate(blanked):
        if char in "{}":
            start, end = max(0, index - 15), min(len(text), index + 16)
            around = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
            return char, around
    return None


def placeholder_values(peildatum: date, version_label: str) -> dict[str, str]:
    """What the placeholders become for an edition."""
    return {
        "peildatum": long_date(peildatum),
        "maand": format_date(peildatum, "MMMM y", locale="nl_NL"),
        "versie": version_label,
    }


def fill(value: Any, values: dict[str, str]) -> Any:
    """``value`` (a string, a list of strings, or anything else) with its placeholders
    filled. Only the known names are replaced, with their braces (single or double); any
    other brace text stays as written."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: values.get(_name(m), m.group(0)), value)
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    return value
