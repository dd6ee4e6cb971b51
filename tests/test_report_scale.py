"""The report's cost at scale: a fixed number of statements, and "as of" a peildatum a read
of the history up to that day only, never of the changes made after it (issue 15)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import event, func, select, text

from tests.factories import create_action, create_item, create_team, create_user
from tracker import history
from tracker.actions.models import Action
from tracker.auth.models import User
from tracker.enums import ActionStatus, ItemKind, PilotStatus, TeamRole
from tracker.extensions import db
from tracker.network.models import Municipality, TeamMembership
from tracker.pilots.models import Pilot
from tracker.report.asof import cutoff_for
from tracker.report.loading import load_world

PEILDATUM = date(2018, 2, 1)


def _grow(teams: int, actions: int) -> None:
    """``teams`` more teams, each with a trekker, items, ``actions`` actions (with owners,
    some done) and a pilot in two municipalities."""
    towns = db.session.scalars(select(Municipality).order_by(Municipality.id).limit(2)).all()
    for i in range(teams):
        team = create_team(slug=f"groei-{i}-{teams}-{actions}")
        owner = create_user(email=f"groei-{i}-{teams}-{actions}@example.org")
        db.session.add(TeamMembership(team=team, user=owner, role=TeamRole.TREKKER))
        for kind in ItemKind:
            create_item(team, kind)
        for n in range(actions):
            create_action(team, owner_id=owner.id, due_date=date(2018, 1 + n % 12, 1),
                          status=ActionStatus.GEREED if n % 3 == 0 else ActionStatus.OPEN)
        db.session.add(Pilot(team=team, title=f"Pilot {i}", status=PilotStatus.LOPEND,
                             municipalities=list(towns)))
    db.session.commit()


@pytest.mark.parametrize("path", ["/report", f"/report?peildatum={PEILDATUM}"])
def test_the_report_page_costs_the_same_statements_for_one_team_or_many(
        demo, client, login, count_queries, path):
    from tracker.report.routes import report_pages

    login(db.session.scalar(select(User).where(User.email == "beheerder@example.org")))
    client.get(path)
    report_pages.clear()  # the page made anew: what a change costs the next request
    with count_queries() as small:
        assert client.get(path).status_code == 200
    with count_queries() as kept:  # nothing changed: the page made before
        assert client.get(path).status_code == 200
    _grow(teams=6, actions=15)
    report_pages.clear()
    with count_queries() as large:
        response = client.get(path)
    assert response.status_code == 200
    assert large.count == small.count <= 22
    assert kept.count <= 5
    if path == "/report":  # today: the new teams' actions are in it, each with its note
        html = response.get_data(as_text=True)
        assert html.count("(gereed, 1 januari 2018)") >= 6


def test_the_report_page_is_made_again_after_a_change_and_kept_otherwise(demo, client, login):
    """The page is kept under the data it shows (``report.routes.report_pages``): a change
    before the peildatum is in the next answer; a change after a past peildatum cannot
    alter that report and its kept page is answered."""
    login(db.session.scalar(select(User).where(User.email == "beheerder@example.org")))
    action = db.session.scalar(select(Action).order_by(Action.id))
    before = client.get("/report").get_data(as_text=True)
    old = client.get(f"/report?peildatum={PEILDATUM}").get_data(as_text=True)
    action.title = "Een nieuwe titel voor de rapportage"
    action.report_text = ""
    db.session.commit()
    after = client.get("/report").get_data(as_text=True)
    assert "Een nieuwe titel voor de rapportage" not in before
    assert "Een nieuwe titel voor de rapportage" in after
    assert client.get(f"/report?peildatum={PEILDATUM}").get_data(as_text=True) == old


def _changes_after(day: datetime, count: int) -> None:
    """``count`` history transactions after ``day``: actions created and edited."""
    team = create_team(slug="later")
    db.session.commit()
    for n in range(count):
        with time_machine.travel(day + timedelta(days=1 + n), tick=False):
            action = create_action(team, title=f"Later {n}")
            db.session.commit()
            action.title = f"Later {n} (herzien)"
            db.session.commit()


def _capture(run) -> list[tuple[str, object]]:
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return statements


def _examined(plan: dict) -> dict[str, int]:
    """PostgreSQL's EXPLAIN ANALYZE (JSON): rows each table's scans read (kept or filtered)."""
    seen: dict[str, int] = {}

    def walk(node: dict) -> None:
        relation = node.get("Relation Name")
        if relation is not None:
            read = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
                    + node.get("Rows Removed by Index Recheck", 0)) * node.get("Actual Loops", 1)
            seen[relation] = seen.get(relation, 0) + read
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return seen


def test_the_report_as_of_a_day_never_reads_the_history_made_after_it(demo):
    """Hundreds of changes after the peildatum: reading the report "as of" that day reads
    the history up to the day (an index on transaction_id / issued_at), not those changes.

    SQLite: every history read searches by ``transaction_id`` (or by the row ids), never
    a whole version table nor its team index. PostgreSQL: the rows each scan reads, as
    EXPLAIN ANALYZE counts them, are at most the versions written up to the peildatum
    (give or take a few rows of a tiny table that PostgreSQL rightly reads whole)."""
    end_of_day = cutoff_for(PEILDATUM).astimezone(UTC)
    _changes_after(end_of_day, 150)
    before = history.transaction_before(db.session, cutoff_for(PEILDATUM))
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        db.session.execute(text("ANALYZE"))

    statements = _capture(lambda: load_world(PEILDATUM, as_of=True))
    reads = [(s, p) for s, p in statements if "_version" in s or '"transaction"' in s]
    assert len(reads) >= 12
    for statement, parameters in reads:
        if dialect == "sqlite":
            plan = " | ".join(row[-1] for row in db.session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters))
            assert "SCAN" not in plan.replace("COVERING INDEX", ""), (statement, plan)
            assert "_team_id" not in plan, (statement, plan)
            if '"transaction"' in statement and "_version" not in statement:
                assert "ix_transaction_issued_at" in plan, plan
        else:
            (plan,) = db.session.connection().exec_driver_sql(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).one()
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            for relation, read in _examined(plan).items():
                if relation == "transaction":
                    bound = before
                else:
                    bound = db.session.scalar(text(
                        f'SELECT count(*) FROM "{relation}" WHERE transaction_id <= :t'),
                        {"t": before})
                # A handful of later rows in a one-page table may be read by a scan of it;
                # the 300 later action versions and transactions may not.
                assert read <= bound + 10, (relation, read, bound, statement)
    # Each later change is in the history that was not read.
    later = db.session.scalar(select(func.count()).select_from(
        history.version_class(Action).__table__).where(text("transaction_id > :t")), {"t": before})
    assert later >= 300


def test_the_cached_page_references_follow_the_pages_added():
    """The PDF's page references (read by WeasyPrint for every tagged element) are pydyf's
    own, recomputed after each page added, never a stale tuple."""
    import pydyf

    from tracker.report.export_pdf import _cache_page_references

    _cache_page_references()
    pdf = pydyf.PDF()
    for _ in range(5):
        page = pydyf.Dictionary({"Type": "/Page"})
        pdf.add_page(page)
        assert pdf.page_references[-1] == f"{page.number} 0 R".encode("ascii")
        assert pdf.page_references == tuple(
            f"{number} 0 R".encode("ascii") for number in pdf.pages["Kids"][::3])
        assert pdf.page_references is pdf.page_references  # cached between pages
    assert len(pdf.page_references) == 5


def test_a_kept_report_page_costs_the_same_statements_with_or_without_history(
        demo, client, login, count_queries):
    """The key of a kept page is read in one statement whether or not the history has a
    change before the peildatum (the bench saw 4 and 5 between the demo and scale 100)."""
    login(db.session.scalar(select(User).where(User.email == "beheerder@example.org")))
    counts = []
    for day in ("1990-01-01", PEILDATUM.isoformat()):
        client.get(f"/report?peildatum={day}")
        with count_queries() as kept:
            assert client.get(f"/report?peildatum={day}").status_code == 200
        counts.append(kept.count)
    assert counts[0] == counts[1]
