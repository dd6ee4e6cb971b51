"""Entering and importing indicator measurements: services, routes by role, bad input, CSV."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.extensions import db
from tracker.indicators import services
from tracker.indicators.models import Indicator, Measurement
from tracker.network.models import District

BURGLARY = "woninginbraken-misdrijven"  # a count, summed over the districts
CLEARANCE = "opheldering"  # a percentage with its own unit-wide figure
PAGE = f"/indicators/{BURGLARY}"
NEW_2018 = {"IJsselland": "800", "Twente": "1.300", "Noord- en Oost-Gelderland": "1.700",
            "Gelderland-Midden": "1.800", "Gelderland-Zuid": "1.200"}  # total 6.800


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def indicator(key: str = BURGLARY) -> Indicator:
    return db.session.scalar(select(Indicator).where(Indicator.key == key))


def district_id(name: str) -> int:
    return db.session.scalar(select(District.id).where(District.name == name))


def state() -> tuple:
    """Every measurement, every indicator's periods and the audit count: 'nothing changed'."""
    db.session.expire_all()
    return (
        sorted(db.session.execute(select(Measurement.indicator_id, Measurement.district_id,
                                         Measurement.period, Measurement.value)).all(),
               key=repr),
        sorted((i.key, repr(i.periods)) for i in db.session.scalars(select(Indicator))),
        db.session.scalar(select(func.count(AuditEntry.id))),
    )


def value_of(key: str, district: str | None, period: str) -> Decimal | None:
    db.session.expire_all()
    query = select(Measurement.value).join(Indicator).where(Indicator.key == key,
                                                             Measurement.period == period)
    if district is None:
        query = query.where(Measurement.district_id.is_(None))
    else:
        query = query.where(Measurement.district_id == district_id(district))
    return db.session.scalar(query)


def post(client, path: str, data: dict, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf_token_for(client, PAGE)}, **kwargs)


def csv_file(text: str, name: str = "metingen.csv", encoding: str = "utf-8-sig"):
    return (io.BytesIO(text.encode(encoding)), name)


# --- services ----------------------------------------------------------------------------------


def test_enter_then_correct_writes_one_row_and_audits_before_and_after(demo):
    actor = user("erik.vankeken@example.org")
    clearance = indicator(CLEARANCE)
    entered = services.enter_measurement(clearance, district="Eenheid", period="2017",
                                         value="12,5", actor=actor)
    db.session.commit()
    assert (entered.outcome, entered.where) == ("gewijzigd", "Eenheid Oost-Nederland, 2017")
    again = services.enter_measurement(clearance, district="oost-nederland", period="2017",
                                       value="12,5", actor=actor)
    assert again.outcome == "ongewijzigd"
    db.session.commit()
    rows = db.session.scalar(select(func.count(Measurement.id)).where(
        Measurement.indicator_id == clearance.id, Measurement.district_id.is_(None),
        Measurement.period == "2017"))
    assert rows == 1 and value_of(CLEARANCE, None, "2017") == Decimal("12.5")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "measurements"))
    [entry] = list(entries)
    assert entry.action == "measurement.update" and entry.actor_id == actor.id
    assert Decimal(entry.before["value"]) == 11 and Decimal(entry.after["value"]) == Decimal("12.5")


def test_a_new_value_is_created_and_audited(demo):
    burglary = indicator()
    services.add_period(burglary, key="2018", label="", actor=user("beheerder@example.org"))
    entered = services.enter_measurement(burglary, district="twente", period="2018",
                                         value="1.408", actor=user("beheerder@example.org"))
    db.session.commit()
    assert entered.outcome == "nieuw" and value_of(BURGLARY, "Twente", "2018") == 1408
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["indicator.add_period", "measurement.create"]


