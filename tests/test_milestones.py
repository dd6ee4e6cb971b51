"""Milestones: the per-municipality ticks, progress per district, state, roles."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tracker.auth.models import User
from tracker.enums import ActionStatus
from tracker.extensions import db
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.milestones.queries import grid_progress, milestone_views
from tracker.milestones.services import tick_municipality, untick_municipality
from tracker.network.models import District, Municipality

NOW = datetime(2018, 2, 5, 9, 0, tzinfo=UTC)
DEADLINE_TITLE = "Iedere gemeente in Oost-Nederland heeft een sluitende aanpak"


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _deadline():
    return db.session.scalar(select(Milestone).where(Milestone.title == DEADLINE_TITLE))


def _municipality(name):
    return db.session.scalar(select(Municipality).where(Municipality.name == name))


def _post(client, path, data=None, **kwargs):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token_for(client)}, **kwargs)


def test_progress_per_district_as_municipalities_are_ticked(demo):
    milestone = _deadline()
    actor = _user("coordinator@example.org")
    for name in ("Zwolle", "Deventer", "Enschede"):
        tick_municipality(milestone, _municipality(name), completed_on=date(2018, 2, 1), note="",
                          actor=actor, now=NOW, today=NOW.date())
    db.session.commit()
    overall, per_district = grid_progress(milestone)
    assert (overall.done, overall.total) == (3, 78)
    figures = {d.district: (d.done, d.total) for d in per_district}
    assert figures["IJsselland"] == (2, 11)
    assert figures["Twente"] == (1, 14)
    assert figures["Gelderland-Zuid"] == (0, 16)
    # Ticking again updates, unticking removes; both are in the audit trail.
    tick_municipality(milestone, _municipality("Zwolle"), completed_on=date(2018, 2, 2),
                      note="Convenant getekend", actor=actor, now=NOW, today=NOW.date())
    assert untick_municipality(milestone, _municipality("Deventer"), actor=actor)
    assert not untick_municipality(milestone, _municipality("Deventer"), actor=actor)
    db.session.commit()
    assert grid_progress(milestone)[0].done == 2


def test_state_follows_progress_and_date(demo):
    milestone = _deadline()
    view = milestone_views([milestone], date(2018, 9, 10))[0]
    assert view.state.value == "risico" and view.days_left == 21
    actor = _user("coordinator@example.org")
    for municipality in db.session.scalars(select(Municipality)):
        tick_municipality(milestone, municipality, completed_on=date(2018, 2, 1), note="",
                          actor=actor, now=NOW, today=NOW.date())
    assert milestone_views([milestone], date(2018, 9, 10))[0].state.value == "gehaald"


def test_ticking_in_the_future_or_on_a_plain_milestone_is_refused(demo):
    from tracker.validation import ValidationError

    actor = _user("coordinator@example.org")
    with pytest.raises(ValidationError, match="toekomst"):
        tick_municipality(_deadline(), _municipality("Zwolle"), completed_on=date(2018, 3, 1),
                          note="", actor=actor, now=NOW, today=NOW.date())
    plain = db.session.scalar(select(Milestone).where(Milestone.title == "RFPN structureel geborgd"))
    with pytest.raises(ValidationError, match="niet per gemeente"):
        tick_municipality(plain, _municipality("Zwolle"), completed_on=date(2018, 2, 1), note="",
                          actor=actor, now=NOW, today=NOW.date())


@pytest.mark.parametrize(
    ("email", "allowed"),
    [("coordinator@example.org", True), ("paul.wesseloo@example.org", True),
     ("tom.liedenbaum@example.org", False), ("welten@example.org", False),
     ("lezer@example.org", False), ("beheerder@example.org", True)],
)
def test_tick_by_role(demo, client, login, email, allowed):
    milestone, zwolle = _deadline(), _municipality("Zwolle")
    login(_user(email))
    response = _post(client, f"/milestones/{milestone.id}/municipalities/{zwolle.id}/tick",
                     {"completed_on": "2018-02-01", "note": "Aanpak vastgesteld"})
    ticks = db.session.scalar(select(func.count(MunicipalityTick.id)))
    assert (response.status_code, ticks) == ((303, 1) if allowed else (403, 0))


def test_tick_anonymous_is_sent_to_login(demo, client):
    milestone, zwolle = _deadline(), _municipality("Zwolle")
    response = _post(client, f"/milestones/{milestone.id}/municipalities/{zwolle.id}/tick")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(MunicipalityTick.id))) == 0


def test_tick_with_htmx_swaps_the_row_and_triggers_progress(demo, client, login):
    milestone, zwolle = _deadline(), _municipality("Zwolle")
    login(_user("coordinator@example.org"))
    response = _post(client, f"/milestones/{milestone.id}/municipalities/{zwolle.id}/tick",
                     {"completed_on": "", "note": "Vastgesteld"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith("<tr")
    assert "Vastgesteld" in html and "Vinkje weghalen" in html
    assert "ticks-changed" in response.headers["HX-Trigger"]
    progress = client.get(f"/milestones/{milestone.id}/progress").get_data(as_text=True)
    assert ">1</span> / <span class=\"vnon-num\">78</span>" in progress
    assert "IJsselland: <span class=\"vnon-num\">1</span> / <span class=\"vnon-num\">11" in progress


def test_the_refreshed_progress_carries_the_state_it_leads_to(demo, client, login):
    """After the 78th tick the page's state must not stay 'Te laat' beside '78 / 78'."""
    from datetime import date

    from tracker.network.models import Municipality

    milestone = _deadline()
    login(_user("coordinator@example.org"))
    before = client.get(f"/milestones/{milestone.id}/progress").get_data(as_text=True)
    assert 'id="mijlpaal-stand" hx-swap-oob="true"' in before and "Te laat" in before
    for town in db.session.scalars(select(Municipality)):
        db.session.add(MunicipalityTick(milestone=milestone, municipality=town,
                                        completed_on=date(2018, 9, 1)))
    db.session.commit()
    after = client.get(f"/milestones/{milestone.id}/progress").get_data(as_text=True)
    assert "Gehaald" in after and "Te laat" not in after
    assert ">78</span> / <span class=\"vnon-num\">78</span>" in after


