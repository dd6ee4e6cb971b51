"""Pure rules about actions: open statuses, overdue, due windows, counters. No database, no app.

Every page, query, job, report and digest asks these functions; none re-derives them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.enums import ActionStatus, LabelledEnum

#: The statuses of work still to do; the others (gereed, vervallen) are closed. Being a
#: StrEnum, ``"open" in OPEN_STATUSES`` holds for stored strings too.
OPEN_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.BEZIG})
CLOSED_STATUSES = frozenset(ActionStatus) - OPEN_STATUSES


def is_open(status: ActionStatus | str) -> bool:
    return status in OPEN_STATUSES


class DueWindow(LabelledEnum):
    """Where an open action's due date falls, seen from ``today``."""

    OVERDUE = "te-laat", "Te laat"
    THIS_WEEK = "deze-week", "Deze week"
    THIS_MONTH = "deze-maand", "Deze maand"
    LATER = "later", "Later"
    NONE = "geen-datum", "Zonder datum"


def week_bounds(today: date) -> tuple[date, date]:
    """Monday and Sunday of the week of ``today`` (the week starts on Monday)."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def month_end(today: date) -> date:
    first_next = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def due_window(due: date | None, today: date) -> DueWindow:
    """Classify a due date: overdue, this week (to Sunday), this month, later, none."""
    if due is None:
        return DueWindow.NONE
    if due < today:
        return DueWindow.OVERDUE
    if due <= week_bounds(today)[1]:
        return DueWindow.THIS_WEEK
    if due <= month_end(today):
        return DueWindow.THIS_MONTH
    return DueWindow.LATER


def window_range(window: DueWindow, today: date) -> tuple[date | None, date | None]:
    """The due-date range (inclusive; None = open) of a window, for database filters."""
    sunday = week_bounds(today)[1]
    last = month_end(today)
    return {
        DueWindow.OVERDUE: (None, today - timedelta(days=1)),
        DueWindow.THIS_WEEK: (today, sunday),
        DueWindow.THIS_MONTH: (sunday + timedelta(days=1), last),
        DueWindow.LATER: (last + timedelta(days=1), None),
        DueWindow.NONE: (None, None),
    }[window]


def is_overdue(status: ActionStatus | str, due: date | None, today: date) -> bool:
    """Open or bezig with a due date before ``today`` (due today is not overdue yet)."""
    return is_open(status) and due is not None and due < today


def days_overdue(due: date | None, today: date) -> int:
    """How many days past its date an action is (0 when not past)."""
    return max(0, (today - due).days) if due is not None else 0


def days_left(due: date | None, today: date) -> int | None:
    return None if due is None else (due - today).days


def three_way_merge(
    base: dict[str, str], mine: dict[str, str], theirs: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Merge my edit with a colleague's that came first, field by field.

    ``base`` is what my form was built from. A field only I changed keeps my
    value; a field only they changed takes theirs; a field we both changed
    differently keeps mine and is reported in the second dict with their value,
    so nothing of theirs disappears without the user seeing it.
    """
    merged: dict[str, str] = {}
    clashes: dict[str, str] = {}
    for key in sorted(set(base) | set(mine) | set(theirs)):
        b, m, t = base.get(key, ""), mine.get(key, ""), theirs.get(key, "")
        if m == b:
            merged[key] = t
        elif t in (b, m):
            merged[key] = m
        else:
            merged[key] = m
            clashes[key] = t
    return merged, clashes


@dataclass
class ActionCounts:
    """Open (of which overdue), done and cancelled actions."""

    open: int = 0
    overdue: int = 0
    done: int = 0
    cancelled: int = 0


def count_actions(rows: Iterable[tuple[ActionStatus | str, date | None, int]], today: date
                  ) -> ActionCounts:
    """Tally ``(status, due date, how many)`` rows into the counters. Pure.

    The one tally behind the dashboard, the team page, the status pages and the report.
    """
    counts = ActionCounts()
    for status, due, n in rows:
        if is_open(status):
            counts.open += n
            if is_overdue(status, due, today):
                counts.overdue += n
        elif status == ActionStatus.GEREED:
            counts.done += n
        else:
            counts.cancelled += n
    return counts