def test_unit_wide_count_is_refused_and_nothing_is_stored(demo):
    from tracker.validation import ValidationErrors

    before = state()
    with pytest.raises(ValidationErrors) as error:
        services.enter_measurement(indicator(), district="Eenheid", period="2017", value="7.391",
                                   actor=user("beheerder@example.org"))
    db.session.rollback()
    assert "een totaal typ je niet in" in error.value.errors["district"]
    assert state() == before


# --- routes by role ----------------------------------------------------------------------------

ROLES = {
    "erik.vankeken@example.org": True,  # trekker of Woninginbraken
    "beheerder@example.org": True,
    "coordinator@example.org": False,  # coordinator of another team (Verwarde personen)
    "paul.wesseloo@example.org": False,  # trekker of another team
    "bestuurder@example.org": False,
    "lezer@example.org": False,
    "partner@example.org": False,
}


@pytest.mark.parametrize(("email", "allowed"), ROLES.items())
def test_who_may_enter_and_import(demo, client, login, email, allowed):
    login(user(email))
    token = csrf_token_for(client, "/")
    before = state()
    posts = [
        (f"{PAGE}/metingen", {"district": "twente", "period": "2017", "value": "1.500"}),
        (f"{PAGE}/perioden", {"period_key": "2018"}),
        (f"{PAGE}/import", {"bestand": csv_file("district;periode;waarde\nTwente;2017;1\n")}),
        (f"{PAGE}/import/bevestigen", {"token": "x"}),
    ]
    if not allowed:
        for path, data in posts:
            assert client.post(path, data={**data, "csrf_token": token}).status_code == 403, path
        assert client.get(f"{PAGE}/import").status_code == 403
        assert state() == before
        page = client.get(PAGE)
        assert page.status_code == (403 if "partner" in email else 200)
        assert "Meting opslaan" not in page.get_data(as_text=True)
        return
    assert client.get(PAGE).status_code == 200
    assert "Meting opslaan" in client.get(PAGE).get_data(as_text=True)
    response = client.post(posts[0][0], data={**posts[0][1], "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"{PAGE}#metingen")
    assert value_of(BURGLARY, "Twente", "2017") == 1500
    follow = client.get(PAGE).get_data(as_text=True)
    assert "Meting Twente, 2017 gecorrigeerd in 1.500." in follow


def test_anonymous_goes_to_login_and_changes_nothing(demo, client):
    token = csrf_token_for(client, "/inloggen")
    before = state()
    for path in (f"{PAGE}/metingen", f"{PAGE}/perioden", f"{PAGE}/import",
                 f"{PAGE}/import/bevestigen"):
        response = client.post(path, data={"district": "twente", "period": "2017",
                                           "value": "1", "csrf_token": token})
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert client.get(PAGE).status_code == 302
    assert state() == before


def test_post_without_csrf_token_is_refused(demo, client, login):
    login(user("beheerder@example.org"))
    before = state()
    response = client.post(f"{PAGE}/metingen", data={"district": "twente", "period": "2017",
                                                     "value": "1"})
    assert response.status_code == 400
    assert state() == before


def test_unknown_indicator_is_404(demo, client, login):
    login(user("beheerder@example.org"))
    assert client.get("/indicators/bestaat-niet").status_code == 404


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "data", "message"), [
    (BURGLARY, {"district": "eenheid", "period": "2017", "value": "7.391"}, "typ je niet in"),
    (BURGLARY, {"district": "achterhoek", "period": "2017", "value": "5"}, "Onbekend district"),
    (BURGLARY, {"district": "twente", "period": "2099", "value": "5"}, "Onbekende periode"),
    (BURGLARY, {"district": "twente", "period": "2017", "value": ""}, "verplicht"),
    (BURGLARY, {"district": "twente", "period": "2017", "value": "   "}, "verplicht"),
    (BURGLARY, {"district": "twente", "period": "2017", "value": "veel"}, "geen getal"),
    (BURGLARY, {"district": "twente", "period": "2017", "value": "NaN"}, "geen getal"),
    (BURGLARY, {"district": "twente", "period": "2017", "value": "inf"}, "geen getal"),
    (BURGLARY, {"district": "twente", "period": "2017", "value": "1e9"}, "geen getal"),
    (BURGLARY, {"district": "twente", "period": "2017", "value": "99.999.999.999"}, "groot"),
    (BURGLARY, {"district": "twente", "period": "2017", "value": "1\x002"}, "stuurtekens"),
    (BURGLARY, {"district": "twente", "period": "2017", "value": "<script>1</script>"},
     "geen getal"),
    (BURGLARY, {"district": "twente", "period": "2017", "value": "{{7*7}}"}, "geen getal"),
    (BURGLARY, {"district": "twente", "period": "2017", "value": "-5"}, "negatief"),
    (BURGLARY, {"district": "twente\u202e", "period": "2017", "value": "5"}, "tekstrichting"),
    (BURGLARY, {"district": "", "period": "", "value": "5"}, "verplicht"),
    (CLEARANCE, {"district": "twente", "period": "2017", "value": "100,1"}, "tussen 0 en 100"),
    (CLEARANCE, {"district": "eenheid", "period": "2017", "value": "-1"}, "tussen 0 en 100"),
])
def test_bad_measurements_are_refused_in_dutch_and_nothing_changes(demo, client, login, key, data,
                                                                  message):
    login(user("erik.vankeken@example.org"))
    before = state()
    response = post(client, f"/indicators/{key}/metingen", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and "Fout:" in html
    assert "<script>1" not in html
    assert state() == before


@pytest.mark.parametrize(("key", "label", "message"), [
    ("2017", "", "bestaat al"), ("2013-2016 gemiddeld", "", "bestaat al"), ("", "", "verplicht"),
    ("   ", "", "verplicht"), ("=1+1", "", "cijfers, letters"), ("x" * 21, "", "hoogstens 20"),
    ("20\x0018", "", "stuurtekens"), ("2019", "=HYPERLINK(1)", "niet met ="),
    ("<b>2019</b>", "", "cijfers, letters"),
])
def test_bad_periods_are_refused(demo, client, login, key, label, message):
    login(user("erik.vankeken@example.org"))
    before = state()
    response = post(client, f"{PAGE}/perioden", {"period_key": key, "period_label": label})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert state() == before


# --- htmx and the rest of the tracker ------------------------------------------------------------


def test_htmx_save_returns_the_refreshed_table_and_an_announcement(demo, client, login):
    login(user("erik.vankeken@example.org"))
    headers = {"HX-Request": "true"}
    response = post(client, f"{PAGE}/metingen",
                    {"district": "twente", "period": "2017", "value": "1.508"}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="metingen"') and "<html" not in html
    assert "7.491" in html  # 7.391 + 100: the total computed again
    assert 'hx-swap-oob="true">Meting Twente, 2017 gecorrigeerd in 1.508.' in html
    # The report for February 2018 still shows the value as it was then (audit undo).
    old = client.get("/report?peildatum=2018-02-01").get_data(as_text=True)
    assert "7.391" in old and "7.491" not in old
    bad = post(client, f"{PAGE}/metingen", {"district": "twente", "period": "2017", "value": "x"},
               headers=headers)
    assert bad.status_code == 422 and bad.get_data(as_text=True).lstrip().startswith(
        '<div id="metingen"')


def test_entered_2018_values_appear_in_status_page_and_report_with_the_total(demo, client, login):
    login(user("erik.vankeken@example.org"))
    assert post(client, f"{PAGE}/perioden", {"period_key": "2018"}).status_code == 303
    for name, value in NEW_2018.items():
        response = post(client, f"{PAGE}/metingen", {"district": name, "period": "2018",
                                                     "value": value})
        assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get(PAGE).get_data(as_text=True)
    status = client.get("/teams/woninginbraken/status").get_data(as_text=True)
    # The network's today (Amsterdam), not the machine's: at 23:30 UTC they differ.
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    report = client.get(f"/report?peildatum={today.isoformat()}").get_data(as_text=True)
    for html in (page, status, report):
        assert "Verschil 2017-2018" in html
        assert "6.800" in html and "-591" in html and "-8%" in html  # total, 2017 → 2018
    assert f'href="{PAGE}"' in status
    # The report for February 2018 does not know the values entered today.
    old = client.get("/report?peildatum=2018-02-01").get_data(as_text=True)
    assert "6.800" not in old and "11.194" in old
    assert "Verschil 2017-2018" not in old and "Verschil 2016-2017" in old  # period undone


def test_unit_wide_count_for_an_indicator_without_districts_is_allowed(demo, client, login):
    login(user("coordinator@example.org"))  # coordinator of Verwarde personen
    path = "/indicators/incidenten-verwarde-personen"
    assert post(client, f"{path}/perioden", {"period_key": "2017"}).status_code == 303
    assert post(client, f"{path}/metingen", {"district": "eenheid", "period": "2017",
                                             "value": "2.345"}).status_code == 303
    assert value_of("incidenten-verwarde-personen", None, "2017") == 2345
    assert "2.345" in client.get("/teams/verwarde-personen/status").get_data(as_text=True)


def test_measurements_page_issues_a_fixed_number_of_queries(demo, client, login, count_queries):
    login(user("beheerder@example.org"))
    client.get(PAGE)
    with count_queries() as small:
        assert client.get(PAGE).status_code == 200
    burglary = indicator()
    burglary.periods = [*burglary.periods, {"key": "2018", "label": "2018"},
                        {"key": "2019", "label": "2019"}]
    for d in db.session.scalars(select(District)):
        for period in ("2018", "2019"):
            db.session.add(Measurement(indicator_id=burglary.id, district_id=d.id, period=period,
                                       value=Decimal(100)))
    db.session.commit()
    with count_queries() as large:
        assert client.get(PAGE).status_code == 200
    assert large.count == small.count


# --- CSV import --------------------------------------------------------------------------------

GOOD_CSV = (
    "district;periode;waarde\n"
    "IJsselland;2017;867\n"  # unchanged
    "twente;2017;1.500\n"  # changed (was 1.408)
    "Gelderland-Zuid;2016;1.715\n"  # unchanged
)


def preview(client, text: str, **kwargs):
    return client.post(f"{PAGE}/import", data={"bestand": csv_file(text, **kwargs),
                                               "csrf_token": csrf_token_for(client, PAGE)},
                       content_type="multipart/form-data")


def confirm_token(html: str) -> str:
    import re

    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_import_preview_then_apply(demo, client, login):
    login(user("erik.vankeken@example.org"))
    assert post(client, f"{PAGE}/perioden", {"period_key": "2018"}).status_code == 303
    text = GOOD_CSV + "".join(f"{name};2018;{value}\n" for name, value in NEW_2018.items())
    before = state()
    assert client.get(f"{PAGE}/import").status_code == 200
    response = preview(client, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "5 nieuw, 1 gewijzigd, 2 ongewijzigd" in html and "Bevestigen en inlezen" in html
    assert state() == before  # a preview changes nothing

    applied = client.post(f"{PAGE}/import/bevestigen", data={
        "token": confirm_token(html), "csrf_token": csrf_token_for(client, PAGE)})
    assert applied.status_code == 303
    assert value_of(BURGLARY, "Twente", "2017") == 1500
    assert value_of(BURGLARY, "Gelderland-Zuid", "2018") == 1200
    audit = db.session.scalars(select(AuditEntry.action)).all()
    assert audit.count("measurement.create") == 5 and audit.count("measurement.update") == 1
    assert "indicator.import" in audit
    assert "CSV ingelezen: 5 nieuw, 1 gewijzigd, 2 ongewijzigd." in client.get(PAGE).get_data(
        as_text=True)
    assert "6.800" in client.get("/teams/woninginbraken/status").get_data(as_text=True)


def test_import_with_commas_and_without_bom(demo, client, login):
    login(user("erik.vankeken@example.org"))
    response = preview(client, 'district,period,value\nTwente,2017,"1.409,5"\n', encoding="utf-8")
    assert response.status_code == 200 and "1 gewijzigd" in response.get_data(as_text=True)


def test_one_bad_row_means_nothing_is_imported(demo, client, login):
    login(user("erik.vankeken@example.org"))
    before = state()
    response = preview(client, GOOD_CSV + "Eenheid;2017;7.391\n=HYPERLINK(\"x\");2017;1\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bevestigen en inlezen" not in html and 'name="token"' not in html
    assert "typ je niet in" in html and "lijkt een formule" in html
    assert '<th class="utrecht-table__header-cell utrecht-table__header-cell--numeric-column" ' \
           'scope="row">5</th>' in html
    assert state() == before


def test_confirm_refuses_forged_foreign_and_stale_previews(demo, client, login):
    login(user("erik.vankeken@example.org"))
    token = confirm_token(preview(client, GOOD_CSV).get_data(as_text=True))
    before = state()

    def confirm(path_key: str, value: str):
        return client.post(f"/indicators/{path_key}/import/bevestigen",
                           data={"token": value, "csrf_token": csrf_token_for(client, PAGE)})

    assert confirm(BURGLARY, token[:-3] + "abc").status_code == 400
    assert confirm(BURGLARY, "").status_code == 400
    assert confirm("afgehandelde-verdachten", token).status_code == 400  # another indicator
    login(user("beheerder@example.org"))
    assert confirm(BURGLARY, token).status_code == 400  # another user
    assert state() == before

    # Someone changes Twente 2017 between preview and confirmation: the preview is stale.
    login(user("erik.vankeken@example.org"))
    assert post(client, f"{PAGE}/metingen", {"district": "twente", "period": "2017",
                                             "value": "1.450"}).status_code == 303
    before = state()
    stale = confirm(BURGLARY, token)
    assert stale.status_code == 409 and "gewijzigd sinds de controle" in stale.get_data(as_text=True)
    assert state() == before


@pytest.mark.parametrize(("content", "message"), [
    (None, "Kies een CSV-bestand"),
    (b"district;periode;waarde\n" + b"x" * 1_000_001, "groter dan 1 MB"),
    ("district;periode;waarde\nTwénte;2017;5\n".encode("latin-1"), "geen UTF-8"),
    (b"", "leeg"),
])
def test_unusable_uploads_are_refused(demo, client, login, content, message):
    login(user("erik.vankeken@example.org"))
    before = state()
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    data = {"csrf_token": csrf_token_for(client, PAGE)}
    if content is not None:
        data["bestand"] = FileStorage(io.BytesIO(content), "metingen.csv")
    # Encoded in memory: the test client would spool a large body to an unclosed temp file.
    boundary, body = encode_multipart(data)
    response = client.post(f"{PAGE}/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert state() == before


def test_a_preview_expires_after_thirty_minutes(demo, app):
    from datetime import UTC, datetime, timedelta

    import time_machine

    from tracker.indicators.csv_import import read_csv
    from tracker.indicators.rules import check_import

    actor = user("erik.vankeken@example.org")
    burglary = indicator()
    facts = services.facts_for(burglary, services._measurements(burglary), services._districts())
    rows = check_import(read_csv(GOOD_CSV.encode()), facts)
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        token = services.sign_import(rows, indicator=burglary, actor=actor,
                                     secret_key=app.secret_key)
    before = state()
    with time_machine.travel(start + timedelta(minutes=31), tick=False), \
            pytest.raises(services.ImportRefused, match="verlopen"):
        services.apply_import(burglary, token, actor=actor, secret_key=app.secret_key)
    db.session.rollback()
    assert state() == before
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        applied = services.apply_import(burglary, token, actor=actor, secret_key=app.secret_key)
    assert [r.outcome for r in applied] == ["ongewijzigd", "gewijzigd", "ongewijzigd"]
    db.session.rollback()
