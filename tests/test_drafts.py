"""Nothing lost when a session ends: the typed values are kept for the account, encrypted,
and offered again after login on the page the form was on (tracker/auth/drafts.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select, text

from tests.conftest import csrf_token_from, login_via_form
from tests.factories import PASSWORD, add_member, create_action, create_team, create_user
from tracker.actions.models import ActionComment
from tracker.auth.drafts import DRAFT_LIFETIME, NOT_SAVED, Draft, purge_expired
from tracker.auth.services import end_all_sessions
from tracker.avg.erasure import erase_person
from tracker.db import utcnow
from tracker.enums import Role, TeamRole
from tracker.extensions import db

SECRET_TEXT = "Vertrouwelijk: de wijkagent belt mevrouw Jansen morgen terug"


@pytest.fixture
def world():
    team = create_team()
    anne = create_user(email="anne@example.org", name="Anne de Vries", role=Role.COORDINATOR)
    bert = create_user(email="bert@example.org", name="Bert Bos", role=Role.COORDINATOR)
    add_member(team, anne, TeamRole.COORDINATOR)
    add_member(team, bert, TeamRole.COORDINATOR)
    action = create_action(team, title="Werkbezoek plannen")
    beheerder = create_user(email="beheer@example.org", role=Role.BEHEERDER)
    db.session.commit()
    return {"team": team, "anne": anne, "bert": bert, "action": action, "beheerder": beheerder}


def _page_with_form(client, action):
    page = client.get(f"/actions/{action.id}")
    assert page.status_code == 200
    return csrf_token_from(page.get_data(as_text=True))


def _post_comment_after_idle(client, action, start, *, htmx=False):
    """Log in at ``start``, open the action, and post a comment 31 minutes later."""
    with time_machine.travel(start, tick=False):
        login_via_form(client, "anne@example.org", PASSWORD)
        token = _page_with_form(client, action)
    headers = {"Referer": f"http://localhost/actions/{action.id}"}
    if htmx:
        headers = {"HX-Request": "true", "HX-Target": "reacties",
                   "HX-Current-URL": f"http://localhost/actions/{action.id}"}
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        return client.post(f"/actions/{action.id}/comments",
                           data={"text": SECRET_TEXT, "csrf_token": token}, headers=headers)


def test_expired_session_keeps_the_comment_and_login_returns_to_the_form(client, world):
    action = world["action"]
    start = utcnow()
    response = _post_comment_after_idle(client, action, start)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen?next=")
    assert response.headers["Location"] == f"/inloggen?next=/actions/{action.id}"
    assert db.session.scalar(select(func.count(ActionComment.id))) == 0  # nothing replayed
    with time_machine.travel(start + timedelta(minutes=32), tick=False):
        login_page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "nog niet opgeslagen" in login_page
        after = login_via_form(client, "anne@example.org", PASSWORD,
                               next_url=f"/actions/{action.id}")
        assert after.status_code == 303 and after.headers["Location"] == f"/actions/{action.id}"
        page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert NOT_SAVED in page
    assert SECRET_TEXT in page  # in the box, without JavaScript
    assert db.session.scalar(select(func.count(ActionComment.id))) == 0


def test_htmx_post_after_expiry_redirects_to_login_with_the_page_as_next(client, world):
    action = world["action"]
    response = _post_comment_after_idle(client, action, utcnow(), htmx=True)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == f"/inloggen?next=/actions/{action.id}"
    assert b"<form" not in response.data


def test_refused_one_click_says_it_was_not_done_after_login(client, world):
    action = world["action"]
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login_via_form(client, "anne@example.org", PASSWORD)
        token = _page_with_form(client, action)
        end_all_sessions(world["anne"])  # revoked elsewhere ("log out everywhere")
        db.session.commit()
        response = client.post(f"/actions/{action.id}/done",
                               data={"csrf_token": token, "version": action.version},
                               headers={"HX-Request": "true",
                                        "HX-Current-URL": f"http://localhost/teams/{world['team'].slug}"})
        assert response.status_code == 401
        assert response.headers["HX-Redirect"] == f"/inloggen?next=/teams/{world['team'].slug}"
        after = login_via_form(client, "anne@example.org", PASSWORD,
                               next_url=f"/teams/{world['team'].slug}")
        page = client.get(after.headers["Location"]).get_data(as_text=True)
    assert NOT_SAVED in page and "Niet uitgevoerd: “Gereed melden”" in page
    db.session.refresh(action)
    assert not action.is_closed


def test_another_user_logging_in_does_not_get_the_text(client, world):
    action = world["action"]
    start = utcnow()
    _post_comment_after_idle(client, action, start)
    with time_machine.travel(start + timedelta(minutes=32), tick=False):
        after = login_via_form(client, "bert@example.org", PASSWORD,
                               next_url=f"/actions/{action.id}")
        page = client.get(after.headers["Location"]).get_data(as_text=True)
    assert SECRET_TEXT not in page and NOT_SAVED not in page
    assert db.session.scalar(select(func.count(Draft.id))) == 1  # still Anne's


def test_a_draft_without_a_known_account_is_not_kept(client, world):
    """No session at all (the cookie was gone): nobody to give the text to."""
    action = world["action"]
    login_page = client.get("/inloggen").get_data(as_text=True)
    response = client.post(f"/actions/{action.id}/comments",
                           data={"text": SECRET_TEXT, "csrf_token": csrf_token_from(login_page)},
                           headers={"Referer": f"http://localhost/actions/{action.id}"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_the_draft_expires(client, world):
    action = world["action"]
    start = utcnow()
    _post_comment_after_idle(client, action, start)
    later = start + timedelta(minutes=31) + DRAFT_LIFETIME + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        login_via_form(client, "anne@example.org", PASSWORD, next_url=f"/actions/{action.id}")
        page = client.get(f"/actions/{action.id}").get_data(as_text=True)
        assert SECRET_TEXT not in page and NOT_SAVED not in page
        assert purge_expired(utcnow()) == 1
    assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_the_draft_is_encrypted_at_rest_and_never_holds_the_csrf_token(client, world):
    _post_comment_after_idle(client, world["action"], utcnow())
    raw = db.session.execute(text("SELECT values_token, page, form_action FROM drafts")).one()
    assert "wijkagent" not in raw.values_token and "Jansen" not in raw.values_token
    assert raw.page == f"/actions/{world['action'].id}"
    draft = db.session.scalars(select(Draft)).one()
    from tracker.crypto import decrypt

    kept = decrypt(draft.values_token)
    assert SECRET_TEXT in kept and "csrf_token" not in kept


def test_the_draft_is_erased_with_the_person(client, world):
    _post_comment_after_idle(client, world["action"], utcnow())
    assert db.session.scalar(select(func.count(Draft.id))) == 1
    erase_person(world["anne"], actor=world["beheerder"], now=utcnow())
    db.session.commit()
    assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_submitting_again_removes_the_draft(client, world):
    action = world["action"]
    start = utcnow()
    _post_comment_after_idle(client, action, start)
    with time_machine.travel(start + timedelta(minutes=32), tick=False):
        login_via_form(client, "anne@example.org", PASSWORD, next_url=f"/actions/{action.id}")
        token = _page_with_form(client, action)
        response = client.post(f"/actions/{action.id}/comments",
                               data={"text": SECRET_TEXT, "csrf_token": token})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Draft.id))) == 0
    assert db.session.scalar(select(func.count(ActionComment.id))) == 1


@pytest.mark.parametrize("hostile", [
    "https://evil.example/actions/1", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
])
def test_a_hostile_referer_never_becomes_the_next_page(client, world, hostile):
    action = world["action"]
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login_via_form(client, "anne@example.org", PASSWORD)
        token = _page_with_form(client, action)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.post(f"/actions/{action.id}/comments",
                               data={"text": "x", "csrf_token": token},
                               headers={"Referer": hostile, "HX-Current-URL": hostile})
    assert response.headers["Location"] == "/inloggen?next=/"
    assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_the_daily_retention_job_removes_expired_drafts(client, world):
    from tracker.avg.tasks import invitee_retention

    start = utcnow()
    _post_comment_after_idle(client, world["action"], start)
    invitee_retention(start + timedelta(hours=1))
    assert db.session.scalar(select(func.count(Draft.id))) == 1
    result = invitee_retention(start + timedelta(minutes=31) + DRAFT_LIFETIME)
    db.session.commit()
    assert db.session.scalar(select(func.count(Draft.id))) == 0
    assert "1 verlopen niet-opgeslagen formulier(en) verwijderd" in "\n".join(result.lines)


def test_logging_out_after_expiry_keeps_nothing(client, world):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login_via_form(client, "anne@example.org", PASSWORD)
        token = _page_with_form(client, world["action"])
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.post("/uitloggen", data={"csrf_token": token},
                               headers={"Referer": f"http://localhost/actions/{world['action'].id}"})
        assert response.headers["Location"] == "/inloggen"
        assert "U bent uitgelogd" in client.get("/inloggen").get_data(as_text=True)
    assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_a_second_tab_after_expiry_is_kept_too(client, world):
    """Two tabs of one browser: the first refused POST ends the session; the second tab's
    form is still answered by a login and kept for the same account."""
    action = world["action"]
    start = utcnow()
    _post_comment_after_idle(client, action, start)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        second = client.post(f"/actions/{action.id}/comments",
                             data={"text": "Tweede tabblad",
                                   "csrf_token": _token_of_the_first_page(client, action)},
                             headers={"Referer": f"http://localhost/actions/{action.id}"})
    assert second.status_code == 302 and second.headers["Location"].startswith("/inloggen")
    owners = db.session.scalars(select(Draft.user_id)).all()
    assert owners == [world["anne"].id, world["anne"].id]


def _token_of_the_first_page(client, action):
    """The CSRF token a tab opened before the expiry still carries (same browser session)."""
    with client.session_transaction() as session:
        raw = session.get("csrf_token")
    assert raw, "the CSRF token survives the end of the login session"
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.secret_key, salt="wtf-csrf-token").dumps(raw)


def test_logged_out_in_another_tab_promises_nothing_it_did_not_keep(client, world):
    """Logging out clears the session, so nobody is known to keep the text for: the login
    page says honestly that it was not kept (no "ziet u het formulier terug")."""
    action = world["action"]
    login_via_form(client, "anne@example.org", PASSWORD)
    token = _page_with_form(client, action)
    client.post("/uitloggen", data={"csrf_token": token})
    response = client.post(f"/actions/{action.id}/comments",
                           data={"text": SECRET_TEXT, "csrf_token": token},
                           headers={"Referer": f"http://localhost/actions/{action.id}"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/inloggen?next=/actions/{action.id}"
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "kon niet worden bewaard" in login_page
    assert "ziet u het formulier terug" not in login_page
    assert db.session.scalar(select(func.count(Draft.id))) == 0
    assert db.session.scalar(select(func.count(ActionComment.id))) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_no_session_at_all_goes_to_the_login_not_a_csrf_error(app, world, htmx):
    """Cookies cleared: the CSRF check fails for want of a session; on a signed-in page
    the answer is the login (HX-Redirect for htmx) with the honest message, not a 400."""
    action = world["action"]
    fresh = app.test_client()
    headers = {"Referer": f"http://localhost/actions/{action.id}"}
    if htmx:
        headers = {"HX-Request": "true", "HX-Current-URL": f"http://localhost/actions/{action.id}"}
    response = fresh.post(f"/actions/{action.id}/comments",
                          data={"text": SECRET_TEXT, "csrf_token": "oud"}, headers=headers)
    target = f"/inloggen?next=/actions/{action.id}"
    if htmx:
        assert response.status_code == 401 and response.headers["HX-Redirect"] == target
    else:
        assert response.status_code == 302 and response.headers["Location"] == target
    assert "kon niet worden bewaard" in fresh.get(target).get_data(as_text=True)
    assert db.session.scalar(select(func.count(ActionComment.id))) == 0


def test_a_public_form_without_a_session_still_says_the_form_expired(app, world):
    """The RSVP page needs no login: a missing session there is not sent to the login."""
    fresh = app.test_client()
    response = fresh.post("/inloggen", data={"email": "anne@example.org",
                                              "password": PASSWORD, "csrf_token": "oud"})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
