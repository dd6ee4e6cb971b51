"""Load the network as it stood in the February 2018 progress report.

Idempotent: every row is found by its natural key (slug, CBS code, e-mail,
title within a team) and only created when missing; rows that exist are left
as they are, so loading twice changes nothing and user edits survive.

Two placements (see docs/demo.md):

- **as of 2018** (``now=None``, ``flask demo load --as-of-2018``): the report's own
  dates; the peildatum is 1 February 2018. The report tests use this.
- **today** (``now`` given, ``flask demo load``): every date and moment moved by one
  offset in whole days, so that the peildatum (1 February 2018) falls on today's local
  date and "1 oktober 2018" becomes "242 days after today", as it was 242 days after the
  peildatum. Indicator periods (the years 2013-2017) and free texts stay as the report
  wrote them: they are historic source figures and quotations, not schedule.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from importlib import resources
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tracker.actions.models import Action
from tracker.auth.models import User
from tracker.auth.passwords import hash_password
from tracker.demo import february_2018 as source
from tracker.enums import (
    ActionStatus,
    DatePrecision,
    Direction,
    EventStatus,
    IndicatorUnit,
    ItemKind,
    MilestoneKind,
    OrganisationKind,
    PilotStatus,
    Role,
    RsvpResponse,
    TeamKind,
    TeamRole,
    TeamStatus,
)
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.history import recorded_at
from tracker.indicators.models import Indicator, Measurement
from tracker.milestones.models import Milestone
from tracker.network.models import (
    District,
    Municipality,
    Organisation,
    ReportItem,
    Team,
    TeamMembership,
)
from tracker.pilots.models import BuildingBlock, Pilot

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

#: The report gives the day of the 7 March meeting but no hours; the demo assumes an
#: afternoon session so that invitations and calendar entries have a time.
DEMO_MEETING_HOURS = (time(13, 30), time(16, 30))

#: When the demo rows were "recorded": on the report's peildatum, so that the report
#: for that date (which shows only rows that existed then) shows the whole network.
DEMO_RECORDED_AT = datetime.combine(source.REPORT_META["peildatum"], time(9, 0), tzinfo=AMSTERDAM)

#: The report's peildatum: the day that becomes "today" when the demo is placed today.
SOURCE_PEILDATUM: date = source.REPORT_META["peildatum"]


class Placement:
    """Where the demo stands in time: one offset in whole days for every date and moment.

    ``Placement()`` keeps the report's dates (offset 0, recorded at 09:00 on 1 February
    2018). :meth:`today` moves the peildatum onto the local date of ``now``.
    """

    def __init__(self, offset: timedelta = timedelta(0), recorded_at: datetime = DEMO_RECORDED_AT,
                 *, until: datetime | None = None):
        self.offset = offset
        #: The moment every demo row was created (history, ``created_at``), aware.
        self.recorded_at = recorded_at
        #: No demo moment of the past (an invitation, an answer) lies after this one.
        self.until = until

    @classmethod
    def today(cls, now: datetime, timezone: str = "Europe/Amsterdam") -> Placement:
        """The placement whose peildatum is ``now``'s local date (``now`` aware, any zone).

        The rows count as recorded at 09:00 that day, or at ``now`` when that is earlier:
        never in the future, so the report "as of" today and every "since" shows them.
        """
        zone = ZoneInfo(timezone)
        local_now = now.astimezone(zone)
        offset = local_now.date() - SOURCE_PEILDATUM
        recorded = min(datetime.combine(local_now.date(), time(9, 0), tzinfo=zone), local_now)
        return cls(offset, recorded, until=recorded)

    @property
    def peildatum(self) -> date:
        """The report's peildatum in this placement."""
        return SOURCE_PEILDATUM + self.offset

    def day(self, value: date | None) -> date | None:
        """A date of the source, placed (None stays None)."""
        return None if value is None else value + self.offset

    def moment(self, value: datetime) -> datetime:
        """A moment of the demo's own past (relative to :data:`DEMO_RECORDED_AT`), placed:
        moved by the offset and, placed today, not later than the rows' recording."""
        moved = value + self.offset
        return moved if self.until is None else min(moved, self.until)

    def local(self, day: date, at: time) -> datetime:
        """A local wall-clock time on a (source) day, placed: the day moves, the hour stays."""
        return _local(day + self.offset, at)

