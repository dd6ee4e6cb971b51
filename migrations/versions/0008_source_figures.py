"""Source figures and ratio indicators

A measurement may be a figure taken as printed from a source (``is_source_figure`` with
a ``source_note``), because the raw values it derives from are not stored; an indicator
may be a ratio of two others (``ratio_numerator_key`` / ``ratio_denominator_key``).
History keeps both: the ``_version`` tables get the same columns.

Revision ID: 0008_source_figures
Revises: 0007_history
Create Date: 2026-11-30 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_source_figures'
down_revision = '0007_history'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_source_figure', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('source_note', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('measurements_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_source_figure', sa.Boolean(), server_default=sa.false(), autoincrement=False, nullable=True))
        batch_op.add_column(sa.Column('source_note', sa.Text(), server_default='', autoincrement=False, nullable=True))
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ratio_numerator_key', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('ratio_denominator_key', sa.String(length=80), nullable=True))
    with op.batch_alter_table('indicators_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ratio_numerator_key', sa.String(length=80), autoincrement=False, nullable=True))
        batch_op.add_column(sa.Column('ratio_denominator_key', sa.String(length=80), autoincrement=False, nullable=True))


def downgrade():
    with op.batch_alter_table('indicators_version', schema=None) as batch_op:
        batch_op.drop_column('ratio_denominator_key')
        batch_op.drop_column('ratio_numerator_key')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_column('ratio_denominator_key')
        batch_op.drop_column('ratio_numerator_key')
    with op.batch_alter_table('measurements_version', schema=None) as batch_op:
        batch_op.drop_column('source_note')
        batch_op.drop_column('is_source_figure')
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.drop_column('source_note')
        batch_op.drop_column('is_source_figure')
