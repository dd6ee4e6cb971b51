"""One truth: the same facts read the same on every page, in the report, digest and feed.

Per rule one table of facts (with the boundary days), built once in the database and
then read through EVERY consumer; each consumer must show the word the rule decides.
Facts are placed relative to the real "today" (Europe/Amsterdam), which is also the
report's peildatum, so that live pages and the report as of today agree.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from tests.factories import (
    add_member,
    create_action,
    create_district,
    create_municipality,
    create_team,
    create_user,
)
from tracker.actions.models import Action
from tracker.actions.rules import count_actions, is_overdue
from tracker.agenda.services import issue_calendar_token
from tracker.clock import local_today
from tracker.enums import ActionStatus, MilestoneKind, Role, TeamRole
from tracker.extensions import db
from tracker.jobs.digests import load_network
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.milestones.rules import MilestoneState, Progress, milestone_state
from tracker.notifications import messages
from tracker.notifications.digest import Recipient, build_digest

#: Municipalities in these tests: 100, so that 89% / 90% and 49% / 50% are exact.
MUNICIPALITIES = 100
WORDS = {s: s.label.lower() for s in MilestoneState}


@dataclass(frozen=True)
class MilestoneCase:
    key: str
    days_left: int
    #: Municipalities ticked (of 100) for a per-municipality milestone; None: a plain one.
    ticks: int | None
    expected: MilestoneState
    #: ``achieved_on`` relative to today (days), None when not marked achieved.
    achieved: int | None = None


MILESTONE_CASES = [
    MilestoneCase("vandaag", 0, None, MilestoneState.RISICO),
    MilestoneCase("gisteren", -1, None, MilestoneState.TE_LAAT),
    MilestoneCase("14-dagen", 14, None, MilestoneState.RISICO),
    MilestoneCase("15-dagen", 15, None, MilestoneState.OP_SCHEMA),
    MilestoneCase("30-dagen-89", 30, 89, MilestoneState.RISICO),
    MilestoneCase("30-dagen-90", 30, 90, MilestoneState.OP_SCHEMA),
    MilestoneCase("31-dagen-89", 31, 89, MilestoneState.OP_SCHEMA),
    MilestoneCase("90-dagen-49", 90, 49, MilestoneState.RISICO),
    MilestoneCase("90-dagen-50", 90, 50, MilestoneState.OP_SCHEMA),
    MilestoneCase("91-dagen-49", 91, 49, MilestoneState.OP_SCHEMA),
    MilestoneCase("20-dagen-47", 20, 47, MilestoneState.RISICO),
    MilestoneCase("alles-na-datum", -3190, 100, MilestoneState.GEHAALD),
    MilestoneCase("deels-na-datum", -3190, 20, MilestoneState.TE_LAAT),
    MilestoneCase("behaald-na-vandaag", -5, None, MilestoneState.TE_LAAT, achieved=3),
    MilestoneCase("behaald-vandaag", -5, None, MilestoneState.GEHAALD, achieved=0),
]


def title_of(case) -> str:
    return f"Mijlpaal {case.key}"


def words_in(text: str) -> set[MilestoneState]:
    """The state words in a piece of text (case-insensitive, whole words)."""
    low = html_lib.unescape(text).lower()
    return {s for s, w in WORDS.items() if re.search(rf"(?<![a-z]){w}(?![a-z])", low)}


@pytest.mark.parametrize("case", MILESTONE_CASES, ids=lambda c: c.key)
def test_the_rule_itself(case):
    today = datetime(2018, 2, 1).date()
    progress = Progress(case.ticks, MUNICIPALITIES, "gemeenten") if case.ticks is not None else None
    achieved = today + timedelta(days=case.achieved) if case.achieved is not None else None
    state = milestone_state(today + timedelta(days=case.days_left), today, achieved_on=achieved,
                            progress=progress)
    assert state == case.expected


@pytest.fixture
def milestone_world(app):
    """One team per case, each with its one milestone; a beheerder member of every team."""
    today = local_today()
    district = create_district(name="District Test")
    municipalities = [create_municipality(district) for _ in range(MUNICIPALITIES)]
    viewer = create_user(role=Role.BEHEERDER, email="kijker@example.org", name="Kijker")
    teams = {}
    for case in MILESTONE_CASES:
        team = create_team(slug=f"team-{case.key}", name=f"Team {case.key}",
                           short_name=f"Team {case.key}")
        add_member(team, viewer, TeamRole.LID)
        milestone = Milestone(
            team=team, title=title_of(case), kind=MilestoneKind.DEADLINE,
            due_date=today + timedelta(days=case.days_left),
            per_municipality=case.ticks is not None,
            achieved_on=(today + timedelta(days=case.achieved)
                         if case.achieved is not None else None),
        )
        db.session.add(milestone)
        db.session.flush()
        for municipality in municipalities[: case.ticks or 0]:
            db.session.add(MunicipalityTick(milestone=milestone, municipality=municipality,
                                            completed_on=today - timedelta(days=1)))
        teams[case.key] = (team, milestone)
    db.session.commit()
    return viewer, teams


def _between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i: text.index(end, i + len(start))]


def _reason(page: str, case) -> str:
    """The reason about this milestone (after its title, to the end of the sentence)."""
    marker = f"Mijlpaal ‘{title_of(case)}’"
    if marker not in page:
        return ""
    return _between(page, marker, "<")


def milestone_page(client, viewer, teams) -> dict[str, set]:
    shown = {}
    for case in MILESTONE_CASES:
        page = client.get(f"/milestones/{teams[case.key][1].id}").get_data(as_text=True)
        shown[case.key] = words_in(_between(page, ">Stand</dt>", "</dd>"))
    return shown


def milestone_list(client, viewer, teams) -> dict[str, set]:
    page = client.get("/milestones").get_data(as_text=True)
    table = _between(page, "<table", "</table>")
    return {case.key: words_in(_between(table, f">{title_of(case)}</a>", "</tr>"))
            for case in MILESTONE_CASES}


def team_status(client, viewer, teams) -> dict[str, set]:
    shown = {}
    for case in MILESTONE_CASES:
        page = client.get(f"/teams/team-{case.key}/status").get_data(as_text=True)
        row = _between(page, f">{title_of(case)}</th>", "</tr>")
        shown[case.key] = words_in(row) | words_in(_reason(page, case))
    return shown


def network_status(client, viewer, teams) -> dict[str, set]:
    page = client.get("/status").get_data(as_text=True)
    shown = {}
    for case in MILESTONE_CASES:
        row = _between(page, f"/teams/team-{case.key}/status", "</tr>")
        next_cell = row.split("</td>")[-3]  # Volgende mijlpaal (before Pilots)
        assert ("Mijlpaal" in next_cell) == (case.expected in (MilestoneState.OP_SCHEMA,
                                                                MilestoneState.RISICO))
        shown[case.key] = words_in(_reason(row, case)) | words_in(next_cell)
    return shown


def report_html(client, viewer, teams) -> dict[str, set]:
    page = client.get(f"/report?peildatum={local_today().isoformat()}").get_data(as_text=True)
    appendix = page[page.index('id="bijlage"'):]
    return {case.key: words_in(_between(appendix, f">{title_of(case)}</th>", "</tr>"))
            | words_in(_reason(page, case)) for case in MILESTONE_CASES}


def digest_text(client, viewer, teams) -> dict[str, set]:
    now = datetime.now(UTC)
    digest = build_digest(Recipient(viewer.id, viewer.name, "weekly"), load_network(now, 8), now)
    text = messages.digest_email(viewer, digest).text
    shown = {}
    for case in MILESTONE_CASES:
        lines = [line for line in text.splitlines() if f"- {title_of(case)} (" in line]
        assert len(lines) <= 1
        shown[case.key] = words_in(lines[0].split(": ", 1)[1]) if lines else set()
    return shown


def calendar_feed(client, viewer, teams) -> dict[str, set]:
    token = issue_calendar_token(viewer)
    db.session.commit()
    feed = Calendar.from_ical(client.get(f"/agenda/{token}.ics").data)
    descriptions = {str(e.get("summary")): str(e.get("description"))
                    for e in feed.walk("VEVENT")}
    return {case.key: words_in(descriptions.get(f"Mijlpaal: {title_of(case)}", ""))
            for case in MILESTONE_CASES}


MILESTONE_CONSUMERS = [milestone_page, milestone_list, team_status, network_status, report_html,
                       digest_text, calendar_feed]
#: Consumers that list only milestones still to be met: a gehaald one is left out there.
LEAVES_OUT_ACHIEVED = {network_status, digest_text}


def in_feed_window(case) -> bool:
    """The calendar feed holds 90 days back to a year ahead (tracker.agenda.feed)."""
    from tracker.agenda.feed import FUTURE_DAYS, PAST_DAYS

    return -PAST_DAYS <= case.days_left <= FUTURE_DAYS


#: Consumers that cover only part of the milestones: the others must be absent there.
COVERS = {calendar_feed: in_feed_window}


@pytest.mark.parametrize("consumer", MILESTONE_CONSUMERS, ids=lambda c: c.__name__)
def test_every_consumer_shows_the_one_milestone_state(milestone_world, client, login, consumer):
    viewer, teams = milestone_world
    login(viewer)
    shown = consumer(client, viewer, teams)
    expected = {
        case.key: (set() if (case.expected == MilestoneState.GEHAALD
                             and consumer in LEAVES_OUT_ACHIEVED)
                   or not COVERS.get(consumer, lambda _case: True)(case) else {case.expected})
        for case in MILESTONE_CASES
    }
    # Op schema shows no word on the network page unless it is the next milestone (it is:
    # one milestone per team), so every consumer must agree exactly.
    assert shown == expected


def test_days_are_written_one_way_everywhere(milestone_world, client, login):
    """3.190 dagen, never 3190, on the milestone page, status, report, digest and feed."""
    viewer, teams = milestone_world
    login(viewer)
    case = next(c for c in MILESTONE_CASES if c.key == "deels-na-datum")
    milestone_id = teams[case.key][1].id
    now = datetime.now(UTC)
    digest = build_digest(Recipient(viewer.id, viewer.name, "weekly"), load_network(now, 8), now)
    token = issue_calendar_token(viewer)
    db.session.commit()
    outputs = {
        "mijlpaal": client.get(f"/milestones/{milestone_id}").get_data(as_text=True),
        "status": client.get(f"/teams/team-{case.key}/status").get_data(as_text=True),
        "rapport": client.get(f"/report?peildatum={local_today().isoformat()}").get_data(
            as_text=True),
        "overzicht": messages.digest_email(viewer, digest).text,
        "agenda": "".join(str(e.get("description")) for e in Calendar.from_ical(
            client.get(f"/agenda/{token}.ics").data).walk("VEVENT")),
    }
    for name, text in outputs.items():
        # The distance, not any "3190" (an id such as /milestones/3190 may hold it).
        assert not re.search(r"(?<![\d.])3190\s*dag", text), name
        if name == "agenda":
            # The feed holds 90 days back: no distance of 3.190 days, but the same words.
            assert "(5 dagen over tijd)" in text and "(1 dag over tijd)" in text, text
            continue
        assert "3.190 dagen" in text, name


# ---------------------------------------------------------------------------------------
# Overdue and the action counters
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionCase:
    key: str
    status: ActionStatus
    #: Due date relative to today; None: no date.
    due: int | None
    overdue: bool


ACTION_CASES = [
    ActionCase("open-gisteren", ActionStatus.OPEN, -1, True),
    ActionCase("open-vandaag", ActionStatus.OPEN, 0, False),
    ActionCase("bezig-gisteren", ActionStatus.BEZIG, -1, True),
    ActionCase("bezig-vandaag", ActionStatus.BEZIG, 0, False),
    ActionCase("gereed-gisteren", ActionStatus.GEREED, -1, False),
    ActionCase("vervallen-gisteren", ActionStatus.VERVALLEN, -1, False),
    ActionCase("open-zonder-datum", ActionStatus.OPEN, None, False),
    ActionCase("open-lang-geleden", ActionStatus.OPEN, -3190, True),
]


def action_title(case) -> str:
    return f"Actie {case.key}"


@pytest.mark.parametrize("case", ACTION_CASES, ids=lambda c: c.key)
def test_the_overdue_rule_itself(case):
    today = datetime(2018, 2, 1).date()
    due = today + timedelta(days=case.due) if case.due is not None else None
    assert is_overdue(case.status, due, today) is case.overdue


@pytest.fixture
def action_world(app):
    """One team per case with that one action; the viewer is a member of every team."""
    today = local_today()
    viewer = create_user(role=Role.BEHEERDER, email="kijker@example.org", name="Kijker")
    actions = {}
    for case in ACTION_CASES:
        team = create_team(slug=f"team-{case.key}", name=f"Team {case.key}",
                           short_name=f"Team {case.key}")
        add_member(team, viewer, TeamRole.LID)
        action = create_action(
            team, title=action_title(case), status=case.status,
            due_date=today + timedelta(days=case.due) if case.due is not None else None,
            completed_at=datetime.now(UTC) if case.status == ActionStatus.GEREED else None)
        actions[case.key] = action
    db.session.commit()
    return viewer, actions


BADGE = "utrecht-status-badge--danger\">te laat<"


def overdue_on_action_page(client, viewer, actions):
    return {c.key: BADGE in client.get(f"/actions/{actions[c.key].id}").get_data(as_text=True)
            for c in ACTION_CASES}


def overdue_on_team_list(client, viewer, actions):
    shown = {}
    for c in ACTION_CASES:
        page = client.get(f"/teams/team-{c.key}?status=alle").get_data(as_text=True)
        row = _between(page, f'id="actie-{actions[c.key].id}"', "</tr>")
        shown[c.key] = BADGE in row
    return shown


def overdue_on_team_status(client, viewer, actions):
    shown = {}
    for c in ACTION_CASES:
        page = client.get(f"/teams/team-{c.key}/status").get_data(as_text=True)
        item = _between(page, f"{action_title(c)} <span", "</li>")
        shown[c.key] = BADGE in item and "over de datum" in _between(page, "Beoordeling", "</dd>")
    return shown


def overdue_on_network_status(client, viewer, actions):
    page = client.get("/status").get_data(as_text=True)
    shown = {}
    for c in ACTION_CASES:
        row = _between(page, f"/teams/team-{c.key}/status", "</tr>")
        numbers = re.findall(r"numeric-data\">([\d.]+)<", row)
        shown[c.key] = numbers[1] == "1" and "over de datum" in row
    return shown


def overdue_in_report(client, viewer, actions):
    page = client.get(f"/report?peildatum={local_today().isoformat()}").get_data(as_text=True)
    return {c.key: f"Actie ‘{action_title(c)}’ is" in page for c in ACTION_CASES}


def overdue_in_digest(client, viewer, actions):
    now = datetime.now(UTC)
    digest = build_digest(Recipient(viewer.id, viewer.name, "weekly"), load_network(now, 8), now)
    text = messages.digest_email(viewer, digest).text
    overdue_block = (text.split("Acties over de datum:")[1].split("Afgerond sinds")[0]
                     if "Acties over de datum:" in text else "")
    return {c.key: f"- {action_title(c)} (" in overdue_block for c in ACTION_CASES}


def overdue_on_dashboard(client, viewer, actions):
    page = client.get("/").get_data(as_text=True)
    shown = {}
    for c in ACTION_CASES:
        card = _between(page, f"Team {c.key}<", "</li>")
        shown[c.key] = "<strong>1 te laat</strong>" in card
    return shown


OVERDUE_CONSUMERS = [overdue_on_action_page, overdue_on_team_list, overdue_on_team_status,
                     overdue_on_network_status, overdue_in_report, overdue_in_digest,
                     overdue_on_dashboard]


@pytest.mark.parametrize("consumer", OVERDUE_CONSUMERS, ids=lambda c: c.__name__)
def test_every_consumer_agrees_on_overdue(action_world, client, login, consumer):
    viewer, actions = action_world
    login(viewer)
    assert consumer(client, viewer, actions) == {c.key: c.overdue for c in ACTION_CASES}


def test_every_counter_shows_the_one_tally(client, login, app):
    """One team with every case: dashboard, team page, status and network status agree with
    ``count_actions`` (open includes bezig; overdue only open/bezig before today)."""
    today = local_today()
    viewer = create_user(role=Role.BEHEERDER)
    team = create_team(slug="alles", name="Team alles", short_name="Team alles")
    for case in ACTION_CASES:
        create_action(team, title=action_title(case), status=case.status,
                      due_date=today + timedelta(days=case.due) if case.due is not None else None)
    db.session.commit()
    expected = count_actions(
        ((c.status, today + timedelta(days=c.due) if c.due is not None else None, 1)
         for c in ACTION_CASES), today)
    assert (expected.open, expected.overdue, expected.done, expected.cancelled) == (6, 3, 1, 1)
    login(viewer)
    dashboard = client.get("/").get_data(as_text=True)
    assert (f"Acties: {expected.open} open, <strong>{expected.overdue} te laat</strong>, "
            f"{expected.done} gereed") in dashboard
    team_page = client.get("/teams/alles").get_data(as_text=True)
    counters = dict(re.findall(r'data-teller="([a-z-]+)">(\d+)<', team_page))
    assert counters == {"open": str(expected.open), "te-laat": str(expected.overdue),
                        "gereed": str(expected.done), "vervallen": str(expected.cancelled)}
    status = client.get("/teams/alles/status").get_data(as_text=True)
    assert (f"{expected.open} open, {expected.overdue} te laat, {expected.done} gereed"
            in status)
    network = client.get("/status").get_data(as_text=True)
    row = _between(network, "/teams/alles/status", "</tr>")
    assert re.findall(r"numeric-data\">([\d.]+)<", row) == [
        str(expected.open), str(expected.overdue), str(expected.done)]
    assert db.session.query(Action).count() == len(ACTION_CASES)