#: Labels in the order the loader reports them.
KIND_LABELS = {
    "districts": "districten",
    "municipalities": "gemeenten",
    "organisations": "organisaties",
    "users": "personen",
    "teams": "teams",
    "memberships": "teamrollen",
    "report_items": "doelen, resultaten en aandachtspunten",
    "actions": "acties",
    "milestones": "mijlpalen",
    "events": "bijeenkomsten",
    "invitations": "uitnodigingen",
    "building_blocks": "bouwstenen",
    "pilots": "pilots",
    "indicators": "indicatoren",
    "measurements": "metingen",
}

MODELS = {
    "districts": District,
    "municipalities": Municipality,
    "organisations": Organisation,
    "users": User,
    "teams": Team,
    "memberships": TeamMembership,
    "report_items": ReportItem,
    "actions": Action,
    "milestones": Milestone,
    "events": Event,
    "invitations": Invitation,
    "building_blocks": BuildingBlock,
    "pilots": Pilot,
    "indicators": Indicator,
    "measurements": Measurement,
}


def municipality_rows() -> list[dict[str, str]]:
    """The 78 municipalities by district, from the CSV shipped with the package."""
    text = resources.files("tracker.demo").joinpath(
        "data/gemeenten-oost-nederland-2018.csv"
    ).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


