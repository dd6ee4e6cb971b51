"""The mayors' digest as a pure function of data and ``now`` (no app, no database)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.notifications.digest import (
    ActionInfo,
    EventInfo,
    MilestoneInfo,
    Network,
    PilotInfo,
    Recipient,
    TeamInfo,
    build_digest,
    digest_due,
    milestone_state,
    period_key,
)

NOW = datetime(2018, 2, 5, 6, 30, tzinfo=UTC)  # Monday 07:30 in Amsterdam
TODAY = date(2018, 2, 5)
VP = TeamInfo(1, "verwarde-personen", "Expertteam Verwarde personen", "Verwarde personen")
JEUGD = TeamInfo(2, "jeugd", "Expertteam Jeugd", "Jeugd")


def network(**overrides) -> Network:
    values = {
        "teams": {1: VP, 2: JEUGD},
        "milestones": [
            MilestoneInfo(1, 1, "Sluitende aanpak", "deadline", date(2018, 10, 1), "day",
                          done=3, total=78),
            MilestoneInfo(2, 2, "Eindrapportage Jeugd", "eindrapportage", date(2018, 3, 1), "day"),
            MilestoneInfo(3, 2, "Ver weg, geen deadline", "mijlpaal", date(2019, 1, 1), "year"),
        ],
        "actions": [
            ActionInfo(1, 2, "Te laat", "open", date(2018, 1, 20), "day"),
            ActionInfo(2, 1, "Net klaar", "gereed", date(2018, 2, 1), "day",
                       completed_at=NOW - timedelta(days=2)),
            ActionInfo(3, 1, "Lang geleden klaar", "gereed", date(2017, 2, 1), "day",
                       completed_at=NOW - timedelta(days=40)),
            ActionInfo(4, 1, "Op tijd", "bezig", date(2018, 6, 1), "day"),
        ],
        "events": [EventInfo(1, 1, "Regionale bijeenkomst", datetime(2018, 3, 7, 12, 30, tzinfo=UTC),
                             "gepland")],
        "pilots": [PilotInfo(1, 2, "Groepsscan Kampen", "geevalueerd", NOW - timedelta(days=1)),
                   PilotInfo(2, 2, "Oud nieuws", "lopend", NOW - timedelta(days=30))],
    }
    values.update(overrides)
    return Network(**values)


def mayor(**overrides) -> Recipient:
    values = {"id": 7, "name": "Welten", "frequency": "weekly",
              "portfolio_team_ids": frozenset({1}), "last_digest_at": NOW - timedelta(days=7),
              "responses": {1: ""}}
    values.update(overrides)
    return Recipient(**values)


def test_portfolio_first_then_the_network():
    digest = build_digest(mayor(), network(), NOW)
    assert [s.title for s in digest.portfolio] == ["Uw portefeuille: Verwarde personen"]
    portfolio = digest.portfolio[0]
    assert [line.milestone.title for line in portfolio.later] == ["Sluitende aanpak"]
    assert portfolio.missed == [] and portfolio.soon == []
    assert portfolio.later[0].days_left == 238
    assert portfolio.later[0].state.text == "Op schema (3 van 78 gemeenten gereed, nog 238 dagen)"
    assert [line.action.title for line in portfolio.completed] == ["Net klaar"]
    assert portfolio.overdue == []
    whole = digest.network
    assert [line.milestone.title for line in whole.soon] == ["Eindrapportage Jeugd"]
    assert whole.soon[0].days_left == 24
    assert [(a.action.title, a.team.short_name) for a in whole.overdue] == [("Te laat", "Jeugd")]
    assert whole.overdue[0].days_overdue == 16
    assert [line.pilot.title for line in whole.pilots] == ["Groepsscan Kampen"]
    # The portfolio's meeting is told there, once, not again under the network.
    assert [(line.event.title, line.response) for line in portfolio.events] == [
        ("Regionale bijeenkomst", "")]
    assert whole.events == []
    assert digest.subject == "Bestuurlijk overzicht week 6: deadlines en voortgang"
    assert digest.period == "2018-W06" and digest.has_news


def test_far_milestones_that_are_not_hard_deadlines_are_left_out():
    digest = build_digest(mayor(), network(), NOW)
    titles = [line.milestone.title for s in digest.sections for line in s.milestones]
    assert "Ver weg, geen deadline" not in titles


def test_nothing_new_means_no_news():
    quiet = network(
        milestones=[MilestoneInfo(1, 1, "Sluitende aanpak", "deadline", date(2018, 10, 1), "day")],
        actions=[], events=[], pilots=[])
    digest = build_digest(mayor(), quiet, NOW)
    assert not digest.has_news
    assert digest.portfolio[0].later  # still known, but not news on its own


def test_first_digest_looks_back_one_period():
    digest = build_digest(mayor(last_digest_at=None, frequency="daily"), network(), NOW)
    assert digest.since == NOW - timedelta(days=1)
    assert [line.action.title for line in digest.network.completed] == []
    assert digest.subject == "Bestuurlijk overzicht 5 februari 2018: deadlines en voortgang"


def test_same_data_and_now_give_the_same_digest():
    assert build_digest(mayor(), network(), NOW) == build_digest(mayor(), network(), NOW)


@pytest.mark.parametrize(("now", "frequency", "expected"), [
    (datetime(2018, 2, 5, 6, 29, tzinfo=UTC), "weekly", False),  # Monday 07:29 local
    (datetime(2018, 2, 5, 6, 30, tzinfo=UTC), "weekly", True),
    (datetime(2018, 2, 8, 3, 0, tzinfo=UTC), "weekly", True),  # catch-up later that week
    (datetime(2018, 2, 8, 6, 0, tzinfo=UTC), "daily", False),
    (datetime(2018, 2, 8, 6, 30, tzinfo=UTC), "daily", True),
    (datetime(2018, 3, 25, 5, 30, tzinfo=UTC), "daily", True),  # CEST: 07:30 local
    (datetime(2018, 3, 25, 5, 29, tzinfo=UTC), "daily", False),
    (datetime(2018, 2, 8, 6, 30, tzinfo=UTC), "off", False),
])
def test_digest_due(now, frequency, expected):
    assert digest_due(frequency, now) is expected


def test_period_keys_are_local():
    # Sunday 31 Dec 2017 23:30 UTC is Monday 1 Jan 2018 00:30 in Amsterdam: ISO week 1.
    late = datetime(2017, 12, 31, 23, 30, tzinfo=UTC)
    assert period_key("weekly", late) == "2018-W01"
    assert period_key("daily", late) == "2018-01-01"


def test_milestone_states():
    m = MilestoneInfo(1, 1, "M", "deadline", date(2018, 1, 1), "day")
    # The one word used everywhere (was "verlopen" / "open" here only).
    assert milestone_state(m, TODAY).label == "Te laat"
    assert milestone_state(MilestoneInfo(1, 1, "M", "deadline", date(2018, 3, 1), "day"),
                           TODAY).label == "Op schema"


def test_a_passed_hard_deadline_is_not_listed_as_further_away():
    """1 oktober 2018, 0 of 78, seen in 2019: 'te laat' beside the milestones, never 'verder weg'."""
    later = datetime(2019, 2, 4, 6, 30, tzinfo=UTC)
    digest = build_digest(mayor(last_digest_at=later - timedelta(days=7)), network(), later)
    portfolio = digest.portfolio[0]
    assert [line.milestone.title for line in portfolio.later] == []
    late = [line for line in portfolio.missed if line.milestone.title == "Sluitende aanpak"]
    assert late and late[0].state.label == "Te laat"
