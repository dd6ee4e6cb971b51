"""Fixtures for meetings: a planned event with invitees, and the real SMTP server."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest

from tests.factories import add_member, create_team, create_user
from tests.notifications.conftest import mail_on, smtp, smtp_server  # noqa: F401
from tracker.enums import EventStatus, Role, TeamRole
from tracker.events.models import Event, Invitation
from tracker.extensions import db

#: The meeting of the tests: Wednesday 7 March 2018, 13:30-16:30 Amsterdam time.
STARTS = datetime(2018, 3, 7, 12, 30, tzinfo=UTC)
ENDS = datetime(2018, 3, 7, 15, 30, tzinfo=UTC)
DEADLINE = datetime(2018, 3, 5, 11, 0, tzinfo=UTC)
BEFORE = datetime(2018, 2, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def smtp_port() -> int:
    """A free loopback port in the range this worktree may use (5800-5899)."""
    for port in range(5850, 5900):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 5850-5899")


def create_event(**overrides) -> Event:
    values = {"title": "Regionale bijeenkomst", "status": EventStatus.GEPLAND,
              "starts_at": STARTS, "ends_at": ENDS, "location": "Zwolle",
              "rsvp_deadline": DEADLINE}
    values.update(overrides)
    event = Event(**values)
    db.session.add(event)
    db.session.flush()
    return event


def invite_user(event: Event, user=None, **overrides) -> Invitation:
    user = user or create_user(role=Role.PARTNER, password=None)
    invitation = Invitation(event=event, user=user, invited_at=BEFORE, **overrides)
    db.session.add(invitation)
    db.session.flush()
    return invitation


@pytest.fixture
def meeting():
    """A team, its coordinator (the organiser) and a planned meeting with three invitees."""
    team = create_team(slug="verwarde-personen-test")
    coordinator = create_user(role=Role.COORDINATOR)
    add_member(team, coordinator, TeamRole.COORDINATOR)
    event = create_event(team=team, organiser=coordinator)
    invitations = [invite_user(event) for _ in range(3)]
    db.session.commit()
    return event, coordinator, invitations
