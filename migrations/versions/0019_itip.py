"""Answers from the calendar buttons: the iTIP replies read from the reply mailbox

Revision ID: 0019_itip
Revises: 0018_form_of_address
Create Date: 2026-11-30 23:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_itip'
down_revision = '0018_form_of_address'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('itip_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_key', sa.String(length=64), nullable=False),
    sa.Column('part', sa.Integer(), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('partstat', sa.String(length=30), nullable=True),
    sa.Column('attendee_email', sa.String(length=320), nullable=True),
    sa.Column('attendee_name', sa.String(length=200), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                            name=op.f('fk_itip_replies_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'],
                            name=op.f('fk_itip_replies_invitation_id_invitations'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itip_replies')),
    sa.UniqueConstraint('message_key', 'part', name=op.f('uq_itip_replies_message_key_part'))
    )
    with op.batch_alter_table('itip_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itip_replies_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('itip_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itip_replies_event_id'))
    op.drop_table('itip_replies')
