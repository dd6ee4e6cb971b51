"""What a colleague changed: the conflict notice on a row, the edit form and a bulk change.

One function, :func:`describe_conflict`, answers "who changed this action after the
version I saw, when, and which fields" for every place that shows a 409.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy_continuum import version_class

from tracker.actions.models import Action
from tracker.audit.models import AuditEntry
from tracker.extensions import db

#: The fields a person can change, with the Dutch word the notice uses, in notice order.
FIELD_NAMES: dict[str, str] = {
    "title": "titel",
    "status": "status",
    "owner_id": "eigenaar",
    "due_date": "einddatum",
    "due_precision": "einddatum",
    "description": "toelichting",
    "report_text": "tekst in de rapportage",
    "milestone_id": "mijlpaal",
    "district_id": "district",
}


@dataclass(frozen=True)
class Conflict:
    """A colleague's change to an action after the version someone based a write on.

    ``fields``: Dutch field names (``["einddatum", "eigenaar"]``), without repeats, in
    :data:`FIELD_NAMES` order; empty when nothing visible differs (only the version).
    ``actor_name`` and ``at`` come from the latest audit entry (None when there is none).
    """

    actor_name: str | None = None
    at: datetime | None = None
    fields: list[str] = field(default_factory=list)

    @property
    def field_text(self) -> str:
        """``"veld: einddatum"``, ``"velden: eigenaar en einddatum"``, or ``""``."""
        if not self.fields:
            return ""
        if len(self.fields) == 1:
            return f"veld: {self.fields[0]}"
        return f"velden: {', '.join(self.fields[:-1])} en {self.fields[-1]}"


def _in_order(keys) -> list[str]:
    names: list[str] = []
    for key in FIELD_NAMES:
        if key in keys and FIELD_NAMES[key] not in names:
            names.append(FIELD_NAMES[key])
    return names


def changed_fields(action: Action, since_version: int | None) -> list[str] | None:
    """Dutch names of the fields that differ between version ``since_version`` of
    ``action`` (from its history table) and the action as it is now.

    None when that version is not in the history (no version given, or history paused).
    """
    if since_version is None:
        return None
    past = version_class(Action)
    then = db.session.scalar(
        select(past).where(past.id == action.id, past.version == since_version)
        .order_by(past.transaction_id.desc()).limit(1)
    )
    if then is None:
        return None
    return _in_order({key for key in FIELD_NAMES
                      if getattr(then, key) != getattr(action, key)})


def describe_conflict(action: Action, since_version: int | None) -> Conflict:
    """Who last changed ``action``, when, and which fields changed since ``since_version``.

    The fields come from the version history; when that version is unknown, from the
    keys of the latest audit entry (what its author changed).
    """
    last = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.object_type == "actions", AuditEntry.object_id == action.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    fields = changed_fields(action, since_version)
    if fields is None:
        fields = _in_order(set((last.after or {}) if last else {}))
    return Conflict(actor_name=last.actor_name if last else None,
                    at=last.at if last else None, fields=fields)
