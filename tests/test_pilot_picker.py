"""The pilot form's municipality picker: checkboxes per district, and a "hele district"
button that works without JavaScript (re-renders the form, keeps what was typed)."""

import re

from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tracker.auth.models import User
from tracker.extensions import db
from tracker.network.models import District, Municipality
from tracker.pilots.models import Pilot


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _ids(district_slug):
    return list(db.session.scalars(select(Municipality.id).join(District).where(
        District.slug == district_slug).order_by(Municipality.name)))


def _checked(page):
    return {int(n) for n in re.findall(
        r'name="municipality_ids" value="(\d+)" checked', page)}


def test_the_picker_groups_per_district_with_a_legend(demo, client, login):
    login(_user("coordinator@example.org"))
    page = client.get("/teams/verwarde-personen/pilots/new").get_data(as_text=True)
    assert page.count("<fieldset") >= 5 and "<legend" in page
    for name in ("IJsselland", "Twente", "Noord- en Oost-Gelderland", "Gelderland-Midden",
                 "Gelderland-Zuid"):
        assert f'utrecht-form-fieldset__legend--html-legend">{name}</legend>' in page
    assert page.count('type="checkbox"') == 78
    assert page.count("Selecteer hele district") == 5
    # The box in the form field's input column, its label beside it (never inside the label).
    assert not re.search(r"<label[^>]*>\s*<input", page)
    assert page.count('class="utrecht-form-field__input"') >= 78
    title = page.split("<title>")[1].split("</title>")[0]
    assert "<" not in title and title.startswith("Pilot registreren")
    assert "utrecht-form-field--checkbox" in page and "<select" not in page.split(
        'id="veld-municipality_ids"')[1].split("</fieldset>")[0]


def test_whole_district_button_ticks_the_group_keeping_what_was_typed(demo, client, login):
    login(_user("coordinator@example.org"))
    twente = db.session.scalar(select(District).where(District.slug == "twente"))
    zwolle = db.session.scalar(select(Municipality.id).where(Municipality.name == "Zwolle"))
    before = db.session.scalar(select(func.count(Pilot.id)))
    response = client.post("/teams/verwarde-personen/pilots", data={
        "title": "Pilot Twente breed", "lessons": "Getypte les", "municipality_ids": [zwolle],
        "select_district": twente.id, "csrf_token": csrf_token_for(client)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _checked(page) == {zwolle, *_ids("twente")}
    assert 'value="Pilot Twente breed"' in page and "Getypte les" in page
    assert "Hele district uitvinken" in page
    assert db.session.scalar(select(func.count(Pilot.id))) == before  # nothing saved
    # pressing it again unticks the district, Zwolle stays
    again = client.post("/teams/verwarde-personen/pilots", data={
        "title": "Pilot Twente breed", "municipality_ids": [zwolle, *_ids("twente")],
        "select_district": twente.id, "csrf_token": csrf_token_for(client)})
    assert _checked(again.get_data(as_text=True)) == {zwolle}


def test_selections_round_trip_through_save_and_edit(demo, client, login):
    login(_user("coordinator@example.org"))
    chosen = [*_ids("ijsselland")[:2], *_ids("gelderland-zuid")[-1:]]
    response = client.post("/teams/verwarde-personen/pilots", data={
        "title": "Pilot drie gemeenten", "municipality_ids": chosen,
        "csrf_token": csrf_token_for(client)})
    assert response.status_code == 303
    pilot = db.session.scalar(select(Pilot).where(Pilot.title == "Pilot drie gemeenten"))
    assert sorted(m.id for m in pilot.municipalities) == sorted(chosen)
    edit = client.get(f"/pilots/{pilot.id}/edit").get_data(as_text=True)
    assert _checked(edit) == set(chosen)
