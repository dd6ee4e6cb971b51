"""Report files made in the background, for a report too big to make within a request.

The PDF (and the Word document) of a big network takes longer than a web worker may
take: at 20,000 actions WeasyPrint lays out about a thousand pages in some 50 s, past
gunicorn's worker timeout. For such a report the download route answers with a page
that offers to make the file; the request is stored here (:func:`request_render`), the
scheduler's ``report-renders`` job makes it (:func:`make_renders`), and the same route
then serves the stored file.

A stored file is served only for the data it was made from: its :func:`render_key`
holds the peildatum, the data version (:func:`data_version`: every change to what the
report shows writes a history transaction or an edition) and the renderer (a digest of
the report's code, templates and stylesheet). A change gives a new key, so the file is
made again; nothing stale is ever served. Files not asked for again are removed after
:data:`KEEP`.

Small reports (at most ``TRACKER_REPORT_INLINE_ACTIONS`` actions) are made in the
request, as before: :func:`in_background` decides.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from tracker.db import end_transaction, read_only, short_write, utcnow
from tracker.extensions import db
from tracker.report.models import RenderStatus, ReportEdition, ReportRender

log = logging.getLogger(__name__)

#: The formats that may be made in the background (the HTML page is always made inline).
FORMATS = ("pdf", "docx")
#: The ``fmt`` of a row that publishes a whole edition (HTML, PDF and Word, stored).
EDITION = "editie"
#: A render holds its row this long (a catch-up run or a crash frees it afterwards); well
#: above the slowest render seen (about 60 s for the PDF of 20,000 actions).
LEASE = timedelta(minutes=15)
#: Attempts before a render is marked failed (a crash, a time-out of the job).
MAX_ATTEMPTS = 3
#: How long a made file is kept after it was made (a newer version replaces it anyway).
KEEP = timedelta(days=2)
#: Renders made per job run (each may take a minute; the next run takes the rest).
PER_RUN = 4

_PROJECT = Path(__file__).resolve().parent.parent.parent
#: What the files are made from besides the data: a change here changes every key.
_RENDERER_SOURCES = (
    "tracker/report/*.py",
    "templates/report/**/*",
    "static/css/report.css",
)


#: Files one person may have waiting at once: each takes the job a minute or more, and
#: editions wait behind them; more asked at once is refused until those are made.
MAX_WAITING_PER_PERSON = 3


class UnknownFormat(ValueError):
    """A format that is not made in the background."""


class TooManyAsked(Exception):
    """The person already has :data:`MAX_WAITING_PER_PERSON` files waiting (Dutch text)."""


@cache
def renderer_version() -> str:
    """A 12-character digest of the code, templates and stylesheet that make the files
    (computed once per process: they do not change while it runs)."""
    digest = hashlib.sha256()
    for pattern in _RENDERER_SOURCES:
        for path in sorted(_PROJECT.glob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(_PROJECT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def data_version(peildatum: date) -> str:
    """``"<history transaction>.<its moment>.<newest edition>"``: the report on
    ``peildatum`` is read from the history up to the end of that day (every model it reads
    is versioned), so it changes only with a history transaction before then
    (:func:`tracker.history.data_key`, bounded by the peildatum: for a day gone by this
    never changes again) or an edition (the changes since the previous edition)."""
    from tracker.history import data_key
    from tracker.report.asof import cutoff_for

    transaction_id, issued_at = data_key(
        db.session, before=cutoff_for(peildatum, current_app.config["TRACKER_TIMEZONE"]))
    edition = db.session.scalar(select(func.max(ReportEdition.id)))
    moment = f"{issued_at:%Y%m%d%H%M%S%f}" if issued_at else "0"
    return f"{transaction_id}.{moment}.{edition or 0}"


def render_key(fmt: str, peildatum: date, version: str) -> str:
    """``pdf:2026-12-01:v8123.20261201140312123456.4:r3f2a9c01b2de``: one file per format,
    peildatum, data and renderer."""
    return f"{fmt}:{peildatum.isoformat()}:v{version}:r{renderer_version()}"


def report_size(peildatum: date) -> int:
    """About the number of actions the report on ``peildatum`` lists: those made by the
    end of that day (its biggest part; the time to lay out the PDF grows with it, about
    2.5 ms per action; the deleted ones of a day long gone are counted too)."""
    from tracker.actions.models import Action
    from tracker.report.asof import cutoff_for

    cutoff = cutoff_for(peildatum, current_app.config["TRACKER_TIMEZONE"])
    return db.session.scalar(
        select(func.count()).select_from(Action).where(Action.created_at < cutoff)) or 0


def in_background(size: int) -> bool:
    """Whether a report of ``size`` (:func:`report_size`) is too big to make its files
    within a request: more actions than ``TRACKER_REPORT_INLINE_ACTIONS`` (default 3,000:
    about 10 s for the PDF)."""
    return size > current_app.config["TRACKER_REPORT_INLINE_ACTIONS"]


def current_render(fmt: str, peildatum: date) -> ReportRender | None:
    """The render of ``fmt`` for ``peildatum`` and the data as it is now, if one was asked."""
    return db.session.scalar(select(ReportRender).where(
        ReportRender.key == render_key(fmt, peildatum, data_version(peildatum))))


def request_render(fmt: str, peildatum: date, actor, now: datetime) -> ReportRender:
    """Ask for ``fmt`` of the report on ``peildatum`` as the data is now; returns the render.

    Idempotent: asking again for the same data gives the same row (a failed one is
    queued again). Raises :class:`UnknownFormat` for another format. The caller commits.
    """
    if fmt not in FORMATS:
        raise UnknownFormat(fmt)
    key = render_key(fmt, peildatum, data_version(peildatum))
    render = db.session.scalar(select(ReportRender).where(ReportRender.key == key))
    if render is None or render.status == RenderStatus.FAILED:
        _check_waiting(actor)
    if render is None:
        render = ReportRender(key=key, fmt=fmt, peildatum=peildatum, requested_at=now,
                              next_attempt_at=now, requested_by_id=getattr(actor, "id", None))
        try:
            with db.session.begin_nested():
                db.session.add(render)
        except IntegrityError:  # asked at the same moment by someone else: that one
            render = db.session.scalar(select(ReportRender).where(ReportRender.key == key))
    elif render.status == RenderStatus.FAILED:
        render.status, render.attempts, render.last_error = RenderStatus.QUEUED, 0, None
        render.next_attempt_at, render.requested_at = now, now
    return render


def _check_waiting(actor) -> None:
    waiting = db.session.scalar(select(func.count()).select_from(ReportRender).where(
        ReportRender.requested_by_id == getattr(actor, "id", None),
        ReportRender.fmt.in_(FORMATS), ReportRender.status == RenderStatus.QUEUED))
    if waiting >= MAX_WAITING_PER_PERSON:
        raise TooManyAsked(
            f"U hebt al {waiting} bestanden laten maken die nog niet klaar zijn. Vraag een "
            "volgend bestand aan als er een klaar is.")


def latest_file(fmt: str, peildatum: date) -> ReportRender | None:
    """The newest file of ``fmt`` made for ``peildatum`` by this renderer, whatever data it
    was made from (offered as the stand of that moment, beside making it anew)."""
    return db.session.scalar(
        select(ReportRender).where(
            ReportRender.fmt == fmt, ReportRender.peildatum == peildatum,
            ReportRender.status == RenderStatus.READY,
            ReportRender.key.endswith(f":r{renderer_version()}"))
        .order_by(ReportRender.finished_at.desc(), ReportRender.id.desc()).limit(1))


def made_file(render_id: int, fmt: str) -> ReportRender | None:
    """The made file ``render_id`` if it is of ``fmt`` and there; else None."""
    render = db.session.get(ReportRender, render_id)
    if render is None or render.fmt != fmt or render.status != RenderStatus.READY:
        return None
    return render


def request_publication(plan, actor, now: datetime) -> ReportRender:
    """Ask for the edition of ``plan`` (``services.EditionPlan``, confirmed by the publisher)
    to be published by the job; returns the row. Asking again for the same label gives the
    same row (a failed one is queued again). The caller commits."""
    key = f"{EDITION}:{plan.label}"
    render = db.session.scalar(select(ReportRender).where(ReportRender.key == key))
    if render is None:
        render = ReportRender(key=key, fmt=EDITION, peildatum=plan.peildatum, label=plan.label,
                              supersedes_id=plan.supersedes_id, requested_at=now,
                              next_attempt_at=now, requested_by_id=getattr(actor, "id", None))
        try:
            with db.session.begin_nested():
                db.session.add(render)
        except IntegrityError:
            render = db.session.scalar(select(ReportRender).where(ReportRender.key == key))
    elif render.status == RenderStatus.FAILED:
        render.status, render.attempts, render.last_error = RenderStatus.QUEUED, 0, None
        render.next_attempt_at, render.requested_at = now, now
        render.requested_by_id = getattr(actor, "id", None)
    return render


def publication_outlook(plan) -> dict:
    """What the preview says about publishing ``plan``: ``background`` (a big report:
    published by the job, in minutes) and ``publishing`` (already asked, not there yet)."""
    waiting = db.session.scalar(select(ReportRender.id).where(
        ReportRender.key == f"{EDITION}:{plan.label}", ReportRender.status == RenderStatus.QUEUED))
    return {"background": in_background(report_size(plan.peildatum)),
            "publishing": waiting is not None}


def pending_publications() -> list[dict]:
    """Editions asked to be published that are not there yet, oldest first:
    ``[{"label", "state" ("bezig"/"mislukt"), "requested_at", "reason"}]``."""
    rows = db.session.scalars(
        select(ReportRender).where(ReportRender.fmt == EDITION,
                                   ReportRender.status != RenderStatus.READY)
        .order_by(ReportRender.requested_at, ReportRender.id)).all()
    return [{"label": r.label, "state": state_of(r), "requested_at": r.requested_at,
             "reason": r.last_error if r.status == RenderStatus.FAILED else None}
            for r in rows]


def state_of(render: ReportRender | None) -> str:
    """What the download page says: ``nieuw`` (not asked for this data), ``bezig``,
    ``klaar`` or ``mislukt``."""
    if render is None:
        return "nieuw"
    return {RenderStatus.QUEUED: "bezig", RenderStatus.READY: "klaar",
            RenderStatus.FAILED: "mislukt"}[render.status]


def expected_seconds(fmt: str) -> float | None:
    """How long the last file of ``fmt`` took to make (seconds), to tell the waiting user."""
    return db.session.scalar(
        select(ReportRender.seconds)
        .where(ReportRender.fmt == fmt, ReportRender.status == RenderStatus.READY)
        .order_by(ReportRender.finished_at.desc()).limit(1))


def render_file(fmt: str, peildatum: date) -> bytes:
    """The bytes of ``fmt`` for the report on ``peildatum``, made now (slow: in a job)."""
    from tracker.report.build import build_report

    return render_file_of(build_report(peildatum, timezone=current_app.config["TRACKER_TIMEZONE"]),
                          fmt)


def release_memory() -> None:
    """Give the memory of a big render back to the system: the layout of a thousand PDF
    pages takes gigabytes, which glibc keeps in the process after it is freed (the
    scheduler would stay that size between runs). A no-op where there is no glibc."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def render_file_of(report, fmt: str) -> bytes:
    """The bytes of ``fmt`` (``pdf`` or ``docx``) for a built ``report``."""
    if fmt == "pdf":
        from tracker.report.export_pdf import render_report_pdf

        return render_report_pdf(report)
    from tracker.report.export_docx import render_report_docx

    return render_report_docx(report)


