"""Report files and editions made in the background: one row per file (format, peildatum,
data version, renderer) or per edition asked to be published

Revision ID: 0030_report_renders
Revises: 0029_submission_ids
Create Date: 2026-12-01 13:40:08.579658

The PDF of a big network takes longer than a web worker may; the download page asks for
it here, publishing a big edition too, and the ``report-renders`` job makes it
(``tracker.report.renders``). ``key`` is
unique so that asking twice (or two people at once) makes one file; ``status`` with
``next_attempt_at`` is the queue's index, as for the outbox and webhook deliveries.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030_report_renders'
down_revision = '0029_submission_ids'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_renders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('fmt', sa.String(length=8), nullable=False),
    sa.Column('peildatum', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'ready', 'failed', name='report_render_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=32), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seconds', sa.Double(), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('label', sa.String(length=160), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('edition_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['edition_id'], ['report_editions.id'], name=op.f('fk_report_renders_edition_id_report_editions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_report_renders_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['report_editions.id'], name=op.f('fk_report_renders_supersedes_id_report_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_renders')),
    sa.UniqueConstraint('key', name=op.f('uq_report_renders_key'))
    )
    with op.batch_alter_table('report_renders', schema=None) as batch_op:
        batch_op.create_index('ix_report_renders_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_renders_requested_by_id'), ['requested_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('report_renders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_renders_requested_by_id'))
        batch_op.drop_index('ix_report_renders_due')

    op.drop_table('report_renders')
