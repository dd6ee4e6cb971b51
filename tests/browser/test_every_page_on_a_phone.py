"""Every page at 375 and 320 px, as each role (issue 13): the page never scrolls sideways
(a wide data table scrolls inside its own region), every checkbox and radio label has
room (not one syllable per line), and the main menu is one line until opened.

The pages are the app's GET routes (``app.url_map``), filled with ids from the demo
network. A route that is not a page (a file, a fragment, a feed) is listed in NOT_PAGES
with the reason; a new GET route that is in neither list fails the test, so the list
cannot silently fall behind.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD
from tracker.actions.models import Action
from tracker.auth.models import User
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.indicators.models import Indicator
from tracker.milestones.models import Milestone
from tracker.network.models import ReportItem, Team
from tracker.notifications.outbox import Email, enqueue
from tracker.pilots.models import Pilot

WIDTHS = (375, 320)
ROLES = ("beheerder@example.org", "coordinator@example.org", "bestuurder@example.org",
         "partner@example.org", "lezer@example.org")
TEAM = "verwarde-personen"  # the demo coordinator's team: its pages show every form

NOT_PAGES = {
    "static": "files",
    "health.healthz": "a health probe (JSON)",
    "agenda.feed": "an iCalendar feed",
    "events.export": "a CSV file",
    "actions.export": "a CSV file",
    "actions.export_xlsx": "an Excel file (.xlsx)",
    "events.export_xlsx": "an Excel file (.xlsx)",
    "milestones.grid_xlsx": "an Excel file (.xlsx)",
    "indicators.page_xlsx": "an Excel file (.xlsx)",
    "status.indicators_xlsx": "an Excel file (.xlsx)",
    "report.report_docx": "a Word file",
    "report.report_pdf": "a PDF file",
    "report.edition_file": "a stored PDF/Word file",
    "report.made_file": "a PDF/Word file made in the background",
    "outbox.attachment": "an attachment download",
    "attachments.download": "a file download (Content-Disposition: attachment)",
    "outbox.html_part": "a mail's own HTML, shown in a sandboxed frame of outbox.show",
    "milestones.progress": "an htmx fragment of milestones.detail",
    "actions.counters": "an htmx fragment of network.team",
    "status.edit_item_form": "an htmx fragment of status.team_status (?bewerk= is its page)",
    "oidc.callback": "the OpenID Connect callback: redirects only (tests/browser/test_oidc_browser.py)",
    # helper "api": the JSON API (a token, no page); its docs and token pages are pages
    "api_pages.openapi": "the OpenAPI document (JSON)",
    **{f"api.{name}": "the JSON API under /api/v1" for name in (
        "teams", "team", "actions", "team_actions", "action", "milestones", "milestone",
        "pilots", "pilot", "meetings", "meeting", "network_status", "team_status",
        "indicators")},
}

# Checked in the browser: what may scroll sideways is only inside a scroll region.
OVERFLOW = """() => {
  const doc = document.documentElement;
  if (doc.scrollWidth <= window.innerWidth) return {over: 0, wide: []};
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('.vnon-table-scroll, [role=region][tabindex="0"]'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 4).map(e => e.tagName + '.' + e.className);
  return {over: doc.scrollWidth - window.innerWidth, wide};
}"""

# Every box that scrolls sideways is a named, focusable region with a visible hint.
REGIONS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1
               && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
  .filter(e => e.checkVisibility())
  .map(e => ({tag: e.tagName + '.' + e.className, role: e.getAttribute('role'),
              tabindex: e.getAttribute('tabindex'),
              named: !!(e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')),
              hint: getComputedStyle(e, '::before').display !== 'none'
                    && getComputedStyle(e, '::before').content.includes('Schuif')}))
  .filter(r => r.role !== 'region' || r.tabindex !== '0' || !r.named || !r.hint)"""