def _snapshot() -> None:
    """One snapshot for the whole render on PostgreSQL (REPEATABLE READ), so the data
    version read first is the data the file shows; SQLite's read transaction is one
    snapshot already."""
    end_transaction(db.session)  # the isolation level is set when a transaction begins
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _claim(now: datetime, run_id: str) -> list[tuple[int, str]]:
    """Claim up to :data:`PER_RUN` due rows for this run: ``[(id, fmt)]``, committed."""
    table = ReportRender.__table__
    with short_write(db.session):
        rows = [tuple(r) for r in db.session.execute(
            select(table.c.id, table.c.fmt).where(
                table.c.status == RenderStatus.QUEUED, table.c.next_attempt_at <= now,
                or_(table.c.claimed_until.is_(None), table.c.claimed_until < utcnow()))
            # Editions first: a publisher waits for them; files can wait a run.
            .order_by((table.c.fmt == EDITION).desc(), table.c.next_attempt_at, table.c.id)
            .limit(PER_RUN)
            .with_for_update(skip_locked=True))]
        if rows:
            ids = [r[0] for r in rows]
            db.session.execute(update(table).where(table.c.id.in_(ids)).values(
                claimed_until=max(now, utcnow()) + LEASE, claimed_by=run_id,
                attempts=table.c.attempts + 1))
    return rows


