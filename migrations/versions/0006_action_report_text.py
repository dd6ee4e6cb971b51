"""An action's explicit "Tekst in de rapportage"

Revision ID: 0006_action_report_text
Revises: 0005_events
Create Date: 2026-11-30 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_action_report_text'
down_revision = '0005_events'
branch_labels = None
depends_on = None


def upgrade():
    # The status pages and the report show an action's title; a team that wants other
    # wording in the report says so here. Existing rows get '' (= show the title).
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_text', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_column('report_text')
