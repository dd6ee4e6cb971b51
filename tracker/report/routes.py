"""The progress report (HTML, PDF, Word) for a peildatum, and its published editions."""

from __future__ import annotations

import base64
import hashlib
import re

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tracker.auth.permissions import requires
from tracker.caching import kept_values
from tracker.clock import local_today
from tracker.db import utcnow
from tracker.errors import render_error
from tracker.extensions import db
from tracker.formatting import duration, to_local
from tracker.forms import Refusal, form_errors
from tracker.htmx import is_htmx, redirect_client, render_page_or_fragment
from tracker.report import renders
from tracker.report.build import build_report
from tracker.report.editions import version_label_for
from tracker.report.forms import PreviewForm, PublishForm, RenderForm, text_form
from tracker.report.models import ReportEdition
from tracker.report.services import (
    CORRECTION_RULE,
    EditionExists,
    EditionSuperseded,
    PeildatumError,
    build_edition_report,
    confirmed_plan,
    edition_html,
    edition_rows,
    parse_peildatum,
    plan_edition,
    publish_edition,
    save_text,
    stored_texts,
)
from tracker.report.texts import EDITABLE_TEXTS, PLACEHOLDERS, TEXTS_BY_SLUG, as_form_text
from tracker.validation import ValidationErrors, field_errors

bp = Blueprint("report", __name__)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {
    "pdf": "application/pdf",
    "docx": DOCX_MIME,
    "html": "text/html; charset=utf-8",
}


def _file(data: bytes | str, fmt: str, name: str, *, attachment: bool = True) -> Response:
    response = Response(data)
    response.headers["Content-Type"] = FORMATS[fmt]  # exactly this (mimetype= would add a charset)
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
    return response


def _filename(label: str) -> str:
    return "voortgangsrapportage-" + label.removeprefix("versie ").replace(" ", "-")


#: The report pages last made, by peildatum and the data they show
#: (``renders.data_version``: the history up to the peildatum and the editions). The
#: page is the same for everyone who may see it; a big network's takes about a second.
report_pages = kept_values(4)


@bp.get("/report")
@requires("report.view")
def report_html():
    """The print-ready report for ``?peildatum=YYYY-MM-DD`` (default: today); made once
    per change of what it shows (:data:`report_pages`)."""
    from tracker.report.export_html import render_report_html

    try:
        peildatum = parse_peildatum(request.args.get("peildatum"), local_today())
    except PeildatumError as error:
        return render_error(400, str(error))
    key = (peildatum, renders.data_version(peildatum))
    html = report_pages.get(key)
    if html is None:
        report = build_report(peildatum, timezone=current_app.config["TRACKER_TIMEZONE"])
        html = render_report_html(report, links=True)
        report_pages.put(key, html)
    return html


@bp.get("/report.pdf")
@requires("report.view")
def report_pdf():
    """The report as PDF (made in the background for a big network: :mod:`renders`)."""
    return _download("pdf")


@bp.get("/report.docx")
@requires("report.view")
def report_docx():
    """The report as a Word document (made in the background for a big network)."""
    return _download("docx")


def _download(fmt: str):
    """The file for ``?peildatum=``: made now for a small report; for a big one the file
    made in the background for the data it shows, or the page that offers to make it
    (200; with the latest file made earlier that day, marked as such) or says it is being
    made (202). The page polls with htmx while the file is being made: 204 until it is
    there, then the status part with the download link."""
    try:
        peildatum = parse_peildatum(request.args.get("peildatum"), local_today())
    except PeildatumError as error:
        return render_error(400, str(error))
    size = renders.report_size(peildatum)
    if not renders.in_background(size):
        report = build_report(peildatum, timezone=current_app.config["TRACKER_TIMEZONE"])
        return _file(renders.render_file_of(report, fmt), fmt, _filename(report.version_label))
    render = renders.current_render(fmt, peildatum)
    state = renders.state_of(render)
    if state == "klaar" and not is_htmx():
        return _file(render.content, fmt, _filename(version_label_for(peildatum)))
    if state == "bezig" and is_htmx():
        return Response(status=204)  # nothing new: the live region stays as it is
    return _render_page(fmt, peildatum, render, size)