@pytest.mark.parametrize(("day", "message"), [("2018-02-30", "geen bestaande datum"),
                                              ("2099-01-01", "toekomst")])
def test_bad_tick_dates(demo, client, login, day, message):
    milestone, zwolle = _deadline(), _municipality("Zwolle")
    login(_user("coordinator@example.org"))
    response = _post(client, f"/milestones/{milestone.id}/municipalities/{zwolle.id}/tick",
                     {"completed_on": day}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(MunicipalityTick.id))) == 0


def test_unknown_municipality_or_milestone(demo, client, login):
    login(_user("coordinator@example.org"))
    milestone = _deadline()
    assert _post(client, f"/milestones/{milestone.id}/municipalities/99999/tick").status_code == 404
    assert _post(client, "/milestones/99999/municipalities/1/tick").status_code == 404


def test_grid_page_groups_78_municipalities_by_district(demo, client, login, count_queries):
    login(_user("lezer@example.org"))
    milestone = _deadline()
    url = f"/milestones/{milestone.id}"
    db.session.commit()
    with count_queries() as counter:
        html = client.get(url).get_data(as_text=True)
    assert html.count('id="gemeente-') == 78
    for district in db.session.scalars(select(District.name)):
        assert f">{district}</caption>" in html
    assert "Afvinken" not in html  # a lezer sees the grid but cannot tick
    first = counter.count
    actor = _user("coordinator@example.org")
    for name in ("Zwolle", "Enschede", "Nijmegen"):
        tick_municipality(milestone, _municipality(name), completed_on=date(2018, 2, 1),
                          note="x", actor=actor, now=NOW, today=NOW.date())
    db.session.commit()
    url = f"/milestones/{milestone.id}"
    db.session.commit()  # end the test's own transaction before counting
    with count_queries() as again:
        client.get(url)
    assert again.count == first, "\n".join(again.statements)


def test_network_list_and_timeline(demo, client, login, count_queries):
    login(_user("bestuurder@example.org"))
    with count_queries() as counter:
        html = client.get("/milestones").get_data(as_text=True)
    assert "1 oktober 2018" in html and "september 2019" in html and "1 januari 2020" in html
    assert "Hele netwerk" in html and "Tijdlijn" in html
    assert counter.count <= 12
    team_html = client.get("/teams/verwarde-personen/milestones").get_data(as_text=True)
    assert DEADLINE_TITLE in team_html and "Endterm review" not in team_html


