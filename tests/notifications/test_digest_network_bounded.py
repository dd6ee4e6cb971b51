""""Het netwerk" in the digest stays readable however big the network: up to
NETWORK_OVERDUE_TEAMS teams each overdue action is named; beyond, the teams with the most get
one count line each, the rest one line with a link to the network status page. Each other list
names at most NETWORK_LIST_ITEMS lines, then "en nog K ..." with a link to the page of them all."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import add_member, create_team
from tracker.actions.models import Action
from tracker.actions.rules import is_overdue
from tracker.actions.services import ActionInput, create_action
from tracker.auth.models import User
from tracker.enums import ActionStatus, MilestoneKind, Role, TeamRole
from tracker.events.services import create_event
from tracker.extensions import db
from tracker.jobs import run_job
from tracker.jobs.digests import _recipients, load_network
from tracker.milestones.services import create_milestone
from tracker.notifications.digest import (
    MORE_LISTS,
    NETWORK_LIST_ITEMS,
    NETWORK_OVERDUE_TEAMS,
    OverdueGroup,
    Recipient,
    TeamInfo,
    build_digest,
    rank_overdue,
    summarise_overdue,
)
from tracker.notifications.models import OutboxMessage
from tracker.pilots.services import PilotInput, create_pilot
from tracker.status.rollup import OVERDUE_NAMED

MONDAY = datetime.fromisoformat("2018-02-05T07:30:00+01:00")
#: Overdue actions of the 30 teams made below: 1 to 13 each (more than OVERDUE_NAMED for
#: some), with ties, so the order by count and then name is tested at the cut.
COUNTS = [(i * 7) % 13 + 1 for i in range(30)]


def _action(team, actor, title: str, due: date | None, status=ActionStatus.OPEN) -> None:
    create_action(team, ActionInput(title=title, description="", owner_id=None, due_date=due,
                                    status=status, milestone_id=None, district_id=None),
                  actor=actor, now=MONDAY - timedelta(days=60))


def _network_of_thirty(chair: User):
    """30 teams with COUNTS overdue actions each, and some that are not overdue (due on the
    day, no date); ``chair`` chairs the first of them. Made by the actions' service."""
    actor = db.session.scalar(select(User).where(User.role == Role.BEHEERDER))
    teams = []
    for i, n in enumerate(COUNTS):
        team = create_team(short_name=f"Netwerk {i:02d}", slug=f"netwerk-{i:02d}")
        for j in range(n):
            _action(team, actor, f"Laat {i:02d}-{j:02d}", MONDAY.date() - timedelta(days=1 + j))
        _action(team, actor, f"Vandaag {i:02d}", MONDAY.date(), ActionStatus.BEZIG)
        if i % 3 == 0:
            _action(team, actor, f"Zonder datum {i:02d}", None)
        teams.append(team)
    add_member(teams[0], chair, TeamRole.VOORZITTER)
    db.session.commit()
    return teams


def _overdue_by_rule() -> Counter:
    """Overdue actions per team short name, by the Python rule over every action."""
    counts: Counter = Counter()
    for action in db.session.scalars(select(Action)):
        if is_overdue(action.status, action.due_date, MONDAY.date()):
            counts[action.team.short_name] += 1
    return counts


def _mayors() -> tuple[User, User]:
    """Welten (who chairs the teams made here) and another bestuurder of the demo."""
    welten = db.session.scalar(select(User).where(User.email == "welten@example.org"))
    other = db.session.scalar(select(User).where(User.role == Role.BESTUURDER,
                                                 User.id != welten.id).order_by(User.id))
    return welten, other


def _digest(user: User) -> OutboxMessage:
    return db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.kind == "digest", OutboxMessage.user_id == user.id))


def _overdue_block(text: str) -> list[str]:
    """The lines of "Acties over de datum" in the text's network section."""
    return _block(text, "Acties over de datum")


