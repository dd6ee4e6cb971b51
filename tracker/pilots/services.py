"""State changes of pilots and building blocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from tracker.audit.services import record
from tracker.concurrency import check_version
from tracker.enums import PilotStatus
from tracker.extensions import db
from tracker.network.models import Municipality, Team
from tracker.pilots.models import BuildingBlock, Pilot
from tracker.pilots.rules import can_correct, can_move, missing_findings
from tracker.privacy import clean_free_text
from tracker.validation import ValidationError, ValidationErrors

TEXT_MAX_LENGTH = 8000


@dataclass
class PilotInput:
    title: str
    description: str
    district_id: int | None
    building_block_id: int | None
    municipality_ids: list[int]
    start_date: date | None
    end_date: date | None
    lead_id: int | None
    results: str
    lessons: str


def _snapshot(pilot: Pilot) -> dict[str, Any]:
    return {
        "title": pilot.title, "district_id": pilot.district_id,
        "building_block_id": pilot.building_block_id, "status": pilot.status.value,
        "municipality_ids": sorted(m.id for m in pilot.municipalities),
        "start_date": pilot.start_date.isoformat() if pilot.start_date else None,
        "end_date": pilot.end_date.isoformat() if pilot.end_date else None,
        "lead_id": pilot.lead_id,
    }


def _apply(pilot: Pilot, data: PilotInput) -> None:
    pilot.title, pilot.description = data.title, data.description
    pilot.district_id, pilot.building_block_id = data.district_id, data.building_block_id
    pilot.start_date, pilot.end_date, pilot.lead_id = data.start_date, data.end_date, data.lead_id
    pilot.results, pilot.lessons = data.results, data.lessons
    pilot.municipalities = list(db.session.scalars(
        select(Municipality).where(Municipality.id.in_(data.municipality_ids))))


def create_pilot(team: Team, data: PilotInput, *, actor, now: datetime) -> Pilot:
    pilot = Pilot(team=team, status=PilotStatus.GEPLAND, created_at=now, status_changed_at=now)
    _apply(pilot, data)
    db.session.add(pilot)
    db.session.flush()
    record("pilot.create", actor=actor, obj=pilot, summary=f"Pilot geregistreerd: {pilot.title}",
           after=_snapshot(pilot))
    return pilot


def update_pilot(pilot: Pilot, data: PilotInput, *, expected_version: int | None, actor) -> Pilot:
    check_version(pilot, expected_version)
    before = _snapshot(pilot)
    _apply(pilot, data)
    db.session.flush()
    after = _snapshot(pilot)
    changed = {k: v for k, v in after.items() if before[k] != v}
    record("pilot.update", actor=actor, obj=pilot, summary=f"Pilot gewijzigd: {pilot.title}",
           before={k: before[k] for k in changed}, after=changed)
    return pilot


def change_status(pilot: Pilot, target: PilotStatus | str, *, expected_version: int | None,
                  actor, now: datetime, results: str | None = None,
                  lessons: str | None = None) -> Pilot:
    """Move the pilot along its lifecycle; other moves are refused.

    ``results`` / ``lessons`` (None: keep the stored text) are saved with the move; a
    target that needs findings (``rules.needs_findings``) with either empty raises
    ``ValidationErrors`` naming both fields. Raises ``ConflictError`` on a stale version.
    """
    check_version(pilot, expected_version)
    try:
        target = PilotStatus(target)
    except ValueError as error:
        raise ValidationError("status", "Kies een bestaande status.") from error
    if not can_move(pilot.status, target):
        raise ValidationError(
            "status", f"Van “{pilot.status.label}” kan een pilot niet naar “{target.label}”.")
    new_results = pilot.results if results is None else results
    new_lessons = pilot.lessons if lessons is None else lessons
    missing = missing_findings(target, new_results, new_lessons)
    if missing:
        raise ValidationErrors(missing)
    before = {"status": pilot.status.value}
    pilot.results, pilot.lessons = new_results, new_lessons
    pilot.status, pilot.status_changed_at = target, now
    db.session.flush()
    record("pilot.status", actor=actor, obj=pilot,
           summary=f"Status van „{pilot.title}”: {PilotStatus(before['status']).label} → {target.label}",
           before=before, after={"status": target.value})
    return pilot


def correct_status(pilot: Pilot, target: PilotStatus | str, *, reason: str,
                   expected_version: int | None, actor, now: datetime) -> Pilot:
    """Put the pilot back to an earlier status (``rules.correction_targets``), with a reason.

    The reason is required and kept in the audit entry and the summary (pilot history).
    Raises ``ValidationError`` (field ``status`` or ``reason``) or ``ConflictError``.
    """
    check_version(pilot, expected_version)
    try:
        target = PilotStatus(target)
    except ValueError as error:
        raise ValidationError("status", "Kies een bestaande status.") from error
    if not can_correct(pilot.status, target):
        raise ValidationError(
            "status", f"Van “{pilot.status.label}” kan de status niet worden teruggezet naar "
                      f"“{target.label}”.")
    reason = clean_free_text(reason or "", field="reason", label="Reden", max_length=500)
    before = {"status": pilot.status.value}
    pilot.status, pilot.status_changed_at = target, now
    db.session.flush()
    record("pilot.status_correct", actor=actor, obj=pilot,
           summary=(f"Status van pilot {pilot.title} gecorrigeerd: "
                    f"{PilotStatus(before['status']).label} → {target.label} (reden: {reason})"),
           before=before, after={"status": target.value, "reason": reason})
    return pilot


def add_building_block(team: Team, name: str, *, actor) -> BuildingBlock:
    name = clean_free_text(name, field="name", label="Naam", max_length=160)
    number = (db.session.scalar(select(func.max(BuildingBlock.number)).where(
        BuildingBlock.team_id == team.id)) or 0) + 1
    block = BuildingBlock(team=team, number=number, name=name)
    db.session.add(block)
    db.session.flush()
    record("building_block.create", actor=actor, obj=team,
           summary=f"Bouwsteen {number} toegevoegd: {name}", after={"number": number, "name": name})
    return block
