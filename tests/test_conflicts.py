"""Races over real HTTP (threaded Werkzeug on 127.0.0.1): 303 or 409, never 500.

Several browsers, each with its own session, press the same button at the same
moment. On PostgreSQL the loser's UPDATE waits for the winner's row lock and then
matches no row (``StaleDataError``); on SQLite the loser waits for the write lock
and then finds a newer version. Both must answer with the conflict view.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, add_member, create_action, create_team, create_user
from tests.live_http import HttpClient, race, served
from tracker.actions.models import Action
from tracker.enums import ActionStatus, Role
from tracker.extensions import db
from tracker.notifications.models import NotificationPreference

ROUNDS = 4


@pytest.fixture
def server(app):
    with served(app) as base:
        yield base


@pytest.fixture
def crowd(server):
    """A team, six coordinators logged in over HTTP, and one action."""
    team = create_team()
    people = [create_user(role=Role.COORDINATOR) for _ in range(6)]
    for person in people:
        add_member(team, person)
    action = create_action(team, title="Origineel")
    db.session.commit()
    clients = [HttpClient(server).login(p.email, PASSWORD) for p in people]
    return team, action.id, clients


def _reload(action_id: int) -> Action:
    db.session.commit()  # a fresh snapshot: see what the requests committed
    return db.session.get(Action, action_id)


def _form(action: Action, title: str) -> dict:
    return {"title": title, "description": "", "report_text": "", "owner_id": "",
            "due_date": "2018-06-30", "status": "open", "milestone_id": "", "district_id": "",
            "version": str(action.version)}


def test_six_parallel_saves_of_one_action_one_wins_the_rest_get_409(crowd):
    _, action_id, clients = crowd
    for round_ in range(ROUNDS):
        action = _reload(action_id)
        version = action.version
        titles = [f"Ronde {round_} door {i}" for i in range(len(clients))]
        replies = race([
            partial(c.post, f"/actions/{action_id}", _form(action, t))
            for c, t in zip(clients, titles, strict=True)
        ])
        statuses = [r.status if not isinstance(r, BaseException) else repr(r) for r in replies]
        assert Counter(statuses) == Counter({303: 1, 409: 5}), statuses
        winner = titles[statuses.index(303)]
        action = _reload(action_id)
        assert action.title == winner  # no lost update, no overwrite by a loser
        assert action.version == version + 1
        for reply in replies:
            if reply.status == 409:
                assert "Iemand anders heeft deze actie" in reply.body or "gewijzigd" in reply.body


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_done_and_reopen_pressed_at_once_never_500(crowd, htmx):
    _, action_id, clients = crowd
    headers = {"HX-Request": "true"} if htmx else {}
    ok = 200 if htmx else 303
    for _ in range(ROUNDS):
        for verb in ("done", "reopen"):
            version = _reload(action_id).version
            replies = race([
                partial(c.post, f"/actions/{action_id}/{verb}", {"version": version}, headers)
                for c in clients[:2]
            ])
            statuses = sorted(r.status if not isinstance(r, BaseException) else repr(r)
                              for r in replies)
            # The second press either lost the race (409) or found the work done (no change).
            assert statuses in ([ok, 409], [ok, ok]), statuses
            action = _reload(action_id)
            assert action.version == version + 1
            expected = ActionStatus.GEREED if verb == "done" else ActionStatus.OPEN
            assert action.status == expected


def test_first_saves_of_mail_preferences_race_into_one_row(server):
    people = [create_user(role=Role.BESTUURDER) for _ in range(ROUNDS)]
    db.session.commit()
    for person in people:
        # Six tabs of one person, all logged in, saving their preferences for the first time.
        clients = [HttpClient(server).login(person.email, PASSWORD) for _ in range(6)]
        replies = race([
            partial(c.post, "/instellingen/meldingen",
                    {"digest": "off" if i % 2 else "weekly", "reminders": "1"})
            for i, c in enumerate(clients)
        ])
        statuses = [r.status if not isinstance(r, BaseException) else repr(r) for r in replies]
        assert set(statuses) <= {303, 409} and 303 in statuses, statuses
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(NotificationPreference).where(
            NotificationPreference.user_id == person.id)) == 1


def test_one_person_logging_in_from_six_tabs_at_once(server):
    person = create_user(role=Role.COORDINATOR)
    db.session.commit()
    for _ in range(ROUNDS):
        clients = [HttpClient(server) for _ in range(6)]
        for client in clients:
            client.token = csrf_token_from(client.get("/inloggen").body)
        replies = race([
            partial(c.post, "/inloggen", {"email": person.email, "password": PASSWORD, "next": ""})
            for c in clients
        ])
        statuses = [r.status if not isinstance(r, BaseException) else repr(r) for r in replies]
        assert statuses == [303] * 6, statuses


def test_logging_out_from_two_tabs_at_once(server):
    person = create_user(role=Role.COORDINATOR)
    db.session.commit()
    for _ in range(ROUNDS):
        tabs = [HttpClient(server).login(person.email, PASSWORD) for _ in range(2)]
        replies = race([partial(t.post, "/uitloggen") for t in tabs])
        # 302: the other tab's logout had already ended this session (to the login page).
        assert {r.status for r in replies} <= {302, 303} and 303 in [r.status for r in replies]
        assert all(t.get("/mijn-werk").status != 200 for t in tabs)


def test_two_beheerders_removing_one_membership_at_once(server):
    """Two beheerders remove the same membership at once: never a 500. The second waits
    for the first (a locked read) and finds nothing to remove (303); should a lost race
    remain anywhere, the Dutch 409 page answers it."""
    team = create_team()
    admins = [create_user(role=Role.BEHEERDER) for _ in range(2)]
    people = [create_user(role=Role.LEZER) for _ in range(ROUNDS)]
    for person in people:
        add_member(team, person)
    db.session.commit()
    tabs = [HttpClient(server).login(a.email, PASSWORD) for a in admins]
    seen = Counter()
    for person in people:
        path = f"/beheer/gebruikers/{person.id}/teams/{team.id}/verwijderen"
        replies = race([partial(t.post, path) for t in tabs])
        statuses = sorted(r.status for r in replies)
        assert statuses in ([303, 303], [303, 409]), statuses
        seen.update(statuses)
        for reply in replies:
            if reply.status == 409:
                assert "Iemand anders heeft dit tegelijk met u gewijzigd" in reply.body
        db.session.commit()
        assert not person.memberships


def test_only_a_duplicate_key_counts_as_a_race(app):
    """A unique violation is a lost race (409); any other integrity error stays a bug."""
    from sqlalchemy.exc import IntegrityError

    from tracker.concurrency import is_unique_violation

    existing = create_user()
    db.session.commit()
    with pytest.raises(IntegrityError) as duplicate:
        create_user(email=existing.email)
    db.session.rollback()
    assert is_unique_violation(duplicate.value)
    with pytest.raises(IntegrityError) as orphan:
        db.session.add(Action(team_id=2_000_000_000, title="Wees", status=ActionStatus.OPEN))
        db.session.flush()
    db.session.rollback()
    assert not is_unique_violation(orphan.value)


def test_every_lost_race_without_a_merge_view_is_the_dutch_409_page(app, database_url):
    """The safety net: a view that meets a stale row or a duplicate key answers 409 in
    Dutch (page and htmx fragment); any other integrity error stays a 500."""
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    from tracker import create_app
    from tracker.auth.permissions import public

    other = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                        "TRACKER_BASE_URL": "http://localhost"})

    class Orig(Exception):
        sqlstate = "23505"

    errors = {
        "stale": StaleDataError("UPDATE statement on table 'actions' expected to update 1 row"),
        "duplicate": IntegrityError("INSERT", {}, Orig("duplicate key")),
        "orphan": IntegrityError("INSERT", {}, Exception("FOREIGN KEY constraint failed")),
    }

    @other.get("/_race/<kind>")
    @public
    def _race(kind):  # a test-only view: raises what a lost race raises
        raise errors[kind]

    client = other.test_client()
    for kind in ("stale", "duplicate"):
        page = client.get(f"/_race/{kind}")
        assert page.status_code == 409
        assert "Iemand anders heeft dit tegelijk met u gewijzigd" in page.get_data(as_text=True)
        fragment = client.get(f"/_race/{kind}", headers={"HX-Request": "true"})
        assert fragment.status_code == 409
        assert "<html" not in fragment.get_data(as_text=True)
    with pytest.raises(IntegrityError):  # re-raised: a 500 (TESTING propagates it here)
        client.get("/_race/orphan")