class _Loader:
    def __init__(self, password: str | None, placement: Placement):
        self.placement = placement
        self.password_hash = hash_password(password) if password else None
        self.created: Counter[str] = Counter()
        self.districts: dict[str, District] = {}
        self.municipalities: dict[str, Municipality] = {}
        self.organisations: dict[str, Organisation] = {}
        self.people: dict[str, User] = {}
        self.teams: dict[str, Team] = {}

    def _get_or_create(self, counter: str, model, lookup: dict, **values):
        found = db.session.scalar(select(model).filter_by(**lookup))
        if found is not None:
            return found
        for column in ("created_at", "entered_at"):
            if hasattr(model, column) and column not in values and model is not User:
                values[column] = self.placement.recorded_at
        obj = model(**lookup, **values)
        db.session.add(obj)
        db.session.flush()
        self.created[counter] += 1
        return obj

    def load(self) -> None:
        self.load_districts_and_municipalities()
        self.load_organisations()
        self.load_people()
        self.load_teams()
        self.load_milestones()
        self.load_events()
        self.load_invitations()
        self.load_pilots()
        self.load_indicators()
        self.load_report_texts()

    def load_report_texts(self) -> None:
        from tracker.report.models import ReportText

        texts = {k: v for k, v in source.REPORT_META.items()
                 if k not in ("peildatum", "version_label")}
        texts["network_goals"] = source.NETWORK_GOALS
        for key, value in texts.items():
            if db.session.scalar(select(ReportText).filter_by(key=key)) is None:
                db.session.add(ReportText(key=key, value=value))

    def load_districts_and_municipalities(self) -> None:
        by_name = {}
        for position, d in enumerate(source.DISTRICTS):
            district = self._get_or_create(
                "districts", District, {"slug": d["slug"]}, name=d["name"], position=position
            )
            self.districts[d["slug"]] = district
            by_name[d["name"]] = district
        for row in municipality_rows():
            municipality = self._get_or_create(
                "municipalities",
                Municipality,
                {"name": row["gemeente"]},
                cbs_code=row["cbs_code"] or None,
                province=row["provincie"] or None,
                district=by_name[row["district"]],
            )
            self.municipalities[row["gemeente"]] = municipality

    def load_organisations(self) -> None:
        # The standing list first (all 78 municipalities, police, OM, RIEC, GGZ), the same
        # function ``flask network organisations`` runs for installations without demo data.
        from tracker.network.organisations import ensure_network_organisations

        self.created.update(ensure_network_organisations())
        for o in source.ORGANISATIONS:
            self.organisations[o["slug"]] = self._get_or_create(
                "organisations", Organisation, {"slug": o["slug"]},
                name=o["name"], kind=OrganisationKind(o["kind"]),
            )

    def _organisation(self, reference: str | None) -> Organisation | None:
        """Resolve ``gemeente:<name>`` or an organisation slug."""
        if reference is None:
            return None
        if reference.startswith("gemeente:"):
            name = reference.removeprefix("gemeente:")
            municipality = self.municipalities[name]
            return self._get_or_create(
                "organisations", Organisation, {"municipality_id": municipality.id},
                slug="gemeente-" + _slugify(name), name=f"Gemeente {name}",
                kind=OrganisationKind.GEMEENTE,
            )
        return self.organisations[reference]

    def load_people(self) -> None:
        for p in source.PEOPLE:
            has_password = p.get("password", True) is not False
            self.people[p["key"]] = self._get_or_create(
                "users", User, {"email": p["email"]},
                name=p["name"], title=p.get("title"), salutation=p.get("salutation"),
                role=Role(p["role"]),
                organisation=self._organisation(p.get("organisation")),
                password_hash=self.password_hash if has_password else None,
            )

    def _member(self, team: Team, key: str, role: TeamRole) -> None:
        self._get_or_create(
            "memberships", TeamMembership,
            {"team_id": team.id, "user_id": self.people[key].id}, role=role,
        )

    def load_teams(self) -> None:
        for position, t in enumerate(source.TEAMS):
            parent = self.teams.get(t["parent"]) if t["parent"] else None
            team = self._get_or_create(
                "teams", Team, {"slug": t["slug"]},
                name=t["name"], short_name=t["short_name"], kind=TeamKind(t["kind"]),
                status=TeamStatus(t["status"]), parent=parent,
                introduction=t["introduction"], chair_note=t.get("chair_note"),
                position=position,
            )
            self.teams[t["slug"]] = team
            for key in t["chairs"]:
                self._member(team, key, TeamRole.VOORZITTER)
            if t["trekker"]:
                self._member(team, t["trekker"], TeamRole.TREKKER)
            for key in t["members"]:
                self._member(team, key, TeamRole.COORDINATOR)
            for key in t.get("partner_members", []):
                self._member(team, key, TeamRole.LID)
            for kind, texts in (
                (ItemKind.DOEL, t["goals"]),
                (ItemKind.RESULTAAT, t["results"]),
                (ItemKind.AANDACHTSPUNT, t["attention_points"]),
            ):
                for item_position, text in enumerate(texts):
                    self._get_or_create(
                        "report_items", ReportItem,
                        {"team_id": team.id, "kind": kind, "text": text},
                        position=item_position,
                    )
            for action_position, a in enumerate(t["actions"]):
                self._get_or_create(
                    "actions", Action, {"team_id": team.id, "title": a["title"]},
                    # The published report's wording; the same as the title needs no copy.
                    report_text="" if a["report_text"] == a["title"] else a["report_text"],
                    due_date=self.placement.day(a["due_date"]),
                    due_precision=DatePrecision(a["due_precision"] or "day"),
                    owner=self.people[a["owner"]] if a["owner"] else None,
                    status=ActionStatus(a["status"]),
                    position=action_position,
                )

    def load_milestones(self) -> None:
        for m in source.MILESTONES:
            team = self.teams[m["team"]] if m["team"] else None
            self._get_or_create(
                "milestones", Milestone,
                {"team_id": team.id if team else None, "title": m["title"]},
                description=m["description"], kind=MilestoneKind(m["kind"]),
                due_date=self.placement.day(m["due_date"]),
                due_precision=DatePrecision(m["due_precision"]),
                per_municipality=m["per_municipality"],
            )

    def load_events(self) -> None:
        for e in source.EVENTS:
            team = self.teams[e["team"]] if e["team"] else None
            values = {"description": e["description"]}
            if e["precision"] == "day" and e["starts_on"]:
                start, end = DEMO_MEETING_HOURS
                values.update(
                    starts_at=self.placement.local(e["starts_on"], start),
                    ends_at=self.placement.local(e["starts_on"], end),
                    status=EventStatus.GEPLAND,
                    organiser=team.trekker if team else None,
                )
                if e["key"] == source.DEMO_MEETING["event"]:
                    # Demo additions (not in the report): place, seats and RSVP deadline.
                    day, at = source.DEMO_MEETING["rsvp_deadline"]
                    values.update(location=source.DEMO_MEETING["location"],
                                  capacity=source.DEMO_MEETING["capacity"],
                                  rsvp_deadline=self.placement.local(day, time.fromisoformat(at)))
            else:
                note = "datum nog niet bekend"
                if e["starts_on"] and e["precision"]:
                    from tracker.formatting import approximate_date

                    # Derived from the (placeholder) date, so it moves with it: "voorjaar
                    # 2018" placed today reads as the season eight weeks or so ahead.
                    note = approximate_date(self.placement.day(e["starts_on"]), e["precision"])
                values.update(status=EventStatus.CONCEPT, date_note=note,
                              organiser=team.trekker if team else None)
            self._get_or_create(
                "events", Event, {"team_id": team.id if team else None, "title": e["title"]},
                **values,
            )

    def load_invitations(self) -> None:
        """The demo additions: invitations, some answered, to the 7 March 2018 meeting."""
        meeting = source.DEMO_MEETING
        spec = next(e for e in source.EVENTS if e["key"] == meeting["event"])
        team = self.teams[spec["team"]]
        event = db.session.scalar(select(Event).filter_by(team_id=team.id, title=spec["title"]))
        if event is None or event.starts_at is None:
            return
        for position, item in enumerate(source.DEMO_INVITATIONS):
            if "person" in item:
                user = self.people[item["person"]]
            else:
                user = self._get_or_create(
                    "users", User, {"email": item["email"]}, name=item["name"],
                    role=Role.PARTNER, organisation=self._organisation(item["organisation"]),
                    password_hash=None,
                )
            response = RsvpResponse(item["response"]) if item["response"] else None
            invited_at = DEMO_RECORDED_AT + timedelta(minutes=position)
            responded_at = invited_at + timedelta(days=2) if response else None
            self._get_or_create(
                "invitations", Invitation, {"event_id": event.id, "user_id": user.id},
                invited_at=self.placement.moment(invited_at), response=response,
                remark=item.get("remark") or "",
                responded_at=self.placement.moment(responded_at) if response else None,
            )

    def load_pilots(self) -> None:
        blocks: dict[tuple[str, int], BuildingBlock] = {}
        for team_slug, names in source.BUILDING_BLOCKS.items():
            team = self.teams[team_slug]
            for entry in names:
                number_text, _, name = entry.partition(" ")
                blocks[(team_slug, int(number_text))] = self._get_or_create(
                    "building_blocks", BuildingBlock,
                    {"team_id": team.id, "number": int(number_text)}, name=name,
                )
        for p in source.PILOTS:
            team = self.teams[p["team"]]
            block = None
            if p.get("building_block"):
                block = blocks[(p["team"], int(str(p["building_block"]).split()[0]))]
            pilot = db.session.scalar(
                select(Pilot).filter_by(team_id=team.id, title=p["title"])
            )
            if pilot is not None:
                continue
            pilot = Pilot(
                team=team, title=p["title"], description=p.get("description", ""),
                district=self.districts[p["district"]] if p.get("district") else None,
                building_block=block, status=PilotStatus(p["status"]),
                # A year alone ("in 2016") is not a start date: keep it out of the date field.
                start_date=None if p.get("start_year") else self.placement.day(p.get("start_date")),
                end_date=self.placement.day(p.get("end_date")),
                results=p.get("results", ""), lessons=p.get("lessons", ""),
                municipalities=[self.municipalities[name] for name in p["municipalities"]],
                created_at=self.placement.recorded_at,
            )
            db.session.add(pilot)
            db.session.flush()
            self.created["pilots"] += 1

    def load_indicators(self) -> None:
        for position, i in enumerate(source.INDICATORS):
            labels = i.get("period_labels") or {}
            averages = i.get("period_averages") or {}
            numerator, denominator = i.get("ratio_of") or (None, None)
            notes = i.get("source_figures") or {}
            unit_notes = i.get("unit_source_notes") or {}

            def figure_kind(period: str, unit: bool = False, notes=notes,
                            unit_notes=unit_notes) -> dict:
                """Whether the figure is a source figure, with its note (see the data)."""
                note = (unit_notes.get(period) if unit else None) or notes.get(period) \
                    or notes.get("*")
                return {"is_source_figure": note is not None, "source_note": note or ""}

            indicator = self._get_or_create(
                "indicators", Indicator, {"key": i["key"]},
                team=self.teams[i["team"]], name=i["name"], description=i.get("description", ""),
                unit=IndicatorUnit(i["unit"]), source=i.get("source", ""),
                direction=Direction(i["direction"]),
                baseline_value=_decimal(i.get("baseline")),
                target_value=_decimal(i.get("target")),
                target_kind=i.get("target_kind"),
                target_base_period=i.get("target_base_period"),
                target_period=i.get("target_period"),
                periods=[{"key": p, "label": labels.get(p, p)}
                         | ({"average_of": averages[p]} if p in averages else {})
                         for p in i["periods"]],
                ratio_numerator_key=numerator, ratio_denominator_key=denominator,
                notes=i.get("notes", ""),
                position=position,
            )
            for district_slug, values in i["measurements"].items():
                district = self.districts[district_slug]
                for period, value in values.items():
                    self._get_or_create(
                        "measurements", Measurement,
                        {"indicator_id": indicator.id, "district_id": district.id,
                         "period": period},
                        value=Decimal(str(value)), **figure_kind(period),
                    )
            for period, value in (i.get("unit_measurements") or {}).items():
                self._get_or_create(
                    "measurements", Measurement,
                    {"indicator_id": indicator.id, "district_id": None, "period": period},
                    value=Decimal(str(value)), **figure_kind(period, unit=True),
                )


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=AMSTERDAM)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _slugify(name: str) -> str:
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def load_demo_network(password: str | None, *, now: datetime | None = None,
                      timezone: str = "Europe/Amsterdam") -> Counter[str]:
    """Create whatever of the February 2018 network is missing; return what was created.

    ``password`` is set on every demo account that may log in (development only);
    with ``None`` the accounts are created without a password.

    ``now`` (aware): place the network relative to that moment (:meth:`Placement.today`:
    the peildatum becomes its local date in ``timezone``, every date moves by the same
    number of days). ``None`` keeps the report's own dates (peildatum 1 February 2018).
    Rows that already exist are never moved.
    """
    placement = Placement() if now is None else Placement.today(now, timezone)
    loader = _Loader(password, placement)
    # History records the network as it stood on the (placed) peildatum, so that the
    # report "as of" that day shows it. Commit before: this whole transaction gets that
    # one moment.
    with recorded_at(db.session, placement.recorded_at):
        loader.load()
        db.session.flush()
    return loader.created


