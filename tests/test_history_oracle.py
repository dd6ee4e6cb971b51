"""The as-of oracle: the definition of correct history.

Random edits are applied to the demo network at random moments; at the end of
chosen days the whole database is copied. Afterwards, the report built "as of"
each of those days from history must equal the report built live from the copy
taken that evening, for every field.

The copy is real: SQLite's backup API into another file; on PostgreSQL every table
copied into a schema of its own, read through ``search_path``. The report on the
copy is built by a second app bound to that copy.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from tests.conftest import empty_all_tables, load_demo
from tracker import create_app
from tracker.actions.models import Action
from tracker.auth.models import User
from tracker.enums import ActionStatus, PilotStatus, TeamRole, TeamStatus
from tracker.extensions import db
from tracker.indicators.models import Indicator, Measurement
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.network.models import Municipality, Organisation, ReportItem, Team, TeamMembership
from tracker.pilots.models import Pilot
from tracker.report.build import build_report

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FIRST_DAY = date(2018, 2, 2)  # the demo network was recorded on 1 February 2018
#: Local times at which the edits of a day are made: just after midnight, mid-morning,
#: just before the evening copy. The copy is taken at 23:59:30 local.
EDIT_TIMES = (time(0, 1), time(10, 0), time(23, 59))
COPY_TIME = time(23, 59, 30)

EDITS = (
    "owner", "trekker", "chair", "tick", "item_add", "item_edit", "item_delete",
    "measurement", "rename_person", "remove_membership", "action_status", "pilot_status",
    "milestone_achieved", "indicator_period", "team_status", "rename_organisation",
    "action_due",
)


def _pick(rows, r: int):
    return rows[r % len(rows)] if rows else None


def apply_edit(kind: str, r: int, day: date, serial: int) -> None:
    """One edit through the ORM, as any feature would make it (no audit, no ``before``)."""
    s = db.session
    if kind == "owner":
        action = _pick(s.scalars(select(Action).order_by(Action.id)).all(), r)
        person = _pick(s.scalars(select(User).order_by(User.id)).all(), r // 7)
        if action and person:
            action.owner_id = person.id if action.owner_id != person.id else None
    elif kind in ("trekker", "chair"):
        role = TeamRole.TREKKER if kind == "trekker" else TeamRole.VOORZITTER
        team = _pick(s.scalars(select(Team).order_by(Team.id)).all(), r)
        holders = [m for m in team.memberships if m.role == role]
        members = {m.user_id for m in team.memberships}
        outsiders = [u for u in s.scalars(select(User).order_by(User.id)) if u.id not in members]
        if holders and (r % 2 or not outsiders):
            s.delete(_pick(holders, r // 3))
        elif outsiders:
            s.add(TeamMembership(team=team, user=_pick(outsiders, r // 5), role=role))
    elif kind == "tick":
        milestone = s.scalar(select(Milestone).where(Milestone.per_municipality.is_(True))
                             .order_by(Milestone.id))
        municipality = _pick(s.scalars(select(Municipality).order_by(Municipality.id)).all(), r)
        tick = s.scalar(select(MunicipalityTick).filter_by(milestone_id=milestone.id,
                                                          municipality_id=municipality.id))
        if tick is not None:
            s.delete(tick)
        else:
            s.add(MunicipalityTick(milestone=milestone, municipality=municipality,
                                   completed_on=day - timedelta(days=r % 3)))
    elif kind == "item_add":
        team = _pick(s.scalars(select(Team).order_by(Team.id)).all(), r)
        kind_ = _pick(["doel", "resultaat", "aandachtspunt"], r // 11)
        s.add(ReportItem(team=team, kind=kind_, text=f"Punt {serial}", position=r % 5))
    elif kind in ("item_edit", "item_delete"):
        item = _pick(s.scalars(select(ReportItem).order_by(ReportItem.id)).all(), r)
        if item is not None:
            if kind == "item_delete":
                s.delete(item)
            else:
                item.text = f"Herschreven {serial}"
                item.position = (item.position + 1) % 4
    elif kind == "measurement":
        measurement = _pick(s.scalars(select(Measurement).order_by(Measurement.id)).all(), r)
        if measurement is not None:
            measurement.value = Decimal(measurement.value) + 1 + r % 5
    elif kind == "rename_person":
        person = _pick(s.scalars(select(User).order_by(User.id)).all(), r)
        person.name = f"Persoon {serial}"
        person.title = _pick(["burgemeester", "trekker", None], r // 3)
    elif kind == "remove_membership":
        membership = _pick(s.scalars(select(TeamMembership).order_by(TeamMembership.id)).all(), r)
        if membership is not None:
            s.delete(membership)
    elif kind == "action_status":
        action = _pick(s.scalars(select(Action).order_by(Action.id)).all(), r)
        action.status = _pick(list(ActionStatus), r // 3)
        action.completed_at = (datetime.now(UTC) if action.status == ActionStatus.GEREED
                               else None)
    elif kind == "action_due":
        action = _pick(s.scalars(select(Action).order_by(Action.id)).all(), r)
        action.due_date = day + timedelta(days=(r % 200) - 100)
        action.title = f"Actie {serial}"
    elif kind == "pilot_status":
        pilot = _pick(s.scalars(select(Pilot).order_by(Pilot.id)).all(), r)
        if pilot is not None:
            pilot.status = _pick(list(PilotStatus), r // 3)
            pilot.status_changed_at = datetime.now(UTC)
            if r % 4 == 0 and pilot.municipalities:
                pilot.municipalities = pilot.municipalities[1:]
            elif r % 4 == 1:
                extra = _pick(s.scalars(select(Municipality).order_by(Municipality.id)).all(), r)
                if extra not in pilot.municipalities:
                    pilot.municipalities = [*pilot.municipalities, extra]
    elif kind == "milestone_achieved":
        milestone = _pick(s.scalars(select(Milestone).order_by(Milestone.id)).all(), r)
        milestone.achieved_on = None if milestone.achieved_on else day - timedelta(days=r % 2)
    elif kind == "indicator_period":
        indicator = _pick(s.scalars(select(Indicator).order_by(Indicator.id)).all(), r)
        if indicator is not None:
            indicator.periods = [*(indicator.periods or []),
                                 {"key": f"p{serial}", "label": f"Periode {serial}"}]
    elif kind == "team_status":
        team = _pick(s.scalars(select(Team).order_by(Team.id)).all(), r)
        team.status = (TeamStatus.ACTIEF if team.status == TeamStatus.AFGEROND
                       else TeamStatus.AFGEROND)
        team.name = f"Team {serial}"
    elif kind == "rename_organisation":
        organisation = _pick(s.scalars(select(Organisation).order_by(Organisation.id)).all(), r)
        organisation.name = f"Organisatie {serial}"


# ---------------------------------------------------------------------------------------
# Copies of the whole database
# ---------------------------------------------------------------------------------------


def copy_database(app, label: str, tmp_path) -> dict:
    """Copy the database as it is now; return the settings of an app that reads the copy."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        target = tmp_path / f"{label}.sqlite3"
        source = db.engine.raw_connection()
        try:
            with sqlite3.connect(target) as destination:
                source.driver_connection.backup(destination)
        finally:
            source.close()
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"}
    schema = f"copy_{label}"
    tables = [t.name for t in db.metadata.sorted_tables]
    statements = [f'DROP SCHEMA IF EXISTS {schema} CASCADE', f'CREATE SCHEMA {schema}']
    statements += [f'CREATE TABLE {schema}."{t}" AS TABLE public."{t}"' for t in tables]
    db.session.execute(text("; ".join(statements)))
    db.session.commit()
    return {"SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}}}


def report_from_copy(settings_: dict, day: date) -> dict:
    """The report built live (no history) by an app bound to a copy, judged on ``day``."""
    copy_app = create_app({"TRACKER_ENV": "testing", "TRACKER_BASE_URL": "http://localhost",
                           **settings_})
    with copy_app.app_context():
        try:
            return dataclasses.asdict(build_report(day, as_of=False))
        finally:
            db.session.remove()
            db.engine.dispose()


def drop_copies(app, labels: list[str]) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        db.session.execute(text("; ".join(f"DROP SCHEMA IF EXISTS copy_{label} CASCADE"
                                          for label in labels)))
        db.session.commit()


# ---------------------------------------------------------------------------------------
# The property
# ---------------------------------------------------------------------------------------

edit = st.tuples(st.sampled_from(EDITS), st.integers(0, 10**6), st.sampled_from(EDIT_TIMES))
day_plan = st.tuples(
    st.integers(1, 120),               # days since the previous day with edits
    st.lists(edit, min_size=1, max_size=4),
    st.booleans(),                     # copy the database at the end of this day?
)


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=st.lists(day_plan, min_size=1, max_size=5))
def test_report_as_of_a_day_equals_the_report_from_that_evenings_copy(app, tmp_path, plan):
    empty_all_tables()
    load_demo()
    day = FIRST_DAY - timedelta(days=1)
    copies: list[tuple[date, dict]] = []
    serial = 0
    for gap, edits, take_copy in plan:
        day += timedelta(days=gap)
        for kind, r, at in sorted(edits, key=lambda e: e[2]):
            serial += 1
            with time_machine.travel(datetime.combine(day, at, tzinfo=AMSTERDAM), tick=False):
                apply_edit(kind, r, day, serial)
                db.session.commit()
        if take_copy or not copies:
            with time_machine.travel(datetime.combine(day, COPY_TIME, tzinfo=AMSTERDAM),
                                     tick=False):
                copies.append((day, copy_database(app, f"d{len(copies)}", tmp_path)))
    # Some later activity, so that "as of" really has to leave things out.
    with time_machine.travel(datetime.combine(day + timedelta(days=1), time(9), tzinfo=AMSTERDAM),
                             tick=False):
        for n, kind in enumerate(EDITS):
            apply_edit(kind, n * 7919, day + timedelta(days=1), 10_000 + n)
        db.session.commit()

    for copy_day, settings_ in copies:
        expected = report_from_copy(settings_, copy_day)
        actual = dataclasses.asdict(build_report(copy_day))
        assert actual == expected, f"report as of {copy_day} differs from that evening's copy"
    drop_copies(app, [f"d{i}" for i in range(len(copies))])


def test_report_for_the_demo_day_equals_the_demo_as_loaded(demo):
    """Without any later change, as-of and live agree (the oracle's trivial case)."""
    assert dataclasses.asdict(build_report(date(2018, 2, 1))) == dataclasses.asdict(
        build_report(date(2018, 2, 1), as_of=False))
