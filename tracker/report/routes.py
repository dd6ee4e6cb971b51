"""The progress report (HTML, PDF, Word) for a peildatum, and its published editions."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.permissions import requires
from tracker.clock import local_today
from tracker.errors import render_error
from tracker.extensions import db
from tracker.forms import Refusal, form_errors
from tracker.htmx import render_page_or_fragment
from tracker.report.build import build_report
from tracker.report.forms import PublishForm
from tracker.report.models import ReportEdition
from tracker.report.services import PeildatumError, parse_peildatum, publish_edition

bp = Blueprint("report", __name__)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {
    "pdf": "application/pdf",
    "docx": DOCX_MIME,
    "html": "text/html; charset=utf-8",
}


def _report_or_error():
    try:
        peildatum = parse_peildatum(request.args.get("peildatum"), local_today())
    except PeildatumError as error:
        return None, render_error(400, str(error))
    return build_report(peildatum, timezone=current_app.config["TRACKER_TIMEZONE"]), None


def _file(data: bytes | str, fmt: str, name: str, *, attachment: bool = True) -> Response:
    response = Response(data)
    response.headers["Content-Type"] = FORMATS[fmt]  # exactly this (mimetype= would add a charset)
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
    return response


def _filename(label: str) -> str:
    return "voortgangsrapportage-" + label.removeprefix("versie ").replace(" ", "-")


@bp.get("/report")
@requires("report.view")
def report_html():
    """The print-ready report for ``?peildatum=YYYY-MM-DD`` (default: today)."""
    from tracker.report.export_html import render_report_html

    report, error = _report_or_error()
    if error:
        return error
    return render_report_html(report, links=True)


@bp.get("/report.pdf")
@requires("report.view")
def report_pdf():
    """The report as PDF."""
    from tracker.report.export_pdf import render_report_pdf

    report, error = _report_or_error()
    if error:
        return error
    return _file(render_report_pdf(report), "pdf", _filename(report.version_label))


@bp.get("/report.docx")
@requires("report.view")
def report_docx():
    """The report as a Word document."""
    from tracker.report.export_docx import render_report_docx

    report, error = _report_or_error()
    if error:
        return error
    return _file(render_report_docx(report), "docx", _filename(report.version_label))


@bp.get("/report/edities")
@requires("report.view")
def editions():
    """Published editions, newest first."""
    rows = db.session.execute(
        select(ReportEdition.id, ReportEdition.version_label, ReportEdition.peildatum,
               ReportEdition.published_at, ReportEdition.published_by_name)
        .order_by(ReportEdition.peildatum.desc(), ReportEdition.id.desc())
    ).all()
    return render_page_or_fragment("report/editions.html", "report/editions.html",
                                   editions=rows, today=local_today(), error=None)


def _refused_publish(refusal: Refusal):
    """A peildatum that cannot be used: 400 with the reason; an edition that exists: kept."""
    if refusal.is_conflict:
        flash(f"Er is al een editie ‘{refusal.conflict}’: die blijft ongewijzigd.", "warning")
        return redirect(url_for("report.editions"), 303)
    return render_error(400, refusal.message)


@bp.post("/report/edities")
@requires("report.publish")
@form_errors(_refused_publish)
def publish():
    """Publish an edition for a peildatum (beheerder)."""
    form = PublishForm().parse()
    edition = publish_edition(form.peildatum.data, current_user,
                              timezone=current_app.config["TRACKER_TIMEZONE"])
    db.session.commit()
    flash(f"Editie ‘{edition.version_label}’ gepubliceerd.", "ok")
    return redirect(url_for("report.editions"), 303)


@bp.get("/report/edities/<int:edition_id>.<fmt>")
@requires("report.view")
def edition_file(edition_id: int, fmt: str):
    """A stored file of a published edition, exactly as it was published."""
    if fmt not in FORMATS:
        return render_error(404)
    edition = db.session.get(ReportEdition, edition_id)
    if edition is None:
        return render_error(404)
    data = {"pdf": edition.pdf, "docx": edition.docx, "html": edition.html}[fmt]
    return _file(data, fmt, _filename(edition.version_label))
