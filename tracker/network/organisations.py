"""The network's organisations: the standing list (all 78 municipalities, the police unit
and its districts, the OM, the RIEC, the GGZ institutions) and the beheerder's changes
(add, rename, merge).

Services change state and ``flush``; the caller (route or CLI command) commits once.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from importlib import resources

from sqlalchemy import func, select, update

from tracker.audit.services import record
from tracker.enums import OrganisationKind
from tracker.extensions import db
from tracker.network.models import District, Municipality, Organisation
from tracker.privacy import clean_free_text
from tracker.validation import ValidationError

NAME_MAX_LENGTH = 160

#: The police districts of eenheid Oost-Nederland, in report order: (name in the CSV, slug).
DISTRICTS = [
    ("IJsselland", "ijsselland"),
    ("Twente", "twente"),
    ("Noord- en Oost-Gelderland", "noord-en-oost-gelderland"),
    ("Gelderland-Midden", "gelderland-midden"),
    ("Gelderland-Zuid", "gelderland-zuid"),
]

#: Organisations every installation has, besides one per municipality (slug, name, kind).
#: Matched by slug (else by name): an existing row keeps the name the beheerder gave it.
STANDING = [
    ("politie-oost-nederland", "Politie eenheid Oost-Nederland", OrganisationKind.POLITIE),
    *[(f"politie-{slug}", f"Politie district {name}", OrganisationKind.POLITIE)
      for name, slug in DISTRICTS],
    ("om-oost-nederland", "Openbaar Ministerie, Parket Oost-Nederland", OrganisationKind.OM),
    ("riec-oost-nederland", "RIEC Oost-Nederland", OrganisationKind.RIEC),
    ("ggz-oost-nederland", "GGZ-instellingen Oost-Nederland", OrganisationKind.GGZ),
    # The GGZ institutions working in the region (public organisations, no persons).
    ("ggz-dimence", "Dimence Groep", OrganisationKind.GGZ),
    ("ggz-mediant", "Mediant", OrganisationKind.GGZ),
    ("ggz-ggnet", "GGNet", OrganisationKind.GGZ),
    ("ggz-pro-persona", "Pro Persona", OrganisationKind.GGZ),
    ("ggz-tactus", "Tactus Verslavingszorg", OrganisationKind.GGZ),
]


def slugify(name: str) -> str:
    """``"Gemeente Oude IJsselstreek"`` -> ``"gemeente-oude-ijsselstreek"`` (ASCII, dashes)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def municipality_rows() -> list[dict[str, str]]:
    """The 78 municipalities with district, CBS code and province, from the app's own CSV
    (``tracker/demo/data``; never read from ``../shared`` at run time)."""
    text = resources.files("tracker.demo").joinpath(
        "data/gemeenten-oost-nederland-2018.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _find(model, **lookup):
    return db.session.scalar(select(model).filter_by(**lookup))


def ensure_network_organisations() -> Counter[str]:
    """Create whatever is missing of the districts, the 78 municipalities and the standing
    organisations (idempotent: a second run creates nothing, and renamed rows stay renamed).

    Returns a Counter of created rows per kind (``districts``, ``municipalities``,
    ``organisations``). Flushes; the caller commits.
    """
    created: Counter[str] = Counter()
    districts: dict[str, District] = {}
    for position, (name, slug) in enumerate(DISTRICTS):
        district = _find(District, slug=slug) or _find(District, name=name)
        if district is None:
            district = District(slug=slug, name=name, position=position)
            db.session.add(district)
            created["districts"] += 1
        districts[name] = district
    db.session.flush()
    for row in municipality_rows():
        municipality = _find(Municipality, name=row["gemeente"])
        if municipality is None:
            municipality = Municipality(name=row["gemeente"], cbs_code=row["cbs_code"] or None,
                                        province=row["provincie"] or None,
                                        district=districts[row["district"]])
            db.session.add(municipality)
            db.session.flush()
            created["municipalities"] += 1
        if _find(Organisation, municipality_id=municipality.id) is None:
            name = f"Gemeente {municipality.name}"
            existing = _find(Organisation, name=name)
            if existing is not None and existing.municipality_id is None:
                existing.municipality_id, existing.kind = municipality.id, OrganisationKind.GEMEENTE
            elif existing is None:
                db.session.add(Organisation(slug=_free_slug(slugify(name)), name=name,
                                            kind=OrganisationKind.GEMEENTE,
                                            municipality_id=municipality.id))
                created["organisations"] += 1
            db.session.flush()
    for slug, name, kind in STANDING:
        if _find(Organisation, slug=slug) is None and _find(Organisation, name=name) is None:
            db.session.add(Organisation(slug=slug, name=name, kind=kind))
            created["organisations"] += 1
    db.session.flush()
    return created


def _free_slug(base: str) -> str:
    slug, number = base[:80], 2
    while _find(Organisation, slug=slug) is not None:
        slug, number = f"{base[:75]}-{number}", number + 1
    return slug


def _clean_name(name: str, *, keep: Organisation | None = None) -> str:
    name = clean_free_text(name, field="name", label="Naam", max_length=NAME_MAX_LENGTH)
    # One space between words: "Veiligheidsregio  IJsselland" is the same organisation.
    name = " ".join(name.split())
    clash = db.session.scalar(select(Organisation.id).where(
        func.lower(Organisation.name) == name.lower()))
    if clash is not None and (keep is None or clash != keep.id):
        raise ValidationError("name", "Er bestaat al een organisatie met deze naam.")
    return name


def create_organisation(name: str, kind: OrganisationKind | str, *, actor) -> Organisation:
    """Add an organisation (not a municipality: those come from the standing list).

    Raises ``ValidationError`` (``name``: empty, too long, BSN, taken; ``kind``).
    """
    name = _clean_name(name)
    try:
        kind = OrganisationKind(kind)
    except ValueError as error:
        raise ValidationError("kind", "Kies een bestaande soort organisatie.") from error
    organisation = Organisation(slug=_free_slug(slugify(name) or "organisatie"), name=name,
                                kind=kind)
    db.session.add(organisation)
    db.session.flush()
    record("organisation.create", actor=actor, obj=organisation,
           summary=f"Organisatie toegevoegd: {name}", after={"name": name, "kind": kind.value})
    return organisation


def rename_organisation(organisation: Organisation, name: str, kind: OrganisationKind | str,
                        *, actor) -> Organisation:
    """Give the organisation another name (and kind); the slug stays, so links keep working."""
    name = _clean_name(name, keep=organisation)
    try:
        kind = OrganisationKind(kind)
    except ValueError as error:
        raise ValidationError("kind", "Kies een bestaande soort organisatie.") from error
    before = {"name": organisation.name, "kind": organisation.kind.value}
    organisation.name, organisation.kind = name, kind
    db.session.flush()
    record("organisation.rename", actor=actor, obj=organisation,
           summary=f"Organisatie gewijzigd: {before['name']} → {name}",
           before=before, after={"name": name, "kind": kind.value})
    return organisation


def references(organisation_id: int) -> dict[str, int]:
    """``"table.column"`` -> number of rows pointing at the organisation, for every foreign
    key to ``organisations.id`` in the schema (found from the metadata, so a reference
    added later is moved by a merge too)."""
    counts = {}
    for table, column in _referencing_columns():
        counts[f"{table.name}.{column.name}"] = db.session.scalar(
            select(func.count()).select_from(table).where(column == organisation_id)) or 0
    return counts


def _referencing_columns():
    organisations = Organisation.__table__
    for table in db.metadata.sorted_tables:
        if table.name.endswith("_version"):
            continue
        for fk in table.foreign_keys:
            if fk.column.table is organisations:
                yield table, fk.parent


def people_count(organisation_id: int) -> int:
    """How many people belong to the organisation (the number the merge page names)."""
    return references(organisation_id).get("users.organisation_id", 0)


def merge_organisations(absorbed: Organisation, survivor: Organisation, *, actor) -> dict[str, int]:
    """Move every reference from ``absorbed`` to ``survivor`` and delete ``absorbed``.

    Returns the moved row counts per ``"table.column"``. Raises ``ValidationError``
    (field ``survivor_id``) when both are the same, or when both are linked to a
    different municipality. ORM objects of moved rows are expired (session-wide).
    """
    if absorbed.id == survivor.id:
        raise ValidationError("survivor_id", "Kies een andere organisatie om mee samen te voegen.")
    if absorbed.municipality_id and survivor.municipality_id:
        raise ValidationError("survivor_id", "Twee gemeenten kunnen niet worden samengevoegd.")
    moved = {}
    for table, column in _referencing_columns():
        if table is Organisation.__table__:
            continue
        key = f"{table.name}.{column.name}"
        if table.name == "users":
            # Through the ORM, so that every person's history gets a version row.
            from tracker.auth.models import User

            people = list(db.session.scalars(
                select(User).where(User.organisation_id == absorbed.id)))
            for person in people:
                person.organisation = survivor
            moved[key] = len(people)
            db.session.flush()
            continue
        result = db.session.execute(update(table).where(column == absorbed.id)
                                    .values({column.name: survivor.id}))
        moved[key] = result.rowcount or 0
    if absorbed.municipality_id and not survivor.municipality_id:
        municipality_id, absorbed.municipality_id = absorbed.municipality_id, None
        db.session.flush()
        survivor.municipality_id = municipality_id
    summary = (f"Organisatie {absorbed.name} samengevoegd met {survivor.name} "
               f"({moved.get('users.organisation_id', 0)} personen verplaatst)")
    record("organisation.merge", actor=actor, obj=survivor, summary=summary,
           before={"absorbed_id": absorbed.id, "absorbed_name": absorbed.name},
           after={"survivor_id": survivor.id, "moved": moved})
    db.session.delete(absorbed)
    db.session.flush()
    return moved
