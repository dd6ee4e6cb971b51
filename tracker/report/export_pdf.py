"""The report as PDF, rendered by WeasyPrint from the same HTML as the page.

Tagged PDF/UA-1: the structure (headings, lists, tables with their header cells,
figures with their alternative text) comes from the HTML; the document language from
``<html lang="nl-NL">``, the title from ``<title>``.
"""

from __future__ import annotations

import logging

from tracker.report.build import Report
from tracker.report.export_html import REPORT_CSS, render_report_html

# WeasyPrint logs a line per page laid out: a thousand for a big network's report.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

#: The PDF variant: accessible (ISO 14289-1), tagged.
PDF_VARIANT = "pdf/ua-1"


def _page_references(pdf) -> tuple[bytes, ...]:
    """``pydyf.PDF.page_references``, computed again only after a page was added.

    pydyf builds the tuple of every page's reference on each read, and WeasyPrint reads
    it for every tagged element: a tagged PDF cost pages × elements (at a thousand pages,
    minutes in this one property). The value is the same tuple, kept until ``Kids``
    (where pydyf adds each page) changes length.
    """
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_tracker_page_references")
    if cached is None or cached[0] is not kids or cached[1] != len(kids):
        refs = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
        cached = (kids, len(kids), refs)
        pdf.__dict__["_tracker_page_references"] = cached
    return cached[2]


def _cache_page_references() -> None:
    import pydyf

    if pydyf.PDF.__dict__["page_references"].fget is not _page_references:
        pydyf.PDF.page_references = property(_page_references)


def _refuse_fetch(url: str, *args, **kwargs):
    """The report needs no outside resources; never let WeasyPrint fetch one."""
    raise ValueError(f"extern bestand geweigerd: {url[:80]}")


def render_report_pdf(report: Report) -> bytes:
    """PDF bytes of ``report`` (A4, page numbers, tagged PDF/UA-1)."""
    from weasyprint import CSS, HTML

    _cache_page_references()
    html = render_report_html(report, for_pdf=True)
    document = HTML(string=html, base_url=str(REPORT_CSS.parent), url_fetcher=_refuse_fetch)
    return document.write_pdf(stylesheets=[CSS(filename=str(REPORT_CSS))],
                              pdf_variant=PDF_VARIANT, pdf_tags=True)
