"""The webhook forms: a new receiver, and the events (and active flag) of an existing one."""

from __future__ import annotations

from tracker.forms import FlagField, Form, ParsedField, TextField
from tracker.webhooks.services import NAME_MAX_LENGTH, clean_events, clean_webhook_url


class EventsField(ParsedField):
    """The ticked events (checkboxes named ``events``), each one of ``rules.EVENTS``."""

    def __init__(self, label: str = "", **kwargs):
        super().__init__(label, **kwargs)
        self.raw_list: list[str] = []

    def process_formdata(self, valuelist):
        self.raw_list = list(valuelist)

    def parse(self, raw):
        return clean_events(self.raw_list)


class NewWebhookForm(Form):
    name = TextField("Naam", max_length=NAME_MAX_LENGTH)
    url = ParsedField("Adres", parse=lambda raw, _field: clean_webhook_url(raw))
    events = EventsField("Gebeurtenissen")


class WebhookEventsForm(Form):
    events = EventsField("Gebeurtenissen")
    active = FlagField()
