"""The Start page's figures are pure functions of plain values and ``today``/``now``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from tracker.enums import ActionStatus, Role
from tracker.home import rules
from tracker.milestones.rules import MilestoneState

TODAY = date(2026, 12, 1)  # a Tuesday
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _action(n, status=ActionStatus.OPEN, due=None, owner="Olga", team="Team A"):
    return SimpleNamespace(id=n, title=f"Actie {n}", status=status, due_date=due,
                           owner=SimpleNamespace(name=owner) if owner else None,
                           team=SimpleNamespace(name=team))


def test_every_role_has_a_home():
    assert {rules.home_kind(role) for role in Role} == set(rules.HomeKind)
    assert rules.home_kind("bestuurder") == rules.HomeKind.PORTFOLIO


def test_overdue_rows_follow_the_action_rule_and_put_the_longest_first():
    rows = rules.overdue_rows([
        _action(1, due=TODAY - timedelta(days=2)),
        _action(2, due=TODAY - timedelta(days=9), owner=None),
        _action(3, due=TODAY),  # due today: not overdue
        _action(4, status=ActionStatus.GEREED, due=TODAY - timedelta(days=30)),
        _action(5, due=None),
    ], TODAY)
    assert [(r.action_id, r.days_over, r.owner_name) for r in rows] == [(2, 9, ""), (1, 2, "Olga")]


def test_count_by_state_lists_every_state_with_the_urgent_first():
    counted = rules.count_by_state([MilestoneState.GEHAALD, MilestoneState.TE_LAAT,
                                    MilestoneState.TE_LAAT])
    assert counted[0] == (MilestoneState.TE_LAAT, 2)
    assert dict(counted) == {MilestoneState.TE_LAAT: 2, MilestoneState.RISICO: 0,
                             MilestoneState.OP_SCHEMA: 0, MilestoneState.GEHAALD: 1}


def test_team_tallies_count_open_overdue_and_this_week_per_team():
    sunday = TODAY + timedelta(days=5)
    tallies = rules.team_tallies([
        (1, ActionStatus.OPEN, TODAY - timedelta(days=1), 2),
        (1, ActionStatus.BEZIG, sunday, 1),
        (1, ActionStatus.OPEN, sunday + timedelta(days=1), 4),
        (1, ActionStatus.GEREED, TODAY, 3),
    ], [1, 2], TODAY)
    assert (tallies[1].counts.open, tallies[1].counts.overdue, tallies[1].this_week) == (7, 2, 1)
    assert tallies[1].counts.done == 3
    assert tallies[2].counts.open == 0 and tallies[2].this_week == 0


def test_needs_attention_is_overdue_or_this_week_and_open():
    assert rules.needs_attention(ActionStatus.OPEN, TODAY - timedelta(days=1), TODAY)
    assert rules.needs_attention(ActionStatus.BEZIG, TODAY + timedelta(days=5), TODAY)
    assert not rules.needs_attention(ActionStatus.OPEN, TODAY + timedelta(days=6), TODAY)
    assert not rules.needs_attention(ActionStatus.GEREED, TODAY - timedelta(days=1), TODAY)


@dataclass
class Entry:
    at: datetime
    object_type: str
    object_id: int


def test_the_week_summary_counts_objects_not_entries_and_only_since_last_week():
    since = rules.changes_since(NOW)
    summary = rules.summarise_changes([
        Entry(NOW - timedelta(hours=1), "actions", 1),
        Entry(NOW - timedelta(hours=2), "actions", 1),
        Entry(NOW - timedelta(days=2), "actions", 2),
        Entry(NOW - timedelta(days=3), "milestones", 7),
        Entry(NOW - timedelta(days=8), "pilots", 3),  # older than a week
    ], since)
    assert summary.total == 4 and summary.sentence == "2 acties en 1 mijlpaal gewijzigd"
    assert rules.summarise_changes([], since).sentence == "Geen wijzigingen"


def test_invitations_to_answer_are_open_and_unanswered():
    open_event = SimpleNamespace(name="open")
    closed_event = SimpleNamespace(name="closed")

    def closed(event, _now):
        return "deadline" if event is closed_event else None

    a = SimpleNamespace(event=open_event, response=None)
    b = SimpleNamespace(event=open_event, response="ja")
    c = SimpleNamespace(event=closed_event, response=None)
    assert rules.split_invitations([a, b, c], NOW, closed) == ([a], [b])


def test_accounts_without_a_second_factor_that_must_use_one_come_first():
    def user(name, role, mfa=False, active=True):
        return SimpleNamespace(id=len(name), name=name, role=role, has_mfa=mfa, active=active)

    people = [user("Lezer", Role.LEZER), user("Anne", Role.COORDINATOR),
              user("Bert", Role.COORDINATOR, mfa=True), user("Cor", Role.BEHEERDER, active=False)]
    shown = rules.without_second_factor(people, lambda u: u.role != Role.LEZER)
    assert [u.name for u in shown] == ["Anne", "Lezer"]
