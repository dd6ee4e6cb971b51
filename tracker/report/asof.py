"""The data as it stood on a reference date (peildatum), as pure functions.

Rows carry their creation time; changes after the cutoff are undone with the
``before`` values of the audit trail (newest first), and deleted rows are brought
back from the full ``before`` of their delete entry. Where the audit trail is
silent, an action completed after the cutoff is shown as still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Change:
    """One audit entry after the cutoff, reduced to what the as-of logic needs."""

    at: datetime
    action: str
    object_type: str
    object_id: int | None
    before: dict[str, Any] | None


def cutoff_for(peildatum: date, timezone: str = "Europe/Amsterdam") -> datetime:
    """The first moment after the peildatum: midnight at its end, local time (aware)."""
    return datetime.combine(peildatum + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))


def existed(created_at: datetime | None, cutoff: datetime | None) -> bool:
    """Whether a row created at ``created_at`` existed at ``cutoff`` (None: now)."""
    return cutoff is None or created_at is None or created_at < cutoff


def undo_changes(state: dict[str, Any], changes: list[Change]) -> dict[str, Any]:
    """``state`` with every later change undone: apply ``before`` values newest first.

    Only keys the state knows are restored; dates come back from their ISO form.
    """
    restored = dict(state)
    for change in sorted(changes, key=lambda c: c.at, reverse=True):
        for key, value in (change.before or {}).items():
            if key not in restored:
                continue
            if isinstance(restored[key], date) and isinstance(value, str):
                value = date.fromisoformat(value[:10])
            restored[key] = value
    return restored


def action_status_as_of(
    status: str, completed_at: datetime | None, changes: list[Change], cutoff: datetime | None
) -> str:
    """An action's status at the cutoff.

    The audit trail decides when it recorded a status change after the cutoff;
    otherwise an action completed after the cutoff was still open then.
    """
    if cutoff is None:
        return status
    with_status = [c for c in changes if c.before and "status" in c.before]
    if with_status:
        return undo_changes({"status": status}, with_status)["status"]
    if status == "gereed" and completed_at is not None and completed_at >= cutoff:
        return "open"
    return status


def deleted_rows(changes: list[Change], object_type: str, cutoff: datetime) -> list[dict[str, Any]]:
    """Rows of ``object_type`` deleted after the cutoff that existed before it."""
    rows = []
    for c in changes:
        if c.object_type != object_type or not c.action.endswith(".delete") or not c.before:
            continue
        created = c.before.get("created_at")
        if created is not None and datetime.fromisoformat(created) >= cutoff:
            continue
        rows.append({"id": c.object_id, **c.before})
    return rows
