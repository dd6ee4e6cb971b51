"""The report as a document: nothing lost in the PDF, the layout of the source (page
count), an accessible PDF (tagged PDF/UA-1, language, title) and its rendering time.

Every text of the report's HTML must appear in the PDF's extracted text (``pdftotext``),
compared without whitespace so that wrap points do not matter: a column cut off at the
page edge, or a word clipped in a cell, fails the test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import unicodedata
import zlib
from datetime import date
from html.parser import HTMLParser

import pytest

from tests.factories import create_action, create_item, create_team
from tracker.enums import ItemKind
from tracker.extensions import db

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils (pdftotext, pdfinfo) not installed",
)

PEILDATUM = date(2018, 2, 1)


class _Texts(HTMLParser):
    """The visible text nodes of the body: not the head, not SVG (its <title> is the
    alternative text, not printed)."""

    SKIP = {"head", "svg", "script", "style"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP or self.depth:
            self.depth += 1 if tag not in ("br", "col", "line", "rect") else 0

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.texts.append(data)


def html_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def squash(text: str) -> str:
    """Without whitespace, soft hyphens and list bullets (a list item continued on the next
    page gets its bullet drawn there), compatibility forms folded (ligatures)."""
    return re.sub(r"[\s\u00ad•]+", "", unicodedata.normalize("NFKC", text))


def pdf_body_text(pdf: bytes, report, html: str) -> str:
    """The PDF's text in drawing order, without the running footer (title and page number)
    and the floated organogram (drawn after the page's flow), so that a text running over
    a page break reads on."""
    from tracker.report.sections import build_organogram

    raw = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    header_rows = {squash(" ".join(html_texts(head)))
                   for head in re.findall(r"<thead.*?</thead>", html, re.S)}
    footer_line = re.compile(rf"^{re.escape('Voortgangsrapportage ' + report.version_label)} \d+$")
    lines = []
    for number, page in enumerate(raw.split("\f")):
        page_lines = [line for line in page.splitlines() if not footer_line.match(line.strip())]
        if number:  # a table header repeated at the top of the page
            for count in range(1, 8):
                if squash("".join(page_lines[:count])) in header_rows:
                    del page_lines[:count]
                    break
        lines += page_lines
    organogram = build_organogram(report.teams)
    drawn = [text for box in organogram.boxes for text, _ in box.lines] if organogram else []
    lines = _without_run(lines, drawn, "organogram")
    # Charts are SVG too: their texts are drawn after the page's flow, value then label lines
    # per bar, and may land inside a paragraph that runs over the page break.
    for section in report.teams:
        for ind in section.indicators:
            if not ind.chart:
                continue
            run = []
            for index, bar in enumerate(ind.chart.bars):
                labels = ind.chart_labels[index] if ind.chart_labels else [bar.label]
                run += [ind.fmt(bar.value), *labels]
            lines = _without_run(lines, run, f"chart {ind.key}")
    return "\n".join(lines)


def _without_run(lines: list[str], run: list[str], what: str) -> list[str]:
    """``lines`` without the first consecutive ``run`` of lines (drawn SVG texts)."""
    stripped = [line.strip() for line in lines]
    for start in range(len(lines) - len(run) + 1):
        if run and stripped[start:start + len(run)] == run:
            return lines[:start] + lines[start + len(run):]
    assert not run, f"{what} not found in the PDF"
    return lines


def pdf_info(pdf: bytes) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return dict(line.split(":", 1) for line in out.decode().splitlines() if ":" in line) | {}


def pdf_language(pdf: bytes) -> str | None:
    """The catalog's /Lang, looked up in the plain and the compressed objects."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    for chunk in chunks:
        found = re.search(rb"/Lang\s*\(([^)]*)\)", chunk)
        if found:
            return found.group(1).decode()
    return None


def render(peildatum: date, *, as_of: bool = True) -> tuple[object, str, bytes, float]:
    from tracker.report.build import build_report
    from tracker.report.export_html import render_report_html
    from tracker.report.export_pdf import render_report_pdf

    # CPU time of this process: the wall clock also counts what other tests running
    # beside it on the same cores do.
    started = time.process_time()
    report = build_report(peildatum, as_of=as_of)
    pdf = render_report_pdf(report)
    seconds = time.process_time() - started
    return report, render_report_html(report, for_pdf=True), pdf, seconds


def assert_no_text_lost(report, html: str, pdf: bytes) -> None:
    body = squash(pdf_body_text(pdf, report, html))
    texts = html_texts(html)
    assert len(texts) > 20
    lost = [t for t in texts if squash(t) not in body]
    assert not lost, f"{len(lost)} texts missing in the PDF, e.g. {[t[:120] for t in lost[:3]]}"


def test_demo_report_fits_eleven_pages_is_tagged_dutch_and_loses_nothing(demo):
    report, html, pdf, seconds = render(PEILDATUM)
    info = pdf_info(pdf)
    pages = int(info["Pages"])
    assert pages <= 11, f"{pages} pages"
    assert info["Tagged"].strip() == "yes"
    assert info["Title"].strip().startswith("Voortgangsrapportage versie februari 2018")
    assert pdf_language(pdf) == "nl-NL"
    meta = subprocess.run(["pdfinfo", "-meta", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert 'pdfuaid:part="1"' in meta
    assert seconds < 10, f"{seconds:.1f} s"
    assert_no_text_lost(report, html, pdf)

    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                                   check=True).stdout.decode().split())
    # The source's layout and words.
    assert "Diefstal/inbraak woning" in text
    body = squash(pdf_body_text(pdf, report, html))
    assert squash("Organogram van het Veiligheidsnetwerk Oost-Nederland") in body
    assert "(open, zomer 2018)" not in text and "voorjaar 2018" in text
    assert "Endterm review eind 2018 (open, eind 2018)" not in text
    for phrase in ("onbekend:", "ontbreekt.).", "Voor dit thema zijn geen indicatoren vastgelegd",
                   "Nog geen metingen vastgelegd", "Noord- en Oost-Ge…"):
        assert phrase not in text, phrase
    # The unmeasured indicator has one sentence, the themes without figures one in all.
    assert "Van ‘Door burgers ingeschatte kans op slachtofferschap’ zijn nog geen cijfers" in text
    assert text.count("nog geen cijfers vastgelegd") == 1


def test_demo_report_html_is_accessible_markup(demo):
    report, html, _pdf, _seconds = render(PEILDATUM)
    assert '<html lang="nl-NL">' in html
    assert "<title>Voortgangsrapportage versie februari 2018" in html
    # Every chart and the organogram: an image with its text alternative.
    svgs = re.findall(r"<svg\b[^>]*>\s*<title[^>]*>([^<]+)</title>", html)
    assert len(svgs) == html.count("<svg") >= 2
    assert all('role="img"' in tag for tag in re.findall(r"<svg\b[^>]*>", html))
    organogram = next(t for t in svgs if t.startswith("Organogram"))
    for name in ("Expertteam Woninginbraken", "Platform Ondermijning", "Expertteam Hennep",
                 "burgemeester Beenakker", "Bestuurlijke Begeleidingsgroep"):
        assert name in organogram, name
    # Headers of the tables are real header cells.
    assert '<th class="utrecht-table__header-cell" scope="col">Districten/Eenheid</th>' in html
    assert "<td>" not in re.sub(r"<thead.*?</thead>", "", html, flags=re.S).split("<tbody")[0]
    # The footnote stands right after "78 gemeenten".
    assert re.search(r"78 gemeenten<span class=\"vnon-footnote-call\">Dit aantal", html)


HOSTILE_URL = ("https://veiligheidsnetwerkoostnederland.sharepoint.com/sites/VNON-Expertteams/"
               "Gedeelde%20documenten/Forms/AllItems.aspx?id=%2Fsites%2FVNON%2DExpertteams%2F"
               "Gedeelde%20documenten%2FVerslagen%2FWoninginbraken%2FEindrapportage%2Fconcept"
               "&viewid=6c1f8d2e%2D5a7b%2D4c3d%2D9e8f%2Dabcdefabcdef&ga=1&xyz=")
HOSTILE_URL += "q" * (300 - len(HOSTILE_URL))
LONG_WORD = "Veiligheidsnetwerkinformatievoorzieningsexpertteamrapportage" * 4
LONG_WORD = LONG_WORD[:200]


def _long_item(n: int) -> str:
    words = ("gemeente", "politie", "aanpak", "district", "expertteam", "bijeenkomst",
             "ondermijning", "woninginbraak", "rapportage", "afstemming")
    text = " ".join(f"{words[(n + i) % len(words)]}{'' if i % 7 else ','}" for i in range(700))
    return f"Lang punt {n}: {text}"[:5000]


def test_hostile_content_is_never_cut_off(client):
    team = create_team(name="Expertteam Lange teksten", short_name="Lange teksten")
    create_item(team, ItemKind.DOEL, text=f"Zie het verslag op {HOSTILE_URL} voor de details")
    create_item(team, ItemKind.RESULTAAT, text=f"Het woord {LONG_WORD} past niet op een regel")
    for n in range(2):
        create_item(team, ItemKind.AANDACHTSPUNT, text=_long_item(n))
    for n in range(60):
        create_action(team, title=f"Actie {n + 1} van zestig: overleg met district "
                                  f"{'abcdefghij'[n % 10]} over {HOSTILE_URL[:60 + n]}",
                      position=n)
    db.session.commit()
    assert len(HOSTILE_URL) == 300 and len(LONG_WORD) == 200
    assert all(len(_long_item(n)) == 5000 for n in range(2))

    report, html, pdf, _seconds = render(date.today(), as_of=False)
    shown = "\n".join(html_texts(html))
    assert HOSTILE_URL in shown and LONG_WORD in shown and _long_item(1) in shown
    assert all(f"Actie {n} van zestig" in shown for n in range(1, 61))
    assert_no_text_lost(report, html, pdf)
    body = squash(pdf_body_text(pdf, report, html))
    assert HOSTILE_URL in body and LONG_WORD in body
