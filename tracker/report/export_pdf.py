"""The report as PDF, rendered by WeasyPrint from the same HTML as the page.

Tagged PDF/UA-1: the structure (headings, lists, tables with their header cells,
figures with their alternative text) comes from the HTML; the document language from
``<html lang="nl-NL">``, the title from ``<title>``.
"""

from __future__ import annotations

from tracker.report.build import Report
from tracker.report.export_html import REPORT_CSS, render_report_html

#: The PDF variant: accessible (ISO 14289-1), tagged.
PDF_VARIANT = "pdf/ua-1"


def _refuse_fetch(url: str, *args, **kwargs):
    """The report needs no outside resources; never let WeasyPrint fetch one."""
    raise ValueError(f"extern bestand geweigerd: {url[:80]}")


def render_report_pdf(report: Report) -> bytes:
    """PDF bytes of ``report`` (A4, page numbers, tagged PDF/UA-1)."""
    from weasyprint import CSS, HTML

    html = render_report_html(report, for_pdf=True)
    document = HTML(string=html, base_url=str(REPORT_CSS.parent), url_fetcher=_refuse_fetch)
    return document.write_pdf(stylesheets=[CSS(filename=str(REPORT_CSS))],
                              pdf_variant=PDF_VARIANT, pdf_tags=True)