# Each visible checkbox/radio: the width its label may use (the form field's label
# column; a label squeezed into the box's column is ~24 px wide).
LABELS = """() => [...document.querySelectorAll('input[type=checkbox], input[type=radio]')]
  .filter(i => i.getClientRects().length)
  .map(i => {
    const labels = [...(i.labels || [])].filter(l => !l.classList.contains('visually-hidden'));
    if (!labels.length) return {id: i.id, width: -1};
    const box = labels[0].closest('.utrecht-form-field__label') || labels[0];
    return {id: i.id, width: Math.round(box.getBoundingClientRect().width)};
  })"""

MENU = """() => {
  const nav = document.querySelector('nav[aria-labelledby=hoofdmenu-titel]');
  if (!nav) return null;
  const summary = nav.querySelector('summary');
  const links = [...nav.querySelectorAll('a')].filter(a => a.checkVisibility());
  return {summary: summary && summary.getClientRects().length ? summary.textContent.trim() : null,
          bottom: nav.getBoundingClientRect().bottom, links: links.length,
          current: nav.querySelectorAll('[aria-current=page]').length};
}"""


def _ids() -> dict[str, object]:
    team = db.session.scalar(select(Team).where(Team.slug == TEAM))
    lezer = db.session.scalar(select(User).where(User.email == "lezer@example.org"))
    partner = db.session.scalar(select(User).where(User.email == "partner@example.org"))
    action = db.session.scalar(select(Action).where(Action.team_id == team.id).order_by(Action.id))
    milestone = db.session.scalar(select(Milestone).where(Milestone.per_municipality.is_(True))
                                  .order_by(Milestone.id))
    event = db.session.scalar(select(Event).order_by(Event.id))
    invitation = db.session.scalar(select(Invitation).order_by(Invitation.id))
    item = db.session.scalar(select(ReportItem).where(ReportItem.team_id == team.id))
    pilot = db.session.scalar(select(Pilot).order_by(Pilot.id))
    indicator = db.session.scalar(select(Indicator).order_by(Indicator.id))
    from tracker.attachments.models import Attachment
    from tracker.network.models import Organisation

    organisation = db.session.scalar(select(Organisation).order_by(Organisation.id))
    attachment = Attachment(action_id=action.id, file_name="verslag-" + "lang-" * 12 + ".pdf",
                            storage_name="0" * 32, content_type="application/pdf", size=1234,
                            sha256="0" * 64, uploaded_by_id=lezer.id)
    db.session.add(attachment)
    db.session.flush()
    long_line = "https://tracker.example.org/" + "pad-zonder-spaties-" * 20
    enqueue("telefoon-1", "notice", Email(
        to=["a@example.org"], subject="Een bericht", text=f"Beste lezer,\n\n{long_line}\n",
        html=f"<p>{long_line}</p>"))
    # == Webhooks ==: one receiver with a long address and a failed delivery in its log.
    from tracker.db import utcnow
    from tracker.enums import Role
    from tracker.webhooks.models import DeliveryStatus
    from tracker.webhooks.services import create_webhook, send_test

    beheerder = db.session.scalar(select(User).where(User.role == Role.BEHEERDER).order_by(User.id))
    webhook, _secret = create_webhook(
        name="Dashboard RIEC", url="https://dashboard.example.org/" + "ontvanger-" * 12,
        events=["action.completed", "milestone.reached"], actor=beheerder,
        now=utcnow())
    failed = send_test(webhook, actor=beheerder, now=utcnow())
    failed.status, failed.attempts, failed.last_status_code = DeliveryStatus.FAILED, 7, 503
    failed.last_error = "HTTP 503: " + "Service Unavailable " * 10
    db.session.commit()
    from tracker.notifications.models import OutboxMessage

    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.idempotency_key == "telefoon-1"))
    from tracker.events.tokens import rsvp_token
    from tracker.notifications.messages import done_token, unsubscribe_token

    return {
        "slug": TEAM, "action_id": action.id, "user_id": lezer.id, "milestone_id": milestone.id,
        "event_id": event.id, "pilot_id": pilot.id, "key": indicator.key, "item_id": item.id,
        "message_id": message.id,
        "organisation_id": organisation.id, "attachment_id": attachment.id,
        "webhook_id": webhook.id,
        "token": {
            "events.rsvp": rsvp_token(invitation.id),
            "notifications.unsubscribe": unsubscribe_token(partner.id, "digest"),
            "notifications.done": done_token(action.owner_id or lezer.id, [action.id]),
            "auth.password_form": "een-verlopen-link",
            "auth.email_confirm_form": "een-verlopen-link",
        },
    }


