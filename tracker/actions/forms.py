"""The action form and the comment form."""

from __future__ import annotations

from tracker.actions.models import COMMENT_MAX_LENGTH, TITLE_MAX_LENGTH
from tracker.actions.services import DESCRIPTION_MAX_LENGTH, ActionInput
from tracker.enums import ActionStatus
from tracker.forms import DateField, EnumField, Form, IdField, TextField, VersionField


class ActionForm(Form):
    """Create and edit an action; the choices are the team's people, milestones and districts."""

    title = TextField("Titel", max_length=TITLE_MAX_LENGTH)
    description = TextField("Toelichting", max_length=DESCRIPTION_MAX_LENGTH, required=False,
                            multiline=True)
    #: Other wording for the status pages and the report; empty: they show the title.
    report_text = TextField("Tekst in de rapportage", max_length=DESCRIPTION_MAX_LENGTH,
                            required=False, multiline=True)
    owner_id = IdField(invalid="Kies een bestaande eigenaar.")
    due_date = DateField("Datum")
    milestone_id = IdField(invalid="Kies een bestaande mijlpaal.")
    district_id = IdField(invalid="Kies een bestaand district.")
    status = EnumField(ActionStatus, invalid="Kies een bestaande status.",
                       default_value=ActionStatus.OPEN)
    version = VersionField()

    def __init__(self, *, owners: set[int], milestones: set[int], districts: set[int], **kwargs):
        super().__init__(**kwargs)
        self.owner_id.allowed = owners
        self.milestone_id.allowed = milestones
        self.district_id.allowed = districts

    def to_input(self) -> ActionInput:
        return ActionInput(**self.values())


class CommentForm(Form):
    text = TextField("Reactie", max_length=COMMENT_MAX_LENGTH, multiline=True)
