"""Users: a work phone number, kept in history (the beheerder keeps people's details)

Revision ID: 0021_people
Revises: 0017_notify
Create Date: 2026-12-01 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_people'
down_revision = '0017_notify'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('users', 'users_version'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))


def downgrade():
    for table in ('users_version', 'users'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('phone')
