"""AVG: a beheerder exports one person's data and erases the person (web and CLI).

After erasure no table (history, audit, outbox, comments, invitations, login
failures, report texts) holds the person's name or e-mail address; the published
report editions are kept as archive records (docs/privacy.md explains why).
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import UTC, date, datetime

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tests.factories import PASSWORD, add_member, create_action, create_team, create_user
from tracker.actions.models import ActionComment
from tracker.audit.models import AuditEntry
from tracker.auth.models import ThrottleFailure, User
from tracker.auth.password_links import queue_password_link
from tracker.auth.passwords import hash_password
from tracker.avg.erasure import KEPT_TABLES, pseudonym_for
from tracker.db import utcnow
from tracker.enums import EventStatus, Role, TeamRole
from tracker.events.itip import ItipReply
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.notifications.models import OutboxMessage, OutboxStatus
from tracker.report.models import ReportEdition

NAME = "Anneke de Bruïne"
EMAIL = "a.debruine@example.org"
OLD_NAME = "Anneke Bruïne-Smit"  # the name she had before: history holds it too


@pytest.fixture
def admin(client, login):
    beheerder = create_user(role=Role.BEHEERDER, name="Beheerder Secretariaat",
                            email="secretariaat@example.org")
    db.session.commit()
    login(beheerder)
    return beheerder


def _post(client, path, data=None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token_for(client)})


@pytest.fixture
def person(client, admin):
    """A coordinator with a history in every corner of the tracker."""
    response = _post(client, "/beheer/gebruikers",
                     {"name": OLD_NAME, "email": EMAIL, "role": "coordinator",
                      "title": "Coördinator zorg en veiligheid"})
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    user.name = NAME  # a second version in users_version
    user.password_hash = hash_password(PASSWORD)
    user.calendar_token_hash = "ab" * 32  # a calendar feed link
    user.last_login_at = utcnow()
    team = create_team(chair_note=f"Voorzitter: {NAME}")
    add_member(team, user, TeamRole.TREKKER)
    action = create_action(team, owner=user, title="Convenant opstellen",
                           description=f"Afstemmen met {NAME} ({EMAIL}).")
    db.session.commit()
    action.description = f"Afstemmen met {NAME}; concept bij {OLD_NAME}."
    db.session.add(ActionComment(action=action, author=user, text="Ik bel de gemeente morgen."))
    event = Event(title="Regionale bijeenkomst", status=EventStatus.GEPLAND, location="Zwolle",
                  starts_at=datetime(2018, 3, 7, 12, 30, tzinfo=UTC),
                  ends_at=datetime(2018, 3, 7, 15, 30, tzinfo=UTC), organiser=admin)
    db.session.add(Invitation(event=event, user=user, remark="Ik kom iets later.",
                              invited_at=utcnow()))
    db.session.add(ThrottleFailure(kind="login", account=EMAIL, client="192.0.2.1", at=utcnow()))
    # A calendar reply from their address that matched no invitation (sent from an alias).
    db.session.add(ItipReply(message_key="k" * 64, processed_at=utcnow(), outcome="unmatched",
                             event=event, partstat="ACCEPTED", attendee_email=EMAIL,
                             attendee_name=NAME, comment="Ik neem mijn collega mee."))
    queue_password_link(user, now=utcnow(), actor=admin)
    db.session.add(ReportEdition(version_label="versie maart 2018", peildatum=date(2018, 3, 1),
                                 published_by_id=admin.id, published_by_name=admin.name,
                                 html=f"<p>Trekker: {NAME}</p>", pdf=b"%PDF", docx=b"PK",
                                 snapshot={"trekker": NAME}, as_of=True))
    db.session.commit()
    return user


def _zip_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.data))


def _decoded_attachments(value) -> list[str]:
    """The text of base64 mail attachments (an .ics names its attendee)."""
    if not isinstance(value, list):
        return []
    return [base64.b64decode(item["data"]).decode("utf-8", "replace").replace("\r\n ", "")
            for item in value if isinstance(item, dict) and isinstance(item.get("data"), str)]


def rows_mentioning(needles: list[str], *, skip=frozenset()) -> list[str]:
    """``table.column#key`` of every text cell in the database that holds a needle."""
    found = []
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        for row in db.session.execute(table.select()).mappings():
            for column, value in row.items():
                if isinstance(value, dict | list):
                    texts = [json.dumps(value, ensure_ascii=False), json.dumps(value),
                             *_decoded_attachments(value)]
                elif isinstance(value, str):
                    texts = [value]
                else:
                    continue
                for needle in needles:
                    forms = {needle.lower(), json.dumps(needle)[1:-1].lower(),
                             str(escape(needle)).lower()}
                    if any(form in text.lower() for text in texts for form in forms):
                        found.append(f"{table.name}.{column}")
    return found


