"""The computed status of a team and of the network."""

from datetime import date

from tracker.status.rollup import (
    ActionFact,
    Level,
    MilestoneFact,
    PilotFact,
    network_status,
    team_status,
)

TODAY = date(2018, 2, 1)


def status(actions=(), milestones=(), pilots=(), finished=False):
    return team_status(actions=list(actions), milestones=list(milestones), pilots=list(pilots),
                       today=TODAY, finished=finished)


def test_nothing_wrong_is_op_schema_without_reasons():
    result = status([ActionFact("Later", "open", date(2018, 6, 30)),
                     ActionFact("Klaar", "gereed", date(2017, 1, 1))])
    assert result.level == Level.OP_SCHEMA
    assert result.reasons == []


def test_an_overdue_action_draws_attention_and_says_so():
    result = status([ActionFact("Plan van aanpak", "bezig", date(2018, 1, 22))])
    assert result.level == Level.AANDACHT
    assert result.reasons[0].text == "Actie ‘Plan van aanpak’ is 10 dagen over de datum."


def test_long_overdue_or_many_overdue_actions_are_a_risk():
    assert status([ActionFact("Oud", "open", date(2017, 6, 1))]).level == Level.RISICO
    many = status([ActionFact(f"A{i}", "open", date(2018, 1, 20 + i)) for i in range(3)])
    assert many.level == Level.RISICO
    assert many.reasons[0].text == "3 acties zijn over de datum."


def test_milestones_passed_soon_or_behind_on_municipalities():
    passed = status(milestones=[MilestoneFact("Eindrapportage", date(2018, 1, 1))])
    assert passed.level == Level.RISICO
    assert passed.reasons[0].text == "Mijlpaal ‘Eindrapportage’: te laat (31 dagen over tijd)."
    soon = status(milestones=[MilestoneFact("Bijeenkomst", date(2018, 3, 7))])
    assert soon.level == Level.AANDACHT
    assert soon.reasons[0].text == "Mijlpaal ‘Bijeenkomst’: op schema (nog 34 dagen)."
    behind = status(milestones=[MilestoneFact("Sluitende aanpak", date(2018, 4, 1),
                                              per_municipality=True, ticks_done=10,
                                              ticks_total=78)])
    assert behind.level == Level.RISICO
    assert "10 van 78 gemeenten" in behind.reasons[0].text
    achieved = status(milestones=[MilestoneFact("Klaar", date(2018, 1, 1),
                                                achieved_on=date(2017, 12, 1))])
    assert achieved.level == Level.OP_SCHEMA


def test_a_stalled_pilot_draws_attention_unless_the_team_is_finished():
    pilot = PilotFact("Groepsscan", "lopend", date(2017, 1, 1))
    assert status(pilots=[pilot]).level == Level.AANDACHT
    assert "staat stil" in status(pilots=[pilot]).reasons[0].text
    assert status(pilots=[pilot], finished=True).level == Level.OP_SCHEMA
    assert status(pilots=[PilotFact("Geborgd", "geborgd", date(2015, 1, 1))]).reasons == []


def test_reasons_are_worst_first_and_the_network_is_its_worst_team():
    result = status([ActionFact("Recent", "open", date(2018, 1, 30)),
                     ActionFact("Oud", "open", date(2017, 1, 1))])
    assert [r.level for r in result.reasons] == [Level.RISICO, Level.AANDACHT]
    network = network_status([result, status()])
    assert network.level == Level.RISICO
    assert network.counts[Level.OP_SCHEMA] == 1 and network.counts[Level.RISICO] == 1
    assert network_status([]).level == Level.OP_SCHEMA
