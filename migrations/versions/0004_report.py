"""Store published report editions and the report's texts

Revision ID: 0004_report
Revises: 0003_notifications
Create Date: 2026-11-28 20:26:33.317812

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_report'
down_revision = '0003_notifications'
branch_labels = None
depends_on = None


def upgrade():
    # The report's fixed texts (cover facts, leeswijzer, organisation, network goals).
    op.create_table('report_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_texts')),
    sa.UniqueConstraint('key', name=op.f('uq_report_texts_key'))
    )
    # Published editions: immutable, with the rendered files stored in the row.
    op.create_table('report_editions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_label', sa.String(length=120), nullable=False),
    sa.Column('peildatum', sa.Date(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_by_name', sa.String(length=120), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('docx', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_report_editions_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_editions')),
    sa.UniqueConstraint('version_label', name=op.f('uq_report_editions_version_label'))
    )
    with op.batch_alter_table('report_editions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_editions_peildatum'), ['peildatum'], unique=False)



def downgrade():
    with op.batch_alter_table('report_editions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_editions_peildatum'))

    op.drop_table('report_editions')
    op.drop_table('report_texts')
