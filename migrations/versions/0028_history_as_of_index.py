"""History "as of" a day: an index on the moment of each history transaction

Revision ID: 0028_history_as_of_index
Revises: 0027_webhooks
Create Date: 2026-12-01 11:30:00.000000

The report for a peildatum first asks for the last history transaction issued before
the end of that day (``tracker.history.transaction_before``). Without an index on
``transaction.issued_at`` the database walked back from the newest transaction through
every change made after the peildatum; with ``(issued_at, id)`` it reads the index
entries up to that moment only. The version tables' own reads already go through their
``transaction_id`` index (migration 0007).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0028_history_as_of_index'
down_revision = '0027_webhooks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_transaction_issued_at', 'transaction', ['issued_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_transaction_issued_at', table_name='transaction')
