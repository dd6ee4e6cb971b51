"""One error path: every edit form refuses bad input with 422 and its Dutch message and
answers a stale version with 409, through ``tracker.forms.form_errors``; nothing is saved."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tests.factories import create_team
from tracker.actions.models import Action
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.enums import EventStatus
from tracker.events.models import Event
from tracker.extensions import db
from tracker.milestones.models import Milestone
from tracker.network.models import Team
from tracker.pilots.models import Pilot


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _action():
    team = db.session.scalar(select(Team).where(Team.slug == "verwarde-personen"))
    return db.session.scalars(select(Action).where(Action.team_id == team.id)
                              .order_by(Action.id)).first()


def _milestone():
    return db.session.scalar(select(Milestone).where(Milestone.title == "RFPN structureel geborgd"))


def _pilot():
    return db.session.scalar(select(Pilot).where(Pilot.title == "Pilot groepsscan Kampen"))


def _event():
    team = db.session.scalar(select(Team).where(Team.slug == "verwarde-personen"))
    event = Event(title="Kennisdag", status=EventStatus.GEPLAND, team_id=team.id,
                  starts_at=datetime(2030, 3, 7, 12, 30, tzinfo=UTC),
                  ends_at=datetime(2030, 3, 7, 15, 30, tzinfo=UTC), location="Zwolle",
                  organiser_id=_user("coordinator@example.org").id,
                  created_at=datetime(2018, 2, 1, tzinfo=UTC))
    db.session.add(event)
    db.session.commit()
    return event


FORMS = {
    "action": dict(
        email="coordinator@example.org", load=_action, path="/actions/{id}",
        good=lambda a: {"title": "Nieuwe titel", "status": "open", "description": ""},
        bad=[({"title": ""}, "Titel is verplicht."),
             ({"due_date": "2026-02-30"}, "Datum is geen bestaande datum (gebruik dd-mm-jjjj)."),
             ({"owner_id": "999999"}, "Kies een bestaande eigenaar."),
             ({"status": "weg"}, "Kies een bestaande status."),
             ({"description": "cliënt 111222333"}, "lijkt een burgerservicenummer"),
             ({"title": "a\x00b"}, "Titel bevat niet-toegestane stuurtekens.")]),
    "milestone": dict(
        email="paul.wesseloo@example.org", load=_milestone, path="/milestones/{id}",
        good=lambda m: {"title": "Nieuwe titel", "due_date": "2019-09-30", "kind": "deadline"},
        bad=[({"title": ""}, "Titel is verplicht."),
             ({"due_date": ""}, "Datum is verplicht."),
             ({"due_date": "31-02-2019"}, "Datum is geen bestaande datum"),
             ({"kind": "x"}, "Kies een bestaande soort."),
             ({"description": "cliënt 111.222.333"}, "lijkt een burgerservicenummer")]),
    "pilot": dict(
        email="tom.liedenbaum@example.org", load=_pilot, path="/pilots/{id}",
        good=lambda p: {"title": "Nieuwe titel"},
        bad=[({"title": ""}, "Titel is verplicht."),
             ({"start_date": "2018-05-01", "end_date": "2018-04-01"},
              "De einddatum ligt vóór de startdatum."),
             ({"municipality_ids": "abc"}, "Kies bestaande gemeenten."),
             ({"lead_id": "999999"}, "Kies een bestaande trekker van de pilot.")]),
    "event": dict(
        email="coordinator@example.org", load=_event, path="/events/{id}",
        good=lambda e: {"title": "Nieuwe titel", "team_id": str(e.team_id),
                        "starts_at": "2030-03-07T13:30", "ends_at": "2030-03-07T16:30",
                        "location": "Zwolle", "organiser_id": str(e.organiser_id)},
        bad=[({"title": ""}, "Titel is verplicht."),
             ({"starts_at": "2026-03-29T02:30"},
              "Begin bestaat niet: de klok wordt dan verzet (zomertijd)."),
             ({"ends_at": "2030-03-07T10:00"}, "Einde moet na het begin liggen."),
             ({"capacity": "0"}, "Aantal plaatsen moet tussen 1 en 10000 liggen."),
             ({"online_url": "javascript:alert(1)"}, "Online link moet beginnen met https://"),
             ({"title": "Gesprek 111222333"}, "lijkt een burgerservicenummer"),
             ({"location": "Bij 111 222 333 thuis"}, "lijkt een burgerservicenummer")]),
}

CASES = [(kind, change, message) for kind, spec in FORMS.items()
         for change, message in spec["bad"]]


def _state(obj):
    db.session.expire_all()
    current = db.session.get(type(obj), obj.id)
    return (current.title, current.version, db.session.scalar(select(func.count(AuditEntry.id))))


def _post(client, spec, obj, data):
    return client.post(spec["path"].format(id=obj.id),
                       data={**data, "csrf_token": csrf_token_for(client)})


@pytest.mark.parametrize(("kind", "change", "message"), CASES,
                         ids=[f"{k}-{'+'.join(c)}" for k, c, _ in CASES])
def test_bad_input_is_422_with_the_dutch_message_and_nothing_saved(demo, client, login, kind,
                                                                    change, message):
    spec = FORMS[kind]
    obj = spec["load"]()
    login(_user(spec["email"]))
    before = _state(obj)
    data = {**spec["good"](obj), "version": str(obj.version), **change}
    response = _post(client, spec, obj, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "<html" in html
    assert _state(obj) == before


@pytest.mark.parametrize("kind", FORMS)
@pytest.mark.parametrize("version", ["0", "", "abc", "99999999999999999999"])
def test_stale_or_missing_version_is_409_and_nothing_saved(demo, client, login, kind, version):
    spec = FORMS[kind]
    obj = spec["load"]()
    login(_user(spec["email"]))
    before = _state(obj)
    response = _post(client, spec, obj, {**spec["good"](obj), "version": version})
    assert response.status_code == 409
    assert _state(obj) == before


@pytest.mark.parametrize("kind", FORMS)
def test_good_input_with_the_current_version_is_saved(demo, client, login, kind):
    spec = FORMS[kind]
    obj = spec["load"]()
    login(_user(spec["email"]))
    response = _post(client, spec, obj, {**spec["good"](obj), "version": str(obj.version)})
    assert response.status_code == 303
    assert _state(obj)[0] == "Nieuwe titel"


def test_the_action_conflict_still_shows_the_three_way_merge(demo, client, login):
    action = _action()
    login(_user("coordinator@example.org"))
    loaded = {"title": "Eerste", "status": action.status.value, "base_title": action.title,
              "base_status": action.status.value, "version": str(action.version)}
    assert _post(client, FORMS["action"], action, loaded).status_code == 303
    second = _post(client, FORMS["action"], action, {**loaded, "title": "Tweede"})
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Eerste" in html and "Tweede" in html
    assert _state(action)[0] == "Eerste"


def test_form_errors_rolls_back_what_the_view_flushed(app):
    """The boundary itself: a view that flushed a change and then refuses keeps nothing."""
    from tracker.forms import Refusal, form_errors
    from tracker.validation import ValidationErrors

    seen: list[Refusal] = []

    def render(refusal, **kwargs):
        seen.append(refusal)
        return "refused", refusal.status

    @form_errors(render)
    def view(team_name):
        create_team(slug="tijdelijk", name=team_name)
        raise ValidationErrors({"name": "Naam is verplicht."})

    with app.test_request_context("/", method="POST"):
        assert view(team_name="Tijdelijk") == ("refused", 422)
        assert db.session.scalar(select(Team).where(Team.slug == "tijdelijk")) is None
    assert seen[0].errors == {"name": "Naam is verplicht."} and not seen[0].is_conflict


# --- The forms brought onto the layer later: beheer, preferences, status points, publish,
# set password. Each: bad input is refused with its Dutch message and nothing is saved.


def _audit_count():
    db.session.expire_all()
    return db.session.scalar(select(func.count(AuditEntry.id)))


def _send(client, path, data, headers=None):
    return client.post(path, data={**data, "csrf_token": csrf_token_for(client)},
                       headers=headers or {})


NEW_USER = {"name": "Iemand Nieuw", "email": "iemand.nieuw@example.org", "role": "lezer",
            "title": "", "organisation_id": ""}


@pytest.mark.parametrize(("change", "message"), [
    ({"name": ""}, "Naam is verplicht."),
    ({"email": "geen-adres"}, "Dit is geen geldig e-mailadres."),
    ({"email": "beheerder@example.org"}, "Er bestaat al een account met dit e-mailadres."),
    ({"title": "a\x00b"}, "Functie bevat niet-toegestane stuurtekens."),
    ({"role": "superuser"}, "Kies een bestaande rol."),
    ({"organisation_id": "999999"}, "Kies een bestaande organisatie."),
    ({"organisation_id": "abc"}, "Kies een bestaande organisatie."),
    ({"name": "Jan 111222333"}, "lijkt een burgerservicenummer"),
    ({"title": "BSN 111.222.333"}, "lijkt een burgerservicenummer"),
])
def test_admin_new_user_form(demo, client, login, change, message):
    login(_user("beheerder@example.org"))
    users, before = db.session.scalar(select(func.count(User.id))), _audit_count()
    response = _send(client, "/beheer/gebruikers", {**NEW_USER, **change})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == users
    assert _audit_count() == before


@pytest.mark.parametrize(("path", "data", "message"), [
    ("", {"role": "baas", "active": "1"}, "Kies een bestaande rol."),
    ("", {"role": "", "active": "1"}, "Kies een bestaande rol."),
    ("/teams", {"team_id": "", "team_role": "lid"}, "Kies een team."),
    ("/teams", {"team_id": "999999", "team_role": "lid"}, "Kies een team."),
    ("/teams", {"team_id": "{team}", "team_role": "baas"}, "Kies een bestaande rol in het team."),
])
def test_admin_user_and_membership_forms(demo, client, login, path, data, message):
    login(_user("beheerder@example.org"))
    person = _user("lezer@example.org")
    team = db.session.scalar(select(Team).where(Team.slug == "verwarde-personen"))
    state = (person.role, person.active, len(person.memberships))
    before = _audit_count()
    data = {k: v.format(team=team.id) for k, v in data.items()}
    response = _send(client, f"/beheer/gebruikers/{person.id}{path}", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _audit_count() == before
    person = db.session.get(User, person.id)
    assert (person.role, person.active, len(person.memberships)) == state


@pytest.mark.parametrize("digest", ["", "hourly", "<script>"])
def test_preferences_form(demo, client, login, digest):
    login(_user("lezer@example.org"))
    before = _audit_count()
    response = _send(client, "/instellingen/meldingen", {"digest": digest, "reminders": "1"})
    assert response.status_code == 422
    assert "Kies hoe vaak u het overzicht wilt ontvangen." in response.get_data(as_text=True)
    assert _audit_count() == before


@pytest.mark.parametrize(("days", "escalation", "message"), [
    ("²", "14", "Geef tot vijf aantallen dagen"),
    ("7", "١٤", "Geef een aantal dagen van 1 tot en met 365."),
])
def test_team_rules_form_refuses_digits_that_are_not_ascii(demo, client, login, days,
                                                          escalation, message):
    login(_user("coordinator@example.org"))
    before = _audit_count()
    response = _send(client, "/teams/verwarde-personen/herinneringen",
                     {"reminder_days": days, "escalation_days": escalation})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _audit_count() == before


def _item():
    from tracker.enums import ItemKind
    from tracker.network.models import ReportItem

    return db.session.scalar(
        select(ReportItem).join(Team).where(Team.slug == "verwarde-personen",
                                            ReportItem.kind == ItemKind.DOEL)
        .order_by(ReportItem.position))


STATUS = "/teams/verwarde-personen/status/punten"


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(("text", "message"), [
    ("", "Tekst is verplicht."),
    ("a\x00b", "Tekst bevat niet-toegestane stuurtekens."),
    ("x" * 2001, "Tekst mag hoogstens 2000 tekens lang zijn"),
    ("Besproken: cliënt 111222333", "lijkt een burgerservicenummer"),
])
def test_status_item_forms_refuse_bad_text(demo, client, login, htmx, text, message):
    login(_user("coordinator@example.org"))
    item = _item()
    original, before = item.text, _audit_count()
    headers = {"HX-Request": "true"} if htmx else {}
    for path, data in [(STATUS, {"kind": "doel", "text": text}),
                       (f"{STATUS}/{item.id}", {"text": text, "version": str(item.version)})]:
        response = _send(client, path, data, headers)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert message in html and ("<html" in html) != htmx
    assert _audit_count() == before and _item().text == original


@pytest.mark.parametrize("version", ["0", "", "abc", "99999999999999999999"])
@pytest.mark.parametrize("text", ["Mijn tekst", ""], ids=["good-text", "bad-text"])
def test_status_item_stale_version_is_409_even_with_bad_text(demo, client, login, version, text):
    login(_user("coordinator@example.org"))
    item = _item()
    original, before = item.text, _audit_count()
    response = _send(client, f"{STATUS}/{item.id}", {"text": text, "version": version})
    assert response.status_code == 409
    assert original in response.get_data(as_text=True)
    deleted = _send(client, f"{STATUS}/{item.id}/verwijderen", {"version": version})
    assert deleted.status_code == 409
    assert _audit_count() == before and _item().text == original


@pytest.mark.parametrize(("peildatum", "message"), [
    ("gisteren", "Ongeldige peildatum"),
    ("2018-02-30", "Ongeldige peildatum"),
    ("9999-12-31", "in de toekomst"),
])
def test_publish_form_refuses_a_bad_peildatum_with_400(demo, client, login, peildatum, message):
    from tracker.report.models import ReportEdition

    login(_user("beheerder@example.org"))
    before = _audit_count()
    response = _send(client, "/report/edities", {"peildatum": peildatum})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ReportEdition.id))) == 0
    assert _audit_count() == before


def test_set_password_form_refuses_two_different_passwords(demo, app, client):
    from tracker.auth.password_links import make_token

    person = _user("lezer@example.org")
    hashed, path = person.password_hash, f"/wachtwoord/{make_token(person)}"
    token = csrf_token_for(client, path)
    response = client.post(path, data={"password": "een zin om te onthouden",
                                       "password_again": "een zin om te vergeten",
                                       "csrf_token": token})
    assert response.status_code == 422
    assert "De twee wachtwoorden zijn niet gelijk." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person.id).password_hash == hashed
    assert client.get(path).status_code == 200  # the link still works
