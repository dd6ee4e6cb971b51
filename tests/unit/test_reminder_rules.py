"""The pure reminder rules: reminder days, the overdue rhythm and the catch-up cut-off."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.actions.rules import calls_for_mail, escalation_day, reminder_day

DUE = date(2026, 3, 10)


def test_reminder_days_before_then_the_day_after_then_weekly_for_eight_weeks():
    seen = sorted({reminder_day(DUE, DUE + timedelta(days=n), (7, 1))
                   for n in range(-20, 80)} - {None})
    offsets = [(d - DUE).days for d in seen]
    assert offsets == [-7, -1, 1, 8, 15, 22, 29, 36, 43, 50]
    assert reminder_day(DUE, DUE + timedelta(days=5), (7, 1), overdue=False) == DUE - timedelta(1)
    assert reminder_day(None, DUE, (7, 1)) is None


def test_a_reminder_day_is_mailed_once_and_never_more_than_a_week_late():
    day = DUE + timedelta(days=1)
    assert calls_for_mail(day, None, day)
    assert calls_for_mail(day, None, day + timedelta(days=7))
    assert not calls_for_mail(day, None, day + timedelta(days=8))     # a period gone
    assert not calls_for_mail(day, day, day + timedelta(days=1))      # already in a bundle
    assert calls_for_mail(day, day - timedelta(days=1), day + timedelta(days=3))
    assert not calls_for_mail(day + timedelta(days=1), None, day)     # not yet
    assert not calls_for_mail(None, None, day)


def test_escalation_day_is_after_the_limit_in_full_days():
    assert escalation_day(DUE, 14) == DUE + timedelta(days=15)
    assert escalation_day(None, 14) is None
