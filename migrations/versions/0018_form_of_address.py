"""Users: a stored form of address (aanhef) per person, kept in history

Revision ID: 0018_form_of_address
Revises: 0012_outbox_secrets
Create Date: 2026-11-30 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_form_of_address'
down_revision = '0012_outbox_secrets'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('users', 'users_version'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('salutation', sa.String(length=120), nullable=True))


def downgrade():
    for table in ('users_version', 'users'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('salutation')
