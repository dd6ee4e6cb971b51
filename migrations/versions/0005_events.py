"""Remember the day an organiser reminded non-responders

Revision ID: 0005_events
Revises: 0004_report
Create Date: 2026-11-28 21:18:10.235377

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_events'
down_revision = '0004_report'
branch_labels = None
depends_on = None


def upgrade():
    # "Remind those who have not answered" may be pressed once a day per meeting.
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('reminded_on')
