"""The report's PDF and Word files made in the background for a big network (issue 15):
offered on the download page, asked for by a POST, made by the ``report-renders`` job,
served only for the data they were made from."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from
from tests.factories import create_user
from tracker.actions.models import Action
from tracker.auth.models import User
from tracker.clock import local_today
from tracker.db import utcnow
from tracker.enums import Role
from tracker.extensions import db
from tracker.jobs import run_job
from tracker.report import renders
from tracker.report.models import RenderStatus, ReportRender

PEILDATUM = "2018-02-01"
PDF_URL = f"/report.pdf?peildatum={PEILDATUM}"
DOCX_URL = f"/report.docx?peildatum={PEILDATUM}"

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="poppler-utils not installed")


@pytest.fixture
def beheerder(demo, client, login):
    user = db.session.scalar(select(User).where(User.email == "beheerder@example.org"))
    login(user)
    return user


def _ask(client, page: str, fmt: str = "pdf", *, peildatum: str = PEILDATUM,
         today: bool = False):
    html = client.get(page).get_data(as_text=True)
    return client.post("/report/bestanden", data={
        "csrf_token": csrf_token_from(html), "formaat": fmt,
        "peildatum": local_today().isoformat() if today else peildatum})


def _text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def _renders() -> list[ReportRender]:
    db.session.expire_all()
    return db.session.scalars(select(ReportRender).order_by(ReportRender.id)).all()


def test_a_small_report_is_made_in_the_request(beheerder, client):
    response = client.get(PDF_URL)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert _renders() == []


def test_a_big_report_offers_the_file_and_asks_for_nothing_by_looking(
        beheerder, client, big_report, count_queries):
    client.get(PDF_URL)
    with count_queries() as queries:
        response = client.get(PDF_URL)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "PDF laten maken" in html and 'action="/report/bestanden"' in html
    assert "1 februari 2018" in html and "te veel om het bestand direct te maken" in html
    assert _renders() == []  # a GET changes nothing
    assert queries.count <= 8


@needs_pdftotext
def test_asked_made_by_the_job_then_served_with_the_content_made_in_a_request(
        app, beheerder, client, big_report):
    response = _ask(client, PDF_URL)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(PDF_URL)
    assert _ask(client, PDF_URL).status_code == 303  # asked twice: one file
    [render] = _renders()
    assert render.status == RenderStatus.QUEUED and render.requested_by_id == beheerder.id

    waiting = client.get(PDF_URL)
    html = waiting.get_data(as_text=True)
    assert waiting.status_code == 202
    assert "Het bestand wordt gemaakt" in html and 'hx-trigger="every 10s"' in html

    result = run_job("report-renders", utcnow())
    assert "bytes in" in str(result)
    [render] = _renders()
    assert render.status == RenderStatus.READY and render.seconds is not None

    served = client.get(PDF_URL)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "application/pdf"
    assert 'filename="voortgangsrapportage-februari-2018.pdf"' in served.headers[
        "Content-Disposition"]
    app.config["TRACKER_REPORT_INLINE_ACTIONS"] = 10**9
    inline = client.get(PDF_URL)
    app.config["TRACKER_REPORT_INLINE_ACTIONS"] = 10
    assert _text(served.data) == _text(inline.data)

    # The page polling (htmx) gets the link, never the file itself.
    polled = client.get(PDF_URL, headers={"HX-Request": "true"})
    assert polled.status_code == 200 and polled.mimetype == "text/html"
    assert "Het bestand is klaar" in polled.get_data(as_text=True)
    assert f'href="{PDF_URL.replace("?", "?")}"' in polled.get_data(as_text=True)


def _edit_an_action() -> Action:
    action = db.session.scalar(select(Action).order_by(Action.id))
    action.title = action.title + " (gewijzigd)"
    db.session.commit()
    return action


def test_a_change_to_the_data_of_the_day_is_never_served_an_older_file(beheerder, client, big_report):
    """Today's report changes with every change: a file made before it is only offered as
    the stand of its moment, beside making it anew."""
    _ask(client, "/report.pdf", today=True)
    run_job("report-renders", utcnow())
    made = client.get("/report.pdf")
    assert made.mimetype == "application/pdf"
    _edit_an_action()
    response = client.get("/report.pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "PDF laten maken" in html
    assert "Eerder gemaakt:" in html and "met de stand van" in html
    earlier = re.search(r'href="(/report/bestanden/\d+\.pdf)"', html)[1]
    older = client.get(earlier)
    assert older.status_code == 200 and older.data == made.data
    assert re.search(r'filename="voortgangsrapportage-[a-z]+-\d{4}-stand-\d{4}-\d{2}-\d{2}-\d{4}'
                     r'\.pdf"', older.headers["Content-Disposition"])
    assert client.get(earlier.replace(".pdf", ".docx")).status_code == 404


def test_a_day_gone_by_keeps_its_file_whatever_changes_later(beheerder, client, big_report):
    """The report on a past peildatum is read from the history up to that day: a later
    change cannot alter it, so its file stays served."""
    _ask(client, PDF_URL)
    run_job("report-renders", utcnow())
    _edit_an_action()
    assert client.get(PDF_URL).mimetype == "application/pdf"


def test_data_changed_after_asking_is_stored_under_the_data_it_shows(beheerder, client, big_report):
    _ask(client, "/report.pdf", today=True)
    _edit_an_action()
    run_job("report-renders", utcnow())
    [render] = _renders()
    today = local_today()
    assert render.key == renders.render_key("pdf", today, renders.data_version(today))
    assert client.get("/report.pdf").mimetype == "application/pdf"


def test_the_page_polls_quietly_until_the_file_is_there(beheerder, client, big_report):
    _ask(client, PDF_URL)
    polled = client.get(PDF_URL, headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled.data == b""  # nothing new to announce
    run_job("report-renders", utcnow())
    polled = client.get(PDF_URL, headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "Het bestand is klaar" in polled.get_data(as_text=True)


def test_one_person_waits_for_at_most_three_files(beheerder, client, big_report):
    for day in ("2018-01-29", "2018-01-30", "2018-01-31"):
        assert _ask(client, PDF_URL, peildatum=day).status_code == 303
    refused = _ask(client, PDF_URL)
    assert refused.status_code == 429
    assert "U hebt al 3 bestanden laten maken" in refused.get_data(as_text=True)
    assert len(_renders()) == 3
    assert _ask(client, PDF_URL, peildatum="2018-01-29"
                ).status_code == 303  # asking again for one that waits is no new file
    run_job("report-renders", utcnow())
    assert _ask(client, PDF_URL).status_code == 303


def test_the_word_file_the_same_way(beheerder, client, big_report):
    page = client.get(DOCX_URL).get_data(as_text=True)
    assert "Word-document laten maken" in page
    _ask(client, DOCX_URL, "docx")
    run_job("report-renders", utcnow())
    response = client.get(DOCX_URL)
    assert response.status_code == 200
    assert response.data[:2] == b"PK"
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument")


def test_a_render_that_keeps_failing_is_marked_and_can_be_asked_again(
        beheerder, client, big_report, monkeypatch):
    def broken(report, fmt):
        raise RuntimeError("opmaak mislukt")

    monkeypatch.setattr(renders, "render_file_of", broken)
    _ask(client, PDF_URL)
    for attempt in range(renders.MAX_ATTEMPTS):
        # each failure waits a little longer before the next attempt
        run_job("report-renders", utcnow() + timedelta(minutes=10 * (attempt + 1)))
    [render] = _renders()
    assert render.status == RenderStatus.FAILED and "opmaak mislukt" in render.last_error
    page = client.get(PDF_URL).get_data(as_text=True)
    assert "Het maken van het bestand is mislukt" in page and "PDF laten maken" in page
    assert "opmaak mislukt" not in page  # the technical reason is for the log
    monkeypatch.undo()
    _ask(client, PDF_URL)
    [render] = _renders()
    assert render.status == RenderStatus.QUEUED and render.attempts == 0
    run_job("report-renders", utcnow())
    assert client.get(PDF_URL).mimetype == "application/pdf"


def test_old_files_are_removed(beheerder, client, big_report):
    _ask(client, PDF_URL)
    run_job("report-renders", utcnow())
    run_job("report-renders", utcnow() + renders.KEEP + timedelta(minutes=1))
    assert _renders() == []


@pytest.mark.parametrize("data, problem", [
    ({"peildatum": PEILDATUM, "formaat": "html"}, "Kies PDF of Word."),
    ({"peildatum": "2018-02-31", "formaat": "pdf"}, "Ongeldige peildatum"),
    ({"peildatum": "2999-01-01", "formaat": "pdf"}, "toekomst"),
    ({"peildatum": "20180201", "formaat": "pdf"}, "Ongeldige peildatum"),
])
def test_a_wrong_request_is_refused_and_asks_for_nothing(beheerder, client, big_report, data, problem):
    html = client.get(PDF_URL).get_data(as_text=True)
    response = client.post("/report/bestanden", data={"csrf_token": csrf_token_from(html), **data})
    assert response.status_code == 400
    assert problem in response.get_data(as_text=True)
    assert _renders() == []


def test_a_partner_may_not_ask(demo, client, login, big_report):
    partner = create_user(role=Role.PARTNER)
    db.session.commit()
    login(partner)
    html = client.get("/").get_data(as_text=True)
    response = client.post("/report/bestanden", data={
        "csrf_token": csrf_token_from(html), "peildatum": PEILDATUM, "formaat": "pdf"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ReportRender)) == 0


# --- editions of a big network: published by the job --------------------------------------

CONFIRM = {"peildatum": PEILDATUM, "versie": "versie februari 2018", "bevestigd": "1"}


def _publish(client, data=CONFIRM):
    html = client.get(f"/report/edities/voorbeeld?peildatum={PEILDATUM}").get_data(as_text=True)
    return client.post("/report/edities", data={**data, "csrf_token": csrf_token_from(html)})


def test_a_big_edition_is_published_by_the_job_exactly_as_previewed(
        app, beheerder, client, big_report):
    from tracker.audit.models import AuditEntry
    from tracker.report.models import ReportEdition

    preview = client.get(f"/report/edities/voorbeeld.html?peildatum={PEILDATUM}").get_data(
        as_text=True)
    response = _publish(client)
    assert response.status_code == 303
    assert _publish(client).status_code == 303  # confirmed twice: published once
    assert db.session.scalar(select(func.count()).select_from(ReportEdition)) == 0
    listing = client.get("/report/edities").get_data(as_text=True)
    assert "Wordt gepubliceerd" in listing and "versie februari 2018</strong>: de bestanden" in listing
    assert "wordt gepubliceerd" in listing  # the flash

    run_job("report-renders", utcnow())
    db.session.expire_all()
    edition = db.session.scalar(select(ReportEdition))
    assert edition.version_label == "versie februari 2018"
    assert edition.html == preview
    assert edition.pdf.startswith(b"%PDF") and edition.docx[:2] == b"PK"
    assert edition.published_by_id == beheerder.id
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "report_edition.publish")) == 1
    listing = client.get("/report/edities").get_data(as_text=True)
    assert "Wordt gepubliceerd" not in listing and "<strong>Actueel</strong>" in listing
    [render] = _renders()
    assert render.edition_id == edition.id and render.status == RenderStatus.READY


def test_a_big_edition_published_meanwhile_fails_with_its_reason(app, beheerder, client, big_report):
    _publish(client)
    app.config["TRACKER_REPORT_INLINE_ACTIONS"] = 10**9
    assert _publish(client).status_code == 303  # published in the request meanwhile
    app.config["TRACKER_REPORT_INLINE_ACTIONS"] = 10
    run_job("report-renders", utcnow())
    [render] = _renders()
    assert render.status == RenderStatus.FAILED
    listing = client.get("/report/edities").get_data(as_text=True)
    assert "niet gepubliceerd. Er is al een editie ‘versie februari 2018’ gepubliceerd." in listing


def test_a_big_edition_without_confirmation_is_refused_and_asks_for_nothing(
        beheerder, client, big_report):
    response = _publish(client, {"peildatum": PEILDATUM, "versie": "versie maart 2018",
                                 "bevestigd": "1"})
    assert response.status_code == 422
    assert _renders() == []


def test_a_big_edition_holds_the_stand_of_the_moment_it_was_asked(beheerder, client, big_report):
    """Asked during its peildatum, an edition published minutes later by the job shows the
    stand when it was confirmed, not what was changed on that day after it."""
    from tracker.report.models import ReportEdition

    today = local_today().isoformat()
    html = client.get(f"/report/edities/voorbeeld?peildatum={today}").get_data(as_text=True)
    assert "worden HTML, PDF en Word op de achtergrond gemaakt" in html
    label = re.search(r'name="versie" value="([^"]+)"', html)[1]
    assert client.post("/report/edities", data={
        "csrf_token": csrf_token_from(html), "peildatum": today, "versie": label,
        "bevestigd": "1"}).status_code == 303
    assert "Deze editie wordt al gepubliceerd" in client.get(
        f"/report/edities/voorbeeld?peildatum={today}").get_data(as_text=True)
    action = _edit_an_action()
    run_job("report-renders", utcnow())
    edition = db.session.scalar(select(ReportEdition))
    assert edition.version_label == label
    assert action.title not in edition.html
    assert action.title.removesuffix(" (gewijzigd)") in edition.html
