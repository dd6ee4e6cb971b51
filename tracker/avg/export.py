"""Exporting one person's data (AVG art. 15 and 20): a zip with JSON and CSV.

Everything that refers to the person by id is collected generically: every row of
every table (history tables included) with a column that holds their user id
(owner, author, actor, invitee, member, ...), plus the failed logins typed with
their address. Secrets (hashes, nonces, tokens) and mail bodies (which may carry a
working link) are left out.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import LargeBinary, and_, select

from tracker.auth.models import User
from tracker.avg.tables import all_tables, refers_to_user
from tracker.csv_export import csv_bytes
from tracker.events.models import Invitation
from tracker.extensions import db

#: Words in a column name that mark a secret: never exported.
SECRET_MARKERS = ("hash", "nonce", "token", "secret", "totp", "recovery")
#: Mail bodies and attachments may hold a working password or RSVP link.
OMITTED = frozenset({("outbox_messages", "body_text"), ("outbox_messages", "body_html"),
                     ("outbox_messages", "headers"), ("outbox_messages", "attachments")})
#: Dutch file names for every table that can refer to a person (tested: none left out).
SECTION_NAMES = {
    "users": "account",
    "users_version": "account_geschiedenis",
    "team_memberships": "lidmaatschappen",
    "team_memberships_version": "lidmaatschappen_geschiedenis",
    "actions": "acties",
    "actions_version": "acties_geschiedenis",
    "action_comments": "opmerkingen",
    "invitations": "uitnodigingen_en_antwoorden",
    "audit_entries": "audit",
    "throttle_failures": "mislukte_pogingen",
    "outbox_messages": "e-mails",
    "events": "bijeenkomsten",
    "events_version": "bijeenkomsten_geschiedenis",
    "event_minutes": "verslagen",
    "event_minutes_version": "verslagen_geschiedenis",
    "municipality_ticks": "afgevinkte_gemeenten",
    "municipality_ticks_version": "afgevinkte_gemeenten_geschiedenis",
    "notification_preferences": "e-mailvoorkeuren",
    "pilots": "pilots",
    "pilots_version": "pilots_geschiedenis",
    "recovery_codes": "herstelcodes",
    "report_editions": "rapportage_edities",
    "report_renders": "rapportagebestanden",  # the files themselves (binary) are not exported
    "itip_replies": "agenda_antwoorden",
    "drafts": "niet_opgeslagen_formulieren",
    "attachments": "bijlagen",
    "oidc_identities": "werkaccounts",
    "webhooks": "webhooks",
    "api_tokens": "api_sleutels",  # the token_hash column is a secret: never exported
}
README = """Gegevens van één persoon uit de voortgangstracker (AVG art. 15 en 20).