def count_rows() -> dict[str, int]:
    """How many rows of each demo kind the database holds."""
    from sqlalchemy import func

    return {
        kind: db.session.scalar(select(func.count()).select_from(model)) or 0
        for kind, model in MODELS.items()
    }


#: The ``job_runs`` summary of a period the demo load marked done.
DEMO_JOB_SUMMARY = "demo geladen: eerdere perioden overgeslagen"


def mark_jobs_done(now: datetime) -> list[str]:
    """Record every scheduled job's periods up to ``now`` as done; return the job names.

    After a load placed today, the scheduler's first start would otherwise catch up
    the runs of the last two days (``scheduler.missed_runs``): runs as of moments
    before the demo existed, about a past that never happened. The jobs run from
    their next scheduled moment on. Flush only; a record that is later already
    stays (``last_period_at`` never moves back).
    """
    from tracker.jobs.scheduler import SCHEDULE
    from tracker.notifications.models import JobRun

    for name in SCHEDULE:
        run = db.session.get(JobRun, name)
        if run is None:
            db.session.add(JobRun(name=name, last_period_at=now, summary=DEMO_JOB_SUMMARY))
        elif run.last_period_at < now:
            run.last_period_at = now
            run.summary = DEMO_JOB_SUMMARY
    db.session.flush()
    return list(SCHEDULE)