def _finish(render_id: int, run_id: str, **values) -> bool:
    table = ReportRender.__table__
    with short_write(db.session):
        done = db.session.execute(update(table).where(
            table.c.id == render_id, table.c.claimed_by == run_id).values(
                claimed_until=None, claimed_by=None, **values))
    return done.rowcount == 1


def prune(now: datetime) -> int:
    """Remove files made more than :data:`KEEP` ago and failures as old; returns how many."""
    with short_write(db.session):
        gone = db.session.execute(delete(ReportRender).where(
            ReportRender.status != RenderStatus.QUEUED,
            ReportRender.finished_at < now - KEEP))
    return gone.rowcount or 0


def make_renders(now: datetime):
    """The ``report-renders`` job: make the asked files, oldest first, at most
    :data:`PER_RUN` per run; then remove old ones. Each render reads in a read-only
    transaction and stores its file in a short write of its own."""
    from tracker.jobs.base import JobResult  # here: tracker.jobs imports this module

    result = JobResult("report-renders")
    run_id = uuid.uuid4().hex
    for render_id, fmt in _claim(now, run_id):
        if fmt == EDITION:
            result.lines.append(_publish(render_id, run_id))
            continue
        with read_only():
            _snapshot()
            row = db.session.execute(select(
                ReportRender.fmt, ReportRender.peildatum, ReportRender.key,
                ReportRender.attempts).where(ReportRender.id == render_id)).one()
            began = time.monotonic()
            try:
                # The key was the data version when asked; the data may have changed
                # since: store under the version actually read, so nothing stale is served.
                version = data_version(row.peildatum)
                content = render_file(row.fmt, row.peildatum)
                error = None
            except Exception as exc:  # noqa: BLE001 - recorded on the row, the job goes on
                log.exception("rapportage %s niet gemaakt", row.key)
                content, error = None, f"{type(exc).__name__}: {str(exc)[:300]}"
            db.session.commit()
        seconds = round(time.monotonic() - began, 1)
        if content is None:
            failed = row.attempts >= MAX_ATTEMPTS
            _finish(render_id, run_id, last_error=error,
                    status=RenderStatus.FAILED if failed else RenderStatus.QUEUED,
                    finished_at=utcnow() if failed else None,
                    next_attempt_at=utcnow() + timedelta(minutes=row.attempts))
            result.lines.append(f"{row.key}: mislukt ({error})")
            continue
        key = render_key(row.fmt, row.peildatum, version)
        if key != row.key:
            _store_under(key, row, render_id, run_id, content, seconds)
        else:
            _finish(render_id, run_id, status=RenderStatus.READY, content=content,
                    finished_at=utcnow(), seconds=seconds, last_error=None)
        result.lines.append(f"{key}: {len(content):,} bytes in {seconds} s")
    release_memory()
    removed = prune(now)
    if removed:
        result.lines.append(f"{removed} oude bestanden verwijderd")
    if not result.lines:
        result.lines.append("report-renders: niets gevraagd")
    return result