def _render_page(fmt: str, peildatum, render, size: int, *, error: str | None = None,
                 status: int | None = None):
    state = renders.state_of(render)
    earlier = renders.latest_file(fmt, peildatum) if state != "klaar" else None
    context = {
        "fmt": fmt, "fmt_label": RENDER_LABELS[fmt], "peildatum": peildatum, "render": render,
        "state": state, "size": size, "expected": renders.expected_seconds(fmt),
        "file_url": url_for(f"report.report_{fmt}", peildatum=peildatum.isoformat()),
        "earlier": earlier, "error": error,
        "earlier_url": earlier and url_for("report.made_file", render_id=earlier.id, fmt=fmt),
    }
    code = status or (202 if state == "bezig" else 200)
    if is_htmx():
        return render_template("report/_render_status.html", **context), code
    return render_template("report/render.html", **context), code


#: How the formats made in the background are named on their page.
RENDER_LABELS = {"pdf": "PDF", "docx": "Word-document"}


def _refused_render(refusal: Refusal):
    return render_error(400, refusal.message)


@bp.post("/report/bestanden")
@requires("report.view")
@form_errors(_refused_render)
def request_file():
    """Ask for the report's PDF or Word file to be made in the background (a big report)."""
    form = RenderForm().parse()
    fmt, peildatum = form.formaat.data, form.peildatum.data
    try:
        renders.request_render(fmt, peildatum, current_user, utcnow())
    except renders.TooManyAsked as refused:
        db.session.rollback()
        return _render_page(fmt, peildatum, renders.current_render(fmt, peildatum),
                            renders.report_size(peildatum), error=str(refused), status=429)
    db.session.commit()
    return redirect(url_for(f"report.report_{fmt}", peildatum=peildatum.isoformat()), 303)


@bp.get("/report/bestanden/<int:render_id>.<fmt>")
@requires("report.view")
def made_file(render_id: int, fmt: str):
    """A file made in the background earlier, as it was made (its name says when)."""
    render = renders.made_file(render_id, fmt)
    if render is None:
        return render_error(404)
    stamp = to_local(render.finished_at).strftime("%Y-%m-%d-%H%M")
    return _file(render.content, fmt,
                 f"{_filename(version_label_for(render.peildatum))}-stand-{stamp}")


@bp.get("/report/edities")
@requires("report.view")
def editions():
    """Published editions, newest first; a correction marked current above what it replaces."""
    return render_page_or_fragment("report/editions.html", "report/editions.html",
                                   editions=edition_rows(), today=local_today(), error=None,
                                   pending=renders.pending_publications(),
                                   correction_rule=CORRECTION_RULE)


def _plan_or_refusal(form):
    """The plan of the edition the form asks for, or the answer that refuses it."""
    try:
        form.parse()
        return plan_edition(form.peildatum.data, form.vervangt.data), None
    except ValidationErrors as error:
        return None, render_error(400, " ".join(field_errors(error).values()))
    except (EditionExists, EditionSuperseded) as error:
        return None, _refused_publish(Refusal(409, conflict=error))


@bp.get("/report/edities/voorbeeld")
@requires("report.publish")
def preview():
    """What publishing would store: the label, the changes, the document; then confirm."""
    plan, refusal = _plan_or_refusal(PreviewForm(formdata=request.args))
    if refusal is not None:
        return refusal
    report = build_edition_report(plan, timezone=current_app.config["TRACKER_TIMEZONE"])
    return render_template("report/edition_preview.html", plan=plan, report=report, error=None,
                           **renders.publication_outlook(plan))


@bp.get("/report/edities/voorbeeld.html")
@requires("report.publish")
def preview_document():
    """The HTML exactly as the edition will store it (shown, not downloaded)."""
    plan, refusal = _plan_or_refusal(PreviewForm(formdata=request.args))
    if refusal is not None:
        return refusal
    html = edition_html(build_edition_report(
        plan, timezone=current_app.config["TRACKER_TIMEZONE"]))
    response = _file(html, "html", _filename(plan.label), attachment=False)
    response.headers["Content-Security-Policy"] = _policy_for_embedded_style(html)
    return response


def _policy_for_embedded_style(html: str) -> str:
    """The site's policy, allowing the one stylesheet the document embeds (by its hash)."""
    from tracker.security import CONTENT_SECURITY_POLICY

    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode("utf-8")).digest()).decode() + "'"
        for m in re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    ]
    return CONTENT_SECURITY_POLICY.replace("style-src 'self'",
                                           " ".join(["style-src 'self'", *hashes]))


