"""Ticking a whole district or a chosen set of municipalities at once (issue 13), and a
refused single tick that keeps the typed date."""

from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tracker import history
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.extensions import db
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.network.models import District, Municipality

DEADLINE_TITLE = "Iedere gemeente in Oost-Nederland heeft een sluitende aanpak"


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _deadline():
    return db.session.scalar(select(Milestone).where(Milestone.title == DEADLINE_TITLE))


def _district(name):
    return db.session.scalar(select(District).where(District.name == name))


def _towns(district):
    return list(db.session.scalars(select(Municipality).where(
        Municipality.district_id == district.id).order_by(Municipality.name)))


def _ticked(milestone):
    return set(db.session.scalars(select(MunicipalityTick.municipality_id).where(
        MunicipalityTick.milestone_id == milestone.id)))


def _audits(action):
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def _bulk(client, milestone, district, data, **kwargs):
    payload = {"version": str(milestone.version), "completed_on": "2018-02-01", **data,
               "csrf_token": csrf_token_for(client)}
    return client.post(f"/milestones/{milestone.id}/districts/{district.id}/ticks",
                       data=payload, **kwargs)


def test_whole_district_is_ticked_in_one_post_audited_per_municipality(demo, client, login):
    milestone, district = _deadline(), _district("IJsselland")
    towns = _towns(district)
    login(_user("coordinator@example.org"))
    response = _bulk(client, milestone, district, {"handeling": "district-afvinken"})
    assert response.status_code == 303
    db.session.expire_all()
    assert _ticked(milestone) == {t.id for t in towns}
    assert _audits("milestone.tick") == len(towns) == 11
    ticks = db.session.scalars(select(MunicipalityTick)).all()
    assert {t.completed_on.isoformat() for t in ticks} == {"2018-02-01"}
    version = history.version_class(MunicipalityTick)
    assert db.session.scalar(select(func.count()).select_from(version)) == len(towns)


