"""An indicator's measurements: the table in report layout, entry, periods, CSV import."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tracker.auth.permissions import can, requires
from tracker.clock import local_today
from tracker.extensions import db
from tracker.formatting import number
from tracker.forms import Refusal, form_errors
from tracker.htmx import is_fragment
from tracker.indicators import rules, services
from tracker.indicators.csv_import import MAX_BYTES, MAX_ROWS, CsvError
from tracker.indicators.forms import MeasurementForm, PeriodForm
from tracker.indicators.models import Indicator
from tracker.indicators.workbook import indicator_sheet
from tracker.xlsx_export import workbook_bytes, xlsx_response

bp = Blueprint("indicators", __name__)

PAGE = "indicators/page.html"
REGION = "indicators/_region_response.html"
IMPORT_PAGE = "indicators/import.html"

load = services.load_indicator


def dutch(value: Decimal | None) -> str:
    """A stored value in Dutch notation with the decimals it has (``1.525``, ``3,1``)."""
    if value is None:
        return "–"
    exponent = value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return number(value, decimals)


def _render(indicator: Indicator, *, status: int = 200, errors=None, values=None,
            period_errors=None, period_values=None, announcement: str = ""):
    """The page, or for htmx the measurements region (table and forms) and an announcement."""
    data = services.page_data(indicator)
    context = {
        "indicator": indicator, "team": indicator.team, "ind": data.section, "facts": data.facts,
        "editable": can(current_user, "indicator.edit", indicator),
        "errors": errors or {}, "values": values or {},
        "period_errors": period_errors or {}, "period_values": period_values or {},
        "announcement": announcement,
        "district_options": [(slug, name) for _, slug, name in data.facts.districts]
        + [(rules.UNIT_CHOICE, "Eenheid Oost-Nederland (hele eenheid)")],
    }
    template = REGION if is_fragment() else PAGE
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def _saved(indicator: Indicator, message: str):
    """After a change: the refreshed region for htmx, else a 303 back to the page."""
    if is_fragment():
        return _render(indicator, announcement=message)
    flash(message, "ok")
    return redirect(url_for("indicators.page", key=indicator.key) + "#metingen", 303)


@bp.get("/indicators/<key>")
@requires("indicator.view", load=load)
def page(key: str, subject: Indicator):
    """The measurements of one indicator, with the entry forms for its team's coordinators."""
    return _render(subject)


@bp.get("/indicators/<key>/metingen.xlsx")
@requires("indicator.view", load=load)
def page_xlsx(key: str, subject: Indicator):
    """The measurements table as the page shows it, as an Excel workbook (numbers as
    numbers, percentages with a % format)."""
    today = local_today()
    sheet = indicator_sheet(services.page_data(subject).section, today, team_name=subject.team.name)
    return xlsx_response(f"indicator-{subject.key}-{today.isoformat()}.xlsx", workbook_bytes([sheet]))


def _refused_entry(refusal: Refusal, key: str, subject: Indicator):
    return _render(subject, status=422, errors=refusal.errors,
                   values=MeasurementForm().typed(),
                   announcement="De meting is niet opgeslagen: " + refusal.message)


@bp.post("/indicators/<key>/metingen")
@requires("indicator.edit", load=load)
@form_errors(_refused_entry)
def enter(key: str, subject: Indicator):
    """Enter or correct one raw value (district or Eenheid, period, value)."""
    form = MeasurementForm().parse()
    entered = services.enter_measurement(subject, actor=current_user, **form.typed())
    db.session.commit()
    messages = {
        rules.NEW: f"Meting {entered.where} vastgelegd: {dutch(entered.value)}.",
        rules.CHANGED: f"Meting {entered.where} gecorrigeerd in {dutch(entered.value)}.",
        rules.UNCHANGED: f"Meting {entered.where} was al {dutch(entered.value)}; niets gewijzigd.",
    }
    return _saved(subject, messages[entered.outcome])


def _refused_period(refusal: Refusal, key: str, subject: Indicator):
    return _render(subject, status=422, period_errors=refusal.errors,
                   period_values=PeriodForm().typed(),
                   announcement="De periode is niet toegevoegd: " + refusal.message)


@bp.post("/indicators/<key>/perioden")
@requires("indicator.edit", load=load)
@form_errors(_refused_period)
def add_period(key: str, subject: Indicator):
    """Add a period (a column of the table), e.g. 2018."""
    form = PeriodForm().parse()
    typed = form.typed()
    new_key = services.add_period(subject, key=typed["period_key"], label=typed["period_label"],
                                  actor=current_user)
    db.session.commit()
    return _saved(subject, f"Periode {new_key} toegevoegd.")


# --- CSV import ------------------------------------------------------------------------


def _import_page(indicator: Indicator, *, status: int = 200, rows=None, error: str | None = None,
                 token: str | None = None):
    rows = rows or []
    return render_template(
        IMPORT_PAGE, indicator=indicator, team=indicator.team, rows=rows, error=error,
        token=token, counts=Counter(r.outcome for r in rows), dutch=dutch,
        max_rows=MAX_ROWS, max_mb=MAX_BYTES // 1_000_000,
    ), status


@bp.get("/indicators/<key>/import")
@requires("indicator.edit", load=load)
def import_form(key: str, subject: Indicator):
    """The upload form for a CSV file of measurements."""
    return _import_page(subject)


@bp.post("/indicators/<key>/import")
@requires("indicator.edit", load=load)
def import_preview(key: str, subject: Indicator):
    """Check an uploaded file and show what it would change; changes nothing."""
    upload = request.files.get("bestand")
    if upload is None or not upload.filename:
        return _import_page(subject, status=422, error="Kies een CSV-bestand.")
    try:
        data = upload.stream.read(MAX_BYTES + 1)
    finally:
        upload.close()
    try:
        rows = services.preview_import(subject, data)
    except CsvError as error:
        return _import_page(subject, status=422, error=error.message)
    if any(r.outcome == rules.BAD for r in rows):
        return _import_page(subject, status=422, rows=rows,
                            error="Niet alle regels zijn in orde. Verbeter het bestand en laad het "
                                  "opnieuw; er wordt niets ingelezen zolang er fouten zijn.")
    token = services.sign_import(rows, indicator=subject, actor=current_user,
                                 secret_key=current_app.secret_key)
    return _import_page(subject, rows=rows, token=token)


@bp.post("/indicators/<key>/import/bevestigen")
@requires("indicator.edit", load=load)
def import_apply(key: str, subject: Indicator):
    """Apply a previewed import: every row or none."""
    try:
        rows = services.apply_import(subject, request.form.get("token"), actor=current_user,
                                     secret_key=current_app.secret_key)
    except services.ImportRefused as refused:
        db.session.rollback()
        return _import_page(subject, status=409 if refused.rows else 400, rows=refused.rows,
                            error=refused.message)
    db.session.commit()
    counts = Counter(r.outcome for r in rows)
    flash(f"CSV ingelezen: {counts[rules.NEW]} nieuw, {counts[rules.CHANGED]} gewijzigd, "
          f"{counts[rules.UNCHANGED]} ongewijzigd.", "ok")
    return redirect(url_for("indicators.page", key=subject.key) + "#metingen", 303)
