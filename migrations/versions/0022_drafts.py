"""Keep a form's values when the session ended (drafts, encrypted, 24 hours)

Revision ID: 0022_drafts
Revises: 0017_notify
Create Date: 2026-12-01 03:10:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0022_drafts'
down_revision = '0021_people'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('page', sa.String(length=2000), nullable=False),
        sa.Column('form_action', sa.String(length=2000), nullable=False),
        sa.Column('endpoint', sa.String(length=120), nullable=False),
        sa.Column('values_token', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_drafts_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts')),
    )
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drafts_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_drafts_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drafts_user_id'))
        batch_op.drop_index(batch_op.f('ix_drafts_expires_at'))
    op.drop_table('drafts')
