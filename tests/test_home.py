"""The Start page per role: the right things, scoped by permission, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import login_via_form
from tests.factories import PASSWORD, add_member, create_action, create_team, create_user
from tracker.audit.services import record
from tracker.clock import local_today
from tracker.db import utcnow
from tracker.enums import ActionStatus, EventStatus, MilestoneKind, Role, TeamRole
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.milestones.models import Milestone
from tracker.notifications.models import OutboxMessage, OutboxStatus


def _outbox(n: int, status=OutboxStatus.FAILED, **overrides) -> OutboxMessage:
    values = dict(idempotency_key=f"test-{n}", kind="test", recipients=["x@example.org"],
                  subject=f"Bericht {n}", body_text="Tekst", message_id=f"<{n}@example.org>",
                  status=status, attempts=5, last_error="550 geweigerd")
    values.update(overrides)
    message = OutboxMessage(**values)
    db.session.add(message)
    return message


@pytest.fixture
def world():
    today = local_today()
    mine, other = create_team(name="Expertteam Mijn thema"), create_team(name="Expertteam Ander")
    mayor = create_user(name="Burgemeester Welten", email="mayor@example.org",
                        role=Role.BESTUURDER)
    add_member(mine, mayor, TeamRole.VOORZITTER)
    owner = create_user(name="Olga Eigenaar", email="olga@example.org", role=Role.COORDINATOR)
    add_member(mine, owner, TeamRole.TREKKER)
    stranger = create_user(name="Sven Vreemd", email="sven@example.org", role=Role.COORDINATOR)
    add_member(other, stranger, TeamRole.TREKKER)
    late_mine = create_action(mine, title="Convenant opstellen", owner=owner,
                              due_date=today - timedelta(days=10))
    create_action(mine, title="Op tijd", owner=owner, due_date=today + timedelta(days=60))
    create_action(mine, title="Al gereed", owner=owner, status=ActionStatus.GEREED,
                  due_date=today - timedelta(days=30))
    create_action(other, title="Geheim ander team", owner=stranger,
                  due_date=today - timedelta(days=5))
    this_week = create_action(mine, title="Deze week bellen", owner=owner, due_date=today)
    db.session.add_all([
        Milestone(team=mine, title="Sluitende aanpak", kind=MilestoneKind.DEADLINE,
                  due_date=today - timedelta(days=3)),
        Milestone(team=mine, title="Wet vastgesteld", kind=MilestoneKind.WET,
                  due_date=today - timedelta(days=40), achieved_on=today - timedelta(days=50)),
        Milestone(team=other, title="Andermans mijlpaal", kind=MilestoneKind.DEADLINE,
                  due_date=today + timedelta(days=3)),
    ])
    record("action.update", actor=owner, obj=late_mine, summary="Datum van Convenant gewijzigd")
    record("action.update", actor=stranger, object_type="actions", object_id=this_week.id + 1000,
           summary="Iets in een ander team")
    db.session.commit()
    return {"mine": mine, "other": other, "mayor": mayor, "owner": owner, "stranger": stranger,
            "today": today}


def _start(client, email, count_queries=None):
    response = login_via_form(client, email, PASSWORD)
    assert response.headers["Location"] == "/start"
    if count_queries is None:
        return client.get("/start").get_data(as_text=True), None
    with count_queries() as counter:
        page = client.get("/start")
    assert page.status_code == 200
    return page.get_data(as_text=True), counter.count


def test_the_mayor_sees_the_portfolio_of_their_themes_only(client, world):
    page, _ = _start(client, "mayor@example.org")
    assert "Mijn portefeuille" in page
    assert "Convenant opstellen" in page and "Olga Eigenaar" in page
    assert "Expertteam Mijn thema" in page
    assert "10 dagen" in page
    assert "Geheim ander team" not in page and "Sven Vreemd" not in page
    assert "Andermans mijlpaal" not in page
    assert "Op tijd" not in page  # not overdue
    # Deadlines by state, decided by milestones.rules.assess.
    assert 'data-stand="te-laat">1<' in page and 'data-stand="gehaald">1<' in page
    # What changed since last week: their themes' journal, not another team's.
    assert "Datum van Convenant gewijzigd" in page
    assert "Iets in een ander team" not in page
    assert "1 actie gewijzigd" in page


def test_a_bestuurder_who_chairs_no_team_sees_the_whole_network(client, world):
    create_user(name="Bea Bestuur", email="board@example.org", role=Role.BESTUURDER)
    db.session.commit()
    page, _ = _start(client, "board@example.org")
    assert "Het netwerk" in page and "hele netwerk" in page
    # Every team's overdue actions and milestones, with owner and team.
    assert "Convenant opstellen" in page and "Geheim ander team" in page
    assert "Sven Vreemd" in page and "Andermans mijlpaal" in page


def test_the_portfolio_costs_the_same_queries_with_more_work(client, world, count_queries):
    _, before = _start(client, "mayor@example.org", count_queries)
    today = world["today"]
    for n in range(6):
        owner = create_user(name=f"Eigenaar {n}", role=Role.COORDINATOR)
        create_action(world["mine"], title=f"Extra {n}", owner=owner,
                      due_date=today - timedelta(days=n + 1))
        db.session.add(Milestone(team=world["mine"], title=f"Mijlpaal {n}",
                                 kind=MilestoneKind.DEADLINE, due_date=today + timedelta(days=n)))
    db.session.commit()
    with count_queries() as counter:
        assert "Extra 5" in client.get("/start").get_data(as_text=True)
    assert counter.count == before
    assert before <= 16


def test_the_coordinator_sees_their_teams_work(client, world, count_queries):
    page, count = _start(client, "olga@example.org", count_queries)
    assert "Werk van mijn teams" in page
    assert "Expertteam Mijn thema" in page and "Expertteam Ander" not in page
    assert "Convenant opstellen" in page and "Deze week bellen" in page
    assert "Op tijd" not in page and "Geheim ander team" not in page
    assert count <= 14


def test_the_partner_sees_meetings_to_answer_and_own_actions(client, world, count_queries):
    partner = create_user(name="Paula Partner", email="paula@example.org", role=Role.PARTNER)
    add_member(world["mine"], partner, TeamRole.LID)
    create_action(world["mine"], title="Partneractie", owner=partner,
                  due_date=world["today"] + timedelta(days=20))
    soon = utcnow() + timedelta(days=10)
    for n, title in enumerate(("Regiotafel", "Kennisdag", "Afgelast overleg")):
        event = Event(team=world["mine"], title=title, starts_at=soon + timedelta(days=n),
                      status=EventStatus.GEANNULEERD if n == 2 else EventStatus.GEPLAND)
        db.session.add(event)
        db.session.add(Invitation(event=event, user=partner,
                                  response="ja" if n == 1 else None))
    db.session.commit()
    page, count = _start(client, "paula@example.org", count_queries)
    assert "Uitnodigingen om te beantwoorden" in page
    to_answer = page[page.index('id="start-te-beantwoorden"'):]
    to_answer = to_answer[:to_answer.index("</ul>")]
    assert "Regiotafel" in to_answer and "Kennisdag" not in to_answer
    assert "Afgelast overleg" not in page
    assert "Partneractie" in page
    assert count <= 14


def test_the_beheerder_sees_the_queue(client, world, count_queries):
    create_user(name="Beheer Der", email="beheer@example.org", role=Role.BEHEERDER)
    _outbox(1, subject="Herinnering aan Olga")
    _outbox(2, status=OutboxStatus.SENT, subject="Netjes verzonden")
    _outbox(3, status=OutboxStatus.QUEUED, subject="Hangt al uren",
            next_attempt_at=utcnow() - timedelta(hours=3))
    db.session.commit()
    page, count = _start(client, "beheer@example.org", count_queries)
    failed = page[page.index('id="start-mislukte-mail"'):]
    assert "Herinnering aan Olga" in failed[:failed.index("</ul>")]
    assert "Netjes verzonden" not in page
    assert "Hangt al uren" in page
    without_mfa = page[page.index('id="start-zonder-mfa"'):]
    without_mfa = without_mfa[:without_mfa.index("</ul>")]
    assert "Olga Eigenaar" in without_mfa
    for n in range(5):
        _outbox(10 + n, subject=f"Mislukt {n}")
        create_user(name=f"Zonder MFA {n}", role=Role.COORDINATOR)
    db.session.commit()
    with count_queries() as counter:
        assert "Mislukt 4" in client.get("/start").get_data(as_text=True)
    assert counter.count == count <= 14


def test_an_account_with_a_second_factor_is_not_in_the_queue(client, world):
    beheerder = create_user(name="Beheer Der", email="beheer@example.org",
                            role=Role.BEHEERDER)
    olga = world["owner"]
    olga.totp_secret_encrypted, olga.totp_enabled_at = "x", utcnow()
    db.session.commit()
    page, _ = _start(client, beheerder.email)
    without_mfa = page[page.index('id="start-zonder-mfa"'):]
    assert "Olga Eigenaar" not in without_mfa[:without_mfa.index("</ul>")]


def test_other_roles_do_not_get_the_queue(client, world):
    _outbox(1, subject="Herinnering aan Olga")
    db.session.commit()
    for email in ("mayor@example.org", "olga@example.org"):
        page, _ = _start(client, email)
        assert "Herinnering aan Olga" not in page and "Accounts zonder" not in page
        client.post("/uitloggen", data={"csrf_token": _token(page)})


def _token(page: str) -> str:
    from tests.conftest import csrf_token_from

    return csrf_token_from(page)


def test_start_is_in_the_menu_and_needs_a_login(client, world):
    assert client.get("/start").status_code == 302
    page, _ = _start(client, "mayor@example.org")
    assert 'href="/start" aria-current="page">Start</a>' in page


def test_my_work_for_someone_who_owns_nothing_points_onwards(client, world):
    page, _ = _start(client, "mayor@example.org")
    work = client.get("/mijn-werk").get_data(as_text=True)
    assert "U bent van geen enkele actie eigenaar" in work
    assert 'href="/start"' in work and "Expertteam Mijn thema" in work


def test_my_work_with_actions_has_no_pointer(client, world):
    _start(client, "olga@example.org")
    work = client.get("/mijn-werk").get_data(as_text=True)
    assert "U bent van geen enkele actie eigenaar" not in work
    assert "Convenant opstellen" in work
