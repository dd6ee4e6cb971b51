"""Preferences, the signed unsubscribe page and the beheerder's outbox viewer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import csrf_token_for
from tests.factories import create_user
from tracker.enums import Role
from tracker.extensions import db
from tracker.notifications.messages import unsubscribe_token
from tracker.notifications.models import (
    DigestFrequency,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
)
from tracker.notifications.outbox import Email, enqueue

NOW = datetime(2018, 2, 5, 6, 30, tzinfo=UTC)


def _pref(user) -> NotificationPreference | None:
    db.session.expire_all()
    return db.session.get(NotificationPreference, user.id)


# --- Preferences -------------------------------------------------------------------------

def test_preferences_default_and_save(client, login):
    mayor = create_user(role=Role.BESTUURDER)
    db.session.commit()
    login(mayor)
    page = client.get("/instellingen/meldingen").get_data(as_text=True)
    assert '<option value="weekly" selected>' in page
    response = client.post("/instellingen/meldingen", data={
        "digest": "daily", "csrf_token": csrf_token_for(client, "/instellingen/meldingen")})
    assert response.status_code == 303
    assert _pref(mayor).digest == DigestFrequency.DAILY and _pref(mayor).reminders is False


@pytest.mark.parametrize("bad", ["", "hourly", "<script>", "weekly\r\n"])
def test_bad_digest_choice_is_refused_in_dutch(client, login, bad):
    user = create_user()
    db.session.commit()
    login(user)
    response = client.post("/instellingen/meldingen", data={
        "digest": bad, "reminders": "1", "csrf_token": csrf_token_for(client)})
    assert response.status_code == 422
    assert "Kies hoe vaak" in response.get_data(as_text=True)
    assert _pref(user) is None


def test_preferences_need_login_and_csrf(client, login):
    assert client.get("/instellingen/meldingen").status_code == 302
    user = create_user()
    db.session.commit()
    login(user)
    response = client.post("/instellingen/meldingen", data={"digest": "off"})
    assert response.status_code == 400
    assert _pref(user) is None


# --- Unsubscribe -------------------------------------------------------------------------

def test_unsubscribe_page_changes_nothing_on_get_and_the_button_posts(client):
    mayor = create_user(role=Role.BESTUURDER)
    db.session.commit()
    token = unsubscribe_token(mayor.id, "digest")
    page = client.get(f"/afmelden/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'method="post"' in html and "het bestuurlijk overzicht" in html
    assert _pref(mayor) is None
    missing_csrf = client.post(f"/afmelden/{token}", data={})
    assert missing_csrf.status_code == 400 and _pref(mayor) is None
    csrf = csrf_token_for(client, f"/afmelden/{token}")
    done = client.post(f"/afmelden/{token}", data={"csrf_token": csrf})
    assert done.status_code == 200 and "U bent afgemeld" in done.get_data(as_text=True)
    assert _pref(mayor).digest == DigestFrequency.OFF and _pref(mayor).reminders is True


def test_one_click_unsubscribe_per_rfc_8058(client):
    owner = create_user()
    db.session.commit()
    token = unsubscribe_token(owner.id, "reminders")
    assert client.post(f"/afmelden/{token}/direct", data={}).status_code == 400
    response = client.post(f"/afmelden/{token}/direct",
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _pref(owner).reminders is False


@pytest.mark.parametrize("token", ["x", "eyJ1IjoxLCJ0IjoiZGlnZXN0In0.AAAAAA.bad"])
def test_forged_tokens_are_refused(client, token):
    assert client.get(f"/afmelden/{token}").status_code == 404
    assert client.post(f"/afmelden/{token}/direct",
                       data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_unsubscribe_link_is_valid_at_t_and_invalid_at_t_plus_one_second(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_UNSUBSCRIBE_MAX_AGE", 60)
    user = create_user()
    db.session.commit()
    with time_machine.travel(datetime(2026, 1, 1, 12, 0, tzinfo=UTC), tick=False) as traveller:
        token = unsubscribe_token(user.id, "digest")
        traveller.shift(60)
        assert client.get(f"/afmelden/{token}").status_code == 200
        traveller.shift(1)
        assert client.get(f"/afmelden/{token}").status_code == 404


# --- Outbox viewer -----------------------------------------------------------------------

@pytest.fixture
def beheerder(login):
    user = create_user(role=Role.BEHEERDER, name="Secretariaat")
    db.session.commit()
    login(user)
    return user


def _queue(n: int, user=None) -> list[OutboxMessage]:
    for i in range(n):
        enqueue(f"test:{i}:{datetime.now().timestamp()}", "test",
                Email(to=[f"p{i}@example.org"], subject=f"Bericht {i} <b>vet</b>", text="Tekst",
                      html="<p onclick=x>html</p>"),
                user_id=user.id if user else None, now=NOW)
    db.session.commit()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_beheerder_sees_the_outbox_and_reads_a_message(client, beheerder):
    rows = _queue(3, beheerder)
    rows[0].status = OutboxStatus.FAILED
    rows[0].last_error = "550 Onbekende ontvanger"
    db.session.commit()
    page = client.get("/beheer/outbox").get_data(as_text=True)
    assert "Bericht 1 &lt;b&gt;vet&lt;/b&gt;" in page and "Mislukt (1)" in page
    failed = client.get("/beheer/outbox?status=failed").get_data(as_text=True)
    assert "Bericht 0" in failed and "Bericht 1" not in failed
    message = client.get(f"/beheer/outbox/{rows[0].id}").get_data(as_text=True)
    assert "550 Onbekende ontvanger" in message and "Opnieuw verzenden" in message
    assert "&lt;p onclick=x&gt;html&lt;/p&gt;" in message and "<p onclick" not in message


def test_beheerder_retries_a_failed_message(client, beheerder):
    [row] = _queue(1)
    row.status, row.attempts = OutboxStatus.FAILED, 7
    db.session.commit()
    response = client.post(f"/beheer/outbox/{row.id}/opnieuw",
                           data={"csrf_token": csrf_token_for(client)})
    assert response.status_code == 303
    db.session.expire_all()
    assert row.status == OutboxStatus.QUEUED and row.attempts == 0


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.BESTUURDER, Role.LEZER, Role.PARTNER,
                                  None])
def test_others_may_not_see_or_retry(client, login, role):
    [row] = _queue(1)
    row.status = OutboxStatus.FAILED
    db.session.commit()
    if role is not None:
        login(create_user(role=role))
        db.session.commit()
    token = csrf_token_for(client)
    expected = 302 if role is None else 403
    assert client.get("/beheer/outbox").status_code == expected
    assert client.get(f"/beheer/outbox/{row.id}").status_code == expected
    assert client.post(f"/beheer/outbox/{row.id}/opnieuw",
                       data={"csrf_token": token}).status_code == expected
    db.session.expire_all()
    assert row.status == OutboxStatus.FAILED


def test_outbox_page_query_count_is_fixed(client, beheerder, count_queries):
    users = [create_user() for _ in range(3)]
    for user in users:
        _queue(2, user)
    with count_queries() as small:
        assert client.get("/beheer/outbox").status_code == 200
    more = [create_user() for _ in range(20)]
    for user in more:
        _queue(2, user)
    with count_queries() as large:
        assert client.get("/beheer/outbox").status_code == 200
    assert large.count == small.count


# --- Team reminder rules -----------------------------------------------------------------

@pytest.fixture
def team_and_trekker(login):
    from tests.factories import add_member, create_team
    from tracker.enums import TeamRole

    team = create_team(slug="jeugd", short_name="Jeugd")
    trekker = create_user(role=Role.COORDINATOR)
    add_member(team, trekker, TeamRole.TREKKER)
    db.session.commit()
    login(trekker)
    return team, trekker


def test_trekker_sets_the_team_rules(client, team_and_trekker):
    from tracker.notifications.models import TeamNotificationSettings

    team, _ = team_and_trekker
    assert "/teams/jeugd/herinneringen" in client.get("/instellingen/meldingen").get_data(
        as_text=True)
    page = client.get("/teams/jeugd/herinneringen").get_data(as_text=True)
    assert 'value="7,1"' in page and 'value="14"' in page
    response = client.post("/teams/jeugd/herinneringen", data={
        "reminder_days": "1, 14,3", "escalation_days": "21", "csrf_token": csrf_token_for(client)})
    assert response.status_code == 303
    db.session.expire_all()
    row = db.session.get(TeamNotificationSettings, team.id)
    assert (row.reminder_days, row.overdue_reminder, row.escalation_days) == ("14,3,1", False, 21)


@pytest.mark.parametrize(("days", "escalation", "message"), [
    ("", "14", "tot vijf aantallen"), ("7,x", "14", "tot vijf aantallen"),
    ("1,2,3,4,5,6", "14", "tot vijf aantallen"), ("999", "14", "tot vijf aantallen"),
    ("7\r\n1", "14", "tot vijf aantallen"), ("7", "0", "1 tot en met 365"),
    ("7", "-1", "1 tot en met 365"), ("7", "<script>", "1 tot en met 365"),
])
def test_bad_team_rules_are_refused(client, team_and_trekker, days, escalation, message):
    from tracker.notifications.models import TeamNotificationSettings

    team, _ = team_and_trekker
    response = client.post("/teams/jeugd/herinneringen", data={
        "reminder_days": days, "escalation_days": escalation,
        "csrf_token": csrf_token_for(client)})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.get(TeamNotificationSettings, team.id) is None


def test_other_teams_rules_are_not_yours(client, login):
    from tests.factories import create_team

    create_team(slug="omg")
    lezer = create_user(role=Role.LEZER)
    db.session.commit()
    login(lezer)
    assert client.get("/teams/omg/herinneringen").status_code == 403
    assert client.post("/teams/omg/herinneringen", data={
        "reminder_days": "7", "escalation_days": "14",
        "csrf_token": csrf_token_for(client)}).status_code == 403
    assert client.get("/teams/bestaat-niet/herinneringen").status_code == 404