def test_export_holds_the_persons_data_and_is_audited(client, admin, person):
    archive = _zip_of(_post(client, f"/beheer/gebruikers/{person.id}/export"))
    names = set(archive.namelist())
    for section in ("account", "account_geschiedenis", "lidmaatschappen", "acties",
                    "acties_geschiedenis", "opmerkingen", "uitnodigingen_en_antwoorden",
                    "audit", "mislukte_pogingen"):
        assert f"{section}.csv" in names, section
    data = json.loads(archive.read("gegevens.json"))
    assert data["persoon"]["naam"] == NAME and data["persoon"]["e-mailadres"] == EMAIL
    assert data["persoon"]["bijeenkomsten"][0]["bijeenkomst"] == "Regionale bijeenkomst"
    tables = data["tabellen"]
    assert {r["name"] for r in tables["account_geschiedenis"]} == {OLD_NAME, NAME}
    assert tables["opmerkingen"][0]["text"] == "Ik bel de gemeente morgen."
    assert tables["uitnodigingen_en_antwoorden"][0]["remark"] == "Ik kom iets later."
    assert tables["acties"][0]["title"] == "Convenant opstellen"
    assert any(r["action"] == "user.create" for r in tables["audit"])
    # No secrets: no password hash, no session nonce, no mail body with a working link.
    everything = archive.read("gegevens.json").decode()
    assert person.password_hash not in everything and person.session_nonce not in everything
    assert "body_text" not in everything and "/wachtwoord" not in everything
    csv_text = archive.read("account.csv").decode("utf-8-sig")
    assert NAME in csv_text and "password_hash" not in csv_text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.export"))
    assert entry.actor_id == admin.id and entry.object_id == person.id


def test_erasure_confirmation_needs_the_name_and_changes_nothing_otherwise(client, admin, person):
    page = client.get(f"/beheer/gebruikers/{person.id}/wissen")
    assert page.status_code == 200 and "Typ ter bevestiging de naam" in page.get_data(as_text=True)
    response = _post(client, f"/beheer/gebruikers/{person.id}/wissen", {"confirm": "Anneke"})
    assert response.status_code == 422
    assert "Typ de naam precies" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person.id).name == NAME
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.erase")) is None


def test_a_beheerder_cannot_erase_themselves(client, admin):
    response = _post(client, f"/beheer/gebruikers/{admin.id}/wissen", {"confirm": admin.name})
    assert response.status_code == 422
    assert "eigen account" in response.get_data(as_text=True)


def test_erasure_leaves_no_name_or_address_in_any_table(app, client, admin, person, login):
    person_client = login(person, app.test_client())
    assert person_client.get("/").status_code == 200
    nonce = person.session_nonce
    needles = [NAME, OLD_NAME, EMAIL]
    assert set(rows_mentioning(needles)) >= {
        "users.name", "users_version.name", "users_version.email", "audit_entries.after",
        "outbox_messages.recipients", "outbox_messages.body_text", "throttle_failures.account",
        "itip_replies.attendee_email", "itip_replies.attendee_name",
        "actions.description", "actions_version.description", "teams.chair_note",
        "report_editions.html"}

    response = _post(client, f"/beheer/gebruikers/{person.id}/wissen", {"confirm": NAME})
    assert response.status_code == 303
    pseudonym = pseudonym_for(person.id)
    assert pseudonym.name in client.get(response.headers["Location"]).get_data(as_text=True)

    db.session.expire_all()
    assert rows_mentioning(needles, skip=KEPT_TABLES) == []
    # The archive record is kept as published (Archiefwet), nothing else.
    assert {"report_editions"} == KEPT_TABLES
    assert NAME in db.session.scalar(select(ReportEdition.html))

    user = db.session.get(User, person.id)
    assert user.name == pseudonym.name and user.email == pseudonym.email
    assert not user.active and user.password_hash is None and user.title is None
    assert user.calendar_token_hash is None and user.last_login_at is None
    assert user.session_nonce != nonce
    assert person_client.get("/").status_code in (302, 303)  # the old session has ended
    # The work stays, with the pseudonym; her own words are gone.
    action = db.session.scalar(select(ActionComment)).action
    assert action.owner_id == user.id and pseudonym.name in action.description
    assert "gemeente morgen" not in db.session.scalar(select(ActionComment.text))
    assert db.session.scalar(select(Invitation.remark)) == ""
    assert db.session.scalar(select(ItipReply.comment)) is None
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.FAILED
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.erase"))
    assert entry.actor_id == admin.id and entry.summary.endswith(pseudonym.name)
    # Nothing mails the pseudonym: no password-link button, and the POST queues nothing.
    shown = client.get(f"/beheer/gebruikers/{person.id}").get_data(as_text=True)
    assert "Uitnodiging sturen" not in shown and "Link sturen" not in shown
    queued = db.session.scalar(select(func.count(OutboxMessage.id)))
    assert _post(client, f"/beheer/gebruikers/{person.id}/wachtwoordlink", {}).status_code == 303
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == queued
    # Stable: the same pseudonym on every call; a second erasure is refused.
    assert pseudonym_for(person.id) == pseudonym
    again = _post(client, f"/beheer/gebruikers/{person.id}/wissen", {"confirm": pseudonym.name})
    assert again.status_code == 422 and "al gewist" in again.get_data(as_text=True)


