"""Care with consequences for pilots: confirmation of terminal moves, results and lessons
asked for evaluated/secured pilots, and the coordinator's correction with a reason."""

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_for
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.enums import PilotStatus
from tracker.extensions import db
from tracker.pilots import rules
from tracker.pilots.models import Pilot


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _post(client, path, data=None):
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token_for(client)
    return client.post(path, data=payload)


def _pilot(title):
    db.session.expire_all()
    return db.session.scalar(select(Pilot).where(Pilot.title == title))


KAMPEN = "Pilot groepsscan Kampen"  # jeugd, geëvalueerd, no results nor lessons


def _verwarde_pilot(status=PilotStatus.LOPEND, results="Resultaat", lessons="Les"):
    """A pilot of Verwarde personen (coordinator@example.org is its team's coordinator)."""
    from tracker.network.models import Team

    team = db.session.scalar(select(Team).where(Team.slug == "verwarde-personen"))
    pilot = Pilot(team=team, title="Pilot wijkgerichte GGZ", status=status, results=results,
                  lessons=lessons)
    db.session.add(pilot)
    db.session.commit()
    return pilot


def test_the_rules_name_terminal_moves_and_findings_once():
    assert rules.is_terminal(PilotStatus.GEBORGD) and rules.is_terminal(PilotStatus.GESTOPT)
    assert not rules.is_terminal(PilotStatus.LOPEND)
    assert set(rules.missing_findings(PilotStatus.GEBORGD, "", " ")) == {"results", "lessons"}
    assert rules.missing_findings(PilotStatus.LOPEND, "", "") == {}
    assert rules.correction_targets(PilotStatus.GEBORGD)[-1] == PilotStatus.GEEVALUEERD
    assert PilotStatus.LOPEND in rules.correction_targets(PilotStatus.GESTOPT)
    assert rules.correction_targets(PilotStatus.GEPLAND) == ()


def test_terminal_move_without_confirm_shows_the_confirmation_and_changes_nothing(
        demo, client, login):
    login(_user("tom.liedenbaum@example.org"))
    pilot = _pilot(KAMPEN)
    response = _post(client, f"/pilots/{pilot.id}/status", {"status": "gestopt", "version": 1})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "eindstatus" in page and 'name="confirm" value="1"' in page
    assert _pilot(KAMPEN).status == PilotStatus.GEEVALUEERD
    # the GET page says the same and changes nothing either
    assert client.get(f"/pilots/{pilot.id}/status?naar=gestopt").status_code == 200
    assert _pilot(KAMPEN).status == PilotStatus.GEEVALUEERD
    # the detail page links to the confirmation instead of a one-click button
    detail = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert f"/pilots/{pilot.id}/status?naar=gestopt" in detail
    confirmed = _post(client, f"/pilots/{pilot.id}/status",
                      {"status": "gestopt", "version": 1, "confirm": "1"})
    assert confirmed.status_code == 303
    assert _pilot(KAMPEN).status == PilotStatus.GESTOPT


def test_secured_without_results_and_lessons_is_422_with_the_fields(demo, client, login):
    login(_user("tom.liedenbaum@example.org"))
    pilot = _pilot(KAMPEN)
    response = _post(client, f"/pilots/{pilot.id}/status",
                     {"status": "geborgd", "version": 1, "confirm": "1",
                      "results": "", "lessons": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vul de resultaten in" in page and "Vul de geleerde lessen in" in page
    assert 'id="veld-results"' in page and 'aria-invalid="true"' in page
    assert _pilot(KAMPEN).status == PilotStatus.GEEVALUEERD
    # with both filled in, the move is saved together with the findings
    ok = _post(client, f"/pilots/{pilot.id}/status",
               {"status": "geborgd", "version": 1, "confirm": "1",
                "results": "Groepsscan in vier gemeenten.", "lessons": "Vroeg beginnen."})
    assert ok.status_code == 303
    after = _pilot(KAMPEN)
    assert after.status == PilotStatus.GEBORGD and after.lessons == "Vroeg beginnen."


def test_evaluated_without_findings_is_refused(demo, client, login):
    login(_user("coordinator@example.org"))
    pilot = _verwarde_pilot(PilotStatus.LOPEND, results="", lessons="")
    response = _post(client, f"/pilots/{pilot.id}/status",
                     {"status": "geevalueerd", "version": pilot.version})
    assert response.status_code == 422
    assert "Vul de resultaten in" in response.get_data(as_text=True)
    assert _pilot(pilot.title).status == PilotStatus.LOPEND


def test_coordinator_corrects_status_with_a_reason(demo, client, login):
    login(_user("coordinator@example.org"))
    pilot = _verwarde_pilot(PilotStatus.GESTOPT)
    first_version, title = pilot.version, pilot.title
    assert "Status corrigeren" in client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    no_reason = _post(client, f"/pilots/{pilot.id}/status/corrigeren",
                      {"status": "lopend", "reason": "", "version": pilot.version})
    assert no_reason.status_code == 422 and 'aria-invalid="true"' in no_reason.get_data(as_text=True)
    assert _pilot(pilot.title).status == PilotStatus.GESTOPT
    response = _post(client, f"/pilots/{pilot.id}/status/corrigeren",
                     {"status": "lopend", "reason": "Per vergissing gestopt",
                      "version": pilot.version})
    assert response.status_code == 303
    assert _pilot(pilot.title).status == PilotStatus.LOPEND
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "pilot.status_correct", AuditEntry.object_id == pilot.id))
    assert entry.after == {"status": "lopend", "reason": "Per vergissing gestopt"}
    assert "Per vergissing gestopt" in client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    # a stale form is a conflict, not an overwrite
    stale = _post(client, f"/pilots/{pilot.id}/status/corrigeren",
                  {"status": "gepland", "reason": "Nog eens", "version": first_version})
    assert stale.status_code == 409
    assert _pilot(title).status == PilotStatus.LOPEND


def test_a_forward_move_is_no_correction(demo, client, login):
    login(_user("coordinator@example.org"))
    pilot = _verwarde_pilot(PilotStatus.LOPEND)
    response = _post(client, f"/pilots/{pilot.id}/status/corrigeren",
                     {"status": "geborgd", "reason": "Sneller", "version": pilot.version})
    assert response.status_code == 422
    assert _pilot(pilot.title).status == PilotStatus.LOPEND


@pytest.mark.parametrize(("email", "allowed"), [("coordinator@example.org", False),
                                                ("tom.liedenbaum@example.org", False),
                                                ("lezer@example.org", False),
                                                ("beheerder@example.org", True)])
def test_only_the_teams_coordinator_or_beheerder_corrects(demo, client, login, email, allowed):
    pilot = _pilot(KAMPEN)  # jeugd: coordinator@example.org coordinates another team
    login(_user(email))
    response = _post(client, f"/pilots/{pilot.id}/status/corrigeren",
                     {"status": "lopend", "reason": "Terug", "version": pilot.version})
    assert response.status_code == (303 if allowed else 403)
    assert (_pilot(KAMPEN).status == PilotStatus.LOPEND) is allowed
