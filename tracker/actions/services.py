"""State changes of actions: create, edit, complete, reopen, cancel, comment.

Services flush; the route commits once. Every change writes an audit entry in
the same transaction, and the people it concerns who want it "direct" get a
notice queued in it too (``notifications.notices``). Writes based on a stale version raise ConflictError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from tracker.actions.models import COMMENT_MAX_LENGTH, Action, ActionComment
from tracker.actions.rules import is_open
from tracker.audit.services import record
from tracker.concurrency import check_version
from tracker.enums import ActionStatus, DatePrecision
from tracker.extensions import db
from tracker.formatting import to_local
from tracker.network.models import Team
from tracker.notifications.notices import notify
from tracker.privacy import refuse_bsn
from tracker.validation import clean_text
from tracker.webhooks import services as webhooks

DESCRIPTION_MAX_LENGTH = 4000


@dataclass
class ActionInput:
    """Validated values of the action form."""

    title: str
    description: str
    owner_id: int | None
    due_date: date | None
    status: ActionStatus
    milestone_id: int | None
    district_id: int | None
    #: "Tekst in de rapportage": empty means the status pages and the report show the title.
    report_text: str = ""


def _snapshot(action: Action) -> dict[str, Any]:
    return {
        "title": action.title,
        "description": action.description,
        "report_text": action.report_text or "",
        "owner_id": action.owner_id,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "status": action.status.value,
        "milestone_id": action.milestone_id,
        "district_id": action.district_id,
    }


def create_action(team: Team, data: ActionInput, *, actor, now: datetime,
                  event_id: int | None = None) -> Action:
    """A new action at the end of ``team``'s list; ``event_id``: the meeting it came out of."""
    position = _last_position(team) + 1
    action = Action(
        team=team, title=data.title, description=data.description,
        report_text=data.report_text, owner_id=data.owner_id,
        due_date=data.due_date, due_precision=DatePrecision.DAY, status=data.status,
        milestone_id=data.milestone_id, district_id=data.district_id, position=position,
        created_at=now, updated_at=now, event_id=event_id,
    )
    if data.status == ActionStatus.GEREED:
        action.completed_at, action.completed_by_id = now, actor.id
    db.session.add(action)
    db.session.flush()
    after = _snapshot(action)
    if event_id is not None:
        after["event_id"] = event_id
    notify(record("action.create", actor=actor, obj=action,
                  summary=f"Actie aangemaakt: {action.title}", after=after), now)
    webhooks.action_created(action, now)
    if action.status == ActionStatus.GEREED:
        _announce_completion(action, now)
    return action


def _announce_completion(action: Action, now: datetime) -> None:
    """Webhook events of a completion: ``action.completed``, and ``milestone.reached`` when
    this was the milestone's last linked action (same transaction as the change)."""
    webhooks.action_completed(action, now)
    if action.milestone is not None:
        webhooks.check_milestone(action.milestone, to_local(now).date(), now)


def _last_position(team: Team) -> int:
    """The highest position in ``team``'s list (-1 when it has no actions), from SQL: no
    action is loaded for it."""
    from sqlalchemy import func, select

    last = db.session.scalar(select(func.max(Action.position)).where(Action.team_id == team.id))
    return -1 if last is None else last


def update_action(action: Action, data: ActionInput, *, expected_version: int | None, actor,
                  now: datetime) -> Action:
    """Apply the form; a change of the date keeps no approximate precision."""
    check_version(action, expected_version)
    before = _snapshot(action)
    was_done = action.status == ActionStatus.GEREED
    if data.due_date != action.due_date:
        action.due_precision = DatePrecision.DAY
    action.title, action.description = data.title, data.description
    action.report_text = data.report_text
    action.owner_id, action.due_date = data.owner_id, data.due_date
    action.milestone_id, action.district_id = data.milestone_id, data.district_id
    _set_status(action, data.status, actor=actor, now=now)
    action.updated_at = now
    db.session.flush()
    after = _snapshot(action)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        notify(record("action.update", actor=actor, obj=action,
                      summary=f"Actie gewijzigd: {action.title}",
                      before={k: before[k] for k in changed}, after=changed), now)
    if action.status == ActionStatus.GEREED and not was_done:
        _announce_completion(action, now)
    return action


def _set_status(action: Action, status: ActionStatus, *, actor, now: datetime) -> None:
    if status == ActionStatus.GEREED and action.status != ActionStatus.GEREED:
        action.completed_at, action.completed_by_id = now, actor.id
    elif status != ActionStatus.GEREED:
        action.completed_at, action.completed_by_id = None, None
    action.status = status


def complete_action(action: Action, *, expected_version: int | None, actor, now: datetime) -> bool:
    """Mark done. Idempotent: an action already done stays as it is (a double click)."""
    if action.status == ActionStatus.GEREED:
        return False
    return _change_status(action, ActionStatus.GEREED, "action.complete", "Actie gereed gemeld",
                          expected_version=expected_version, actor=actor, now=now)


def reopen_action(action: Action, *, expected_version: int | None, actor, now: datetime) -> bool:
    """Reopen a done or cancelled action (also the undo of done). Idempotent for open actions.

    The action returns to the open status it had before it was closed (bezig stays
    bezig), as recorded in the audit trail; open when nothing is recorded.
    """
    if is_open(action.status):
        return False
    return _change_status(action, status_before_closing(action), "action.reopen",
                          "Actie heropend", expected_version=expected_version, actor=actor,
                          now=now)


