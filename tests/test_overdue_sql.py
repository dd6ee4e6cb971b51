"""The overdue rule in SQL agrees with the rule in Python, and the summarising pages
(network status, team status, dashboard, Start) cost a constant number of statements
however many actions, pilots and milestones there are (issue 15)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import add_member, create_action, create_team, create_user
from tracker.actions.models import Action
from tracker.actions.rules import (
    action_counts,
    count_actions,
    count_columns,
    is_overdue,
    overdue_clause,
)
from tracker.clock import local_today
from tracker.enums import (
    ActionStatus,
    DatePrecision,
    MilestoneKind,
    PilotStatus,
    Role,
    TeamRole,
)
from tracker.extensions import db
from tracker.milestones.models import Milestone
from tracker.pilots.models import Pilot
from tracker.status import queries, rollup

#: (status, due date relative to today or None, precision): the rule's edge cases.
CASES = [
    (ActionStatus.OPEN, 0, DatePrecision.DAY),          # due today: not overdue yet
    (ActionStatus.OPEN, -1, DatePrecision.DAY),         # due yesterday: overdue
    (ActionStatus.BEZIG, -1, DatePrecision.DAY),
    (ActionStatus.BEZIG, 0, DatePrecision.DAY),
    (ActionStatus.OPEN, 1, DatePrecision.DAY),
    (ActionStatus.OPEN, -4000, DatePrecision.DAY),
    (ActionStatus.GEREED, -1, DatePrecision.DAY),       # done
    (ActionStatus.VERVALLEN, -1, DatePrecision.DAY),    # cancelled
    (ActionStatus.OPEN, None, DatePrecision.DAY),       # no due date
    (ActionStatus.BEZIG, None, DatePrecision.MONTH),
    (ActionStatus.OPEN, -1, DatePrecision.MONTH),       # "juni": stored as its last day
    (ActionStatus.OPEN, 0, DatePrecision.SEASON),
    (ActionStatus.OPEN, -1, DatePrecision.HALF),
    (ActionStatus.OPEN, 20, DatePrecision.YEAR),
    (ActionStatus.GEREED, None, DatePrecision.DAY),
]


def test_sql_and_python_overdue_rule_agree(app):
    team = create_team()
    today = local_today()
    for status, offset, precision in CASES:
        create_action(team, status=status, due_precision=precision,
                      due_date=today + timedelta(days=offset) if offset is not None else None)
    db.session.commit()
    rows = db.session.execute(select(Action.id, Action.status, Action.due_date)).all()
    assert len(rows) == len(CASES)
    for day in (today, today - timedelta(days=1), today + timedelta(days=1)):
        python = {r.id for r in rows if is_overdue(r.status, r.due_date, day)}
        sql = set(db.session.scalars(
            select(Action.id).where(overdue_clause(Action.status, Action.due_date, day))))
        assert sql == python
        assert python  # the cases hold overdue ones on each of these days
        counted = action_counts(*db.session.execute(
            select(*count_columns(Action.status, Action.due_date, day))).one())
        assert counted == count_actions(((r.status, r.due_date, 1) for r in rows), day)
    # Today: due yesterday is overdue, due today is not; done, cancelled, no date never.
    assert sum(1 for r in rows if is_overdue(r.status, r.due_date, today)) == 5


def test_bounded_reasons_keep_level_and_count():
    """Naming the most late few gives the same level and count as naming every one."""
    today = date(2018, 2, 1)
    facts = [rollup.ActionFact(f"Actie {n}", "open", today - timedelta(days=n))
             for n in range(1, 16)]
    every = rollup.action_reasons(facts, today)
    most_late = sorted(facts, key=lambda f: f.due_date)[:4]
    bounded = rollup.overdue_reasons(most_late, len(facts), today)
    assert bounded[0] == every[0] == rollup.Reason(rollup.Level.RISICO,
                                                   "15 acties zijn over de datum.")
    assert bounded[1:5] == every[1:5]
    assert bounded[5].text == "En nog 11 acties over de datum."
    assert bounded[5].more_overdue == 11
    assert len(bounded) == 6
    status = rollup.team_status(actions=[], overdue=(most_late, len(facts)), milestones=[],
                                pilots=[], today=today)
    assert status.level == rollup.team_status(actions=facts, milestones=[], pilots=[],
                                              today=today).level


@pytest.fixture
def small_network(app):
    admin = create_user(role=Role.BEHEERDER, email="beheer@example.org", name="Beheer")
    team = create_team(slug="team-groei", name="Team Groei", short_name="Groei")
    chair = create_user(name="Voorzitter Een", role=Role.BESTUURDER)
    add_member(team, chair, TeamRole.VOORZITTER)
    add_member(team, create_user(name="Trekker Een"), TeamRole.TREKKER)
    create_action(team, title="De enige actie", due_date=local_today() - timedelta(days=3))
    db.session.add(Milestone(team=team, title="De enige mijlpaal", description="",
                             due_date=local_today() + timedelta(days=100),
                             due_precision=DatePrecision.DAY, kind=MilestoneKind.MIJLPAAL,
                             per_municipality=False))
    db.session.commit()
    return admin, team


def _grow(team, n: int) -> None:
    """``n`` more actions (half overdue), pilots, milestones, members and other teams."""
    today = local_today()
    now = datetime.now(UTC)
    for i in range(n):
        milestone = Milestone(team=team, title=f"Mijlpaal {i}", description="",
                              due_date=today + timedelta(days=i * 10 - 30),
                              due_precision=DatePrecision.DAY, kind=MilestoneKind.MIJLPAAL,
                              per_municipality=False)
        db.session.add(milestone)
        db.session.flush()
        create_action(team, title=f"Groei {i}", milestone_id=milestone.id,
                      status=[ActionStatus.OPEN, ActionStatus.BEZIG, ActionStatus.GEREED][i % 3],
                      due_date=today - timedelta(days=i * 7) if i % 2 else None)
        db.session.add(Pilot(team=team, title=f"Pilot {i}", status=PilotStatus.LOPEND,
                             created_at=now - timedelta(days=400), status_changed_at=None))
        add_member(team, create_user(name=f"Lid {i}"), TeamRole.LID)
        other = create_team()
        add_member(other, create_user(name=f"Voorzitter {i}"), TeamRole.VOORZITTER)
        create_action(other, due_date=today - timedelta(days=i + 1))
    db.session.commit()


PAGES = ["/status", "/teams/team-groei/status", "/", "/start"]


def test_summary_pages_statements_do_not_grow(small_network, client, login, count_queries):
    admin, team = small_network
    login(admin)
    counts = {}
    for path in PAGES:
        assert client.get(path).status_code == 200
        with count_queries() as counter:
            response = client.get(path)
        assert response.status_code == 200
        counts[path] = counter.count
    _grow(team, 30)
    for path in PAGES:
        with count_queries() as counter:
            response = client.get(path)
        assert response.status_code == 200, path
        assert counter.count == counts[path], (path, "\n".join(counter.statements))
    html = client.get("/status").get_data(as_text=True)
    # 11 overdue of Team Groei (10 grown, not done, with a date; the first one): 10 named,
    # the rest in one line that links to the team's overdue actions.
    assert "11 acties zijn over de datum." in html
    assert "En nog 1 actie over de datum." in html
    assert "/teams/team-groei?due=te-laat" in html


def test_team_status_lists_a_bounded_number_of_actions(small_network, client, login,
                                                       monkeypatch):
    admin, team = small_network
    for i in range(6):
        create_action(team, title=f"Extra {i}", due_date=None, position=i + 1)
    db.session.commit()
    monkeypatch.setattr(queries, "ACTIONS_SHOWN", 4)
    login(admin)
    html = client.get("/teams/team-groei/status").get_data(as_text=True)
    assert "En nog 3 acties:" in html
    assert "7 open, 1 te laat, 0 gereed" in html  # the counters stay whole
    assert html.count("Extra ") == 3  # the first four in the team's order: 1 + 3 extra


def test_portfolio_of_the_network_is_bounded(small_network, client, login, count_queries,
                                             monkeypatch):
    """A bestuurder who chairs no team sees the whole network: the most urgent milestones
    and most late actions named, the rest counted; statements do not grow."""
    from tracker.home import queries as home_queries

    admin, team = small_network
    board = create_user(role=Role.BESTUURDER, name="Bestuur Zonder Team")
    db.session.commit()
    login(board)
    assert client.get("/start").status_code == 200
    with count_queries() as first:
        client.get("/start")
    _grow(team, 12)
    monkeypatch.setattr(home_queries, "PORTFOLIO_SHOWN", 5)
    with count_queries() as again:
        html = client.get("/start").get_data(as_text=True)
    assert again.count == first.count, "\n".join(again.statements)
    today = local_today()
    overdue = db.session.scalar(select(func.count()).select_from(Action).where(
        overdue_clause(Action.status, Action.due_date, today)))
    assert f"Acties over tijd <span class=\"vnon-muted\">({overdue})</span>" in html
    assert f"En nog {overdue - 5} acties over tijd" in html
    assert "En nog 8 mijlpalen" in html  # 13 milestones, 5 listed
    # The most late first: Groei 9 (63 days) is named, the first action (3 days) is not.
    assert "Groei 9<" in html and "De enige actie" not in html
