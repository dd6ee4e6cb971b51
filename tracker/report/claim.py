"""What the report says about its own figures: which the tracker computed, which it took
from a source. Pure over the sections (``tracker.report.sections``)."""

from __future__ import annotations

from typing import Any


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"


def _grouped(pairs: list[tuple[str, str | None]]) -> list[str]:
    """``(phrase, indicator name or None)`` pairs as phrases, each followed by its names."""
    order: list[str] = []
    names: dict[str, list[str]] = {}
    for phrase, name in pairs:
        if phrase not in names:
            order.append(phrase)
            names[phrase] = []
        if name is not None and name not in names[phrase]:
            names[phrase].append(name)
    return [f"{phrase} van {_names(names[phrase])}" if names[phrase] else phrase
            for phrase in order]


def computed_claim(sections: list[Any]) -> str:
    """The cover's sentence on the figures: exactly what the tracker computed from stored
    measurements and which figures it took as printed from a source (marked in the tables).

    ``sections``: the report's team sections (each with ``indicators``).
    """
    indicators = [ind for s in sections for ind in s.indicators]
    computed: list[tuple[str, str | None]] = []
    taken: list[tuple[str, str | None]] = []
    for ind in indicators:
        for phrase in ind.computed:
            computed.append((phrase, None if ind.ratio_text else ind.name))
        if ind.source_figures:
            taken.append((ind.source_figures, ind.name))
    if not computed and not taken:
        return "Deze rapportage bevat geen cijfers van indicatoren."
    parts = []
    if computed:
        parts.append("Door de tracker berekend uit de vastgelegde metingen: "
                     f"{'; '.join(_grouped(computed))}.")
    if taken:
        parts.append("Uit de bron overgenomen, omdat de cijfers waaruit ze volgen niet zijn "
                     "vastgelegd (in de tabellen gemarkeerd met een noot): "
                     f"{'; '.join(_grouped(taken))}.")
    else:
        parts.append("Geen enkel cijfer is uit de bron overgenomen.")
    parts.append("De overige cijfers zijn de vastgelegde metingen zelf.")
    return " ".join(parts)
