"""Reading the peildatum and publishing editions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.audit.services import record
from tracker.concurrency import ConflictError
from tracker.extensions import db
from tracker.report.build import build_report, snapshot_of, version_label_for
from tracker.report.models import ReportEdition


class PeildatumError(ValueError):
    """A peildatum that cannot be used, with a Dutch message."""


def parse_peildatum(value: str | None, today: date) -> date:
    """``YYYY-MM-DD`` → date; empty means today; a future date is refused."""
    if value is None or not value.strip():
        return today
    try:
        peildatum = date.fromisoformat(value.strip())
    except ValueError:
        raise PeildatumError(
            "Ongeldige peildatum: gebruik de vorm JJJJ-MM-DD, bijvoorbeeld 2018-02-01."
        ) from None
    if peildatum > today:
        raise PeildatumError("De peildatum ligt in de toekomst: kies vandaag of een eerdere datum.")
    return peildatum


class EditionExists(ConflictError):
    """An edition with this label was published before; it never changes (``str``: the label)."""

    def __init__(self, label: str):
        Exception.__init__(self, label)
        self.label, self.obj, self.expected = label, None, None


def publish_edition(peildatum: date, actor, *, timezone: str, label: str | None = None
                    ) -> ReportEdition:
    """Build the report for ``peildatum`` in every format and store it, never to change."""
    from tracker.report.export_docx import render_report_docx
    from tracker.report.export_html import render_report_html
    from tracker.report.export_pdf import render_report_pdf

    label = label or version_label_for(peildatum)
    if db.session.scalar(select(ReportEdition.id).where(ReportEdition.version_label == label)):
        raise EditionExists(label)
    report = build_report(peildatum, timezone=timezone)
    report.version_label = label
    edition = ReportEdition(
        version_label=label, peildatum=peildatum,
        published_by_id=getattr(actor, "id", None),
        published_by_name=getattr(actor, "name", "") or "",
        snapshot=snapshot_of(report.teams),
        html=render_report_html(report, standalone=True),
        pdf=render_report_pdf(report),
        docx=render_report_docx(report),
    )
    db.session.add(edition)
    db.session.flush()
    record("report_edition.publish", actor=actor, obj=edition, summary=label,
           after={"peildatum": peildatum.isoformat(), "version_label": label})
    return edition
