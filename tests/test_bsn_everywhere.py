"""No citizen service number (BSN) in any free text: every field of every form, and the
free text that services take without a form. QUALITY: privacy.

The walk imports every module of the app, collects every subclass of the base ``Form``
and submits a BSN that passes the elfproef in each of its fields. A field whose value is
text must refuse it with the Dutch message; a field that would keep the number as text
fails the walk, so a new text field cannot escape the rule. The few fields that are not
free text say so (``no_bsn=False``) and are listed below with the reason.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

import tracker
from tests.conftest import csrf_token_for
from tests.factories import create_team
from tracker.auth.models import User
from tracker.extensions import db
from tracker.forms import Form, ParsedField
from tracker.privacy import passes_elfproef
from tracker.validation import ValidationError, ValidationErrors

BSN = "111222333"
BSN_MESSAGE = "lijkt een burgerservicenummer te bevatten"
#: Ways people write a BSN in running text.
WRITTEN = [f"Zie {BSN}", "cliënt 111.222.333", "BSN 111 222 333", "1112.22.333 (moeder)"]

#: Fields that are not free text, and why they may hold nine digits.
NOT_FREE_TEXT = {
    ("SetPasswordForm", "password"): "stored only as a hash; any password is allowed",
    ("SetPasswordForm", "password_again"): "the same password typed again",
    ("ForgotPasswordForm", "email"): "only looked up; the answer never differs",
    ("MeasurementForm", "district"): "a district chosen from the indicator's own",
    ("MeasurementForm", "period"): "a period chosen from the indicator's own",
    ("MeasurementForm", "value"): "a number: 111.222.333 is a count",
    ("PublishForm", "versie"): "the edition label the preview page generated",
}


def all_forms() -> list[type[Form]]:
    for module in pkgutil.walk_packages(tracker.__path__, "tracker."):
        importlib.import_module(module.name)
    found, todo = [], list(Form.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def _fields(cls) -> list[str]:
    return [name for name, value in inspect.getmembers(cls)
            if getattr(value, "field_class", None) is not None
            and issubclass(value.field_class, ParsedField)]


FIELDS = [(cls, name) for cls in all_forms() for name in _fields(cls)]


def _build(cls, data: dict[str, str]):
    """The form bound to ``data`` as a POST would bind it; choice sets left empty."""
    kwargs = {}
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if param.kind is param.KEYWORD_ONLY and param.default is param.empty:
            kwargs[name] = SimpleNamespace(version=1) if name == "item" else set()
    return cls(formdata=MultiDict(data), **kwargs)


def _submit(app, cls, name: str, value: str):
    """(the field's error or None, its parsed value)."""
    with app.test_request_context("/", method="POST", data={name: value, "version": "1"}):
        form = _build(cls, {name: value, "version": "1"})
        try:
            form.parse()
        except ValidationErrors as errors:
            return errors.errors.get(name), form[name].data
        except ValidationError as error:
            return (error.message if error.field == name else None), form[name].data
        return None, form[name].data


def _is_text(value) -> bool:
    if isinstance(value, list | tuple):
        return any(isinstance(v, str) for v in value)
    return isinstance(value, str)


def test_the_walk_sees_every_form():
    names = {cls.__name__ for cls in all_forms()}
    assert {"ActionForm", "CommentForm", "NewUserForm", "EventForm", "MilestoneForm",
            "PilotForm", "BuildingBlockForm", "NewItemForm", "ItemForm", "PeriodForm",
            "IntroductionForm", "RsvpForm", "TickForm", "InviteForm"} <= names
    assert passes_elfproef(BSN)


@pytest.mark.parametrize(("cls", "name"), FIELDS,
                         ids=[f"{c.__name__}.{n}" for c, n in FIELDS])
def test_every_text_field_refuses_a_bsn(app, cls, name):
    opted_out = not getattr(cls, name).kwargs.get("no_bsn", True)
    assert opted_out == ((cls.__name__, name) in NOT_FREE_TEXT), (
        "a field with no_bsn=False must be listed in NOT_FREE_TEXT with its reason")
    if opted_out:
        return
    for written in WRITTEN:
        error, data = _submit(app, cls, name, written)
        # Whatever the field is, the number is never kept as text...
        assert not (error is None and _is_text(data)), f"{cls.__name__}.{name} kept {written!r}"
    # ...and a field that holds text says why, in Dutch.
    _, plain = _submit(app, cls, name, "Gewone tekst")
    if _is_text(plain):
        for written in WRITTEN:
            error, _ = _submit(app, cls, name, written)
            assert error is not None and BSN_MESSAGE in error, (cls.__name__, name, error)


def test_a_number_that_fails_the_elfproef_is_kept(app):
    from tracker.actions.forms import CommentForm

    error, data = _submit(app, CommentForm, "text", "Zaaknummer 123456789")
    assert error is None and data == "Zaaknummer 123456789"


# --- Free text outside the forms layer ---------------------------------------------------------


def test_services_refuse_a_bsn_in_names_they_take_without_a_form(app):
    from tracker.auth.services import create_user
    from tracker.pilots.services import add_building_block

    team = create_team()
    with pytest.raises(ValidationError, match="burgerservicenummer"):
        create_user(name=f"Jan {BSN}", email="jan@example.org", role="lezer")
    with pytest.raises(ValidationError, match="burgerservicenummer"):
        create_user(name="Jan", email="jan@example.org", role="lezer", title=f"BSN {BSN}")
    with pytest.raises(ValidationError, match="burgerservicenummer"):
        add_building_block(team, f"Blok {BSN}", actor=None)
    db.session.rollback()


def test_the_cli_refuses_an_account_name_with_a_bsn(app, runner):
    result = runner.invoke(args=["users", "create", "--email", "bsn@example.org",
                                 "--name", f"Piet {BSN}", "--role", "lezer"])
    assert result.exit_code != 0
    assert "burgerservicenummer" in result.output
    assert db.session.scalar(select(User).where(User.email == "bsn@example.org")) is None


def test_a_name_with_a_bsn_in_an_address_list_is_not_invited(app):
    from tracker.events.invitations import parse_addresses

    found, invalid = parse_addresses(f'"Jan {BSN}" <jan@example.org>, piet@example.org')
    assert [address for address, _ in found] == ["piet@example.org"]
    assert len(invalid) == 1


# --- Route level: the fields the issue named ----------------------------------------------------


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_routes_refuse_a_bsn_in_a_status_point_an_event_title_and_an_account_name(
        demo, client, login):
    from tracker.network.models import ReportItem

    login(_user("coordinator@example.org"))
    points = db.session.scalar(select(db.func.count(ReportItem.id)))
    response = client.post("/teams/verwarde-personen/status/punten", data={
        "kind": "doel", "text": f"Zorg voor cliënt {BSN}", "csrf_token": csrf_token_for(client)})
    assert response.status_code == 422 and BSN_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(ReportItem.id))) == points

    response = client.post("/events", data={
        "title": f"Overleg {BSN}", "starts_at": "2030-03-07T13:30", "ends_at": "2030-03-07T15:30",
        "location": "Zwolle", "csrf_token": csrf_token_for(client)})
    assert response.status_code == 422 and BSN_MESSAGE in response.get_data(as_text=True)

    login(_user("beheerder@example.org"))
    response = client.post("/beheer/gebruikers", data={
        "name": f"Jan {BSN}", "email": "jan.nieuw@example.org", "role": "lezer", "title": "",
        "organisation_id": "", "csrf_token": csrf_token_for(client)})
    assert response.status_code == 422 and BSN_MESSAGE in response.get_data(as_text=True)
    assert _user("jan.nieuw@example.org") is None
