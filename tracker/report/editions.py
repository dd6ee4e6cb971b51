"""Editions: the label of an edition and what changed since the previous one (pure)."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date

from tracker.report.sections import BLOCK_TITLES, TeamSection


def version_label_for(peildatum: date) -> str:
    """``versie februari 2018``."""
    return "versie " + format_date(peildatum, "MMMM y", locale="nl_NL")


def snapshot_of(sections: list[TeamSection]) -> dict[str, Any]:
    """A compact summary of the report's content, stored with an edition."""
    return {
        "teams": {
            s.slug: {
                "name": s.name,
                "status": s.status_label,
                "computed": s.computed.label,
                "blocks": {kind: [i.text for i in items] for kind, _, items in s.blocks},
                "actions": {a.text: a.status_label for a in s.actions},
            }
            for s in sections
        }
    }


def changes_between(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed from one snapshot to the next, as Dutch sentences. Pure."""
    lines: list[str] = []
    old_teams, new_teams = old.get("teams", {}), new.get("teams", {})
    for slug, team in new_teams.items():
        name = team["name"]
        before = old_teams.get(slug)
        if before is None:
            lines.append(f"{name}: nieuw in de rapportage.")
            continue
        if before.get("status") != team["status"]:
            lines.append(f"{name}: status gewijzigd van ‘{before.get('status')}’ in "
                         f"‘{team['status']}’.")
        if before.get("computed") != team["computed"]:
            lines.append(f"{name}: beoordeling gewijzigd van ‘{before.get('computed')}’ in "
                         f"‘{team['computed']}’.")
        for kind, title in BLOCK_TITLES.items():
            old_items = before.get("blocks", {}).get(kind.value, [])
            new_items = team["blocks"].get(kind.value, [])
            for text in new_items:
                if text not in old_items:
                    lines.append(f"{name}, {title.lower()}: toegevoegd ‘{text}’.")
            for text in old_items:
                if text not in new_items:
                    lines.append(f"{name}, {title.lower()}: vervallen ‘{text}’.")
        old_actions = before.get("actions", {})
        for text, status in team["actions"].items():
            if text not in old_actions:
                lines.append(f"{name}, acties: nieuw ‘{text}’ ({status.lower()}).")
            elif old_actions[text] != status:
                lines.append(f"{name}, acties: ‘{text}’ van {old_actions[text].lower()} naar "
                             f"{status.lower()}.")
        for text in old_actions:
            if text not in team["actions"]:
                lines.append(f"{name}, acties: vervallen ‘{text}’.")
    for slug, team in old_teams.items():
        if slug not in new_teams:
            lines.append(f"{team['name']}: niet meer in de rapportage.")
    return lines


