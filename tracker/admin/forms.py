"""The beheer forms: a new account, an account's role and active flag, team membership."""

from __future__ import annotations

from tracker.auth.services import clean_email
from tracker.enums import OrganisationKind, Role, TeamRole
from tracker.forms import (
    EnumField,
    FlagField,
    Form,
    IdField,
    ParsedField,
    TextField,
    VersionField,
)

NAME_MAX_LENGTH = 120
ROLE_INVALID = "Kies een bestaande rol."


class NewUserForm(Form):
    """A new account without a password; whether the address is free is the service's check."""

    name = TextField("Naam", max_length=NAME_MAX_LENGTH)
    email = ParsedField("E-mailadres", parse=lambda raw, _field: clean_email(raw))
    title = TextField("Functie", max_length=NAME_MAX_LENGTH, required=False)
    role = EnumField(Role, invalid=ROLE_INVALID)
    organisation_id = IdField(invalid="Kies een bestaande organisatie.")

    def __init__(self, *, organisations: set[int], **kwargs):
        super().__init__(**kwargs)
        self.organisation_id.allowed = organisations


class UserForm(Form):
    """An account's role and whether it is active (an unticked box: not active)."""

    role = EnumField(Role, invalid=ROLE_INVALID)
    active = FlagField()


def _parse_salutation(raw, field) -> str | None:
    from tracker.auth.address import clean_salutation
    from tracker.validation import ValidationError

    try:
        return clean_salutation(raw)
    except ValueError as error:
        raise ValidationError(field.name, str(error)) from error


class SalutationForm(Form):
    """The form of address mail uses ("Geachte burgemeester Welten,"); empty: the default.

    Used by the beheerder on the account page and by the person on the preferences page.
    """

    salutation = ParsedField("Aanhef", parse=_parse_salutation)


class MembershipForm(Form):
    """Put the person in one of the teams with a role there."""

    team_id = IdField(invalid="Kies een team.", missing="Kies een team.")
    team_role = EnumField(TeamRole, invalid="Kies een bestaande rol in het team.")

    def __init__(self, *, teams: set[int], **kwargs):
        super().__init__(**kwargs)
        self.team_id.allowed = teams


class MfaResetForm(Form):
    """Resetting someone's second factor: the beheerder confirms having checked who asks."""

    confirm = FlagField()

    def check(self, errors: dict[str, str]) -> None:
        if not self.confirm.data:
            errors["confirm"] = ("Vink aan dat u heeft gecontroleerd dat de aanvraag echt van "
                                 "deze persoon komt.")


def _confirm_name(raw, field) -> str:
    from tracker.validation import ValidationError

    if (raw or "").strip() != field.expected:
        raise ValidationError(field.name, "Typ de naam precies zoals hierboven om het wissen te "
                                          "bevestigen.")
    return raw.strip()


class EraseForm(Form):
    """Erasing a person: confirmed by typing their name exactly."""

    confirm = ParsedField("Naam van de persoon", parse=_confirm_name)

    def __init__(self, *, expected_name: str, **kwargs):
        super().__init__(**kwargs)
        self.confirm.expected = expected_name


# == Organisations (helper "people", issue 13) ==
class OrganisationForm(Form):
    """Add or rename an organisation; whether the name is free is the service's check."""

    name = TextField("Naam", max_length=160)
    kind = EnumField(OrganisationKind, invalid="Kies een bestaande soort organisatie.")


class MergeForm(Form):
    """Merge this organisation into another; ``confirm`` is the confirmation page's button."""

    survivor_id = IdField(invalid="Kies een bestaande organisatie.",
                          missing="Kies de organisatie die blijft bestaan.")
    confirm = FlagField()

    def __init__(self, *, organisations: set[int], **kwargs):
        super().__init__(**kwargs)
        self.survivor_id.allowed = organisations


# == The person form and the e-mail change (helper "people", issue 13) ==
def _parse_phone(raw, field):
    from tracker.auth.people import clean_phone

    return clean_phone(raw)


class PersonForm(Form):
    """A person's details kept by the beheerder (not the e-mail address: see EmailChangeForm)."""

    name = TextField("Naam", max_length=NAME_MAX_LENGTH)
    title = TextField("Functie", max_length=NAME_MAX_LENGTH, required=False)
    organisation_id = IdField(invalid="Kies een bestaande organisatie.")
    phone = ParsedField("Telefoonnummer", parse=_parse_phone)
    salutation = ParsedField("Aanhef", parse=_parse_salutation)
    version = VersionField()

    def __init__(self, *, organisations: set[int], **kwargs):
        super().__init__(**kwargs)
        self.organisation_id.allowed = organisations


class EmailChangeForm(Form):
    """A new address for the person; it takes effect when the person confirms the link."""

    email = ParsedField("Nieuw e-mailadres", parse=lambda raw, _field: clean_email(raw))