def test_many_teams_are_counted_not_named_with_a_link_to_the_status_page(demo, client, login):
    welten, other = _mayors()
    teams = _network_of_thirty(welten)
    run_job("digests", MONDAY)
    by_rule = _overdue_by_rule()
    assert len(by_rule) == 30

    for user, portfolio in ((other, set()), (welten, {teams[0].short_name})):
        message = _digest(user)
        expected = sorted(((name, n) for name, n in by_rule.items() if name not in portfolio),
                          key=lambda item: (-item[1], item[0]))
        top, rest = expected[:NETWORK_OVERDUE_TEAMS], expected[NETWORK_OVERDUE_TEAMS:]
        lines = _overdue_block(message.body_text)
        # One count line and one link per team, then the rest and the status page: bounded.
        assert len(lines) == 2 * NETWORK_OVERDUE_TEAMS + 2, lines
        slugs = {t.short_name: t.slug for t in teams}
        for (name, n), line, link in zip(top, lines[0::2], lines[1::2], strict=False):
            assert line == f"- {name}: {n} {'actie' if n == 1 else 'acties'} over de datum"
            assert link.endswith(f"/teams/{slugs[name]}?due=te-laat#blok-acties")
        # 13 (the most) for i = 11 and 24; the tie goes by name.
        assert top[:2] == [("Netwerk 11", 13), ("Netwerk 24", 13)]
        assert lines[-2] == (f"- en nog {len(rest)} teams met {sum(n for _, n in rest)} acties "
                             "over de datum; alle teams op de netwerkstatus:")
        assert lines[-1].endswith("/status")
        network_text = message.body_text.split("== Het netwerk ==")[1]
        assert "- Laat " not in network_text  # no action named there

        html = message.body_html.split("Het netwerk</h2>")[1]
        overdue_html = html.split("Acties over de datum</h3>")[1].split("</ul>")[0]
        items = re.findall(r"<li>(.*?)</li>", overdue_html, re.S)
        assert len(items) == NETWORK_OVERDUE_TEAMS + 1
        assert f">{top[0][0]}</a>: {top[0][1]} acties over de datum" in items[0]
        assert re.search(r'href="http://localhost/status"', items[-1])
        assert f"en nog {len(rest)} teams met {sum(n for _, n in rest)} acties" in items[-1]
        assert "Laat " not in html

    # Welten's own team: named in the portfolio, its most late first, the rest counted.
    text = _digest(welten).body_text
    portfolio = text.split(f"== Uw portefeuille: {teams[0].short_name} ==")[1]
    assert portfolio.count("- Laat 00-") == min(COUNTS[0], OVERDUE_NAMED)
    login(welten)
    for path in ("/status", f"/teams/{teams[1].slug}?due=te-laat"):
        assert client.get(path).status_code == 200, path

    # Built with the lines and ranking shared among digests, or alone: the same digest.
    network = load_network(MONDAY, 8)
    shared: dict = {}
    for portfolio in (frozenset(), frozenset({teams[0].id}), frozenset({teams[11].id})):
        recipient = Recipient(welten.id, welten.name, "weekly", portfolio)
        together = build_digest(recipient, network, MONDAY, shared=shared)
        assert together == build_digest(recipient, network, MONDAY)
        assert together.network.overdue_summary.more_teams == 30 - len(portfolio) \
            - NETWORK_OVERDUE_TEAMS

    # Loaded for the portfolios of the run, the most late overdue actions only of the teams
    # a digest names them of (no network section names them here): the same digests.
    portfolios = [frozenset(), frozenset({teams[0].id}), frozenset({teams[11].id})]
    lean = load_network(MONDAY, 8, portfolios=portfolios)
    assert lean.named_teams == {teams[0].id, teams[11].id}
    assert lean.overdue_counts == network.overdue_counts
    late = {a.team_id for a in lean.actions if is_overdue(a.status, a.due_date, MONDAY.date())}
    assert late == lean.named_teams
    for portfolio in portfolios:
        recipient = Recipient(welten.id, welten.name, "weekly", portfolio)
        assert build_digest(recipient, lean, MONDAY) == build_digest(recipient, network, MONDAY)
    # A digest that names what was not loaded is refused, not sent short.
    with pytest.raises(ValueError, match="load_network"):
        build_digest(Recipient(welten.id, welten.name, "weekly", frozenset({teams[5].id})),
                     lean, MONDAY)


