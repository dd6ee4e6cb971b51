"""The honest digest: Verstreken / Binnen vier weken / Later, the portfolio once, whom to
call, one state word per line, and the greeting (pure functions, no app)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.auth.address import NEUTRAL, clean_salutation, given_name, greeting
from tracker.milestones.rules import MilestoneState
from tracker.notifications.digest import (
    ActionInfo,
    MilestoneInfo,
    Network,
    Recipient,
    TeamInfo,
    build_digest,
)

#: Tuesday 2 October 2018, 07:30 in Amsterdam: the day after the 1 oktober deadline.
DAY_AFTER = datetime(2018, 10, 2, 5, 30, tzinfo=UTC)
TODAY = date(2018, 10, 2)
VP = TeamInfo(1, "verwarde-personen", "Expertteam Verwarde personen", "Verwarde personen")
JEUGD = TeamInfo(2, "jeugd", "Expertteam Jeugd", "Jeugd")
MISSED = MilestoneInfo(1, 1, "Sluitende aanpak", "deadline", date(2018, 10, 1), "day",
                       done=0, total=78)
FAR = MilestoneInfo(2, 1, "Wet verplichte ggz", "wet", TODAY + timedelta(days=350), "day")
SOON = MilestoneInfo(3, 2, "Eindrapportage Jeugd", "eindrapportage",
                     TODAY + timedelta(weeks=3), "day")


def world(**overrides) -> Network:
    values = {
        "teams": {1: VP, 2: JEUGD},
        "milestones": [MISSED, FAR, SOON],
        "actions": [
            ActionInfo(1, 2, "Plan van aanpak", "open", date(2018, 9, 20), "day",
                       owner_name="Piet Jansen"),
            ActionInfo(2, 2, "Zonder eigenaar", "bezig", date(2018, 8, 1), "day"),
            ActionInfo(3, 1, "Convenant tekenen", "open", date(2018, 9, 1), "day",
                       owner_name="Karin de Boer"),
        ],
        "events": [], "pilots": [],
    }
    values.update(overrides)
    return Network(**values)


def mayor(**overrides) -> Recipient:
    values = {"id": 7, "name": "Welten", "frequency": "weekly",
              "portfolio_team_ids": frozenset({1}),
              "last_digest_at": DAY_AFTER - timedelta(days=7)}
    values.update(overrides)
    return Recipient(**values)


def titles(lines) -> list[str]:
    return [line.milestone.title for line in lines]


def test_the_day_after_a_missed_deadline():
    """1 oktober 2018 passed with 0 of 78: Verstreken, never beside one 350 days away."""
    digest = build_digest(mayor(portfolio_team_ids=frozenset()), world(), DAY_AFTER)
    whole = digest.network
    assert titles(whole.missed) == ["Sluitende aanpak"]
    assert titles(whole.soon) == ["Eindrapportage Jeugd"]
    assert titles(whole.later) == ["Wet verplichte ggz"]
    missed, soon, later = whole.missed[0], whole.soon[0], whole.later[0]
    assert (missed.days_left, soon.days_left, later.days_left) == (-1, 21, 350)
    # One state word per line, the one milestones.rules decides.
    assert missed.state.state == MilestoneState.TE_LAAT
    assert missed.state.text == "Te laat (0 van 78 gemeenten gereed, 1 dag over tijd)"
    assert later.state.state == MilestoneState.OP_SCHEMA
    assert digest.has_news


def test_the_day_before_it_is_within_four_weeks_and_at_risk():
    before = DAY_AFTER - timedelta(days=2)
    digest = build_digest(mayor(portfolio_team_ids=frozenset()), world(), before)
    assert titles(digest.network.missed) == []
    assert "Sluitende aanpak" in titles(digest.network.soon)
    assert digest.network.soon[0].state.state == MilestoneState.RISICO


def test_a_missed_hard_deadline_stays_until_met_and_then_leaves():
    year_later = DAY_AFTER + timedelta(days=364)
    digest = build_digest(mayor(portfolio_team_ids=frozenset()), world(), year_later)
    assert "Sluitende aanpak" in titles(digest.network.missed)
    met = MilestoneInfo(1, 1, "Sluitende aanpak", "deadline", date(2018, 10, 1), "day",
                        done=78, total=78)
    digest = build_digest(mayor(portfolio_team_ids=frozenset()),
                          world(milestones=[met, FAR, SOON]), year_later)
    assert "Sluitende aanpak" not in [t for s in digest.sections for t in titles(s.milestones)]


def test_an_ordinary_milestone_missed_long_ago_is_left_out():
    old = MilestoneInfo(4, 2, "Oude mijlpaal", "mijlpaal", date(2018, 1, 1), "day")
    digest = build_digest(mayor(portfolio_team_ids=frozenset()),
                          world(milestones=[old]), DAY_AFTER)
    assert digest.network.milestones == []


def test_the_portfolio_comes_first_and_is_not_repeated():
    digest = build_digest(mayor(), world(), DAY_AFTER)
    [portfolio] = digest.portfolio
    assert digest.sections == [portfolio, digest.network]
    assert portfolio.title == "Uw portefeuille: Verwarde personen"
    assert titles(portfolio.missed) == ["Sluitende aanpak"]
    assert titles(portfolio.later) == ["Wet verplichte ggz"]
    assert [line.action.title for line in portfolio.overdue] == ["Convenant tekenen"]
    network_ids = {line.milestone.id for line in digest.network.milestones}
    network_actions = {line.action.id for line in digest.network.overdue}
    assert network_ids == {SOON.id}
    assert network_actions == {1, 2}
    # Every milestone and overdue action appears exactly once in the whole digest.
    everywhere = [line.milestone.id for s in digest.sections for line in s.milestones]
    assert sorted(everywhere) == sorted(set(everywhere))


def test_overdue_lines_carry_owner_and_team_most_overdue_first():
    digest = build_digest(mayor(portfolio_team_ids=frozenset()), world(), DAY_AFTER)
    lines = [(line.action.title, line.action.owner_name, line.team.short_name, line.days_overdue)
             for line in digest.network.overdue]
    assert lines == [
        ("Zonder eigenaar", None, "Jeugd", 62),
        ("Plan van aanpak", "Piet Jansen", "Jeugd", 12),
        ("Convenant tekenen", "Karin de Boer", "Verwarde personen", 31),
    ]


def test_the_greeting_is_the_stored_form_of_address():
    digest = build_digest(mayor(salutation="Geachte burgemeester Welten,"), world(), DAY_AFTER)
    assert digest.greeting == "Geachte burgemeester Welten,"
    assert build_digest(mayor(), world(), DAY_AFTER).greeting == NEUTRAL


@pytest.mark.parametrize(("salutation", "name", "expected"), [
    ("Geachte burgemeester Welten,", "Welten", "Geachte burgemeester Welten,"),
    ("  Beste   Anna ", "Anna de Vries", "Beste Anna,"),
    (None, "Piet Jansen", "Beste Piet,"),
    (None, "Anne-Marie van Dijk", "Beste Anne-Marie,"),
    ("", "Welten", NEUTRAL),
    (None, "Van Hout", NEUTRAL),
    (None, "K. Pieters", NEUTRAL),
    (None, "k.pieters", NEUTRAL),
    (None, "k.pieters@example.org", NEUTRAL),
    (None, "Piet Jansen <piet@example.org>", NEUTRAL),
    (None, "piet jansen", NEUTRAL),
    (None, "Persoon 7F3A9C", NEUTRAL),
    (None, "Hoofdofficier van justitie", NEUTRAL),
    (None, "drs. J. Jansen", NEUTRAL),
    (None, "", NEUTRAL),
    (None, None, NEUTRAL),
])
def test_greeting_defaults(salutation, name, expected):
    assert greeting(salutation, name) == expected


def test_the_default_is_never_an_e_mail_local_part():
    for address in ["k.pieters@example.org", "piet.jansen@politie.nl", "jansen@example.org",
                    "Piet@example.org", "info@gemeente.nl"]:
        local = address.split("@")[0]
        assert local not in greeting(None, address)
        assert given_name(address) is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("  Geachte   burgemeester Welten, ", "Geachte burgemeester Welten,"),
    ("", None), ("   ", None), (None, None),
])
def test_clean_salutation(raw, expected):
    assert clean_salutation(raw) == expected


@pytest.mark.parametrize("raw", ["x" * 121, "Beste welten@example.org,", "Beste\r\nBcc: x"])
def test_clean_salutation_refuses(raw):
    with pytest.raises(ValueError):
        clean_salutation(raw)
