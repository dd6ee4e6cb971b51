"""The event form, the invitation form, the cancel button and the RSVP answer."""

from __future__ import annotations

from tracker.enums import RsvpResponse
from tracker.forms import (
    DateField,
    EnumField,
    FlagField,
    Form,
    IdField,
    IdListField,
    LocalDateTimeField,
    ParsedField,
    TextField,
    UrlField,
    VersionField,
)
from tracker.validation import ValidationError

MAX_CAPACITY = 10_000
#: Longer pasted address lists are cut here; ``invite`` refuses more than 500 addresses.
MAX_ADDRESSES_TEXT = 100_000
#: People ticked in the person search, at most this many in one invitation round.
MAX_PEOPLE = 200


def parse_capacity(raw: str | None, field=None) -> int | None:
    """A whole number of seats (1..10.000), or None for no limit."""
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or not text.isascii():
        raise ValidationError("capacity", "Aantal plaatsen moet een heel getal van 1 of meer zijn.")
    number = int(text)
    if number < 1 or number > MAX_CAPACITY:
        raise ValidationError(
            "capacity", f"Aantal plaatsen moet tussen 1 en {MAX_CAPACITY} liggen.")
    return number


class EventForm(Form):
    """Create and edit a meeting; times are local (Europe/Amsterdam) wall-clock times."""

    title = TextField("Titel", max_length=200)
    team_id = IdField("Team", invalid="Kies een geldige waarde voor team.",
                      missing="Team is verplicht.")
    description = TextField("Beschrijving", max_length=4000, required=False, multiline=True)
    starts_at = LocalDateTimeField("Begin", required=True)
    ends_at = LocalDateTimeField("Einde", required=True)
    rsvp_deadline = LocalDateTimeField("De uiterste reactiedatum")
    location = TextField("Locatie", max_length=300, required=False)
    online_url = UrlField("Online link")
    capacity = ParsedField("Aantal plaatsen", parse=parse_capacity)
    organiser_id = IdField("Organisator", invalid="Kies een geldige waarde voor organisator.")
    version = VersionField()

    def __init__(self, *, teams: set[int | None], organisers: set[int], **kwargs):
        """``teams``: the teams the user may plan for (None in it: no team is allowed)."""
        super().__init__(**kwargs)
        self.team_id.allowed = {t for t in teams if t is not None}
        if None in teams:
            self.team_id.missing = None
        self.organiser_id.allowed = organisers

    def check(self, errors: dict[str, str]) -> None:
        if errors:
            return
        if self.ends_at.data <= self.starts_at.data:
            errors["ends_at"] = "Einde moet na het begin liggen."
        if self.rsvp_deadline.data and self.rsvp_deadline.data > self.starts_at.data:
            errors["rsvp_deadline"] = "Reageren kan tot uiterlijk het begin van de bijeenkomst."
        if not self.location.data and not self.online_url.data:
            errors["location"] = "Vul een locatie of een online link in."


class InviteForm(Form):
    """Who to invite: people ticked in the person search, a team, an organisation, a
    district and/or pasted addresses."""

    user_id = IdListField(invalid="Kies een geldige waarde.", any_id=True,
                          max_count=MAX_PEOPLE)
    team_id = IdField(invalid="Kies een geldige waarde.", any_id=True)
    organisation_id = IdField(invalid="Kies een geldige waarde.", any_id=True)
    district_id = IdField(invalid="Kies een geldige waarde.", any_id=True)
    addresses = ParsedField(parse=lambda raw, _field: (raw or "")[:MAX_ADDRESSES_TEXT])

    def check(self, errors: dict[str, str]) -> None:
        if not self.user_id.raw_list and not any((field.raw or "").strip() for field in self):
            errors.clear()
            errors["user_id"] = ("Kies wie u wilt uitnodigen: een persoon, een team, een "
                                 "organisatie, een district of een lijst met e-mailadressen.")


class CancelForm(Form):
    """Cancelling needs an explicit confirmation (``bevestig``) and the version."""

    bevestig = FlagField()
    version = VersionField()


class RsvpForm(Form):
    """An invitee's answer with an optional remark."""

    response = EnumField(RsvpResponse, invalid="Kies ja, nee of misschien.")
    remark = TextField("Opmerking", max_length=1000, required=False, multiline=True)


class MinutesForm(Form):
    """The minutes of a meeting: notes and decisions (one a line); BSN refused."""

    notes = TextField("Verslag", max_length=20_000, required=False, multiline=True)
    decisions = TextField("Besluiten", max_length=10_000, required=False, multiline=True)
    version = VersionField()

    def check(self, errors: dict[str, str]) -> None:
        if not errors and not self.notes.data and not self.decisions.data:
            errors["notes"] = "Vul het verslag of de besluiten in."


class EventActionForm(Form):
    """An action arising from a meeting: title, team, owner and due date."""

    title = TextField("Titel", max_length=200)
    description = TextField("Toelichting", max_length=4000, required=False, multiline=True)
    team_id = IdField("Team", invalid="Kies een team uit de lijst.", missing="Team is verplicht.")
    owner_id = IdField("Eigenaar", invalid="Kies een bestaande eigenaar.")
    due_date = DateField("Datum gereed")

    def __init__(self, *, teams: set[int], owners: set[int], **kwargs):
        """``teams``: where the user may put the action; ``owners``: who may own it."""
        super().__init__(**kwargs)
        self.team_id.allowed = teams
        self.owner_id.allowed = owners


class SendMinutesForm(Form):
    """Sending the minutes: the version the confirmation page showed."""

    version = VersionField()
