"""Marshmallow schemas of the API: what each endpoint reads and answers (and so the
OpenAPI document). Dates are ISO 8601 (``2026-11-30``), moments ISO 8601 in UTC."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tracker.actions.models import TITLE_MAX_LENGTH
from tracker.actions.services import DESCRIPTION_MAX_LENGTH
from tracker.enums import ActionStatus, PilotStatus

#: Largest page of a list.
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


def _doc(text: str, **extra) -> dict:
    return {"description": text, **extra}


class PageArgs(Schema):
    """Pagination of every list: ``limit`` rows from ``offset``."""

    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT),
                           metadata=_doc(f"Aantal rijen per pagina (1-{MAX_LIMIT})."))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000),
                            metadata=_doc("Aantal rijen dat wordt overgeslagen."))


class ActionListArgs(PageArgs):
    team = fields.String(validate=validate.Length(1, 60),
                         metadata=_doc("Alleen acties van dit team (slug, bijv. 'expertteam-ondermijning')."))
    status = fields.String(validate=validate.OneOf(["actief", *[s.value for s in ActionStatus]]),
                           metadata=_doc("Status; 'actief' = open of bezig."))


class TeamActionListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["actief", *[s.value for s in ActionStatus]]),
                           metadata=_doc("Status; 'actief' = open of bezig."))


class PilotListArgs(PageArgs):
    team = fields.String(validate=validate.Length(1, 60), metadata=_doc("Team (slug)."))
    status = fields.Enum(PilotStatus, by_value=True, metadata=_doc("Status van de pilot."))


class Meta(Schema):
    total = fields.Integer(strict=True, required=True,
                           metadata=_doc("Aantal rijen in totaal (alle pagina's)."))
    limit = fields.Integer(strict=True, required=True)
    offset = fields.Integer(strict=True, required=True)


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """The schema of one page of ``item``s: ``{"data": [item, …], "meta": Meta}``,
    named ``name`` in the OpenAPI document."""
    return Schema.from_dict({"data": fields.List(fields.Nested(item), required=True),
                             "meta": fields.Nested(Meta, required=True)}, name=name)


class Ref(Schema):
    id = fields.Integer(strict=True, required=True)
    name = fields.String(required=True)


class TeamRef(Schema):
    id = fields.Integer(strict=True, required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)


class TeamSchema(Schema):
    id = fields.Integer(strict=True, required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)
    kind = fields.String(required=True, metadata=_doc("expertteam of platform"))
    status = fields.String(required=True, metadata=_doc("actief of afgerond"))
    parent_id = fields.Integer(strict=True, allow_none=True, required=True)
    url = fields.String(required=True, metadata=_doc("De pagina van het team in de tracker."))


TeamPage = page_of(TeamSchema, "TeamPage")


class ActionSchema(Schema):
    id = fields.Integer(strict=True, required=True)
    team = fields.Nested(TeamRef, required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    report_text = fields.String(required=True)
    status = fields.Enum(ActionStatus, by_value=True, required=True)
    status_label = fields.String(required=True, metadata=_doc("De status in woorden (Nederlands)."))
    owner = fields.Nested(Ref, allow_none=True, required=True)
    due_date = fields.Date(allow_none=True, required=True)
    overdue = fields.Boolean(required=True, metadata=_doc("Open en de datum is verstreken."))
    milestone_id = fields.Integer(strict=True, allow_none=True, required=True)
    district_id = fields.Integer(strict=True, allow_none=True, required=True)
    event_id = fields.Integer(strict=True, allow_none=True, required=True)
    completed_at = fields.DateTime(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(strict=True, required=True, metadata=_doc(
        "Versie voor optimistische vergrendeling: stuur haar mee bij elke wijziging."))
    url = fields.String(required=True)


ActionPage = page_of(ActionSchema, "ActionPage")


_TITLE = fields.String(validate=validate.Length(1, TITLE_MAX_LENGTH), metadata=_doc("Titel."))
_TEXT = {"validate": validate.Length(0, DESCRIPTION_MAX_LENGTH)}


class ActionCreate(Schema):
    """A new action; the same checks as the form on the pages (Dutch messages)."""

    title = fields.String(required=True, validate=validate.Length(1, TITLE_MAX_LENGTH),
                          metadata=_doc("Titel.", example="Convenant informatie-uitwisseling"))
    description = fields.String(load_default="", **_TEXT)
    report_text = fields.String(load_default="", **_TEXT,
                                metadata=_doc("Tekst in de rapportage (leeg: de titel)."))
    owner_id = fields.Integer(strict=True, allow_none=True, load_default=None,
                              metadata=_doc("Eigenaar: een lid van het team."))
    due_date = fields.Date(allow_none=True, load_default=None)
    status = fields.Enum(ActionStatus, by_value=True, load_default=ActionStatus.OPEN)
    milestone_id = fields.Integer(strict=True, allow_none=True, load_default=None)
    district_id = fields.Integer(strict=True, allow_none=True, load_default=None)


class ActionUpdate(Schema):
    """Change an action: ``version`` is required; omitted fields keep their value."""

    version = fields.Integer(strict=True, required=True, validate=validate.Range(1, 2**31 - 1),
                             metadata=_doc("De versie die u het laatst ophaalde."))
    title = fields.String(validate=validate.Length(1, TITLE_MAX_LENGTH))
    description = fields.String(**_TEXT)
    report_text = fields.String(**_TEXT)
    owner_id = fields.Integer(strict=True, allow_none=True)
    due_date = fields.Date(allow_none=True)
    status = fields.Enum(ActionStatus, by_value=True)
    milestone_id = fields.Integer(strict=True, allow_none=True)
    district_id = fields.Integer(strict=True, allow_none=True)


class VersionBody(Schema):
    version = fields.Integer(strict=True, required=True, validate=validate.Range(1, 2**31 - 1),
                             metadata=_doc("De versie die u het laatst ophaalde."))


class ProgressSchema(Schema):
    done = fields.Integer(strict=True, required=True)
    total = fields.Integer(strict=True, required=True)
    unit = fields.String(required=True, metadata=_doc("gemeenten (per gemeente) of acties (gekoppeld)"))
    percent = fields.Integer(strict=True, required=True)
    text = fields.String(required=True)


class DistrictProgressSchema(Schema):
    district = fields.String(required=True)
    done = fields.Integer(strict=True, required=True)
    total = fields.Integer(strict=True, required=True)
    percent = fields.Integer(strict=True, required=True)


class MunicipalitySchema(Schema):
    id = fields.Integer(strict=True, required=True)
    name = fields.String(required=True)
    district = fields.String(required=True)
    done = fields.Boolean(required=True)
    completed_on = fields.Date(allow_none=True, required=True)


class MilestoneSchema(Schema):
    id = fields.Integer(strict=True, required=True)
    team = fields.Nested(TeamRef, allow_none=True, required=True,
                         metadata=_doc("null: een mijlpaal van het hele netwerk."))
    title = fields.String(required=True)
    description = fields.String(required=True)
    kind = fields.String(required=True)
    due_date = fields.Date(required=True)
    per_municipality = fields.Boolean(required=True)
    achieved_on = fields.Date(allow_none=True, required=True)
    state = fields.String(required=True, metadata=_doc("gehaald, op-schema, risico of te-laat"))
    state_label = fields.String(required=True)
    days_left = fields.Integer(strict=True, required=True)
    progress = fields.Nested(ProgressSchema, allow_none=True, required=True)
    version = fields.Integer(strict=True, required=True)
    url = fields.String(required=True)


class MilestoneDetail(MilestoneSchema):
    per_district = fields.List(fields.Nested(DistrictProgressSchema), required=True,
                               metadata=_doc("Voortgang per district (alleen bij per gemeente)."))
    municipalities = fields.List(fields.Nested(MunicipalitySchema), required=True,
                                 metadata=_doc("Elke gemeente met haar vinkje (alleen bij per gemeente)."))


MilestonePage = page_of(MilestoneSchema, "MilestonePage")


class PilotSchema(Schema):
    id = fields.Integer(strict=True, required=True)
    team = fields.Nested(TeamRef, required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    status = fields.Enum(PilotStatus, by_value=True, required=True)
    status_label = fields.String(required=True)
    district = fields.String(allow_none=True, required=True)
    building_block = fields.String(allow_none=True, required=True)
    municipalities = fields.List(fields.String(), required=True)
    start_date = fields.Date(allow_none=True, required=True)
    end_date = fields.Date(allow_none=True, required=True)
    version = fields.Integer(strict=True, required=True)
    url = fields.String(required=True)


PilotPage = page_of(PilotSchema, "PilotPage")


class MeetingSchema(Schema):
    id = fields.Integer(strict=True, required=True)
    team = fields.Nested(TeamRef, allow_none=True, required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    starts_at = fields.DateTime(allow_none=True, required=True)
    ends_at = fields.DateTime(allow_none=True, required=True)
    date_note = fields.String(allow_none=True, required=True,
                              metadata=_doc("Wat bekend is van een nog open datum."))
    location = fields.String(required=True)
    status = fields.String(required=True)
    capacity = fields.Integer(strict=True, allow_none=True, required=True)
    rsvp_deadline = fields.DateTime(allow_none=True, required=True)
    version = fields.Integer(strict=True, required=True)
    url = fields.String(required=True)


MeetingPage = page_of(MeetingSchema, "MeetingPage")


class ReasonSchema(Schema):
    level = fields.String(required=True, metadata=_doc("op_schema, aandacht of risico"))
    text = fields.String(required=True)


class CountsSchema(Schema):
    open = fields.Integer(strict=True, required=True)
    overdue = fields.Integer(strict=True, required=True)
    done = fields.Integer(strict=True, required=True)


class TeamStatusSchema(Schema):
    team = fields.Nested(TeamRef, required=True)
    level = fields.String(required=True, metadata=_doc("op_schema, aandacht of risico"))
    label = fields.String(required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    actions = fields.Nested(CountsSchema, required=True)
    next_milestone = fields.Nested(Ref, allow_none=True, required=True)
    url = fields.String(required=True)


class NetworkLevel(Schema):
    level = fields.String(required=True)
    label = fields.String(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True), required=True,
                         metadata=_doc("Aantal teams per niveau."))


class NetworkStatusSchema(Schema):
    today = fields.Date(required=True, metadata=_doc("De datum (Europe/Amsterdam) van de stand."))
    network = fields.Nested(NetworkLevel, required=True)
    teams = fields.List(fields.Nested(TeamStatusSchema), required=True)


class IndicatorRowSchema(Schema):
    label = fields.String(required=True)
    is_total = fields.Boolean(required=True)
    values = fields.List(fields.Float(allow_none=True), required=True,
                         metadata=_doc("Per periode (zelfde volgorde als 'periods'); null = geen waarde."))
    change = fields.Float(allow_none=True, required=True)
    change_pct = fields.Float(allow_none=True, required=True)


class IndicatorSchema(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    source = fields.String(required=True)
    periods = fields.List(fields.String(), required=True)
    change_between = fields.List(fields.String(), allow_none=True, required=True)
    rows = fields.List(fields.Nested(IndicatorRowSchema), required=True)


class IndicatorGroupSchema(Schema):
    title = fields.String(required=True)
    subtitle = fields.String(required=True)
    indicators = fields.List(fields.Nested(IndicatorSchema), required=True)


class IndicatorTables(Schema):
    team = fields.Nested(TeamRef, required=True)
    today = fields.Date(required=True)
    groups = fields.List(fields.Nested(IndicatorGroupSchema), required=True)


class ProblemSchema(Schema):
    """A JSON error (RFC 9457 fields); ``errors`` per field on 422, ``current`` on 409."""

    status = fields.Integer(strict=True, required=True)
    title = fields.String(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.String())
    current = fields.Nested(ActionSchema)
