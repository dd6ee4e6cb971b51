"""``flask demo scale``: a deterministic synthetic network, years of history, for load tests.

The network is ``factor`` *regions*, each shaped like the demo network (a copy of its
team tree) and sized so that factor 100 gives at least the figures of issue 15:
20,000 actions, 2,000 pilots, 700 milestones, 1,000 meetings with 20,000 invitations,
5,000 people and 41,000 audit entries (see :data:`PER_REGION`).

Every change goes through the services the web app uses (``create_user``,
``set_membership``, ``create_action``, ``update_action``, ``complete_action``,
``create_pilot``, ``change_status``, ``create_milestone``, ``set_achieved``,
``create_event``, ``invite``, ``rsvp.answer``), so the audit journal and the
SQLAlchemy-Continuum history are what those services record. The changes are spread
over :data:`YEARS` years before the anchor moment: they are generated as a plan of
``(moment, change)`` pairs, sorted, and applied one *moment* (a whole local hour)
per database transaction, stamped with that moment through
:func:`tracker.history.recorded_at` (history and audit) and passed as ``now`` to the
services. Only team rows (which have no service) are created directly, like the demo
loader does, inside the same recorded transactions.

Deterministic: the plan depends only on ``factor``, ``seed`` and the anchor's local
date (``random.Random`` seeded per region with a string). On a fresh database the same
arguments give the same rows and ids; :func:`content_digest` hashes them leaving out
secrets and the moments of the run itself.

No mail is queued about this synthetic past (nobody must get 20,000 invitations to
meetings of the past): the run marks its session
:data:`tracker.notifications.outbox.QUIET`. The search index is described once, after
the last change (:data:`tracker.search.indexing.DEFERRED`, then
:func:`tracker.search.indexing.rebuild`), not again after each of the changes. What
the run looks up itself (the trekker of a team) comes from maps it keeps, not from
the team's memberships.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import sys
import time as wallclock
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from tracker.actions.models import Action
from tracker.actions.services import (
    ActionInput,
    cancel_action,
    complete_action,
    create_action,
    reopen_action,
    update_action,
)
from tracker.auth.models import User
from tracker.auth.services import create_user, set_membership
from tracker.demo import february_2018 as source
from tracker.enums import (
    ActionStatus,
    MilestoneKind,
    PilotStatus,
    Role,
    TeamKind,
    TeamRole,
    TeamStatus,
)
from tracker.events.invitations import invite
from tracker.events.models import Event, Invitation
from tracker.events.rsvp import answer
from tracker.events.services import create_event
from tracker.extensions import db
from tracker.history import recorded_at
from tracker.milestones.models import Milestone
from tracker.milestones.services import create_milestone, set_achieved
from tracker.network.models import District, Municipality, Organisation, Team
from tracker.notifications.outbox import QUIET
from tracker.pilots.models import Pilot
from tracker.pilots.services import PilotInput, change_status, create_pilot
from tracker.search.indexing import DEFERRED, rebuild

#: Every synthetic account's address ends in this domain; every synthetic team's slug
#: starts with :data:`SLUG_PREFIX`. That is how a scaled network is recognised.
EMAIL_DOMAIN = "schaal.example.org"
SLUG_PREFIX = "schaal-"
ADMIN_EMAIL = f"beheer@{EMAIL_DOMAIN}"

#: Years of history before the anchor's local date.
YEARS = 4

#: What one region holds (factor 100 = the figures of issue 15).
PER_REGION = {
    "people": 50,
    "actions": 200,
    "pilots": 20,
    "milestones": 7,
    "meetings": 10,
    "invitations_per_meeting": 20,
}

#: The kinds :func:`count_scaled` reports, with their Dutch labels.
COUNT_LABELS = {
    "people": "personen",
    "teams": "teams",
    "actions": "acties",
    "pilots": "pilots",
    "milestones": "mijlpalen",
    "meetings": "bijeenkomsten",
    "invitations": "uitnodigingen",
    "audit": "auditregels",
    "history_transactions": "historietransacties",
}

FIRST_NAMES = [
    "Anna", "Bram", "Carla", "Daan", "Eva", "Femke", "Gert", "Hanna", "Ivo", "Joost",
    "Karin", "Lars", "Marieke", "Niels", "Olga", "Pieter", "Rianne", "Sander", "Tessa",
    "Ulrike", "Vera", "Willem", "Yvonne", "Zeger",
]
SURNAMES = [
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Boer",
    "Bos", "Vos", "Peters", "Hendriks", "Dekker", "Brouwer", "Dijkstra", "Kok",
    "Jacobs", "van Dijk", "Wolters", "Hulshof", "ten Brinke", "Nijhuis", "Oude Vrielink",
]
ACTION_VERBS = ["Opstellen", "Evalueren", "Afstemmen", "Uitwerken", "Bespreken", "Opleveren",
                "Inventariseren", "Organiseren", "Actualiseren", "Toetsen"]
ACTION_OBJECTS = ["plan van aanpak", "convenant", "werkinstructie", "factsheet", "casusoverleg",
                  "informatiedeling", "voorlichtingscampagne", "evaluatierapport",
                  "bestuurlijke rapportage", "netwerkbijeenkomst", "handreiking", "pilotvoorstel"]


class ScaleRefused(Exception):
    """The database holds data this command must not add a synthetic network to."""


@dataclass
class _Region:
    number: int
    rng: random.Random
    people: list[int] = field(default_factory=list)
    teams: list[int] = field(default_factory=list)
    team_weights: list[int] = field(default_factory=list)
    milestones: list[int] = field(default_factory=list)


@dataclass(order=True)
class _Step:
    moment: datetime
    order: tuple
    run: Callable[[], None] = field(compare=False)


class _Scaler:
    def __init__(self, factor: int, seed: int, anchor: datetime, timezone: str,
                 password_hash: str | None, progress: Callable[[str], None]):
        self.factor, self.seed = factor, seed
        self.zone = ZoneInfo(timezone)
        self.today = anchor.astimezone(self.zone).date()
        self.yesterday = self.today - timedelta(days=1)
        self.start = self.today - timedelta(days=round(365.25 * YEARS))
        self.password_hash = password_hash
        self.progress = progress
        self.steps: list[_Step] = []
        self.admin_id: int | None = None
        #: Team id -> the user id of its trekker (set once, in setup_region).
        self.trekkers: dict[int, int] = {}

    # == the plan ==
    def at(self, day: date, hour: int) -> datetime:
        """A whole local hour on a working day (a weekend day moves back to the Friday, so
        that a day before the anchor's date stays before it), as aware UTC."""
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return datetime.combine(day, time(hour), tzinfo=self.zone).astimezone(UTC)

    def plan(self, day: date, hour: int, order: tuple, run: Callable[[], None]) -> None:
        """Schedule ``run`` at ``day``/``hour`` if that is before the anchor's date."""
        moment = self.at(day, hour)
        if moment.astimezone(self.zone).date() < self.today:
            self.steps.append(_Step(moment, order, run))

    def get(self, model: type, ident: int):
        return db.session.get(model, ident)

    @property
    def admin(self) -> User | None:
        return None if self.admin_id is None else db.session.get(User, self.admin_id)

    def build_plan(self) -> None:
        self.plan(self.start, 8, (0,), self.setup_network)
        for number in range(1, self.factor + 1):
            region = _Region(number, random.Random(f"vnon-schaal:{self.seed}:{number}"))
            joined = self.start + timedelta(days=region.rng.randint(0, 300))
            self.plan(joined, 9, (number, 0), lambda r=region: self.setup_region(r))
            self.plan_milestones(region, joined)
            self.plan_pilots(region, joined)
            self.plan_actions(region, joined)
            self.plan_meetings(region, joined)
        self.steps.sort()

    def random_day(self, rng: random.Random, after: date, before: date) -> date:
        span = max((before - after).days, 1)
        return after + timedelta(days=rng.randint(1, span))

    def plan_milestones(self, region: _Region, joined: date) -> None:
        rng = region.rng
        kinds = list(MilestoneKind)
        for i in range(PER_REGION["milestones"]):
            created = joined + timedelta(days=1 + i)
            due = self.random_day(rng, created + timedelta(days=60), self.today + timedelta(days=365))
            kind = kinds[rng.randrange(len(kinds))]
            self.plan(created, 10, (region.number, 1, i),
                      lambda r=region, i=i, due=due, kind=kind: self.new_milestone(r, i, due, kind))
            if due < self.today and rng.random() < 0.7:
                achieved = due - timedelta(days=rng.randint(0, 20))
                self.plan(max(achieved, created + timedelta(days=1)), 11, (region.number, 2, i),
                          lambda r=region, i=i, d=achieved: self.achieve_milestone(r, i, d))

    def plan_pilots(self, region: _Region, joined: date) -> None:
        rng = region.rng
        for i in range(PER_REGION["pilots"]):
            created = self.random_day(rng, joined + timedelta(days=2), self.yesterday)
            block = rng.randint(0, 10 ** 6)
            self.plan(created, 13, (region.number, 3, i),
                      lambda r=region, i=i, b=block, c=created: self.new_pilot(r, i, b, c))
            day = created
            for target in (PilotStatus.LOPEND, PilotStatus.GEEVALUEERD,
                           PilotStatus.GEBORGD):
                day += timedelta(days=rng.randint(30, 400))
                if rng.random() < 0.08:
                    self.plan(day, 14, (region.number, 4, i, "stop"),
                              lambda r=region, i=i: self.move_pilot(r, i, PilotStatus.GESTOPT))
                    break
                self.plan(day, 14, (region.number, 4, i, target.value),
                          lambda r=region, i=i, t=target: self.move_pilot(r, i, t))

    def plan_actions(self, region: _Region, joined: date) -> None:
        rng = region.rng
        for i in range(PER_REGION["actions"]):
            created = self.random_day(rng, joined + timedelta(days=2), self.yesterday)
            due = created + timedelta(days=rng.randint(14, 300))
            choice = rng.random()
            draw = rng.random()
            self.plan(created, 9 + rng.randint(0, 8), (region.number, 5, i),
                      lambda r=region, i=i, due=due, s=draw: self.new_action(r, i, due, s))
            started = created + timedelta(days=rng.randint(3, 60))
            self.plan(started, 10, (region.number, 6, i),
                      lambda r=region, i=i: self.action_status(r, i, "bezig"))
            ended = started + timedelta(days=rng.randint(5, 200))
            if choice < 0.65:
                self.plan(ended, 15, (region.number, 7, i),
                          lambda r=region, i=i: self.action_status(r, i, "gereed"))
                if rng.random() < 0.1:
                    self.plan(ended + timedelta(days=rng.randint(1, 30)), 16, (region.number, 8, i),
                              lambda r=region, i=i: self.action_status(r, i, "heropend"))
            elif choice < 0.75:
                self.plan(ended, 15, (region.number, 7, i),
                          lambda r=region, i=i: self.action_status(r, i, "vervallen"))
            elif choice < 0.9:
                moved = due + timedelta(days=rng.randint(14, 120))
                self.plan(ended, 15, (region.number, 7, i),
                          lambda r=region, i=i, d=moved: self.action_status(r, i, "verplaatst", d))

    def plan_meetings(self, region: _Region, joined: date) -> None:
        rng = region.rng
        for i in range(PER_REGION["meetings"]):
            created = self.random_day(rng, joined + timedelta(days=3), self.yesterday)
            starts = created + timedelta(days=rng.randint(21, 90))
            while starts.weekday() >= 5:  # meetings on working days, like every change
                starts += timedelta(days=1)
            hour = rng.choice([10, 13, 14, 19])
            invited = created + timedelta(days=1)
            self.plan(created, 11, (region.number, 9, i),
                      lambda r=region, i=i, s=starts, h=hour: self.new_meeting(r, i, s, h))
            self.plan(invited, 12, (region.number, 10, i),
                      lambda r=region, i=i: self.invite_people(r, i))
            for j in range(PER_REGION["invitations_per_meeting"]):
                if rng.random() < 0.7:
                    day = self.random_day(rng, invited, starts - timedelta(days=3))
                    response = rng.choice(["ja", "ja", "nee", "misschien"])
                    self.plan(day, 16, (region.number, 11, i, j),
                              lambda r=region, i=i, j=j, a=response: self.answer(r, i, j, a))

    # == the changes (each runs inside the transaction of its moment) ==
    def setup_network(self) -> None:
        from tracker.network.organisations import ensure_network_organisations

        ensure_network_organisations()
        admin = create_user(name="Beheer schaalnetwerk", email=ADMIN_EMAIL, role=Role.BEHEERDER)
        admin.password_hash = self.password_hash
        self.admin_id = admin.id
        self.districts = list(db.session.scalars(select(District.id).order_by(District.id)))
        self.municipalities = list(db.session.scalars(
            select(Municipality.id).order_by(Municipality.id)))
        self.organisations = list(db.session.scalars(
            select(Organisation.id).order_by(Organisation.id)))

    def setup_region(self, region: _Region) -> None:
        rng = region.rng
        roles = [Role.COORDINATOR] * 20 + [Role.PARTNER] * 20 + [Role.BESTUURDER] * 5 + [Role.LEZER] * 5
        for i in range(PER_REGION["people"]):
            name = f"{FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]} " \
                   f"{SURNAMES[rng.randrange(len(SURNAMES))]}"
            organisation = self.get(Organisation, self.organisations[rng.randrange(len(self.organisations))])
            user = create_user(
                name=name, email=f"r{region.number:03d}.p{i:02d}@{EMAIL_DOMAIN}",
                role=roles[i % len(roles)], organisation=organisation, actor=self.admin)
            if user.role == Role.COORDINATOR:
                user.password_hash = self.password_hash
            region.people.append(user.id)
        slugs: dict[str, Team] = {}
        coordinators = [p for i, p in enumerate(region.people) if roles[i % len(roles)] == Role.COORDINATOR]
        chairs = [p for i, p in enumerate(region.people) if roles[i % len(roles)] == Role.BESTUURDER]
        partners = [p for i, p in enumerate(region.people) if roles[i % len(roles)] == Role.PARTNER]
        for position, spec in enumerate(source.TEAMS):
            team = Team(
                slug=f"{SLUG_PREFIX}{region.number:03d}-{spec['slug']}"[:60],
                name=f"{spec['name']} (regio {region.number})"[:160],
                short_name=f"{spec['short_name']} R{region.number}"[:80],
                kind=TeamKind(spec["kind"]), status=TeamStatus(spec["status"]),
                parent=slugs.get(spec["parent"]) if spec["parent"] else None,
                introduction=spec["introduction"], position=1000 * region.number + position,
            )
            db.session.add(team)
            db.session.flush()
            slugs[spec["slug"]] = team
            region.teams.append(team.id)
            region.team_weights.append(len(spec["actions"]) + 1)
            set_membership(team, self.get(User, chairs[position % len(chairs)]),
                           TeamRole.VOORZITTER, actor=self.admin)
            self.trekkers[team.id] = coordinators[position % len(coordinators)]
            set_membership(team, self.get(User, self.trekkers[team.id]),
                           TeamRole.TREKKER, actor=self.admin)
            for offset in (1, 2):
                set_membership(team, self.get(User, coordinators[(position + offset) % len(coordinators)]),
                               TeamRole.COORDINATOR, actor=self.admin)
            for offset in range(3):
                set_membership(team, self.get(User, partners[(3 * position + offset) % len(partners)]),
                               TeamRole.LID, actor=self.admin)

    def region_team(self, region: _Region, rng: random.Random) -> Team:
        index = rng.choices(range(len(region.teams)), weights=region.team_weights)[0]
        return self.get(Team, region.teams[index])

    def trekker(self, team_id: int) -> User:
        """The trekker of the team (the actor of its changes), from the map, not its
        memberships."""
        return self.get(User, self.trekkers[team_id])

    def new_milestone(self, region: _Region, i: int, due: date, kind: MilestoneKind) -> None:
        team = self.get(Team, region.teams[i % len(region.teams)])
        milestone = create_milestone(
            team, title=f"{kind.label} {team.short_name} {i + 1}",
            description="Synthetische mijlpaal van het schaalnetwerk.", due_date=due, kind=kind,
            per_municipality=False, actor=self.trekker(team.id))
        region.milestones.append(milestone.id)
        self.created["milestones"] += 1

    def achieve_milestone(self, region: _Region, i: int, day: date) -> None:
        milestone = self.get(Milestone, region.milestones[i])
        # A weekend date was moved back to the Friday: never achieved after the change.
        set_achieved(milestone, min(day, self.moment_day), expected_version=milestone.version,
                     actor=self.trekker(milestone.team_id), today=self.moment_day)

    def new_pilot(self, region: _Region, i: int, block: int, created: date) -> None:
        rng = random.Random(block)
        team = self.get(Team, region.teams[i % len(region.teams)])
        municipalities = sorted(rng.sample(self.municipalities, rng.randint(1, 4)))
        data = PilotInput(
            title=f"Pilot {ACTION_OBJECTS[rng.randrange(len(ACTION_OBJECTS))]} "
                  f"{team.short_name} {i + 1}",
            description="Synthetische pilot van het schaalnetwerk.",
            district_id=self.districts[rng.randrange(len(self.districts))],
            building_block_id=None, municipality_ids=municipalities,
            start_date=created + timedelta(days=30), end_date=created + timedelta(days=400),
            lead_id=self.trekkers[team.id], results="", lessons="")
        pilot = create_pilot(team, data, actor=self.trekker(team.id), now=self.now)
        self.pilots[(region.number, i)] = pilot.id
        self.created["pilots"] += 1

    def move_pilot(self, region: _Region, i: int, target: PilotStatus) -> None:
        pilot = self.get(Pilot, self.pilots[(region.number, i)])
        findings = {}
        if target in (PilotStatus.GEEVALUEERD, PilotStatus.GEBORGD) or (
                target == PilotStatus.GESTOPT and pilot.status != PilotStatus.GEPLAND):
            findings = {"results": pilot.results or "Werkwijze getoetst in de deelnemende gemeenten.",
                        "lessons": pilot.lessons or "Vroeg afstemmen met de ketenpartners loont."}
        change_status(pilot, target, expected_version=pilot.version, actor=self.trekker(pilot.team_id),
                      now=self.now, **findings)

    def new_action(self, region: _Region, i: int, due: date, draw: float) -> None:
        rng = random.Random(f"{self.seed}:{region.number}:action:{i}")
        team = self.region_team(region, rng)
        members = [m.user_id for m in team.memberships if m.role != TeamRole.VOORZITTER]
        milestone_id = None
        if region.milestones and draw < 0.3:
            milestone_id = region.milestones[rng.randrange(len(region.milestones))]
        data = ActionInput(
            title=f"{ACTION_VERBS[rng.randrange(len(ACTION_VERBS))]} "
                  f"{ACTION_OBJECTS[rng.randrange(len(ACTION_OBJECTS))]} {i + 1}",
            description="Synthetische actie van het schaalnetwerk.",
            owner_id=members[rng.randrange(len(members))], due_date=due, status=ActionStatus.OPEN,
            milestone_id=milestone_id,
            district_id=self.districts[rng.randrange(len(self.districts))] if draw < 0.5 else None)
        action = create_action(team, data, actor=self.trekker(team.id), now=self.now)
        self.actions[(region.number, i)] = action.id
        self.created["actions"] += 1

    def action_status(self, region: _Region, i: int, change: str, due: date | None = None) -> None:
        action = self.get(Action, self.actions[(region.number, i)])
        actor = self.trekker(action.team_id)
        version = action.version
        if change == "gereed":
            complete_action(action, expected_version=version, actor=actor, now=self.now)
        elif change == "heropend":
            reopen_action(action, expected_version=version, actor=actor, now=self.now)
        elif change == "vervallen":
            cancel_action(action, expected_version=version, actor=actor, now=self.now)
        else:
            status = ActionStatus.BEZIG if change == "bezig" else action.status
            data = ActionInput(
                title=action.title, description=action.description, owner_id=action.owner_id,
                due_date=due or action.due_date, status=status, milestone_id=action.milestone_id,
                district_id=action.district_id, report_text=action.report_text or "")
            update_action(action, data, expected_version=version, actor=actor, now=self.now)

    def new_meeting(self, region: _Region, i: int, starts: date, hour: int) -> None:
        team = self.get(Team, region.teams[i % len(region.teams)])
        begin = datetime.combine(starts, time(hour), tzinfo=self.zone).astimezone(UTC)
        event = create_event({
            "team_id": team.id, "title": f"Overleg {team.short_name} {i + 1}",
            "description": "Synthetische bijeenkomst van het schaalnetwerk.",
            "starts_at": begin, "ends_at": begin + timedelta(hours=2),
            "location": f"Gemeentehuis regio {region.number}",
            "organiser_id": self.trekkers[team.id],
        }, actor=self.trekker(team.id), now=self.now)
        self.events[(region.number, i)] = event.id
        self.created["meetings"] += 1

    def invite_people(self, region: _Region, i: int) -> None:
        event = self.get(Event, self.events[(region.number, i)])
        rng = random.Random(f"{self.seed}:{region.number}:invite:{i}")
        people = rng.sample(region.people, PER_REGION["invitations_per_meeting"])
        report = invite(event, actor=event.organiser, now=self.now, user_ids=people, send=False)
        by_user = {inv.user_id: inv for inv in report.invited}
        self.invitations[(region.number, i)] = [by_user[p].id for p in people if p in by_user]
        self.created["invitations"] += len(report.invited)

    def answer(self, region: _Region, i: int, j: int, response: str) -> None:
        ids = self.invitations.get((region.number, i), [])
        if j < len(ids):
            answer(ids[j], response, "", now=self.now)

    # == running ==
    def run(self) -> Counter[str]:
        self.created: Counter[str] = Counter()
        self.pilots: dict[tuple[int, int], int] = {}
        self.actions: dict[tuple[int, int], int] = {}
        self.events: dict[tuple[int, int], int] = {}
        self.invitations: dict[tuple[int, int], list[int]] = {}
        self.build_plan()
        total = len(self.steps)
        self.progress(f"schaal {self.factor}: {total} wijzigingen van {self.start} tot {self.today}")
        session = db.session()
        autoflush = session.autoflush
        # One transaction per recorded moment. Nothing is flushed before a service flushes
        # itself, and the session is emptied after each change: Continuum looks at every
        # object in the session on every flush, so a session that grew would make each
        # flush dearer. No mail is queued about this past (QUIET), and the search index
        # is described once at the end instead of after every flush (DEFERRED).
        session.autoflush = False
        session.info[QUIET] = True
        session.info[DEFERRED] = True
        _sqlite_sync(True)
        began, done, report_every = wallclock.monotonic(), 0, max(total // 20, 1)
        try:
            index = 0
            while index < total:
                moment = self.steps[index].moment
                self.now = moment
                self.moment_day = moment.astimezone(self.zone).date()
                with recorded_at(session, moment):
                    _no_sync_wait(session)
                    while index < total and self.steps[index].moment == moment:
                        self.steps[index].run()
                        session.flush()
                        session.expunge_all()
                        index += 1
                        done += 1
                        if done % report_every == 0:
                            self.progress(f"  {done}/{total} wijzigingen, tot {self.moment_day}, "
                                          f"{wallclock.monotonic() - began:.0f} s")
                    session.commit()
            _no_sync_wait(session)
            rebuild(session)
            session.commit()
            session.expunge_all()
        finally:
            session.autoflush = autoflush
            session.info.pop(QUIET, None)
            session.info.pop(DEFERRED, None)
            _sqlite_sync(False)
        self.created["people"] = self.factor * PER_REGION["people"] + 1
        self.created["teams"] = self.factor * len(source.TEAMS)
        return self.created


def _no_sync_wait(session) -> None:
    """Let this transaction's commit return before the disk has it (a bulk load: after
    a crash, load again); consistency is unaffected. PostgreSQL: ``synchronous_commit``
    off for this transaction; SQLite: see :func:`_sqlite_sync`."""
    from sqlalchemy import text

    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _sqlite_checkout(dbapi_connection, connection_record, connection_proxy) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


def _sqlite_checkin(dbapi_connection, connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")  # as tracker.db sets it


def _sqlite_sync(off: bool) -> None:
    """SQLite: ``synchronous=OFF`` on every connection the run checks out (the pragma
    cannot change inside a transaction, so it is set at checkout and reset at checkin)."""
    from sqlalchemy import event

    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    if off:
        event.listen(engine, "checkout", _sqlite_checkout)
        event.listen(engine, "checkin", _sqlite_checkin)
    else:
        event.remove(engine, "checkout", _sqlite_checkout)
        event.remove(engine, "checkin", _sqlite_checkin)


def refusal(force: bool) -> str | None:
    """Why this database must not get a scaled network (Dutch), or None when it may.

    Always refused: a scaled network is already there (the plan is not additive).
    Refused unless ``force``: accounts or teams that are neither the demo's nor a scaled
    network's (real data must not be mixed with synthetic data by accident).
    """
    if db.session.scalar(select(func.count()).select_from(Team).where(
            Team.slug.startswith(SLUG_PREFIX))):
        return "Deze database bevat al een geschaald netwerk; gebruik een lege database."
    if force:
        return None
    demo_emails = {p["email"].lower() for p in source.PEOPLE}
    demo_emails |= {i["email"].lower() for i in source.DEMO_INVITATIONS if "email" in i}
    others = [e for e in db.session.scalars(select(User.email))
              if e.lower() not in demo_emails and not e.lower().endswith("@" + EMAIL_DOMAIN)]
    demo_slugs = {t["slug"] for t in source.TEAMS}
    teams = [s for s in db.session.scalars(select(Team.slug)) if s not in demo_slugs]
    if others or teams:
        return (f"Deze database bevat gegevens die niet van de demo zijn ({len(others)} accounts, "
                f"{len(teams)} teams). Een synthetisch netwerk hoort in een lege of demo-database; "
                "gebruik --force om het toch toe te voegen.")
    return None


def scale_network(factor: int, seed: int = 1, *, now: datetime, timezone: str = "Europe/Amsterdam",
                  password_hash: str | None = None,
                  progress: Callable[[str], None] | None = None) -> Counter[str]:
    """Add a synthetic network of ``factor`` regions with :data:`YEARS` years of history.

    ``now`` (aware) anchors the plan: every change happens on a working day before its
    local date. ``password_hash`` is set on the scaled beheerder and coordinators (one
    hash for all; None: no password). ``progress`` gets Dutch progress lines. Commits
    once per recorded moment; returns the counts of what was created. Raises
    ``ValueError`` for a factor below 1.
    """
    if factor < 1:
        raise ValueError("factor must be at least 1")
    scaler = _Scaler(factor, seed, now, timezone, password_hash,
                     progress or (lambda line: print(line, file=sys.stderr)))
    return scaler.run()


def count_scaled() -> dict[str, int]:
    """How many rows of each kind in :data:`COUNT_LABELS` the database holds (all, not only
    the scaled ones)."""
    from tracker.audit.models import AuditEntry
    from tracker.history import versioning_manager

    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    return {
        "people": count(User), "teams": count(Team), "actions": count(Action),
        "pilots": count(Pilot), "milestones": count(Milestone), "meetings": count(Event),
        "invitations": count(Invitation), "audit": count(AuditEntry),
        "history_transactions": count(versioning_manager.transaction_cls),
    }


#: Columns left out of :func:`content_digest`: secrets, random ids and search stems.
DIGEST_SKIPPED = {"password_hash", "message_id", "calendar_token_hash", "session_nonce"}
DIGEST_SKIPPED_TABLES = {"outbox_messages", "job_runs", "search_documents", "alembic_version"}


def content_digest(run_started: datetime) -> str:
    """SHA-256 of every row of every table, in key order.

    Left out: :data:`DIGEST_SKIPPED` columns, :data:`DIGEST_SKIPPED_TABLES`, and any
    moment at or after ``run_started`` (aware): the timestamps of the run itself, which
    services take from the real clock (e.g. a new account's ``created_at``).
    """
    naive_start = run_started.astimezone(UTC).replace(tzinfo=None)
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name in DIGEST_SKIPPED_TABLES:
            continue
        columns = [c for c in table.columns if c.name not in DIGEST_SKIPPED]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns))
        digest.update(table.name.encode())
        for row in rows:
            values = []
            for value in row:
                if isinstance(value, datetime):
                    naive = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
                    value = "RUN" if naive >= naive_start else naive.isoformat()
                values.append(value)
            digest.update(json.dumps(values, default=str, sort_keys=True).encode())
    return digest.hexdigest()
