"""The report as PDF, rendered by WeasyPrint from the same HTML as the page."""

from __future__ import annotations

from tracker.report.build import Report
from tracker.report.export_html import REPORT_CSS, render_report_html


def _refuse_fetch(url: str, *args, **kwargs):
    """The report needs no outside resources; never let WeasyPrint fetch one."""
    raise ValueError(f"extern bestand geweigerd: {url[:80]}")


def render_report_pdf(report: Report) -> bytes:
    """PDF bytes of ``report`` (A4, page numbers, one theme per page)."""
    from weasyprint import CSS, HTML

    html = render_report_html(report, for_pdf=True)
    document = HTML(string=html, base_url=str(REPORT_CSS.parent), url_fetcher=_refuse_fetch)
    return document.write_pdf(stylesheets=[CSS(filename=str(REPORT_CSS))])