def test_cli_exports_and_erases(runner, person, tmp_path):
    out = tmp_path / "export.zip"
    result = runner.invoke(args=["privacy", "export", EMAIL.upper(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(zipfile.ZipFile(out).read("gegevens.json"))
    assert data["persoon"]["e-mailadres"] == EMAIL

    refused = runner.invoke(args=["privacy", "erase", EMAIL])
    assert refused.exit_code != 0 and "--yes" in refused.output
    result = runner.invoke(args=["privacy", "erase", EMAIL, "--yes"])
    assert result.exit_code == 0, result.output
    assert pseudonym_for(person.id).name in result.output
    db.session.expire_all()
    assert rows_mentioning([NAME, OLD_NAME, EMAIL], skip=KEPT_TABLES) == []
    unknown = runner.invoke(args=["privacy", "erase", EMAIL, "--yes"])
    assert unknown.exit_code != 0 and "Geen account" in unknown.output


def test_erasing_a_person_of_the_demo_network(demo):
    """The February 2018 network, its history recorded as of 1 February 2018."""
    from sqlalchemy import func

    from tracker.actions.models import Action
    from tracker.avg.erasure import erase_person

    owner_id = db.session.scalar(select(Action.owner_id).group_by(Action.owner_id)
                                 .order_by(func.count().desc(), Action.owner_id).limit(1))
    user = db.session.get(User, owner_id)
    needles = [user.name, user.email]
    colleagues = {u.id: (u.name, u.email, u.title) for u in db.session.scalars(select(User))
                  if u.id != owner_id}
    assert "users_version.name" in rows_mentioning(needles)
    report = erase_person(user, actor=None, now=utcnow())
    db.session.commit()
    assert report.rows["users_version"] >= 1
    db.session.expire_all()
    assert rows_mentioning(needles, skip=KEPT_TABLES) == []
    assert db.session.scalar(select(func.count(Action.id)).where(Action.owner_id == owner_id)) > 1
    assert {u.id: (u.name, u.email, u.title) for u in db.session.scalars(select(User))
            if u.id != owner_id} == colleagues


def test_erasure_removes_every_report_file_made_in_the_background(person):
    """A made PDF or Word file names people and cannot be rewritten: erasure removes them
    all (a cache, made anew when asked); an edition's request stays, its text scrubbed."""
    from tracker.avg.erasure import erase_person
    from tracker.report.models import RenderStatus, ReportRender

    db.session.add_all([
        ReportRender(key="pdf:2018-02-01:v1:rx", fmt="pdf", peildatum=date(2018, 2, 1),
                     status=RenderStatus.READY, content=f"%PDF {NAME}".encode(),
                     requested_by_id=person.id),
        ReportRender(key="docx:2018-02-01:v1:rx", fmt="docx", peildatum=date(2018, 2, 1),
                     status=RenderStatus.QUEUED, requested_by_id=None),
        ReportRender(key="editie:versie februari 2018", fmt="editie",
                     peildatum=date(2018, 2, 1), label="versie februari 2018",
                     status=RenderStatus.FAILED, last_error=f"Mislukt voor {NAME}",
                     requested_by_id=person.id),
    ])
    db.session.commit()
    report = erase_person(person, actor=None, now=utcnow())
    db.session.commit()
    assert report.rows["report_renders"] >= 2
    [kept] = db.session.scalars(select(ReportRender)).all()
    assert kept.fmt == "editie" and NAME not in kept.last_error
