"""The shared form fields and Form.parse, without an app (a plain wtforms.Form)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form as PlainForm

from tracker.enums import ActionStatus
from tracker.forms import (
    DateField,
    DutchNumberField,
    EnumField,
    FlagField,
    IdField,
    IdListField,
    LocalDateTimeField,
    Parsing,
    TextField,
    UrlField,
    VersionField,
)
from tracker.validation import ValidationErrors

BSN_MESSAGE = ("Deze tekst lijkt een burgerservicenummer te bevatten. Leg geen gegevens over "
               "burgers vast in de tracker.")


class SampleForm(Parsing, PlainForm):
    title = TextField("Titel", max_length=20, no_bsn=True)
    note = TextField("Toelichting", max_length=50, required=False, multiline=True)
    amount = DutchNumberField("Waarde")
    day = DateField("Datum")
    starts_at = LocalDateTimeField("Begin", required=True)
    link = UrlField("Online link")
    owner_id = IdField(invalid="Kies een bestaande eigenaar.")
    ids = IdListField(invalid="Kies bestaande gemeenten.")
    status = EnumField(ActionStatus, invalid="Kies een bestaande status.",
                       default_value=ActionStatus.OPEN)
    flag = FlagField()
    version = VersionField()

    def __init__(self, formdata):
        super().__init__(formdata)
        self.owner_id.allowed = {1, 2}
        self.ids.allowed = {5, 6}


GOOD = {"title": "Overleg", "amount": "1.525", "day": "01-10-2018",
        "starts_at": "2018-03-07T13:30"}


def parse(**changes):
    data = MultiDict({**GOOD, **changes})
    return SampleForm(data).parse()


def refusal(**changes) -> dict[str, str]:
    with pytest.raises(ValidationErrors) as error:
        parse(**changes)
    return error.value.errors


def test_good_input_is_parsed_into_python_values():
    form = parse(ids="5", flag="1", version="3", owner_id="2", link="https://example.org/x")
    assert form.title.data == "Overleg" and form.note.data == ""
    assert form.amount.data == Decimal("1525") and form.day.data == date(2018, 10, 1)
    assert form.starts_at.data == datetime(2018, 3, 7, 12, 30, tzinfo=UTC)
    assert form.owner_id.data == 2 and form.status.data == ActionStatus.OPEN
    assert form.flag.data is True and form.version.data == 3
    assert form.link.data == "https://example.org/x"
    assert "version" not in form.values() and form.values("title") == {"title": "Overleg"}


@pytest.mark.parametrize(("text", "expected"), [
    ("1.525", Decimal("1525")), ("3,1", Decimal("3.1")), ("-5", Decimal("-5")),
    ("1.234.567,25", Decimal("1234567.25")),
])
def test_dutch_numbers(text, expected):
    assert parse(amount=text).amount.data == expected


@pytest.mark.parametrize(("text", "message"), [
    ("3.1", "Waarde is geen getal. Schrijf bijvoorbeeld 1.525, 3,1 of -5 "
            "(punt voor duizendtallen, komma voor decimalen)."),
    ("", "Waarde is verplicht."),
    ("1\x002", "Waarde bevat niet-toegestane stuurtekens."),
    ("1,23456", "Waarde mag hoogstens 4 decimalen hebben."),
])
def test_bad_dutch_numbers_are_refused(text, message):
    assert refusal(amount=text) == {"amount": message}


def test_dst_gap_time_is_refused():
    assert refusal(starts_at="2026-03-29T02:30") == {
        "starts_at": "Begin bestaat niet: de klok wordt dan verzet (zomertijd)."}


def test_times_around_the_dst_change_are_read_in_amsterdam_time():
    assert parse(starts_at="2026-03-29T03:30").starts_at.data == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC)
    assert parse(starts_at="2026-03-29T01:59").starts_at.data == datetime(
        2026, 3, 29, 0, 59, tzinfo=UTC)


@pytest.mark.parametrize(("text", "message"), [
    ("2026-02-30T10:00", "Begin is geen bestaande datum en tijd (bijvoorbeeld 2018-03-07T13:30)."),
    ("", "Begin is verplicht."),
    ("2026-03-07T13:30+01:00", "Begin: geef de tijd zonder tijdzone (Nederlandse tijd)."),
    ("1999-03-07T13:30", "Begin ligt buiten de toegestane jaren."),
    ("x" * 30, "Begin is geen geldige datum en tijd."),
])
def test_impossible_date_times_are_refused(text, message):
    assert refusal(starts_at=text) == {"starts_at": message}


@pytest.mark.parametrize(("text", "message"), [
    ("31-02-2018", "Datum is geen bestaande datum (gebruik dd-mm-jjjj)."),
    ("2018-13-01", "Datum is geen bestaande datum (gebruik dd-mm-jjjj)."),
    ("2012-12-31", "Datum moet tussen 2013 en 2100 liggen."),
    ("morgen", "Datum is geen bestaande datum (gebruik dd-mm-jjjj)."),
])
def test_impossible_dates_are_refused(text, message):
    assert refusal(day=text) == {"day": message}


def test_dates_in_both_notations_and_empty():
    assert parse(day="2018-10-01").day.data == parse(day="01-10-2018").day.data
    assert parse(day="").day.data is None


@pytest.mark.parametrize(("text", "message"), [
    ("", "Titel is verplicht."),
    ("   ", "Titel is verplicht."),
    ("a\x00b", "Titel bevat niet-toegestane stuurtekens."),
    ("a\x07b", "Titel bevat niet-toegestane stuurtekens."),
    ("\u202eabc", "Titel bevat niet-toegestane tekens voor tekstrichting."),
    ("a\r\nBcc: x@example.org", "Titel mag geen regelovergang bevatten."),
    ("x" * 21, "Titel mag hoogstens 20 tekens lang zijn (nu 21)."),
    ("BSN 111222333", BSN_MESSAGE),
    ("1112.22.333", BSN_MESSAGE),
])
def test_bad_text_is_refused(text, message):
    assert refusal(title=text) == {"title": message}


def test_text_is_trimmed_and_multiline_keeps_line_breaks():
    form = parse(title="  Overleg  ", note="regel 1\r\nregel 2")
    assert form.title.data == "Overleg" and form.note.data == "regel 1\nregel 2"
    assert parse(title="Nummer 123456789").title.data == "Nummer 123456789"  # no elfproef


def test_every_bad_field_is_reported_at_once():
    errors = refusal(title="", amount="x", day="x", owner_id="9", ids="7", status="weg",
                     link="javascript:alert(1)")
    assert set(errors) == {"title", "amount", "day", "owner_id", "ids", "status", "link"}
    assert errors["owner_id"] == "Kies een bestaande eigenaar."
    assert errors["ids"] == "Kies bestaande gemeenten."
    assert errors["status"] == "Kies een bestaande status."
    assert errors["link"] == "Online link moet beginnen met https:// of http://."


@pytest.mark.parametrize(("raw", "expected"), [("4", 4), ("", None), ("abc", None), ("-1", None)])
def test_version_field_never_refuses_but_gives_none_for_nonsense(raw, expected):
    assert parse(version=raw).version.data == expected


def test_missing_version_is_none():
    assert parse().version.data is None


def test_ids_must_be_ascii_digits_from_the_choices():
    assert refusal(owner_id="١") == {"owner_id": "Kies een bestaande eigenaar."}
    assert refusal(owner_id="1 OR 1=1") == {"owner_id": "Kies een bestaande eigenaar."}
    assert parse(owner_id="").owner_id.data is None


def test_cross_field_check_adds_to_the_errors():
    class Period(Parsing, PlainForm):
        start = DateField("Startdatum")
        end = DateField("Einddatum")

        def check(self, errors):
            if self.start.data and self.end.data and self.end.data < self.start.data:
                errors["end"] = "De einddatum ligt vóór de startdatum."

    with pytest.raises(ValidationErrors) as error:
        Period(MultiDict({"start": "2018-05-01", "end": "2018-04-01"})).parse()
    assert error.value.errors == {"end": "De einddatum ligt vóór de startdatum."}
    assert error.value.field == "end"
