"""Outbox: secret links signed at delivery (claims column), claims held by a named run

Revision ID: 0012_outbox_secrets
Revises: 0009_editions
Create Date: 2026-11-30 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_outbox_secrets'
down_revision = '0009_editions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_claims', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('link_claims')