def test_chosen_set_with_htmx_swaps_the_district_and_keeps_earlier_dates(demo, client, login):
    milestone, district = _deadline(), _district("Twente")
    towns = _towns(district)
    login(_user("coordinator@example.org"))
    first = _bulk(client, milestone, district, {"handeling": "afvinken", "completed_on": "2018-01-15",
                                                "municipality_id": str(towns[0].id)})
    assert first.status_code == 303
    chosen = [towns[0].id, towns[1].id, towns[2].id]
    response = _bulk(client, milestone, district,
                     {"handeling": "afvinken", "municipality_id": [str(i) for i in chosen]},
                     headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<div class="vnon-district" id="district-blok-{district.id}"')
    assert "ticks-changed" in response.headers["HX-Trigger"]
    assert "2 gemeenten afgevinkt" in html
    db.session.expire_all()
    assert _ticked(milestone) == set(chosen)
    earlier = db.session.scalar(select(MunicipalityTick).where(
        MunicipalityTick.municipality_id == towns[0].id))
    assert earlier.completed_on.isoformat() == "2018-01-15"  # already ticked: kept
    assert _audits("milestone.tick") == 3


def test_untick_chosen_and_whole_district(demo, client, login):
    milestone, district = _deadline(), _district("Gelderland-Midden")
    towns = _towns(district)
    login(_user("coordinator@example.org"))
    assert _bulk(client, milestone, district, {"handeling": "district-afvinken"}).status_code == 303
    db.session.expire_all()
    milestone = _deadline()
    response = _bulk(client, milestone, district, {"handeling": "weghalen",
                                                   "municipality_id": str(towns[0].id)})
    assert response.status_code == 303
    db.session.expire_all()
    assert _ticked(milestone) == {t.id for t in towns[1:]}
    assert _audits("milestone.untick") == 1
    # Several ticks lose their dates and notes: first the question, nothing changed.
    for htmx in (False, True):
        headers = {"HX-Request": "true"} if htmx else {}
        asked = _bulk(client, milestone, district, {"handeling": "district-weghalen"},
                      headers=headers)
        assert asked.status_code == 200
        question = asked.get_data(as_text=True)
        assert f"Vinkjes weghalen in {district.name}?" in question
        assert f"Ja, {len(towns) - 1} vinkjes weghalen" in question
        assert ("<html" in question) is not htmx  # htmx: the district block only
        db.session.expire_all()
        assert _ticked(milestone) == {t.id for t in towns[1:]}
    assert _bulk(client, milestone, district, {
        "handeling": "weghalen", "bevestigd": "1",
        "municipality_id": [str(t.id) for t in towns[1:]]}).status_code == 303
    db.session.expire_all()
    assert _ticked(milestone) == set()
    assert _audits("milestone.untick") == len(towns)


def test_bulk_after_the_milestone_changed_is_409_and_changes_nothing(demo, client, login):
    milestone, district = _deadline(), _district("IJsselland")
    login(_user("coordinator@example.org"))
    stale = milestone.version
    milestone.title = milestone.title + " (herzien)"
    db.session.commit()
    assert milestone.version != stale
    response = _bulk(client, milestone, district, {"handeling": "district-afvinken",
                                                   "version": str(stale)},
                     headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "intussen gewijzigd" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _ticked(milestone) == set()
    assert _audits("milestone.tick") == 0


def test_bulk_refused_keeps_the_date_and_the_choice(demo, client, login):
    milestone, district = _deadline(), _district("IJsselland")
    towns = _towns(district)
    login(_user("coordinator@example.org"))
    for headers in ({"HX-Request": "true"}, {}):
        response = _bulk(client, milestone, district,
                         {"handeling": "afvinken", "completed_on": "2099-03-04",
                          "municipality_id": [str(towns[0].id), str(towns[1].id)]},
                         headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert 'value="2099-03-04"' in html and "toekomst" in html
        assert html.count("checked") >= 2
        assert 'aria-invalid="true" aria-describedby="bulk-fout-' in html
    nothing = _bulk(client, milestone, district, {"handeling": "afvinken"})
    assert nothing.status_code == 422 and "Kies eerst" in nothing.get_data(as_text=True)
    other = _towns(_district("Twente"))[0]
    stray = _bulk(client, milestone, district, {"handeling": "afvinken",
                                                "municipality_id": str(other.id)})
    assert stray.status_code == 422
    assert _ticked(milestone) == set()


def test_a_refused_single_tick_keeps_the_typed_date(demo, client, login):
    milestone, town = _deadline(), _towns(_district("Twente"))[0]
    login(_user("coordinator@example.org"))
    url = f"/milestones/{milestone.id}/municipalities/{town.id}/tick"
    for headers in ({"HX-Request": "true"}, {}):
        response = client.post(url, data={"completed_on": "2099-05-06", "note": "Besluit B&W",
                                          "csrf_token": csrf_token_for(client)}, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert f'id="datum-{town.id}" name="completed_on" value="2099-05-06"' in html
        assert f'aria-invalid="true" aria-describedby="fout-{town.id}"' in html
        assert "Besluit B&amp;W" in html and "toekomst" in html


def test_bulk_by_role(demo, client, login):
    milestone, district = _deadline(), _district("IJsselland")
    for email, status in (("lezer@example.org", 403), ("welten@example.org", 403),
                          ("tom.liedenbaum@example.org", 403)):
        login(_user(email))
        assert _bulk(client, milestone, district, {"handeling": "district-afvinken"}
                     ).status_code == status
    assert _ticked(milestone) == set()


def test_detail_page_query_count_does_not_grow_with_ticks(demo, client, login, count_queries):
    milestone, district = _deadline(), _district("IJsselland")
    login(_user("coordinator@example.org"))
    url = f"/milestones/{milestone.id}"
    db.session.commit()
    with count_queries() as before:
        html = client.get(url).get_data(as_text=True)
    districts = db.session.scalar(select(func.count(District.id)))
    assert html.count('class="vnon-bulk-tick"') == districts
    assert html.count('name="municipality_id"') == 78
    _bulk(client, milestone, district, {"handeling": "district-afvinken"})
    db.session.commit()
    with count_queries() as after:
        client.get(url)
    assert after.count == before.count <= 20, "\n".join(after.statements)


def test_every_district_at_once_gives_78_ticks_78_audit_rows_and_78_history_rows(
        demo, client, login):
    milestone = _deadline()
    login(_user("coordinator@example.org"))
    for district in db.session.scalars(select(District)).all():
        assert _bulk(client, milestone, district, {"handeling": "district-afvinken"}
                     ).status_code == 303
    db.session.expire_all()
    assert len(_ticked(milestone)) == 78
    assert _audits("milestone.tick") == 78
    version = history.version_class(MunicipalityTick)
    assert db.session.scalar(select(func.count()).select_from(version)) == 78
    page = client.get(f"/milestones/{milestone.id}/progress").get_data(as_text=True)
    assert ">78</span> / <span class=\"vnon-num\">78</span>" in page and "Gehaald" in page
