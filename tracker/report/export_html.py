"""The report as one HTML document (for the browser, for WeasyPrint, or as a file)."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from tracker import PROJECT_ROOT
from tracker.report.build import ACTIONS_TITLE, Report
from tracker.report.sections import document_layout

REPORT_CSS = PROJECT_ROOT / "static" / "css" / "report.css"


def render_report_html(report: Report, *, links: bool = False, for_pdf: bool = False,
                       standalone: bool = False) -> str:
    """Render the report. ``standalone`` embeds the stylesheet (our own file, not user
    text) so that a saved or downloaded file shows the same as the page. ``for_pdf``:
    footnotes at the foot of the page, no screen-reader-only captions (WeasyPrint)."""
    css = Markup(REPORT_CSS.read_text(encoding="utf-8")) if standalone else None  # noqa: S704
    return render_template("report/report.html", report=report, links=links, for_pdf=for_pdf,
                           embedded_css=css, actions_title=ACTIONS_TITLE,
                           layout=document_layout(report.texts, report.teams))