def _pages(app, ids) -> tuple[list[str], list[str]]:
    """(pages that need a login, pages for everyone) from the url_map."""
    signed_in, public = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES:
            continue
        values = {}
        for name in rule.arguments:
            value = ids["token"][rule.endpoint] if name == "token" else ids.get(name)
            assert value is not None, f"no demo value for <{name}> in {rule.rule}: add one"
            values[name] = value
        with app.test_request_context():
            from flask import url_for
            path = url_for(rule.endpoint, **values)
        if rule.endpoint.startswith("report.preview"):
            path += "?peildatum=2018-02-01"
        if rule.endpoint == "search.page":
            path += "?q=gemeente"
        view = app.view_functions[rule.endpoint]
        from tracker.auth.permissions import PUBLIC, declared_permission
        (public if declared_permission(view) == PUBLIC or rule.endpoint.startswith(
            ("auth.login", "auth.forgot", "auth.password_form", "auth.email_confirm", "events.rsvp",
             "notifications.unsubscribe", "notifications.done")) else signed_in).append(path)
    return signed_in, public


def _check(page, url, problems, *, signed_in):
    response = page.goto(url)
    assert response is not None and response.status < 500, (url, response and response.status)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 700})
        where = f"{url} @ {width}px"
        overflow = page.evaluate(OVERFLOW)
        if overflow["over"] > 0:
            problems.append(f"{where}: page scrolls sideways by {overflow['over']}px "
                            f"({overflow['wide']})")
        # The hint is shown by a scroll-state container query, which Chromium evaluates
        # at a frame after the layout of the new width: let two frames pass first.
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                      "requestAnimationFrame(r)))")
        for region in page.evaluate(REGIONS):
            problems.append(f"{where}: sideways scrolling box without region/name/hint: {region}")
        for label in page.evaluate(LABELS):
            if label["width"] < 80:
                problems.append(f"{where}: label of #{label['id']} is {label['width']}px wide")
        menu = page.evaluate(MENU)
        # Folded: one "Menu" line, no links showing, the page starts within 250 px.
        if signed_in and menu is not None and (
                menu["summary"] != "Menu" or menu["links"] or menu["bottom"] > 250):
            problems.append(f"{where}: menu not compact: {menu}")


@pytest.mark.parametrize("email", (None, *ROLES), ids=("afgemeld", *(r.split("@")[0] for r in ROLES)))
def test_every_page_at_375_and_320_pixels_as_each_role(demo, app, live_server, browser, email):
    """Signed out (the public pages) and as each role (every signed-in page): one test
    per role, so that parallel workers share the work."""
    ids = _ids()
    signed_in, public = _pages(app, ids)
    assert len(signed_in) >= 40, signed_in
    started = time.monotonic()
    problems: list[str] = []
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    page = context.new_page()
    if email is None:
        for url in public:
            _check(page, f"{live_server}{url}", problems, signed_in=False)
        context.close()
        assert problems == [], "\n".join(problems)
        return
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    assert "/inloggen" not in page.url, email
    for url in signed_in:
        _check(page, f"{live_server}{url}", problems, signed_in=True)
    # The folded menu opens by keyboard and keeps aria-current.
    page.goto(f"{live_server}/milestones")
    page.set_viewport_size({"width": 320, "height": 700})
    summary = page.locator("nav summary")
    summary.focus()
    page.keyboard.press("Enter")
    menu = page.evaluate(MENU)
    assert menu["links"] >= 8 and menu["current"] == 1, (email, menu)
    expect(page.get_by_role("link", name="Mijlpalen", exact=True)).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 700})
    page.reload()
    wide = page.evaluate(MENU)
    assert wide["summary"] is None and wide["links"] >= 8, (email, wide)  # always open
    context.close()
    assert problems == [], "\n".join(problems)
    # About 15 s per role on an idle machine; the bound leaves room for a busy CI runner.
    assert time.monotonic() - started < 120
