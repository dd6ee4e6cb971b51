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
