"""Webhooks: signed HTTP POSTs to registered receivers when actions, milestones and
invitations change (docs/webhooks.md). ``emit`` is the one entry for services."""
