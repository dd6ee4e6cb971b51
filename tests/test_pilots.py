"""Pilots: registry, lifecycle, matrix, roles and bad input."""

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.enums import PilotStatus
from tracker.extensions import db
from tracker.network.models import District, Municipality
from tracker.pilots.models import BuildingBlock, Pilot


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _post(client, path, data=None):
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token_for(client)
    return client.post(path, data=payload)


def _form(**overrides):
    twente = db.session.scalar(select(District).where(District.slug == "twente"))
    enschede = db.session.scalar(select(Municipality).where(Municipality.name == "Enschede"))
    block = db.session.scalar(select(BuildingBlock).where(BuildingBlock.number == 3))
    form = {"title": "Pilot vroegsignalering Enschede", "district_id": twente.id,
            "building_block_id": block.id, "municipality_ids": [enschede.id],
            "start_date": "2018-01-15", "lessons": "Korte lijnen met de wijkteams werken."}
    form.update(overrides)
    return form


def test_coordinator_registers_a_pilot_and_moves_it_through_its_lifecycle(demo, client, login):
    login(_user("coordinator@example.org"))
    response = _post(client, "/teams/verwarde-personen/pilots", _form())
    assert response.status_code == 303
    pilot = db.session.scalar(select(Pilot).where(Pilot.title == "Pilot vroegsignalering Enschede"))
    assert pilot.status == PilotStatus.GEPLAND and [m.name for m in pilot.municipalities] == ["Enschede"]
    findings = {"results": "Twaalf signalen eerder opgepakt.", "confirm": "1"}
    for version, target in enumerate(("lopend", "geevalueerd", "geborgd"), start=1):
        assert _post(client, f"/pilots/{pilot.id}/status",
                     {"status": target, "version": version, **findings}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Pilot, pilot.id).status == PilotStatus.GEBORGD
    changes = db.session.scalars(select(AuditEntry.after).where(
        AuditEntry.action == "pilot.status").order_by(AuditEntry.id)).all()
    assert [c["status"] for c in changes] == ["lopend", "geevalueerd", "geborgd"]
    page = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "Geborgd" in page and "Korte lijnen met de wijkteams werken." in page


def test_a_skipped_step_is_refused(demo, client, login):
    login(_user("coordinator@example.org"))
    _post(client, "/teams/verwarde-personen/pilots", _form())
    pilot = db.session.scalar(select(Pilot).where(Pilot.title == "Pilot vroegsignalering Enschede"))
    response = _post(client, f"/pilots/{pilot.id}/status", {"status": "geborgd", "version": 1})
    assert response.status_code == 303
    assert "kan een pilot niet naar" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Pilot, pilot.id).status == PilotStatus.GEPLAND


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"title": ""}, "Titel is verplicht"),
     ({"district_id": "999"}, "bestaand district"),
     ({"municipality_ids": ["abc"]}, "bestaande gemeenten"),
     ({"municipality_ids": ["999999"]}, "bestaande gemeenten"),
     ({"end_date": "2017-01-01"}, "vóór de startdatum"),
     ({"start_date": "2018-02-31"}, "geen bestaande datum"),
     ({"lessons": "Cliënt 111222333 geholpen"}, "burgerservicenummer")],
)
def test_bad_pilot_input(demo, client, login, overrides, message):
    login(_user("coordinator@example.org"))
    response = _post(client, "/teams/verwarde-personen/pilots", _form(**overrides))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Pilot.id))) == 6  # only the demo's


# Kampen is a jeugd pilot: only jeugd's trekker (Tom Liedenbaum) may change it; the
# coordinator of Verwarde personen, a mayor and a lezer may not.
@pytest.mark.parametrize(("email", "allowed"), [("coordinator@example.org", False),
                                                ("tom.liedenbaum@example.org", True),
                                                ("welten@example.org", False),
                                                ("lezer@example.org", False)])
def test_pilot_changes_by_role(demo, client, login, email, allowed):
    pilot = db.session.scalar(select(Pilot).where(Pilot.title == "Pilot groepsscan Kampen"))
    login(_user(email))
    response = _post(client, f"/pilots/{pilot.id}/status",
                     {"status": "geborgd", "version": 1, "confirm": "1",
                      "results": "Groepsscan werkt.", "lessons": "Vroeg beginnen."})
    assert response.status_code == (303 if allowed else 403)
    db.session.expire_all()
    assert (db.session.get(Pilot, pilot.id).status == PilotStatus.GEBORGD) is allowed


def test_stale_pilot_edit_is_409(demo, client, login):
    login(_user("tom.liedenbaum@example.org"))
    pilot = db.session.scalar(select(Pilot).where(Pilot.title == "Pilot groepsscan Kampen"))
    form = {"title": "Pilot groepsscan Kampen (eerste)", "version": 1}
    assert _post(client, f"/pilots/{pilot.id}", form).status_code == 303
    second = _post(client, f"/pilots/{pilot.id}", {"title": "Tweede", "version": 1})
    assert second.status_code == 409 and "niet opgeslagen" in second.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Pilot, pilot.id).title == "Pilot groepsscan Kampen (eerste)"


def test_matrix_counts_by_district_and_building_block(demo, client, login, count_queries):
    login(_user("coordinator@example.org"))
    _post(client, "/teams/verwarde-personen/pilots", _form())
    _post(client, "/teams/verwarde-personen/pilots", _form(title="Tweede pilot Twente"))
    db.session.commit()
    with count_queries() as counter:
        html = client.get("/pilots?team=verwarde-personen").get_data(as_text=True)
    assert "Tweede pilot Twente" in html and "Pilot groepsscan" not in html
    assert counter.count <= 14
    for n in range(5):
        _post(client, "/teams/verwarde-personen/pilots", _form(title=f"Extra {n}"))
    db.session.commit()
    with count_queries() as again:
        client.get("/pilots?team=verwarde-personen")
    assert again.count == counter.count
    twente = db.session.scalar(select(District).where(District.slug == "twente"))
    block = db.session.scalar(select(BuildingBlock).where(BuildingBlock.number == 3))
    cell = f"district={twente.id}&amp;block={block.id}"
    assert cell in html  # the cell links to its pilots
    filtered = client.get(f"/pilots?team=verwarde-personen&district={twente.id}&block={block.id}")
    assert "7 pilots" in filtered.get_data(as_text=True)


def test_team_defines_its_own_building_block(demo, client, login):
    login(_user("tom.liedenbaum@example.org"))
    assert _post(client, "/teams/jeugd/building-blocks", {"name": "Groepsscan"}).status_code == 303
    block = db.session.scalar(select(BuildingBlock).join(BuildingBlock.team).where(
        BuildingBlock.name == "Groepsscan"))
    assert block.number == 1 and block.team.slug == "jeugd"
    assert _post(client, "/teams/verwarde-personen/building-blocks",
                 {"name": "x"}).status_code == 403