def test_linked_actions_drive_progress(demo, client, login):
    from tracker.actions.models import Action

    rfpn = db.session.scalar(select(Milestone).where(Milestone.title == "RFPN structureel geborgd"))
    actions = db.session.scalars(select(Action).where(Action.title.like("%Wet Verplichte GGZ%"))).all()
    for action in actions:
        action.milestone_id = rfpn.id
        action.status = ActionStatus.GEREED
    db.session.commit()
    view = milestone_views([rfpn], date(2018, 2, 5))[0]
    assert view.progress is not None and view.progress.done == view.progress.total == len(actions)
    login(_user("lezer@example.org"))
    assert "Uitwerken consequenties" in client.get(f"/milestones/{rfpn.id}").get_data(as_text=True)


def test_mark_plain_milestone_achieved_and_undo(demo, client, login):
    rfpn = db.session.scalar(select(Milestone).where(Milestone.title == "RFPN structureel geborgd"))
    login(_user("paul.wesseloo@example.org"))
    assert _post(client, f"/milestones/{rfpn.id}/achieved", {"version": 1}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Milestone, rfpn.id).achieved_on is not None
    stale = _post(client, f"/milestones/{rfpn.id}/achieved", {"version": 1, "undo": "1"})
    assert stale.status_code == 303
    db.session.expire_all()
    assert db.session.get(Milestone, rfpn.id).achieved_on is not None  # stale: not undone
    _post(client, f"/milestones/{rfpn.id}/achieved", {"version": 2, "undo": "1"})
    db.session.expire_all()
    assert db.session.get(Milestone, rfpn.id).achieved_on is None


def test_create_milestone(demo, client, login):
    login(_user("coordinator@example.org"))
    bad = _post(client, "/teams/verwarde-personen/milestones",
                {"title": "", "due_date": "2018-13-01", "kind": "x"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Titel is verplicht" in html and "geen bestaande datum" in html
    ok = _post(client, "/teams/verwarde-personen/milestones",
               {"title": "Meldpunt in elke gemeente", "due_date": "2018-12-31",
                "kind": "deadline", "per_municipality": "1"})
    assert ok.status_code == 303
    assert _post(client, "/teams/jeugd/milestones", {"title": "x", "due_date": "2018-12-31",
                                                     "kind": "deadline"}).status_code == 403


def test_edit_milestone_keeps_precision_unless_the_date_changes(demo, client, login):
    rfpn = db.session.scalar(select(Milestone).where(Milestone.title == "RFPN structureel geborgd"))
    login(_user("paul.wesseloo@example.org"))
    assert client.get(f"/milestones/{rfpn.id}/edit").status_code == 200
    same_date = {"title": "RFPN structureel geborgd door twee procescoördinatoren",
                 "due_date": "2019-09-30", "kind": "deadline", "version": 1}
    assert _post(client, f"/milestones/{rfpn.id}", same_date).status_code == 303
    db.session.expire_all()
    saved = db.session.get(Milestone, rfpn.id)
    assert saved.title.endswith("procescoördinatoren") and saved.due_precision.value == "month"
    stale = _post(client, f"/milestones/{rfpn.id}", {**same_date, "title": "Oud", "version": 1})
    assert stale.status_code == 409 and "niet opgeslagen" in stale.get_data(as_text=True)
    moved = _post(client, f"/milestones/{rfpn.id}", {**same_date, "due_date": "2019-10-15",
                                                    "version": 2})
    assert moved.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Milestone, rfpn.id)
    assert (saved.due_date.isoformat(), saved.due_precision.value) == ("2019-10-15", "day")
    bad = _post(client, f"/milestones/{rfpn.id}", {"title": "", "due_date": "2019-02-30",
                                                  "kind": "deadline", "version": 3})
    assert bad.status_code == 422


@pytest.mark.parametrize("email", ["tom.liedenbaum@example.org", "welten@example.org",
                                   "lezer@example.org"])
def test_others_cannot_edit_the_teams_milestones(demo, client, login, email):
    rfpn = db.session.scalar(select(Milestone).where(Milestone.title == "RFPN structureel geborgd"))
    login(_user(email))
    response = _post(client, f"/milestones/{rfpn.id}", {"title": "Gekaapt", "due_date": "2019-09-30",
                                                       "kind": "deadline", "version": 1})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Milestone, rfpn.id).title == "RFPN structureel geborgd"