def _groups(n: int) -> list[OverdueGroup]:
    return [OverdueGroup(TeamInfo(i, f"t{i}", f"Team {i}", f"Team {i:02d}"), (), more=i % 4 + 1)
            for i in range(n)]


def test_up_to_the_limit_every_team_is_named_one_more_is_counted():
    assert summarise_overdue(rank_overdue(_groups(NETWORK_OVERDUE_TEAMS)),
                             NETWORK_OVERDUE_TEAMS) is None
    summary = summarise_overdue(rank_overdue(_groups(NETWORK_OVERDUE_TEAMS + 1)),
                                NETWORK_OVERDUE_TEAMS)
    assert summary is not None
    assert [c.count for c in summary.teams] == sorted((c.count for c in summary.teams),
                                                      reverse=True)
    assert summary.more_teams == 1
    # Totals 1-4; ties by short name: of the four teams with 1, the last by name is left out.
    assert summary.teams[0].team.short_name == "Team 03"
    assert summary.teams[-1].team.short_name == "Team 08"
    assert summary.more_actions == 1


def test_the_demo_network_names_every_overdue_action(demo):
    """The demo has at most 7 teams with overdue actions: its digests name them all."""
    at = datetime.fromisoformat("2021-03-01T07:30:00+01:00")
    run_job("digests", at)
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()
    assert rows
    overdue: Counter = Counter()
    for action in db.session.scalars(select(Action)):
        if is_overdue(action.status, action.due_date, at.date()):
            overdue[action.team_id] += 1
    assert 1 < len(overdue) <= NETWORK_OVERDUE_TEAMS
    # So every team's most late overdue actions are loaded, whatever the portfolios.
    assert load_network(at, 8, portfolios=[frozenset()]).named_teams is None
    for message in rows:
        lines = _overdue_block(message.body_text)
        assert "netwerkstatus" not in message.body_text
        assert any(line.endswith("over de datum)") for line in lines)


#: Per list of the network section: its heading in the mail, the start of the "en nog" line
#: and the path of the page that lists them all.
LISTS = {
    "missed": ("Verstreken", "verstreken mijlpalen; alle mijlpalen:", "/milestones"),
    "soon": ("Binnen vier weken", "mijlpalen binnen vier weken; alle mijlpalen:",
             "/milestones"),
    "later": ("Later", "latere mijlpalen; alle mijlpalen:", "/milestones"),
    "completed": ("Afgerond sinds het vorige overzicht",
                  "afgeronde acties; alle teams op de netwerkstatus:", "/status"),
    "events": ("Bijeenkomsten", "bijeenkomsten; alle bijeenkomsten:", "/events"),
    "pilots": ("Pilots met een nieuwe status",
               "pilots met een nieuwe status; alle pilots:", "/pilots"),
}
#: More teams than NETWORK_LIST_ITEMS, each with one line in every list.
BIG = NETWORK_LIST_ITEMS + 4


def _network_of_big(chair: User):
    """BIG teams, each with a missed, a soon and a later milestone, an action completed, a
    meeting and a pilot of last week, made by the services; ``chair`` chairs the first."""
    actor = db.session.scalar(select(User).where(User.role == Role.BEHEERDER))
    yesterday = MONDAY - timedelta(days=1)
    teams = []
    for i in range(BIG):
        team = create_team(short_name=f"Groot {i:02d}", slug=f"groot-{i:02d}")
        for title, days in ((f"Verstreken {i:02d}", -1 - i), (f"Binnenkort {i:02d}", 1 + i),
                            (f"Later {i:02d}", 35 + i)):
            create_milestone(team, title=title, description="",
                             due_date=MONDAY.date() + timedelta(days=days),
                             kind=MilestoneKind.DEADLINE, per_municipality=False, actor=actor)
        create_action(team, ActionInput(title=f"Afgerond {i:02d}", description="", owner_id=None,
                                        due_date=None, status=ActionStatus.GEREED,
                                        milestone_id=None, district_id=None),
                      actor=actor, now=yesterday)
        starts = MONDAY + timedelta(days=1 + i, hours=3)
        create_event({"title": f"Overleg {i:02d}", "team_id": team.id, "starts_at": starts,
                      "ends_at": starts + timedelta(hours=2), "location": "Zwolle"},
                     actor=actor, now=yesterday)
        create_pilot(team, PilotInput(title=f"Pilot {i:02d}", description="", district_id=None,
                                      building_block_id=None, municipality_ids=[],
                                      start_date=None, end_date=None, lead_id=None, results="",
                                      lessons=""),
                     actor=actor, now=yesterday)
        teams.append(team)
    add_member(teams[0], chair, TeamRole.VOORZITTER)
    db.session.commit()
    return teams


