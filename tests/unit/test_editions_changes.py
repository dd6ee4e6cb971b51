"""Editions, pure: labels of corrections, the report's placeholders, the fixed texts'
storage, and "Wijzigingen sinds de vorige editie" for each kind of change."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tracker.report.editions import changes_between, correction_label, figure_text, figures_of
from tracker.report.texts import (
    TEXTS_BY_SLUG,
    as_form_text,
    fill,
    placeholder_values,
    stored_value,
    stray_brace,
    unknown_placeholders,
)


def test_correction_labels_never_repeat():
    assert correction_label("versie februari 2018", set()) == "versie februari 2018, herzien"
    taken = {"versie februari 2018", "versie februari 2018, herzien"}
    assert correction_label("versie februari 2018, herzien", taken) == (
        "versie februari 2018, herzien (2)")
    taken.add("versie februari 2018, herzien (2)")
    assert correction_label("versie februari 2018, herzien (2)", taken) == (
        "versie februari 2018, herzien (3)")


def test_placeholders_come_from_the_edition():
    values = placeholder_values(date(2026, 11, 30), "versie november 2026")
    text = "peildatum {maand} ({peildatum}), {versie}; {onbekend} en {x y} blijven staan"
    assert fill(text, values) == ("peildatum november 2026 (30 november 2026), versie november "
                                  "2026; {onbekend} en {x y} blijven staan")
    assert fill(["{maand}", "b"], values) == ["november 2026", "b"]
    assert fill(None, values) is None
    assert unknown_placeholders("{maand} {0.__class__} {peildatum} {naam} {naam}") == [
        "0.__class__", "naam"]


def test_double_braces_leave_no_stray_brace():
    values = placeholder_values(date(2018, 2, 1), "versie februari 2018")
    assert fill("peildatum {{peildatum}}, {{ maand }}, { versie }.", values) == (
        "peildatum 1 februari 2018, februari 2018, versie februari 2018.")
    assert fill("{{onbekend}} en {{x y}}", values) == "{{onbekend}} en {{x y}}"
    assert unknown_placeholders("{{maand}} {{naam}} { peildatum }") == ["naam"]


def test_leeswijzer_and_organisation_share_the_intro_list():
    leeswijzer, organisatie = TEXTS_BY_SLUG["leeswijzer"], TEXTS_BY_SLUG["organisatie"]
    stored = ["Lees dit.", "Alinea 1.", "Alinea 2."]
    assert as_form_text(leeswijzer, stored) == "Lees dit."
    assert as_form_text(organisatie, stored) == "Alinea 1.\nAlinea 2."
    assert stored_value(leeswijzer, stored, "Nieuw.") == ["Nieuw.", "Alinea 1.", "Alinea 2."]
    assert stored_value(organisatie, stored, ["Eén."]) == ["Lees dit.", "Eén."]
    assert stored_value(organisatie, None, ["Eén."]) == ["", "Eén."]
    assert stored_value(leeswijzer, None, "Nieuw.") == ["Nieuw."]
    assert stored_value(TEXTS_BY_SLUG["doelen"], ["a"], ["a", "b"]) == ["a", "b"]


def team(**overrides):
    base = {
        "name": "Jeugd", "status": "Lopend", "computed": "Op koers",
        "blocks": {"doel": ["Doel A"], "resultaat": [], "aandachtspunt": []},
        "actions": {"Actie 1": "Open"}, "pilots": {"Pilot Zutphen": "In voorbereiding"},
        "introduction": "Het team werkt aan jeugd.",
        "chairs": ["burgemeester Oude"], "trekker": "Piet (Politie)",
    }
    base.update(overrides)
    return base


def snapshot(**overrides):
    base = {
        "texts": {"intro": ["Leeswijzer, peildatum februari 2018."], "title": "Voortgang",
                  "network_goals": ["Doel 1", "Doel 2"]},
        "teams": {"jeugd": team()},
        "milestones": {"7": {"team": "Verwarde personen", "title": "Sluitende aanpak",
                             "achieved": False, "done": 19, "total": 78,
                             "per_municipality": True}},
        "figures": {"Woninginbraken": {"2016": {"Twente": "1.119", "IJsselland": "926"}}},
    }
    base.update(overrides)
    return base


def test_no_changes_between_equal_snapshots():
    assert changes_between(snapshot(), copy.deepcopy(snapshot())) == []


def test_text_changes_list_items_and_single_texts():
    new = snapshot()
    new["texts"] = {"intro": ["Leeswijzer, peildatum mei 2018."], "title": "Voortgang 2",
                    "network_goals": ["Doel 1", "Doel 3"]}
    lines = changes_between(snapshot(), new)
    assert "Tekst ‘Titel’ gewijzigd in ‘Voortgang 2’ (was ‘Voortgang’)." in lines
    assert "Tekst ‘Doelen van de BBG’: toegevoegd ‘Doel 3’." in lines
    assert "Tekst ‘Doelen van de BBG’: vervallen ‘Doel 2’." in lines
    assert ("Tekst ‘Leeswijzer en organisatiestructuur’: toegevoegd ‘Leeswijzer, peildatum mei "
            "2018.’.") in lines


def test_figure_changes_show_old_and_new_value():
    new = snapshot(figures={"Woninginbraken": {
        "2016": {"Twente": "1.120", "Achterhoek": "512"},
        "2017": {"Twente": "1.001"}}})
    lines = changes_between(snapshot(), new)
    assert "Cijfers Woninginbraken, Twente, 2016: 1.119 → 1.120." in lines
    assert "Cijfers Woninginbraken, Achterhoek, 2016: nieuw 512." in lines
    assert "Cijfers Woninginbraken, IJsselland, 2016: vervallen (was 926)." in lines
    assert "Cijfers Woninginbraken: nieuwe cijfers over 2017." in lines


def test_milestone_progress_19_to_69_of_78():
    new = snapshot()
    new["milestones"] = {"7": dict(new["milestones"]["7"], done=69),
                         "8": {"team": "Jeugd", "title": "Nieuwe mijlpaal", "achieved": True,
                               "done": 0, "total": 0, "per_municipality": False}}
    lines = changes_between(snapshot(), new)
    assert "Verwarde personen, mijlpaal ‘Sluitende aanpak’: 19 → 69 van 78 gemeenten." in lines
    assert "Jeugd, mijlpaal ‘Nieuwe mijlpaal’: nieuw." in lines
    done = copy.deepcopy(new)
    done["milestones"]["7"]["achieved"] = True
    assert changes_between(new, done) == ["Verwarde personen, mijlpaal ‘Sluitende aanpak’: gehaald."]


@pytest.mark.parametrize(("change", "expected"), [
    ({"actions": {"Actie 1": "Gereed", "Actie 2": "Open"}},
     ["Jeugd, acties: ‘Actie 1’ van open naar gereed.", "Jeugd, acties: nieuw ‘Actie 2’ (open)."]),
    ({"actions": {}}, ["Jeugd, acties: vervallen ‘Actie 1’."]),
    ({"pilots": {"Pilot Zutphen": "Lopend", "Pilot Epe": "Idee"}},
     ["Jeugd, pilots: ‘Pilot Zutphen’ van in voorbereiding naar lopend.",
      "Jeugd, pilots: nieuw ‘Pilot Epe’ (idee)."]),
    ({"chairs": ["burgemeester Nieuw"]},
     ["Jeugd: voorzitter gewijzigd van burgemeester Oude in burgemeester Nieuw."]),
    ({"trekker": None}, ["Jeugd: trekker gewijzigd van Piet (Politie) in niemand."]),
    ({"introduction": "Nieuwe inleiding."}, ["Jeugd: inleiding gewijzigd in ‘Nieuwe inleiding.’."]),
    ({"blocks": {"doel": ["Doel B"], "resultaat": [], "aandachtspunt": []}},
     ["Jeugd, uitgangspunten / doelen: toegevoegd ‘Doel B’.",
      "Jeugd, uitgangspunten / doelen: vervallen ‘Doel A’."]),
])
def test_team_changes_for_each_kind(change, expected):
    new = snapshot(teams={"jeugd": team(**change)})
    assert changes_between(snapshot(), new) == expected


def test_a_snapshot_stored_before_a_part_was_recorded_does_not_list_it_all_as_new():
    old = {"teams": {"jeugd": {k: v for k, v in team().items()
                               if k not in ("pilots", "chairs", "trekker", "introduction")}}}
    assert changes_between(old, snapshot()) == []


def test_long_texts_are_shortened_in_the_list():
    new = snapshot(teams={"jeugd": team(introduction="x" * 500)})
    [line] = changes_between(snapshot(), new)
    assert line.endswith("…’.") and len(line) < 220


def test_figures_of_reads_raw_measurements_in_dutch():
    indicators = [SimpleNamespace(id=1, name="Verdachten")]
    measurements = {1: {(3, "2017"): Decimal("788"), (None, "2017"): Decimal("11194.0"),
                        (4, "2016"): Decimal("3.10")}}
    assert figures_of(indicators, measurements, [(3, "Twente"), (4, "IJsselland")]) == {
        "Verdachten": {"2016": {"IJsselland": "3,1"},
                       "2017": {"Oost-Nederland": "11.194", "Twente": "788"}}}
    assert figure_text(Decimal("1119")) == "1.119"


def test_a_stray_brace_is_found_and_paired_ones_are_not():
    for fine in ("Stand op {peildatum}", "{{maand}} en { versie }", "geen accolades", ""):
        assert stray_brace(fine) is None
    assert stray_brace("Stand op {peildatum") == ("{", "Stand op {peildatum")
    assert stray_brace("}{versie} {{peildatum}}") == ("}", "}{versie} {{peil…")
    assert stray_brace("{{peildatum}")[0] == "{"
    assert stray_brace("{ peildatum van vandaag }")[0] == "{"
    assert stray_brace("x" * 40 + "}" + "y" * 40) == ("}", "…" + "x" * 15 + "}" + "y" * 15 + "…")
