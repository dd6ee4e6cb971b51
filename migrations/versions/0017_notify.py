"""Notification preferences per kind of notice (direct / bundel / nooit)

Revision ID: 0017_notify
Revises: 0020_minutes
Create Date: 2026-12-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_notify'
down_revision = '0020_minutes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notices', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.drop_column('notices')
