"""The beheerder exports and erases a person in the browser; every step passes axe."""

import re
import zipfile

from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD
from tracker.auth.models import User
from tracker.enums import Role
from tracker.extensions import db


def test_export_and_erase_a_person_with_axe(demo, live_server, page, axe_check, tmp_path):
    person = db.session.scalars(select(User).where(User.role == Role.COORDINATOR)
                                .order_by(User.id)).first()
    name = person.name
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("beheerder@example.org")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r".*/start$"))
    page.goto(f"{live_server}/beheer/gebruikers/{person.id}")
    axe_check(page)

    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Gegevens exporteren")).click()
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    assert name in zipfile.ZipFile(path).read("gegevens.json").decode()

    page.get_by_role("link", name="Persoon wissen…").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Persoon wissen: {name}"
    axe_check(page)
    page.get_by_label(re.compile("Typ ter bevestiging de naam")).fill("iemand anders")
    page.get_by_role("button", name="Persoon definitief wissen").click()
    assert "Typ de naam precies" in page.content()
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 700})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    page.get_by_label(re.compile("Typ ter bevestiging de naam")).fill(name)
    page.get_by_role("button", name="Persoon definitief wissen").click()
    page.wait_for_url(f"{live_server}/beheer/gebruikers/{person.id}")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Persoon ") and heading != name
    assert "Deze persoon is gewist" in page.content()
    axe_check(page)
    # The refused confirmation is a 422 page, which Chromium reports; nothing else.
    assert [e for e in page.console_errors if "422" not in e] == []
