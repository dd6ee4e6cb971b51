"""The mayors' digest in the app: the stored form of address (beheerder and the person
edit it), the "Mijn overzicht van deze week" page (the mail's own text, a fixed number of
queries) and the mail itself on the day after a missed deadline."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import csrf_token_for
from tests.factories import add_member, create_action, create_team, create_user
from tracker.auth.models import User
from tracker.avg.erasure import erase_person
from tracker.db import utcnow
from tracker.enums import EventStatus, MilestoneKind, Role, TeamRole
from tracker.events.models import Event
from tracker.extensions import db
from tracker.history import version_class
from tracker.jobs import run_job
from tracker.milestones.models import Milestone
from tracker.notifications.messages import body_without_footer
from tracker.notifications.models import OutboxMessage

#: Tuesday 2 October 2018 07:30 in Amsterdam: the day after "1 oktober 2018, 0 van 78".
DAY_AFTER = datetime.fromisoformat("2018-10-02T07:30:00+02:00")


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token_for(client)})


def _page_text(client) -> str:
    page = client.get("/instellingen/overzicht")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    [text] = re.findall(r'<pre class="vnon-mail-text" id="overzicht-tekst">(.*?)</pre>', body,
                        re.S)
    return html.unescape(text)


def _digest_row(user: User) -> OutboxMessage:
    return db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.kind == "digest", OutboxMessage.user_id == user.id))


def _block(text: str, heading: str) -> str:
    """The lines under ``heading:`` up to the next blank line."""
    return text.split(f"\n{heading}:\n", 1)[1].split("\n\n", 1)[0]


# --- The mail on the day after the missed deadline ----------------------------------------

def test_the_mail_the_day_after_a_missed_deadline(demo):
    welten = _user("welten@example.org")
    team = db.session.scalar(select(Milestone).where(
        Milestone.title.like("Iedere gemeente%"))).team
    db.session.add(Milestone(team=team, title="Evaluatie over drie weken",
                             kind=MilestoneKind.MIJLPAAL, due_date=date(2018, 10, 23)))
    db.session.add(Milestone(team=team, title="Deadline over 350 dagen",
                             kind=MilestoneKind.DEADLINE,
                             due_date=date(2018, 10, 2) + timedelta(days=350)))
    db.session.commit()
    run_job("digests", DAY_AFTER)
    text = _digest_row(welten).body_text
    assert text.splitlines()[0] == "Geachte burgemeester Welten,"
    portfolio = text.split("== Uw portefeuille: Verwarde personen ==")[1].split(
        "== Het netwerk ==")[0]
    missed = _block(portfolio, "Verstreken")
    assert "sluitende aanpak: 1 oktober 2018: Te laat (0 van 78 gemeenten gereed" in missed
    assert "Evaluatie over drie weken: 23 oktober 2018" in _block(portfolio, "Binnen vier weken")
    later = _block(portfolio, "Later")
    assert "Deadline over 350 dagen: 17 september 2019: Op schema (nog 350 dagen)" in later
    assert "sluitende aanpak" not in later
    # One state word per milestone line; never the words of the old digest.
    labels = ("Gehaald", "Op schema", "Risico", "Te laat")
    lines = text.splitlines()
    milestone_lines = [line for line, link in zip(lines, lines[1:], strict=False)
                       if link.endswith("#blok-mijlpalen")]
    assert len(milestone_lines) >= 4
    for line in milestone_lines:
        assert sum(line.count(label) for label in labels) == 1, line
    for word in ("verlopen", "verder weg", "Harde deadlines"):
        assert word not in text.lower()
    # The portfolio is not repeated under the network.
    network = text.split("== Het netwerk ==")[1]
    assert "/teams/verwarde-personen" not in network
    assert "sluitende aanpak" not in network


def test_overdue_lines_name_owner_and_team(demo):
    welten = _user("welten@example.org")
    run_job("digests", DAY_AFTER)
    text = _digest_row(welten).body_text
    overdue = [line for line in text.split("Acties over de datum:")[2].splitlines()
               if line.startswith("- ")]
    assert overdue
    assert ("- Bijeenkomst voorjaar 2018 voor gemeentesecretarissen, gericht op bewustwording "
            "(Ondermijning; eigenaar Marjan Nekkers; gereed per voorjaar 2018,") in overdue[1]
    for line in overdue:
        assert re.search(r"\(([^;]+); (eigenaar [^;]+|geen eigenaar); gereed per ", line), line


# --- The form of address ------------------------------------------------------------------

def test_the_beheerder_sets_the_form_of_address(client, login):
    admin = create_user(role=Role.BEHEERDER, email="secretariaat@example.org")
    mayor = create_user(role=Role.BESTUURDER, name="Welten", email="welten@example.org")
    db.session.commit()
    login(admin)
    page = client.get(f"/beheer/gebruikers/{mayor.id}").get_data(as_text=True)
    assert "Geachte heer/mevrouw," in page  # the default until one is stored
    response = _post(client, f"/beheer/gebruikers/{mayor.id}/aanhef",
                     {"salutation": "  Geachte burgemeester   Welten, "})
    assert response.status_code == 303
    db.session.expire_all()
    assert mayor.salutation == "Geachte burgemeester Welten,"
    assert mayor.greeting == "Geachte burgemeester Welten,"
    versions = version_class(User)
    assert "Geachte burgemeester Welten," in db.session.scalars(
        select(versions.salutation).where(versions.id == mayor.id)).all()
    bad = _post(client, f"/beheer/gebruikers/{mayor.id}/aanhef",
                {"salutation": "Beste welten@example.org,"})
    assert bad.status_code == 422
    assert "Een aanhef is geen e-mailadres" in bad.get_data(as_text=True)
    cleared = _post(client, f"/beheer/gebruikers/{mayor.id}/aanhef", {"salutation": ""})
    assert cleared.status_code == 303
    db.session.expire_all()
    assert mayor.salutation is None and mayor.greeting == "Geachte heer/mevrouw,"


def test_only_the_beheerder_sets_someone_elses(client, login):
    mayor = create_user(role=Role.BESTUURDER, name="Welten", email="welten@example.org")
    other = create_user(role=Role.BESTUURDER, name="Heidema", email="heidema@example.org")
    db.session.commit()
    login(other)
    response = _post(client, f"/beheer/gebruikers/{mayor.id}/aanhef", {"salutation": "Hoi,"})
    assert response.status_code == 403
    db.session.expire_all()
    assert mayor.salutation is None


def test_a_person_sets_their_own_and_the_next_digest_uses_it(app, client, login, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_DIGEST_SKIP_EMPTY", False)
    mayor = create_user(role=Role.BESTUURDER, name="Anna de Vries",
                        email="a.devries@example.org")
    db.session.commit()
    login(mayor)
    page = client.get("/instellingen/meldingen").get_data(as_text=True)
    assert "Beste Anna," in page and 'href="/instellingen/overzicht"' in page
    response = _post(client, "/instellingen/aanhef",
                     {"salutation": "Geachte burgemeester De Vries,"})
    assert response.status_code == 303
    bad = _post(client, "/instellingen/aanhef", {"salutation": "x" * 121})
    assert bad.status_code == 422 and "hoogstens 120 tekens" in bad.get_data(as_text=True)
    run_job("digests", DAY_AFTER)
    row = _digest_row(mayor)
    assert row.body_text.splitlines()[0] == "Geachte burgemeester De Vries,"
    assert "Geachte burgemeester De Vries," in row.body_html


@pytest.mark.parametrize(("name", "email", "expected"), [
    ("k.pieters", "k.pieters@example.org", "Geachte heer/mevrouw,"),
    ("k.pieters@example.org", "k.pieters@example.org", "Geachte heer/mevrouw,"),
    ("Karel Pieters", "k.pieters@example.org", "Beste Karel,"),
])
def test_the_default_greeting_is_never_the_address(app, monkeypatch, name, email, expected):
    monkeypatch.setitem(app.config, "TRACKER_DIGEST_SKIP_EMPTY", False)
    user = create_user(role=Role.BESTUURDER, name=name, email=email)
    db.session.commit()
    run_job("digests", DAY_AFTER)
    first = _digest_row(user).body_text.splitlines()[0]
    assert first == expected
    assert "pieters" not in first.lower().replace("karel", "")


def test_erasure_clears_the_form_of_address_in_history_too():
    person = create_user(role=Role.BESTUURDER, name="Welten", email="welten@example.org",
                         salutation="Geachte burgemeester Welten,")
    db.session.commit()
    person.salutation = "Geachte heer Welten,"
    db.session.commit()
    erase_person(person, actor=None, now=utcnow(), reason="verzoek")
    db.session.commit()
    versions = version_class(User)
    assert person.salutation is None
    assert db.session.scalars(select(versions.salutation).where(
        versions.id == person.id, versions.salutation.is_not(None))).all() == []


# --- Mijn overzicht van deze week ---------------------------------------------------------

def test_the_page_is_the_mails_own_text(demo, client, login):
    welten = _user("welten@example.org")
    with time_machine.travel(DAY_AFTER, tick=False):
        login(welten)
        before = _page_text(client)
        run_job("digests", DAY_AFTER)
        after = _page_text(client)
        base = client.get("/").get_data(as_text=True)
    mail = _digest_row(welten).body_text
    assert before == after == body_without_footer(mail)
    assert before.startswith("Geachte burgemeester Welten,\n")
    assert "\nVerstreken:\n" in before and "__afmelden_verborgen__" not in before
    assert 'href="/instellingen/overzicht"' in base and ">Mijn overzicht<" in base


def test_the_page_for_someone_without_a_digest(client, login):
    reader = create_user(role=Role.LEZER, name="Piet Jansen", email="piet@example.org")
    db.session.commit()
    login(reader)
    body = client.get("/instellingen/overzicht").get_data(as_text=True)
    assert "Mijn overzicht van deze week" in body
    assert "Beste Piet," in body


def test_the_page_needs_a_login(client):
    response = client.get("/instellingen/overzicht")
    assert response.status_code in (302, 303) and "/inloggen" in response.headers["Location"]


def _grow(n: int) -> None:
    """More of everything the digest reads: teams with chairs, milestones, actions, events."""
    for _ in range(n):
        team = create_team()
        owner = create_user(role=Role.COORDINATOR)
        add_member(team, owner, TeamRole.VOORZITTER)
        db.session.add(Milestone(team=team, title="Mijlpaal", kind=MilestoneKind.DEADLINE,
                                 due_date=date(2018, 9, 1)))
        for days in (3, 40):
            create_action(team, owner=owner, due_date=date(2018, 10, 2) - timedelta(days=days))
        db.session.add(Event(team=team, title="Overleg", status=EventStatus.GEPLAND,
                             starts_at=DAY_AFTER + timedelta(days=7)))
    db.session.commit()


def test_the_page_takes_a_fixed_number_of_queries(demo, client, login, count_queries):
    welten = _user("welten@example.org")
    with time_machine.travel(DAY_AFTER, tick=False):
        login(welten)
        client.get("/instellingen/overzicht")  # warm caches
        with count_queries() as small:
            first = _page_text(client)
        _grow(12)
        with count_queries() as large:
            second = _page_text(client)
    assert second != first  # the new teams' work is there
    assert small.count == large.count, "\n".join(large.statements)
