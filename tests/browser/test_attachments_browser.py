"""Bijlagen in the browser at 375 px: upload through the page's form, see it listed, axe."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from tests import attachment_samples as samples
from tests.conftest import DEMO_PASSWORD
from tracker.actions.models import Action
from tracker.extensions import db
from tracker.network.models import Team


def test_upload_a_file_on_a_phone_and_see_it_listed(demo, app, live_server, page, axe_check,
                                                   tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_ATTACHMENT_DIR", str(tmp_path / "bijlagen"))
    action_id = db.session.scalar(select(Action.id).join(Team).where(
        Team.slug == "verwarde-personen").order_by(Action.id))
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("coordinator@example.org")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server}/start")

    page.goto(f"{live_server}/actions/{action_id}")
    block = page.locator("#bijlagen")
    expect(block.get_by_role("heading", name="Bijlagen")).to_be_visible()
    axe_check(page)
    page.evaluate("window.__noReload = 'still here'")
    page.get_by_label("Bijlage toevoegen").set_input_files(files=[{
        "name": "Verslag overleg.pdf", "mimeType": "application/pdf",
        "buffer": samples.pdf(20_000)}])
    page.get_by_role("button", name="Uploaden").click()
    expect(page.locator("#bijlagen .vnon-attachments__item")).to_have_count(1)
    item = page.locator("#bijlagen .vnon-attachments__item").first
    expect(item.get_by_role("link", name="Verslag overleg.pdf", exact=True)).to_be_visible()
    expect(item).to_contain_text("20 kB")
    expect(page.locator("#bijlagen [role=status]")).to_contain_text("is toegevoegd")
    assert page.evaluate("window.__noReload") == "still here"  # htmx swapped the block
    # Nothing scrolls sideways at 375 px, and the swapped block passes axe.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(page)

    # A disguised file is refused in the block, with the message at the field.
    page.get_by_label("Bijlage toevoegen").set_input_files(files=[{
        "name": "foto.png", "mimeType": "image/png", "buffer": samples.HTML}])
    page.get_by_role("button", name="Uploaden").click()
    expect(page.locator("#veld-bestand-fout")).to_contain_text("is geweigerd")
    expect(page.get_by_label("Bijlage toevoegen")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#bijlagen .vnon-attachments__item")).to_have_count(1)
    axe_check(page)
    # Chromium logs the refused upload's 422 as a failed resource; nothing else may fail.
    assert [e for e in page.console_errors if "status of 422" not in e] == []