def _title(line) -> str:
    """The title of what a line of any list names."""
    for part in ("milestone", "action", "event", "pilot"):
        if hasattr(line, part):
            return getattr(line, part).title
    raise AssertionError(line)


def _block(text: str, heading: str) -> list[str]:
    """The lines under ``heading`` in the text's network section."""
    network = text.split("== Het netwerk ==")[1]
    return network.split(f"\n{heading}:\n")[1].split("\n\n")[0].rstrip("\n").splitlines()


def test_every_list_of_a_big_network_is_bounded_with_a_count_and_a_link(demo, client, login):
    welten, other = _mayors()
    teams = _network_of_big(welten)
    run_job("digests", MONDAY)
    network = load_network(MONDAY, 8)
    mine = {t.short_name for t in teams}
    for user in (other, welten):
        [recipient] = _recipients([(user, "weekly")], network, MONDAY,
                                  {user.id: _digest(user).idempotency_key})
        # Every line, as the pages that list them all have them: the lines counted below.
        whole = build_digest(recipient, network, MONDAY, list_items=None).network
        sent = build_digest(recipient, network, MONDAY).network
        message = _digest(user)
        html = message.body_html.split("Het netwerk</h2>")[1]
        own = 1 if user is welten else 0  # welten's team is in his portfolio, not here
        for name in MORE_LISTS:
            heading, more_text, path = LISTS[name]
            lines = getattr(whole, name)
            ours = [line for line in lines if line.team and line.team.short_name in mine]
            assert len(ours) == BIG - own, name
            assert len(lines) > NETWORK_LIST_ITEMS
            left_out = len(lines) - NETWORK_LIST_ITEMS
            named = getattr(sent, name)
            assert named == lines[:NETWORK_LIST_ITEMS], name
            assert sent.more[name] == left_out
            # In the mail: the first lines (a line and a link each), then the count and the page.
            block = _block(message.body_text, heading)
            assert len(block) == 2 * NETWORK_LIST_ITEMS + 2, (name, block)
            assert [line.split(" (")[0].split(":")[0] for line in block[0:-2:2]] == [
                f"- {_title(line)}" for line in named], name
            assert block[-2] == f"- en nog {left_out} {more_text}"
            assert block[-1] == f"  http://localhost{path}"
            part = html.split(f">{heading}</h3>")[1].split("</h3>")[0]
            assert (f'<a href="http://localhost{path}" class="m-link">en nog {left_out} '
                    f'{more_text.replace(";", ":").rstrip(":")}</a>') in part, name
    login(welten)
    for path in {path for _, _, path in LISTS.values()}:
        assert client.get(path).status_code == 200, path


def test_the_demo_network_names_every_line_of_every_list(demo):
    """The demo's lists stay within NETWORK_LIST_ITEMS: its digests are what they were."""
    network_lines = 0
    for at in ("2018-02-05T07:30:00+01:00", "2018-06-04T07:30:00+02:00",
               "2018-10-08T07:30:00+02:00", "2021-03-01T07:30:00+01:00"):
        now = datetime.fromisoformat(at)
        network = load_network(now, 8)
        users = [(u, "weekly") for u in db.session.scalars(
            select(User).where(User.role == Role.BESTUURDER).order_by(User.id))]
        for recipient in _recipients(users, network, now, {}):
            digest = build_digest(recipient, network, now)
            assert digest.network.more == {}
            assert digest == build_digest(recipient, network, now, list_items=None)
            network_lines += sum(len(getattr(digest.network, name)) for name in MORE_LISTS)
    assert network_lines  # the lists were there to bound
