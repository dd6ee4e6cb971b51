"""The beheerder keeps a person's details: name, function, organisation, phone and form of
address — audited, in history, and refused (409) when the form is stale."""

from sqlalchemy import select
from sqlalchemy_continuum import version_class

from tests.conftest import csrf_token_for
from tests.factories import create_user
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.enums import OrganisationKind, Role
from tracker.extensions import db
from tracker.network.models import Organisation


def _setup(login):
    admin = create_user(role=Role.BEHEERDER)
    zwolle = Organisation(slug="gemeente-zwolle", name="Gemeente Zwolle",
                          kind=OrganisationKind.GEMEENTE)
    db.session.add(zwolle)
    person = create_user(name="Piet Pietrse", title="beleidsmedewerker")
    db.session.commit()
    login(admin)
    return person, zwolle


def _form(person, org, **overrides):
    data = {"name": "Piet Pieterse", "title": "trekker jeugd", "organisation_id": org.id,
            "phone": "038-499 12 34", "salutation": "Beste Piet,", "version": person.version}
    data.update(overrides)
    return data


def _save(client, person_id, data):
    return client.post(f"/beheer/gebruikers/{person_id}/gegevens",
                       data={**data, "csrf_token": csrf_token_for(client)})


def test_beheerder_edits_a_persons_details(client, login):
    person, zwolle = _setup(login)
    person_id = person.id
    response = _save(client, person_id, _form(person, zwolle))
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(User, person_id)
    assert (saved.name, saved.title, saved.organisation_id, saved.phone, saved.salutation) == (
        "Piet Pieterse", "trekker jeugd", zwolle.id, "038-499 12 34", "Beste Piet,")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.details",
                                                       AuditEntry.object_id == person_id))
    assert entry.before["name"] == "Piet Pietrse" and entry.after["phone"] == "038-499 12 34"
    versions = version_class(User)
    names = db.session.scalars(select(versions.name).where(versions.id == person_id)
                               .order_by(versions.transaction_id)).all()
    assert names[0] == "Piet Pietrse" and names[-1] == "Piet Pieterse"
    page = client.get(f"/beheer/gebruikers/{person_id}").get_data(as_text=True)
    assert 'value="038-499 12 34"' in page and "Beste Piet," in page


def test_a_stale_form_is_409_and_changes_nothing(client, login):
    person, zwolle = _setup(login)
    person_id, first = person.id, person.version
    assert _save(client, person_id, _form(person, zwolle, version=first)).status_code == 303
    stale = _save(client, person_id, _form(person, zwolle, name="Oude Naam", version=first))
    assert stale.status_code == 409
    assert "iemand anders" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person_id).name == "Piet Pieterse"


def test_bad_phone_and_empty_name_are_refused_with_the_fields_marked(client, login):
    person, zwolle = _setup(login)
    response = _save(client, person.id, _form(person, zwolle, phone="bel mij", name=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vul een telefoonnummer in" in page and 'id="veld-phone"' in page
    assert page.count('aria-invalid="true"') >= 2
    db.session.expire_all()
    assert db.session.get(User, person.id).phone is None


def test_others_may_not_edit_people(client, login):
    person, zwolle = _setup(login)
    login(create_user(role=Role.COORDINATOR))
    db.session.commit()
    assert _save(client, person.id, _form(person, zwolle)).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, person.id).name == "Piet Pietrse"
