"""Editions: the label of an edition and what changed since the previous one (pure).

An edition stores a snapshot (:func:`snapshot_of`): the texts, per team its status,
blocks, actions, pilots, introduction and people (chairs, trekker), the milestones'
progress and every stored figure. :func:`changes_between` compares two snapshots. A
part missing from an older snapshot (stored before it was recorded) is not compared.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date

from tracker.formatting import number
from tracker.report.sections import BLOCK_TITLES, TeamSection
from tracker.report.texts import KEY_LABELS, as_list

#: A text longer than this is shortened in the list of changes.
QUOTE_MAX = 160

_CORRECTION = re.compile(r", herzien( \(\d+\))?$")


def version_label_for(peildatum: date) -> str:
    """``versie februari 2018``."""
    return "versie " + format_date(peildatum, "MMMM y", locale="nl_NL")


def correction_label(label: str, taken: set[str] | frozenset[str]) -> str:
    """The label of a correction of the edition ``label``: ``versie februari 2018, herzien``,
    then ``…, herzien (2)``, ``…, herzien (3)`` (never one of the ``taken`` labels)."""
    base = _CORRECTION.sub("", label) + ", herzien"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base} ({n})"
    return candidate


def figure_text(value: Decimal | int | float) -> str:
    """A stored figure in Dutch: ``11.194``, ``3,1`` (as many decimals as it has, at most 4)."""
    value = Decimal(str(value)).normalize()
    decimals = max(0, min(4, -value.as_tuple().exponent))
    return number(value, decimals)


def figures_of(indicators: list[Any], measurements: dict[int, dict[tuple[int | None, str], Any]],
               districts: list[tuple[int, str]]) -> dict[str, dict[str, dict[str, str]]]:
    """Every stored figure: ``{indicator: {period: {district: "11.194"}}}``."""
    names = dict(districts)
    figures: dict[str, dict[str, dict[str, str]]] = {}
    for indicator in indicators:
        periods: dict[str, dict[str, str]] = {}
        for (district_id, period), value in measurements.get(indicator.id, {}).items():
            place = names.get(district_id, "Oost-Nederland") if district_id else "Oost-Nederland"
            periods.setdefault(period, {})[place] = figure_text(value)
        figures[indicator.name] = {p: dict(sorted(v.items())) for p, v in sorted(periods.items())}
    return figures


def _milestone(m: Any) -> dict[str, Any]:
    return {
        "team": m.team_name, "title": m.title, "achieved": m.achieved_on is not None,
        "done": m.ticks_done if m.per_municipality else m.linked_done,
        "total": m.ticks_total if m.per_municipality else m.linked_total,
        "per_municipality": bool(m.per_municipality),
    }


def snapshot_of(sections: list[TeamSection], *, texts: dict[str, Any] | None = None,
                milestones: list[Any] | None = None,
                figures: dict[str, dict[str, dict[str, str]]] | None = None) -> dict[str, Any]:
    """A compact summary of the report's content, stored with an edition."""
    snapshot: dict[str, Any] = {
        "teams": {
            s.slug: {
                "name": s.name,
                "status": s.status_label,
                "computed": s.computed.label,
                "blocks": {kind: [i.text for i in items] for kind, _, items in s.blocks},
                "actions": {a.text: a.status_label for a in s.actions},
                "pilots": {p.title: p.status_label for p in s.pilots},
                "introduction": s.introduction,
                "chairs": [c.display for c in s.chairs],
                "trekker": s.trekker.display if s.trekker else None,
            }
            for s in sections
        }
    }
    if texts is not None:
        snapshot["texts"] = {key: texts[key] for key in KEY_LABELS if key in texts}
    if milestones is not None:
        snapshot["milestones"] = {str(m.id): _milestone(m) for m in milestones}
    if figures is not None:
        snapshot["figures"] = figures
    return snapshot


def _quote(text: str | None) -> str:
    text = " ".join((text or "").split())
    return f"‘{text if len(text) <= QUOTE_MAX else text[:QUOTE_MAX - 1].rstrip() + '…'}’"


def _list_changes(prefix: str, old: list[str], new: list[str]) -> list[str]:
    lines = [f"{prefix}: toegevoegd {_quote(t)}." for t in new if t not in old]
    lines += [f"{prefix}: vervallen {_quote(t)}." for t in old if t not in new]
    return lines


def _people(names: list[str]) -> str:
    return " en ".join(names) if names else "niemand"


