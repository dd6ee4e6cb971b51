"""Organisations kept by the secretariat: the standing list (78 municipalities, police,
OM, RIEC, GGZ), and add, rename and merge by the beheerder."""

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tests.factories import create_user
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.enums import OrganisationKind, Role
from tracker.extensions import db
from tracker.network.models import Municipality, Organisation
from tracker.network.organisations import ensure_network_organisations, municipality_rows


def _post(client, path, data=None):
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token_for(client)
    return client.post(path, data=payload)


def _assert_standing_list():
    municipalities = {r["gemeente"] for r in municipality_rows()}
    assert len(municipalities) == 78
    linked = set(db.session.scalars(
        select(Municipality.name).join(Organisation, Organisation.municipality_id == Municipality.id)
        .where(Organisation.kind == OrganisationKind.GEMEENTE)))
    assert linked == municipalities
    assert db.session.scalar(select(Organisation).where(
        Organisation.name == "Gemeente Zwolle")) is not None
    names = set(db.session.scalars(select(Organisation.name)))
    assert "Politie eenheid Oost-Nederland" in names
    for district in ("IJsselland", "Twente", "Noord- en Oost-Gelderland", "Gelderland-Midden",
                     "Gelderland-Zuid"):
        assert f"Politie district {district}" in names
    kinds = {k for k in db.session.scalars(select(Organisation.kind))}
    assert {OrganisationKind.OM, OrganisationKind.RIEC, OrganisationKind.GGZ} <= kinds
    assert db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.kind == OrganisationKind.GGZ)) >= 5
    assert "RIEC Oost-Nederland" in names


def test_command_on_an_empty_database_creates_the_standing_list(runner):
    assert db.session.scalar(select(func.count(Organisation.id))) == 0
    result = runner.invoke(args=["network", "organisations"])
    assert result.exit_code == 0, result.output
    _assert_standing_list()
    db.session.expire_all()
    count = db.session.scalar(select(func.count(Organisation.id)))
    again = runner.invoke(args=["network", "organisations"])
    assert again.exit_code == 0 and "0 organisaties toegevoegd" in again.output
    assert db.session.scalar(select(func.count(Organisation.id))) == count


def test_the_demo_loader_has_the_standing_list(demo):
    _assert_standing_list()


def test_a_renamed_organisation_stays_renamed_when_the_command_runs_again():
    ensure_network_organisations()
    riec = db.session.scalar(select(Organisation).where(Organisation.slug == "riec-oost-nederland"))
    riec.name = "RIEC Oost"
    db.session.commit()
    assert ensure_network_organisations()["organisations"] == 0
    assert db.session.get(Organisation, riec.id).name == "RIEC Oost"


@pytest.fixture
def admin(client, login, demo):
    beheerder = db.session.scalar(select(User).where(User.email == "beheerder@example.org"))
    login(beheerder)
    return beheerder


def test_beheerder_adds_and_renames_an_organisation(client, admin):
    response = _post(client, "/beheer/organisaties", {"name": "Veiligthuis IJsselland",
                                                      "kind": "overig"})
    assert response.status_code == 303
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Veiligthuis IJsselland"))
    assert org is not None and org.kind == OrganisationKind.OVERIG
    duplicate = _post(client, "/beheer/organisaties", {"name": "veiligthuis ijsselland",
                                                       "kind": "overig"})
    assert duplicate.status_code == 422 and "bestaat al" in duplicate.get_data(as_text=True)
    spaced = _post(client, "/beheer/organisaties", {"name": " Veiligthuis   IJsselland ",
                                                    "kind": "overig"})
    assert spaced.status_code == 422 and "bestaat al" in spaced.get_data(as_text=True)
    too_long = _post(client, "/beheer/organisaties", {"name": "A" * 300, "kind": "overig"})
    assert too_long.status_code == 422
    renamed = _post(client, f"/beheer/organisaties/{org.id}", {"name": "Veilig Thuis IJsselland",
                                                               "kind": "overig"})
    assert renamed.status_code == 303
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).name == "Veilig Thuis IJsselland"
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "organisations", AuditEntry.object_id == org.id)).all()
    assert "organisation.create" in actions and "organisation.rename" in actions


def test_merge_asks_first_naming_the_people_then_moves_everyone(client, admin):
    dup = Organisation(slug="gem-zwolle-dubbel", name="Gemeente Zwolle (dubbel)",
                       kind=OrganisationKind.OVERIG)
    db.session.add(dup)
    db.session.flush()
    people = [create_user(organisation=dup) for _ in range(3)]
    db.session.commit()
    ids, dup_id = [p.id for p in people], dup.id
    zwolle = db.session.scalar(select(Organisation).where(Organisation.name == "Gemeente Zwolle"))
    ask = _post(client, f"/beheer/organisaties/{dup.id}/samenvoegen", {"survivor_id": zwolle.id})
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "3 personen gaan over naar Gemeente Zwolle" in page
    db.session.expire_all()
    assert db.session.get(Organisation, dup_id) is not None  # nothing changed yet
    done = _post(client, f"/beheer/organisaties/{dup_id}/samenvoegen",
                 {"survivor_id": zwolle.id, "confirm": "1"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Organisation, dup_id) is None
    assert {u.organisation_id for u in db.session.scalars(
        select(User).where(User.id.in_(ids)))} == {zwolle.id}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.merge"))
    assert entry.after["moved"]["users.organisation_id"] == 3
    assert entry.before["absorbed_name"] == "Gemeente Zwolle (dubbel)"


def test_merge_with_itself_or_unknown_is_refused(client, admin):
    zwolle = db.session.scalar(select(Organisation).where(Organisation.name == "Gemeente Zwolle"))
    for survivor in (zwolle.id, 999999):
        response = _post(client, f"/beheer/organisaties/{zwolle.id}/samenvoegen",
                         {"survivor_id": survivor, "confirm": "1"})
        assert response.status_code == 422
    assert db.session.get(Organisation, zwolle.id) is not None


def test_others_may_not_manage_organisations(client, login, demo):
    login(db.session.scalar(select(User).where(User.email == "coordinator@example.org")))
    assert client.get("/beheer/organisaties").status_code == 403
    response = _post(client, "/beheer/organisaties", {"name": "X BV", "kind": "overig"})
    assert response.status_code == 403
    assert db.session.scalar(select(Organisation).where(Organisation.name == "X BV")) is None


def test_organisations_list_query_count_is_fixed(client, admin, count_queries):
    client.get("/beheer/organisaties")
    with count_queries() as small:
        assert client.get("/beheer/organisaties").status_code == 200
    for n in range(20):
        org = Organisation(slug=f"extra-{n}", name=f"Extra {n}", kind=OrganisationKind.OVERIG)
        db.session.add(org)
        db.session.flush()
        create_user(organisation=org, role=Role.LEZER)
    db.session.commit()
    with count_queries() as large:
        page = client.get("/beheer/organisaties")
    assert page.status_code == 200 and "Extra 19" in page.get_data(as_text=True)
    assert large.count == small.count
