"""Attachments (bijlagen) on actions, pilots and meetings

Revision ID: 0024_attachments
Revises: 0017_notify
Create Date: 2026-12-01 03:00:00.000000

No history table: a stored file never changes and a row is only inserted or deleted;
the audit journal records every upload and removal (see tracker/attachments/models.py).
The files themselves live outside the database, in TRACKER_ATTACHMENT_DIR: downgrading
drops the rows, not the files.
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0024_attachments'
down_revision = '0023_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('pilot_id', sa.Integer(), nullable=True),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('storage_name', sa.String(length=64), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            '(CASE WHEN action_id IS NULL THEN 0 ELSE 1 END'
            ' + CASE WHEN pilot_id IS NULL THEN 0 ELSE 1 END'
            ' + CASE WHEN event_id IS NULL THEN 0 ELSE 1 END) = 1',
            name=op.f("ck_attachments_one_parent")),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'],
                                name=op.f('fk_attachments_action_id_actions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_attachments_event_id_events'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'],
                                name=op.f('fk_attachments_pilot_id_pilots'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_attachments_uploaded_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
        sa.UniqueConstraint('storage_name', name=op.f('uq_attachments_storage_name')),
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_pilot_id'), ['pilot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_uploaded_by_id'), ['uploaded_by_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_pilot_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_event_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_action_id'))
    op.drop_table('attachments')