gegevens.json bevat alles; elk CSV-bestand is één tabel (puntkomma's, UTF-8).
Per tabel staan alle rijen die naar deze persoon verwijzen (als eigenaar, schrijver,
uitgenodigde, lid, uitvoerder van een wijziging, ...), ook de eerdere versies uit de
geschiedenis ("_geschiedenis"). De map bijlagen/ bevat de bestanden die deze persoon
als bijlage toevoegde (nummer en naam zoals in bijlagen.csv). Niet opgenomen: wachtwoord-, sessie- en
agendagegevens (geheimen) en de tekst van e-mails (die kan werkende links bevatten).
"""


@dataclass
class PersonExport:
    """The person's rows per section (table), each row a dict of JSON-ready values."""

    person: dict[str, Any]
    sections: dict[str, list[dict[str, Any]]]
    #: Files in the zip besides the tables: ``{"bijlagen/12-verslag.pdf": bytes}``.
    files: dict[str, bytes] = field(default_factory=dict)

    def to_zip(self) -> bytes:
        """The zip: ``gegevens.json``, one ``<section>.csv`` per section, ``LEESMIJ.txt``."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("LEESMIJ.txt", README)
            archive.writestr("gegevens.json", json.dumps(
                {"persoon": self.person, "tabellen": self.sections},
                ensure_ascii=False, indent=2, sort_keys=True, default=_plain))
            for name, rows in sorted(self.sections.items()):
                header = sorted({key for row in rows for key in row})
                archive.writestr(f"{name}.csv", csv_bytes(header, (
                    [_cell(row.get(key)) for key in header] for row in rows)))
            for path, data in sorted(self.files.items()):
                archive.writestr(path, data)
        return buffer.getvalue()


def exported_columns(table) -> list:
    """The columns of ``table`` that an export shows (no secrets, no mail bodies, no binaries)."""
    return [c for c in table.columns
            if not any(marker in c.name for marker in SECRET_MARKERS)
            and (table.name, c.name) not in OMITTED
            and not isinstance(c.type, LargeBinary)]


def collect(user: User) -> PersonExport:
    """Every row that refers to ``user``, per table (history included); read-only."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for table in all_tables():
        person_columns = [c for c in table.columns if refers_to_user(c)]
        conditions = [c == user.id for c in person_columns]
        if table.name == "throttle_failures":  # typed addresses (the TOTP step keys by id)
            conditions.append(table.c.account.in_([user.email, str(user.id)]))
        if table.name == "audit_entries":  # what others did to their account
            conditions.append(and_(table.c.object_type == "users", table.c.object_id == user.id))
        if not conditions:
            continue
        columns = exported_columns(table)
        seen: set[tuple] = set()
        rows = []
        for condition in conditions:
            statement = select(*table.primary_key.columns, *columns).where(condition)
            for row in db.session.execute(statement.order_by(*table.primary_key.columns)):
                key = tuple(row[: len(table.primary_key.columns)])
                if key not in seen:
                    seen.add(key)
                    # Dates stay dates: JSON writes them in full ISO (``_plain``), the
                    # CSV in the one form of ``csv_export.csv_cell``.
                    rows.append({c.name: _value(row._mapping[c]) for c in columns})
        if rows:
            sections[SECTION_NAMES.get(table.name, table.name)] = rows
    person = {
        "id": user.id,
        "naam": user.name,
        "e-mailadres": user.email,
        "functie": user.title,
        "telefoon": user.phone,
        "organisatie": user.organisation.name if user.organisation else None,
        "rol": user.role.value,
        "actief": user.active,
        "teams": [{"team": m.team.name, "rol": m.role.value} for m in user.memberships],
        "bijeenkomsten": [
            {"bijeenkomst": i.event.title, "begint": _plain(i.event.starts_at),
             "antwoord": _plain(i.response), "toelichting": i.remark}
            for i in db.session.scalars(select(Invitation).where(Invitation.user_id == user.id)
                                        .order_by(Invitation.id))],
    }
    return PersonExport(person, sections, _attachment_files(user))


def _attachment_files(user: User) -> dict[str, bytes]:
    """The files ``user`` uploaded, as ``bijlagen/<id>-<name>`` (a missing file is skipped:
    its row is in the ``bijlagen`` table all the same)."""
    from tracker.attachments.models import Attachment
    from tracker.attachments.storage import path_of

    files = {}
    for attachment in db.session.scalars(select(Attachment).where(
            Attachment.uploaded_by_id == user.id).order_by(Attachment.id)):
        path = path_of(attachment.storage_name)
        if path.is_file():
            files[f"bijlagen/{attachment.id}-{attachment.file_name}"] = path.read_bytes()
    return files


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _value(value: Any) -> Any:
    """A column's value for the export: dates and moments as they are, the rest plain."""
    return value if isinstance(value, datetime | date) else _plain(value)


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=_plain)
    return value


def export_person(user: User, *, actor: User | None) -> bytes:
    """The zip of :func:`collect`, with an audit entry saying who exported whom (flushes)."""
    from tracker.audit.services import record

    data = collect(user).to_zip()
    record("person.export", actor=actor, obj=user, summary=f"Gegevens geëxporteerd: {user.name}")
    db.session.flush()
    return data


def find_person(email: str) -> User | None:
    """The account with this address (any case), or None."""
    from sqlalchemy import func

    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
