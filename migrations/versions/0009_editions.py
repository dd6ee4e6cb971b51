"""Corrected editions: an edition may supersede a wrong one (both kept)

Revision ID: 0009_editions
Revises: 0008_source_figures
Create Date: 2026-11-30 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_editions'
down_revision = '0008_source_figures'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_editions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supersedes_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('as_of', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_report_editions_supersedes_id'),
                                          ['supersedes_id'])
        batch_op.create_foreign_key(batch_op.f('fk_report_editions_supersedes_id_report_editions'),
                                    'report_editions', ['supersedes_id'], ['id'])


def downgrade():
    with op.batch_alter_table('report_editions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_report_editions_supersedes_id_report_editions'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_report_editions_supersedes_id'), type_='unique')
        batch_op.drop_column('as_of')
        batch_op.drop_column('supersedes_id')
