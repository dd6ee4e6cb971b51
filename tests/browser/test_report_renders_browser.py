"""A big network's report file in a real browser, at 320 px (issue 15): offered, asked
for, made by the job, and the link shows up by itself while the page waits."""

from __future__ import annotations

from tests.browser.conftest import sign_in
from tracker.db import utcnow
from tracker.jobs import run_job

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_a_big_reports_pdf_is_asked_for_and_appears_by_itself(demo, big_report, live_server, page,
                                                               axe_check):
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, live_server, "beheerder@example.org")
    page.goto(f"{live_server}/report.pdf?peildatum=2018-02-01")
    assert page.get_by_role("heading", level=1).inner_text().replace("\u00ad", "") == (
        "PDF van de voortgangsrapportage")
    assert page.evaluate(OVERFLOW) <= 0
    axe_check(page)
    button = page.get_by_role("button", name="PDF laten maken")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the keyboard alone: a POST, then this page again
    assert page.url == f"{live_server}/report.pdf?peildatum=2018-02-01"
    status = page.locator("#bestand-status")
    assert "Het bestand wordt gemaakt" in status.inner_text()
    axe_check(page)
    run_job("report-renders", utcnow())
    # The page asks every 10 s; the link appears in the live region without a reload.
    link = status.get_by_role("link", name="PDF downloaden")
    link.wait_for(timeout=25_000)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "voortgangsrapportage-februari-2018.pdf"
    assert page.console_errors == []
