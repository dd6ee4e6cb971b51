"""The beheerder keeps a person's details: name, function, organisation, phone and form of
address (the e-mail address changes only through a confirmed link: ``email_change``).

Services change state and ``flush``; the caller commits once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.audit.services import record
from tracker.auth.models import User
from tracker.concurrency import check_version
from tracker.extensions import db
from tracker.network.models import Organisation
from tracker.privacy import clean_free_text
from tracker.validation import ValidationError

PHONE_MAX_LENGTH = 40
_PHONE = re.compile(r"^\+?[0-9 ()\-.]+$")
PHONE_INVALID = ("Vul een telefoonnummer in met cijfers, bijvoorbeeld 038-499 12 34 of "
                 "+31 6 12345678.")


def clean_phone(raw: str | None) -> str | None:
    """A work phone number as typed (trimmed), or None when empty.

    Allowed: digits, spaces, ``+ ( ) - .``, 8 to 15 digits. Raises ``ValidationError``
    (field ``phone``) otherwise.
    """
    text = " ".join((raw or "").split())
    if not text:
        return None
    digits = sum(c.isdigit() for c in text)
    if len(text) > PHONE_MAX_LENGTH or not _PHONE.match(text) or not 8 <= digits <= 15:
        raise ValidationError("phone", PHONE_INVALID)
    return text


@dataclass
class PersonDetails:
    """What the beheerder may change about a person on the person form."""

    name: str
    title: str | None
    organisation: Organisation | None
    phone: str | None
    salutation: str | None


def _snapshot(user: User) -> dict:
    return {"name": user.name, "title": user.title, "organisation_id": user.organisation_id,
            "phone": user.phone, "salutation": user.salutation}


def update_person(user: User, details: PersonDetails, *, expected_version: int | None,
                  actor) -> dict:
    """Store the person's details; return the changed fields (name -> new value).

    Raises ``ConflictError`` when ``expected_version`` is not the stored version (the
    form was built from an older state) and ``ValidationError`` for a bad name. Audited
    with before and after of the changed fields; the history keeps the old row.
    """
    check_version(user, expected_version)
    name = clean_free_text(details.name, field="name", label="Naam", max_length=120)
    before = _snapshot(user)
    user.name, user.title = name, details.title or None
    user.organisation = details.organisation
    user.phone, user.salutation = details.phone, details.salutation
    db.session.flush()
    after = _snapshot(user)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        record("user.details", actor=actor, obj=user,
               summary=f"Gegevens gewijzigd: {user.name} ({', '.join(sorted(changed))})",
               before={k: before[k] for k in changed}, after=changed)
    return changed