def status_before_closing(action: Action) -> ActionStatus:
    """The open status recorded just before the action was last closed."""
    from tracker.audit.models import AuditEntry

    before = db.session.scalar(
        select(AuditEntry.before)
        .where(AuditEntry.object_type == "actions", AuditEntry.object_id == action.id,
               AuditEntry.action.in_(("action.complete", "action.cancel", "action.update")))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    previous = (before or {}).get("status")
    if previous is not None and is_open(previous):
        return ActionStatus(previous)
    return ActionStatus.OPEN


def cancel_action(action: Action, *, expected_version: int | None, actor, now: datetime) -> bool:
    """Mark vervallen (no longer needed). Idempotent."""
    if action.status == ActionStatus.VERVALLEN:
        return False
    return _change_status(action, ActionStatus.VERVALLEN, "action.cancel", "Actie vervallen",
                          expected_version=expected_version, actor=actor, now=now)


def _change_status(action: Action, status: ActionStatus, audit_action: str, summary: str, *,
                   expected_version: int | None, actor, now: datetime) -> bool:
    check_version(action, expected_version)
    before = {"status": action.status.value}
    _set_status(action, status, actor=actor, now=now)
    action.updated_at = now
    # One flush for the change and its audit entry (notify flushes for the entry's id; a
    # colleague's committed change still fails it here, as StaleDataError).
    notify(record(audit_action, actor=actor, obj=action, summary=f"{summary}: {action.title}",
                  before=before, after={"status": status.value}), now)
    if status == ActionStatus.GEREED:
        _announce_completion(action, now)
    return True


def add_comment(action: Action, text: str, *, actor, now: datetime) -> ActionComment:
    body = refuse_bsn(clean_text(text, field="text", label="Reactie", max_length=COMMENT_MAX_LENGTH,
                                 multiline=True), field="text")
    comment = ActionComment(action=action, author_id=actor.id, text=body, created_at=now)
    db.session.add(comment)
    db.session.flush()
    notify(record("action.comment", actor=actor, obj=action, summary="Reactie geplaatst",
                  after={"comment_id": comment.id}), now)
    return comment


# --- Several actions at once ----------------------------------------------------------------

#: What a bulk change does to each selected action, with the words of the form and the result.
BULK_OPERATIONS: dict[str, str] = {
    "gereed": "Gereed melden",
    "heropenen": "Heropenen",
    "eigenaar": "Eigenaar wijzigen",
    "einddatum": "Einddatum wijzigen",
}
#: ``owner_id`` of a bulk owner change that leaves the actions without an owner.
NO_OWNER = 0


@dataclass
class BulkOutcome:
    """What a bulk change did, per action, in the order of the selection.

    ``saved``: changed (one audit entry and one history version each); ``unchanged``:
    already so (done twice, same owner); ``conflicts``: stale rows, left as they were,
    each with the :class:`tracker.actions.conflicts.Conflict` describing the colleague's change.
    """

    saved: list[Action] = field(default_factory=list)
    unchanged: list[Action] = field(default_factory=list)
    conflicts: list[tuple[Action, Any]] = field(default_factory=list)


def _with(action: Action, **changes) -> ActionInput:
    """The action's current values as an ActionInput, with ``changes``."""
    values = {
        "title": action.title, "description": action.description or "",
        "report_text": action.report_text or "", "owner_id": action.owner_id,
        "due_date": action.due_date, "status": action.status,
        "milestone_id": action.milestone_id, "district_id": action.district_id,
    }
    values.update(changes)
    return ActionInput(**values)


def bulk_change(selection: list[tuple[Action, int | None]], operation: str, *,
                owner_id: int | None = None, due_date: date | None = None, actor,
                now: datetime) -> BulkOutcome:
    """Apply ``operation`` (a key of :data:`BULK_OPERATIONS`) to every ``(action, version)``.

    Each row goes through the same service as the single change (``complete_action``,
    ``reopen_action``, ``update_action``), so audit entries, notices and history are per
    action. A row whose version is not ``version`` is left unchanged and reported; the
    other rows stay in the transaction: the route commits them once. Load the rows
    locked (``FOR UPDATE``): a ``StaleDataError`` would otherwise end the whole request.
    ``owner_id``: the new owner, :data:`NO_OWNER` for none; ``due_date``: the new date.
    Raises ``ValueError`` for an unknown operation.
    """
    from tracker.actions.conflicts import describe_conflict
    from tracker.concurrency import ConflictError

    if operation not in BULK_OPERATIONS:
        raise ValueError(f"unknown bulk operation {operation!r}")
    outcome = BulkOutcome()
    for action, version in selection:
        # A stale row fails its version check before anything of it is changed, so the
        # rows before and after it stay as they are in this transaction. (The loader
        # locks the rows, so no colleague can commit between this check and the write.)
        try:
            if operation == "gereed":
                changed = complete_action(action, expected_version=version, actor=actor, now=now)
            elif operation == "heropenen":
                changed = reopen_action(action, expected_version=version, actor=actor, now=now)
            else:
                new = (_with(action, owner_id=owner_id or None) if operation == "eigenaar"
                       else _with(action, due_date=due_date))
                changed = new != _with(action)
                if changed:
                    update_action(action, new, expected_version=version, actor=actor, now=now)
                else:
                    check_version(action, version)
        except ConflictError:
            outcome.conflicts.append((action, describe_conflict(action, version)))
            continue
        (outcome.saved if changed else outcome.unchanged).append(action)
    return outcome
