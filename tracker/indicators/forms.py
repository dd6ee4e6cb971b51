"""The measurement form and the period form.

Both fields are read as typed; what they mean (which district, which period, which
number) is decided by :mod:`tracker.indicators.rules` against the indicator's facts as
they stand under the indicator's lock, with the same Dutch reasons as the CSV import.
"""

from __future__ import annotations

from tracker.forms import Form, ParsedField


class MeasurementForm(Form):
    district = ParsedField("District")
    period = ParsedField("Periode")
    value = ParsedField("Waarde")

    def typed(self) -> dict[str, str]:
        return {name: self[name].raw or "" for name in ("district", "period", "value")}


class PeriodForm(Form):
    period_key = ParsedField("Periode")
    period_label = ParsedField("Omschrijving")

    def typed(self) -> dict[str, str]:
        return {name: self[name].raw or "" for name in ("period_key", "period_label")}
