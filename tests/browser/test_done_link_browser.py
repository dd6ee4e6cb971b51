"""The "gereed melden" page of a bundle's link: axe, 320 px, and its button marks done."""

from datetime import date

from tests.factories import add_member, create_action, create_team, create_user
from tracker.actions.models import Action
from tracker.enums import ActionStatus, Role
from tracker.extensions import db
from tracker.notifications.messages import done_token


def test_done_link_page_with_axe_at_320_px(app, live_server, page, axe_check):
    team = create_team(short_name="Link", slug="link")
    owner = create_user(name="Eigenaar", email="eigenaar@example.org", role=Role.COORDINATOR)
    add_member(team, owner)
    action = create_action(team, owner=owner, due_date=date(2026, 1, 5), title="Plan maken")
    db.session.commit()
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(f"{live_server}/gereed/{done_token(owner.id, [action.id])}/{action.id}")
    axe_check(page)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == ActionStatus.OPEN
    page.get_by_role("button", name="Gereed melden").click()
    page.get_by_text("staat op gereed").wait_for()
    axe_check(page)
    assert page.console_errors == []
    page.goto(f"{live_server}/gereed/niet-geldig/{action.id}")  # 400: a console entry
    page.get_by_text("Deze link is ongeldig").wait_for()
    axe_check(page)
    db.session.rollback()  # end the test's read snapshot: the live server committed
    assert db.session.get(Action, action.id).status == ActionStatus.GEREED
