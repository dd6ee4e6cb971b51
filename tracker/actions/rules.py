"""Pure rules about actions: open statuses, overdue, due windows, counters. No database, no app.

Every page, query, job, report and digest asks these functions; none re-derives them.
Where a page counts in the database, the rule's SQL form stands next to the Python one
(``overdue_clause`` beside ``is_overdue``, ``count_columns`` beside ``count_actions``):
SQL expressions over the columns a caller passes in, still no session and no app;
``tests/test_overdue_sql.py`` checks that both forms agree on the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, case, func

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


def overdue_clause(status: ColumnElement, due: ColumnElement, today: date) -> ColumnElement[bool]:
    """:func:`is_overdue` as a SQL condition on the columns ``status`` and ``due``: open or
    bezig with a due date before ``today``. The due date's precision plays no part (a
    "juni 2018" is stored as 30 June and judged by that day), as in the Python form.
    Ordering the overdue rows by ``due`` ascending orders them by :func:`days_overdue`,
    most late first."""
    return and_(status.in_(sorted(OPEN_STATUSES)), due.is_not(None), due < today)


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


def count_columns(status: ColumnElement, due: ColumnElement, today: date
                  ) -> tuple[ColumnElement[int], ...]:
    """:func:`count_actions` as four SQL aggregates over ``status`` and ``due`` (open, of
    which overdue, done, cancelled), for a ``select(..., *count_columns(...)).group_by(...)``;
    :func:`action_counts` turns a result row's four numbers into :class:`ActionCounts`."""
    def tally(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (tally(status.in_(sorted(OPEN_STATUSES))), tally(overdue_clause(status, due, today)),
            tally(status == ActionStatus.GEREED),
            tally(status.in_(sorted(CLOSED_STATUSES - {ActionStatus.GEREED}))))


def action_counts(open_: int, overdue: int, done: int, cancelled: int) -> ActionCounts:
    """The counters from the four numbers of :func:`count_columns` (None counts as 0)."""
    return ActionCounts(open=int(open_ or 0), overdue=int(overdue or 0), done=int(done or 0),
                        cancelled=int(cancelled or 0))


# --- Reminders: when an action calls for a mail -------------------------------------------

#: Overdue actions are reminded the day after the due date, then every this many days.
OVERDUE_RHYTHM_DAYS = 7
#: An overdue action is reminded for at most this many weeks; after that the trekker has
#: had the escalation and the owner's bundle only lists it (it triggers no mail).
OVERDUE_REMINDER_WEEKS = 8
#: A reminder day further back than this (days) is never made up: one period, the week
#: of the overdue rhythm. A first start on old data therefore mails nobody about 2018.
CATCH_UP_DAYS = 7


def reminder_day(due: date | None, today: date, before_days: Iterable[int], *,
                 overdue: bool = True, overdue_weeks: int = OVERDUE_REMINDER_WEEKS
                 ) -> date | None:
    """The latest day on or before ``today`` on which the owner is reminded. Pure.

    Reminder days are ``due - n`` for each ``n`` in ``before_days``, and, when
    ``overdue``, the day after the due date and then every :data:`OVERDUE_RHYTHM_DAYS`
    days for ``overdue_weeks`` weeks. None when no reminder day has come yet or the
    last one lies beyond that rhythm.
    """
    if due is None:
        return None
    days = [due - timedelta(days=n) for n in before_days]
    if overdue and today > due:
        passed = (today - due).days - 1          # days since the day after the due date
        last = due + timedelta(days=1 + passed - passed % OVERDUE_RHYTHM_DAYS)
        if (last - due).days <= overdue_weeks * 7:
            days.append(last)
    past = [d for d in days if d <= today]
    return max(past) if past else None


def escalation_day(due: date | None, limit_days: int) -> date | None:
    """The day an action still open goes to the trekker: ``limit_days`` full days overdue."""
    return None if due is None else due + timedelta(days=limit_days + 1)


def calls_for_mail(day: date | None, last_sent: date | None, today: date,
                   catch_up_days: int = CATCH_UP_DAYS) -> bool:
    """Whether a reminder day ``day`` still needs a mail today. Pure.

    Yes when it is not in the future, falls after the person's last bundle
    (``last_sent``, None = never), and lies at most ``catch_up_days`` in the past:
    after downtime the next run makes up the missed days in one bundle, but never
    mails about periods long gone.
    """
    if day is None or day > today or day < today - timedelta(days=catch_up_days):
        return False
    return last_sent is None or day > last_sent


def due_soon(due: date | None, today: date, horizon_days: int) -> bool:
    """Due today or within ``horizon_days`` days (not overdue)."""
    return due is not None and today <= due <= today + timedelta(days=horizon_days)