def _team_changes(name: str, before: dict[str, Any], team: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if before.get("status") != team["status"]:
        lines.append(f"{name}: status gewijzigd van ‘{before.get('status')}’ in "
                     f"‘{team['status']}’.")
    if before.get("computed") != team["computed"]:
        lines.append(f"{name}: beoordeling gewijzigd van ‘{before.get('computed')}’ in "
                     f"‘{team['computed']}’.")
    if "introduction" in before and before["introduction"] != team.get("introduction"):
        lines.append(f"{name}: inleiding gewijzigd in {_quote(team.get('introduction'))}.")
    if "chairs" in before and before["chairs"] != team.get("chairs"):
        lines.append(f"{name}: voorzitter gewijzigd van {_people(before['chairs'])} in "
                     f"{_people(team.get('chairs') or [])}.")
    if "trekker" in before and before["trekker"] != team.get("trekker"):
        lines.append(f"{name}: trekker gewijzigd van {before['trekker'] or 'niemand'} in "
                     f"{team.get('trekker') or 'niemand'}.")
    for kind, title in BLOCK_TITLES.items():
        lines += _list_changes(f"{name}, {title.lower()}",
                               before.get("blocks", {}).get(kind.value, []),
                               team["blocks"].get(kind.value, []))
    for part, word in (("actions", "acties"), ("pilots", "pilots")):
        if part not in before:
            continue
        old, new = before[part], team.get(part, {})
        for text, status in new.items():
            if text not in old:
                lines.append(f"{name}, {word}: nieuw {_quote(text)} ({status.lower()}).")
            elif old[text] != status:
                lines.append(f"{name}, {word}: {_quote(text)} van {old[text].lower()} naar "
                             f"{status.lower()}.")
        lines += [f"{name}, {word}: vervallen {_quote(text)}." for text in old if text not in new]
    return lines


def _text_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key, label in KEY_LABELS.items():
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if isinstance(before, list) or isinstance(after, list):
            lines += _list_changes(f"Tekst ‘{label}’", as_list(before), as_list(after))
        else:
            lines.append(f"Tekst ‘{label}’ gewijzigd in {_quote(after)} (was {_quote(before)}).")
    return lines


def _milestone_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key, m in new.items():
        label = f"{m['team']}, mijlpaal {_quote(m['title'])}"
        before = old.get(key)
        if before is None:
            lines.append(f"{label}: nieuw.")
            continue
        if m["total"] and (before["done"], before["total"]) != (m["done"], m["total"]):
            unit = " gemeenten" if m["per_municipality"] else " acties"
            lines.append(f"{label}: {number(before['done'])} → {number(m['done'])} van "
                         f"{number(m['total'])}{unit}.")
        if m["achieved"] != before["achieved"]:
            lines.append(f"{label}: {'gehaald' if m['achieved'] else 'niet meer gehaald'}.")
    lines += [f"{m['team']}, mijlpaal {_quote(m['title'])}: vervallen."
              for key, m in old.items() if key not in new]
    return lines


def _figure_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for indicator, periods in new.items():
        before = old.get(indicator, {})
        for period, values in periods.items():
            if period not in before:
                lines.append(f"Cijfers {indicator}: nieuwe cijfers over {period}.")
                continue
            for place, value in values.items():
                was = before[period].get(place)
                if was is None:
                    lines.append(f"Cijfers {indicator}, {place}, {period}: nieuw {value}.")
                elif was != value:
                    lines.append(f"Cijfers {indicator}, {place}, {period}: {was} → {value}.")
            lines += [f"Cijfers {indicator}, {place}, {period}: vervallen (was {was})."
                      for place, was in before[period].items() if place not in values]
        lines += [f"Cijfers {indicator}: cijfers over {period} vervallen."
                  for period in before if period not in periods]
    return lines


def changes_between(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed from one snapshot to the next, as Dutch sentences. Pure."""
    lines: list[str] = []
    if "texts" in old and "texts" in new:
        lines += _text_changes(old["texts"], new["texts"])
    old_teams, new_teams = old.get("teams", {}), new.get("teams", {})
    for slug, team in new_teams.items():
        before = old_teams.get(slug)
        if before is None:
            lines.append(f"{team['name']}: nieuw in de rapportage.")
        else:
            lines += _team_changes(team["name"], before, team)
    for slug, team in old_teams.items():
        if slug not in new_teams:
            lines.append(f"{team['name']}: niet meer in de rapportage.")
    if "milestones" in old and "milestones" in new:
        lines += _milestone_changes(old["milestones"], new["milestones"])
    if "figures" in old and "figures" in new:
        lines += _figure_changes(old["figures"], new["figures"])
    return lines