def _refused_publish(refusal: Refusal):
    """A peildatum that cannot be used: 400; no confirmation: 422, nothing published; an
    edition that exists or was corrected already: kept, said on the list."""
    if refusal.is_conflict:
        error = refusal.conflict
        if isinstance(error, EditionSuperseded):
            flash(f"Editie ‘{error.label}’ is al herzien in ‘{error.by}’: herzie zo nodig "
                  "die editie.", "warning")
        else:
            flash(f"Er is al een editie ‘{error}’: die blijft ongewijzigd.", "warning")
        return _to_editions()
    if "peildatum" in refusal.errors or "vervangt" in refusal.errors:
        return render_error(400, refusal.message)
    # Not confirmed (or another label than shown): the confirmation again, the error at
    # the checkbox; htmx swaps just the form, without htmx the whole preview comes back.
    plan, other = _plan_or_refusal(PreviewForm(formdata=request.form))
    if other is not None:
        return other
    if is_htmx():
        return render_template("report/_publish_form.html", plan=plan,
                               **renders.publication_outlook(plan),
                               error=refusal.message), 422
    report = build_edition_report(plan, timezone=current_app.config["TRACKER_TIMEZONE"])
    return render_template("report/edition_preview.html", plan=plan, report=report,
                           error=refusal.message, **renders.publication_outlook(plan)), 422


@bp.post("/report/edities")
@requires("report.publish")
@form_errors(_refused_publish)
def publish():
    """Publish the edition confirmed on the preview page (beheerder); ~3 s of rendering for
    the demo. A big network's edition is published by the ``report-renders`` job: this
    only asks for it (the list of editions shows it as being published)."""
    form = PublishForm().parse()
    if renders.in_background(renders.report_size(form.peildatum.data)):
        plan = confirmed_plan(form.peildatum.data, form.vervangt.data, form.versie.data)
        renders.request_publication(plan, current_user, utcnow())
        db.session.commit()
        expected = renders.expected_seconds(renders.EDITION)
        flash(f"Editie ‘{plan.label}’ wordt gepubliceerd. De rapportage is groot: de bestanden "
              "worden op de achtergrond gemaakt" + (f" (ongeveer {duration(expected)})"
                                                    if expected else "")
              + "; de editie staat in de lijst zodra ze klaar is.", "ok")
        return _to_editions()
    edition = publish_edition(form.peildatum.data, current_user,
                              timezone=current_app.config["TRACKER_TIMEZONE"],
                              supersedes_id=form.vervangt.data,
                              confirmed_label=form.versie.data)
    db.session.commit()
    flash(f"Editie ‘{edition.version_label}’ gepubliceerd.", "ok")
    return _to_editions()


def _to_editions() -> Response:
    """To the list of editions: 303, or for htmx a navigation of the whole page."""
    if is_htmx():
        return redirect_client(Response(status=204), url_for("report.editions"))
    return redirect(url_for("report.editions"), 303)


# --- the fixed texts (Beheer) ---------------------------------------------------------------


def _texts_page(status: int = 200, *, slug: str | None = None, value: str | None = None,
                error: str | None = None):
    stored = stored_texts()
    rows = [
        {"text": t, "value": value if t.slug == slug else as_form_text(t, stored.get(t.key)),
         "error": error if t.slug == slug else None}
        for t in EDITABLE_TEXTS
    ]
    return render_template("report/texts.html", rows=rows, placeholders=PLACEHOLDERS), status


@bp.get("/beheer/teksten")
@requires("report.texts")
def texts():
    """The report's fixed texts, one form each."""
    return _texts_page()


def _refused_text(refusal: Refusal, slug: str):
    return _texts_page(refusal.status, slug=slug, value=request.form.get("tekst", ""),
                       error=refusal.message)


@bp.post("/beheer/teksten/<slug>")
@requires("report.texts")
@form_errors(_refused_text)
def save_text_view(slug: str):
    """Save one fixed text (kept in history: earlier reports keep the old text)."""
    text = TEXTS_BY_SLUG.get(slug)
    if text is None:
        return render_error(404)
    form = text_form(text)().parse()
    changed = save_text(text, form.tekst.data, current_user)
    db.session.commit()
    flash(f"‘{text.label}’ opgeslagen." if changed else f"‘{text.label}’ was niet gewijzigd.",
          "ok")
    return redirect(url_for("report.texts", _anchor=f"tekst-{slug}"), 303)


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
