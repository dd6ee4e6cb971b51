"""Import every model so that SQLAlchemy's registry and Alembic see them all."""

from sqlalchemy.orm import configure_mappers

from tracker.actions.models import Action, ActionComment
from tracker.api.models import ApiToken
from tracker.attachments.models import Attachment
from tracker.audit.models import AuditEntry
from tracker.auth.drafts import Draft
from tracker.auth.models import OidcIdentity, RecoveryCode, ThrottleFailure, User
from tracker.events.itip import ItipReply
from tracker.events.models import Event, Invitation
from tracker.indicators.models import Indicator, Measurement
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.network.models import (
    District,
    Municipality,
    Organisation,
    ReportItem,
    Team,
    TeamMembership,
)
from tracker.notifications.models import (
    JobRun,
    NotificationPreference,
    OutboxMessage,
    TeamNotificationSettings,
)
from tracker.pilots.models import BuildingBlock, Pilot, pilot_municipalities
from tracker.report.models import ReportEdition, ReportText
from tracker.search import indexing as _search_indexing  # noqa: F401  (the index's flush hook)
from tracker.search.models import SearchDocument
from tracker.webhooks.models import Webhook, WebhookDelivery, WebhookEvent

# Build the history classes (``<table>_version``) now that every versioned model exists.
configure_mappers()

__all__ = [
    "Action",
    "ActionComment",
    "ApiToken",
    "Attachment",
    "AuditEntry",
    "BuildingBlock",
    "District",
    "Draft",
    "Event",
    "Indicator",
    "Invitation",
    "ItipReply",
    "JobRun",
    "Measurement",
    "OidcIdentity",
    "Milestone",
    "Municipality",
    "MunicipalityTick",
    "NotificationPreference",
    "Organisation",
    "OutboxMessage",
    "Pilot",
    "SearchDocument",
    "RecoveryCode",
    "ReportEdition",
    "ReportItem",
    "ReportText",
    "Team",
    "TeamMembership",
    "TeamNotificationSettings",
    "ThrottleFailure",
    "User",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "pilot_municipalities",
]
