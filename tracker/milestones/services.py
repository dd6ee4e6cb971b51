"""State changes of milestones: ticking municipalities, marking achieved, creating."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from tracker.audit.services import record
from tracker.concurrency import check_version
from tracker.db import utcnow
from tracker.enums import DatePrecision, MilestoneKind
from tracker.extensions import db
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.network.models import Municipality, Team
from tracker.privacy import refuse_bsn
from tracker.validation import ValidationError, clean_text
from tracker.webhooks import services as webhooks

NOTE_MAX_LENGTH = 500


def tick_municipality(milestone: Milestone, municipality: Municipality, *, completed_on: date,
                      note: str, actor, now: datetime, today: date,
                      _announce: bool = True) -> MunicipalityTick:
    """Record that ``municipality`` has done what the milestone asks (again: updates it).

    ``today`` is the local (Europe/Amsterdam) date: just after midnight it is
    already tomorrow there while UTC still says today. The tick that completes the
    milestone emits the webhook event ``milestone.reached`` in the same transaction.
    """
    if not milestone.per_municipality:
        raise ValidationError("municipality", "Deze mijlpaal wordt niet per gemeente bijgehouden.")
    if completed_on > today:
        raise ValidationError("completed_on", "De datum ligt in de toekomst.")
    note = refuse_bsn(clean_text(note, field="note", label="Toelichting", max_length=NOTE_MAX_LENGTH,
                                 required=False), field="note")
    tick = db.session.scalar(select(MunicipalityTick).where(
        MunicipalityTick.milestone_id == milestone.id,
        MunicipalityTick.municipality_id == municipality.id))
    before = None
    if tick is None:
        tick = MunicipalityTick(milestone=milestone, municipality=municipality)
        db.session.add(tick)
    else:
        before = {"completed_on": tick.completed_on.isoformat(), "note": tick.note}
    tick.completed_on, tick.note = completed_on, note
    tick.ticked_by_id, tick.ticked_at = actor.id, now
    db.session.flush()
    record("milestone.tick", actor=actor, obj=milestone,
           summary=f"{municipality.name} afgevinkt voor “{milestone.title}”",
           before=before, after={"municipality_id": municipality.id,
                                 "completed_on": completed_on.isoformat(), "note": note})
    if _announce:
        webhooks.check_milestone(milestone, today, now)
    return tick


def untick_municipality(milestone: Milestone, municipality: Municipality, *, actor) -> bool:
    # Locked, like a membership: a second untick at the same moment finds nothing to do.
    tick = db.session.scalar(select(MunicipalityTick).where(
        MunicipalityTick.milestone_id == milestone.id,
        MunicipalityTick.municipality_id == municipality.id).with_for_update())
    if tick is None:
        return False
    before = {"municipality_id": municipality.id, "completed_on": tick.completed_on.isoformat(),
              "note": tick.note}
    db.session.delete(tick)
    db.session.flush()
    record("milestone.untick", actor=actor, obj=milestone,
           summary=f"Vinkje van {municipality.name} weggehaald bij “{milestone.title}”",
           before=before)
    return True


def set_achieved(milestone: Milestone, achieved_on: date | None, *, expected_version: int | None,
                 actor, today: date) -> None:
    """Mark the milestone gehaald on a date (not after the local ``today``), or undo with None."""
    check_version(milestone, expected_version)
    if achieved_on is not None and achieved_on > today:
        raise ValidationError("achieved_on", "De datum ligt in de toekomst.")
    before = {"achieved_on": milestone.achieved_on.isoformat() if milestone.achieved_on else None}
    milestone.achieved_on = achieved_on
    db.session.flush()
    record("milestone.achieved" if achieved_on else "milestone.not_achieved", actor=actor,
           obj=milestone, summary=("Gehaald: " if achieved_on else "Niet meer gehaald: ")
           + milestone.title, before=before,
           after={"achieved_on": achieved_on.isoformat() if achieved_on else None})
    if achieved_on is not None:
        webhooks.check_milestone(milestone, today, utcnow())


def create_milestone(team: Team | None, *, title: str, description: str, due_date: date,
                     kind: MilestoneKind, per_municipality: bool, actor) -> Milestone:
    """Create a milestone from the parsed form (``MilestoneForm``)."""
    milestone = Milestone(team=team, title=title, description=description, due_date=due_date,
                          due_precision=DatePrecision.DAY, kind=kind,
                          per_municipality=per_municipality)
    db.session.add(milestone)
    db.session.flush()
    record("milestone.create", actor=actor, obj=milestone, summary=f"Mijlpaal aangemaakt: {title}",
           after={"title": title, "due_date": due_date.isoformat(), "kind": kind.value})
    return milestone


def update_milestone(milestone: Milestone, *, title: str, description: str, due_date: date,
                     kind: MilestoneKind, expected_version: int | None, actor) -> Milestone:
    """Save the edit form; a stale version raises ConflictError and changes nothing.

    A new date is exact (precision day); an unchanged date keeps its precision
    ("september 2019").
    """
    check_version(milestone, expected_version)
    due = due_date
    before = {"title": milestone.title, "description": milestone.description,
              "due_date": milestone.due_date.isoformat(), "kind": milestone.kind.value}
    if due != milestone.due_date:
        milestone.due_precision = DatePrecision.DAY
    milestone.title, milestone.description, milestone.due_date, milestone.kind = (
        title, description, due, kind)
    db.session.flush()
    after = {"title": title, "description": description, "due_date": due.isoformat(),
             "kind": kind.value}
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        record("milestone.update", actor=actor, obj=milestone,
               summary=f"Mijlpaal gewijzigd: {title}", before={k: before[k] for k in changed},
               after={k: after[k] for k in changed})
    return milestone


def tick_many(milestone: Milestone, municipalities: list[Municipality], *, completed_on: date,
              expected_version: int | None, actor, now: datetime,
              today: date) -> list[Municipality]:
    """Tick several municipalities at once (a whole district or a chosen set).

    Each goes through :func:`tick_municipality` (same checks, one audit row and one
    history version per municipality). Municipalities already ticked keep their own date
    and note. Returns the municipalities ticked now (possibly empty).

    Raises ConflictError when the milestone is no longer at ``expected_version``
    (someone changed it after the page was loaded); nothing is changed then.
    """
    check_version(milestone, expected_version)
    already = set(db.session.scalars(select(MunicipalityTick.municipality_id).where(
        MunicipalityTick.milestone_id == milestone.id)))
    ticked = []
    for municipality in municipalities:
        if municipality.id in already:
            continue
        tick_municipality(milestone, municipality, completed_on=completed_on, note="",
                          actor=actor, now=now, today=today, _announce=False)
        ticked.append(municipality)
    if ticked:
        webhooks.check_milestone(milestone, today, now)
    return ticked


def untick_many(milestone: Milestone, municipalities: list[Municipality], *,
                expected_version: int | None, actor) -> list[Municipality]:
    """Remove the ticks of several municipalities; returns those that had one.

    Raises ConflictError like :func:`tick_many`.
    """
    check_version(milestone, expected_version)
    return [m for m in municipalities if untick_municipality(milestone, m, actor=actor)]
