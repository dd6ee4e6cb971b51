"""Issue 13, smaller items: one control per status point, date hints that match the
field, and every checkbox/radio through the one macro."""

import re
from pathlib import Path

from sqlalchemy import select

from tests.conftest import csrf_token_for
from tracker.auth.models import User
from tracker.enums import ItemKind
from tracker.extensions import db
from tracker.network.models import ReportItem, Team

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
BASE = "/teams/verwarde-personen/status"


def _items():
    return list(db.session.scalars(select(ReportItem).join(Team).where(
        Team.slug == "verwarde-personen").order_by(ReportItem.kind, ReportItem.position)))


def test_a_status_page_shows_one_control_per_point(demo, client, login):
    login(db.session.scalar(select(User).where(User.email == "coordinator@example.org")))
    html = client.get(BASE).get_data(as_text=True)
    items = _items()
    assert len(items) >= 5
    assert html.count('id="bewerk-') == len(items)
    for word in (">Omhoog<", ">Omlaag<", ">Verwijderen<"):
        assert word not in html
    # Opened for editing, that one point offers moving and deleting (no JavaScript).
    item = items[1]
    opened = client.get(f"{BASE}?bewerk={item.id}").get_data(as_text=True)
    assert f'id="omhoog-{item.id}"' in opened and ">Verwijderen<" in opened
    assert opened.count(">Verwijderen<") == 1


def test_a_move_keeps_the_point_open_with_focus_on_the_move(demo, client, login):
    login(db.session.scalar(select(User).where(User.email == "coordinator@example.org")))
    token = csrf_token_for(client, BASE)
    doel = [i for i in _items() if i.kind == ItemKind.DOEL]
    item = doel[0]
    response = client.post(f"{BASE}/punten/{item.id}/verplaatsen", data={"richting": "down"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="tekst-{item.id}"' in fragment  # still open
    assert re.search(rf'id="omlaag-{item.id}"[^>]*autofocus|id="omhoog-{item.id}"[^>]*autofocus',
                     fragment)
    plain = client.post(f"{BASE}/punten/{item.id}/verplaatsen",
                        data={"richting": "up", "csrf_token": token})
    assert plain.status_code == 303
    assert plain.headers["Location"].endswith(f"?bewerk={item.id}#punt-{item.id}")


def test_browser_date_fields_carry_no_numeric_format_hint():
    """A <input type=date> shows the browser's own format (maybe mm/dd/yyyy): a hint like
    "01-10-2018" beside it misleads. Text date fields keep "dd-mm-jjjj"."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for call in re.findall(r"text_field\((.*?)\) }}", path.read_text(), flags=re.S):
            if re.search(r"type='(date|datetime-local)'", call) and re.search(
                    r"\d{1,2}-\d{1,2}-\d{4}", call):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {call[:60]}")
    assert offenders == []


# Row selection of the action lists (helper "lists") and the pilot form's municipality
# picker (helper "people") have their own patterns.
OWN_PATTERN = {"_macros.html", "actions/_list.html", "actions/_row.html", "actions/_my_row.html",
               "actions/_select_cell.html", "actions/my_work.html", "pilots/form.html"}


def test_every_checkbox_and_radio_goes_through_the_macro():
    raw = []
    for path in TEMPLATES.rglob("*.html"):
        name = str(path.relative_to(TEMPLATES))
        if name in OWN_PATTERN or name.startswith("email/"):
            continue
        if re.search(r'type="(checkbox|radio)"', path.read_text()):
            raw.append(name)
    assert raw == []


def test_the_macro_renders_the_design_system_pattern(app):
    from flask import render_template_string

    with app.test_request_context():
        html = render_template_string(
            '{% from "_macros.html" import choice_field %}'
            "{{ choice_field('actief', 'Account actief', checked=True, error='Kies') }}"
            "{{ choice_field('soort', 'Per gemeente', type='radio', id='soort-1', value='a') }}")
    box, radio = html.split('utrecht-form-field--radio')
    assert "utrecht-form-field utrecht-form-field--checkbox" in box
    label = box.index('class="utrecht-form-field__label')
    field_input = box.index('class="utrecht-form-field__input"')
    checkbox = box.index('class="utrecht-checkbox utrecht-checkbox--html-input')
    assert label < field_input < checkbox  # the input inside __input, the label outside it
    assert 'utrecht-form-label--checkbox" for="veld-actief"' in box
    assert 'aria-invalid="true" aria-describedby="veld-actief-fout"' in box and " checked" in box
    assert 'class="utrecht-radio-button utrecht-radio-button--html-input" type="radio" id="soort-1"' in radio
    assert 'utrecht-form-label--radio" for="soort-1"' in radio