#: Why an edition can never be published as asked (shown on the editions page).
def _refusal(error: Exception) -> str | None:
    from tracker.report.services import EditionExists, EditionSuperseded
    from tracker.validation import ValidationError

    if isinstance(error, EditionExists):
        return f"Er is al een editie ‘{error.label}’ gepubliceerd."
    if isinstance(error, EditionSuperseded):
        return f"Editie ‘{error.label}’ is al herzien in ‘{error.by}’."
    if isinstance(error, ValidationError):
        return ("Het versielabel is intussen veranderd: bekijk het voorbeeld opnieuw en "
                "bevestig dan.")
    return None


def _publish(render_id: int, run_id: str) -> str:
    """Publish the edition a row asks for: build and make its files while reading, then
    store it in one short write. A refusal (published meanwhile, label changed) fails the
    row at once with its reason; another error is tried again up to :data:`MAX_ATTEMPTS`."""
    from tracker.auth.models import User
    from tracker.report.services import (
        build_edition_report,
        confirmed_plan,
        edition_files,
        store_edition,
    )

    began = time.monotonic()
    with read_only():
        _snapshot()
        row = db.session.execute(select(
            ReportRender.peildatum, ReportRender.label, ReportRender.supersedes_id,
            ReportRender.requested_by_id, ReportRender.attempts, ReportRender.requested_at)
            .where(ReportRender.id == render_id)).one()
        try:
            plan = confirmed_plan(row.peildatum, row.supersedes_id, row.label)
            # The stand when it was asked: nothing changed since on the peildatum gets in.
            report = build_edition_report(plan, timezone=current_app.config["TRACKER_TIMEZONE"],
                                          stand=row.requested_at)
            files = edition_files(report)
            error = None
        except Exception as exc:  # noqa: BLE001 - recorded on the row, the job goes on
            error = exc
        db.session.commit()
    if error is None:
        try:
            with short_write(db.session):
                actor = db.session.get(User, row.requested_by_id) if row.requested_by_id else None
                edition = store_edition(plan, report, files, actor)
                db.session.execute(update(ReportRender.__table__).where(
                    ReportRender.id == render_id, ReportRender.claimed_by == run_id).values(
                        status=RenderStatus.READY, edition_id=edition.id, finished_at=utcnow(),
                        seconds=round(time.monotonic() - began, 1), last_error=None,
                        claimed_until=None, claimed_by=None))
            return f"editie {row.label}: gepubliceerd in {time.monotonic() - began:.1f} s"
        except IntegrityError:  # published by someone else in the meantime
            from tracker.report.services import EditionExists

            error = EditionExists(row.label)
    reason = _refusal(error)
    if reason is None:
        log.error("editie %s niet gepubliceerd", row.label, exc_info=error)
    failed = reason is not None or row.attempts >= MAX_ATTEMPTS
    _finish(render_id, run_id,
            last_error=reason or "Een technische fout; de beheerder vindt de oorzaak in het log.",
            status=RenderStatus.FAILED if failed else RenderStatus.QUEUED,
            finished_at=utcnow() if failed else None,
            next_attempt_at=utcnow() + timedelta(minutes=row.attempts))
    return f"editie {row.label}: mislukt ({reason or type(error).__name__})"


def _store_under(key: str, row, render_id: int, run_id: str, content: bytes,
                 seconds: float) -> None:
    """The data changed between the request and the render: the file belongs to the data
    it was made from, so it is stored under that version's key (the asked row moves to
    that key, or fills the row already asked for it and is removed)."""
    table = ReportRender.__table__
    with short_write(db.session):
        taken = db.session.scalar(select(table.c.id).where(table.c.key == key))
        if taken is None:
            db.session.execute(update(table).where(
                table.c.id == render_id, table.c.claimed_by == run_id).values(
                    key=key, status=RenderStatus.READY, content=content, finished_at=utcnow(),
                    seconds=seconds, last_error=None, claimed_until=None, claimed_by=None))
        else:
            db.session.execute(update(table).where(table.c.id == taken).values(
                status=RenderStatus.READY, content=content, finished_at=utcnow(),
                seconds=seconds, last_error=None, claimed_until=None, claimed_by=None))
            db.session.execute(delete(ReportRender).where(ReportRender.id == render_id))
