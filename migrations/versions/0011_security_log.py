"""Throttle per (account, client) pair and per client: login_failures becomes throttle_failures

Revision ID: 0011_security_log
Revises: 0010_totp
Create Date: 2026-11-30 23:40:00.000000

The old rows counted failures per typed address only; they are short-lived
(15 minutes) and are dropped rather than converted.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_security_log'
down_revision = '0010_totp'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_email'))
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))
    op.drop_table('login_failures')

    op.create_table('throttle_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('account', sa.String(length=254), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_failures'))
    )
    with op.batch_alter_table('throttle_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttle_failures_at'), ['at'], unique=False)
        batch_op.create_index('ix_throttle_failures_client', ['kind', 'client', 'at'],
                              unique=False)
        batch_op.create_index('ix_throttle_failures_pair', ['kind', 'account', 'client', 'at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('throttle_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_throttle_failures_pair')
        batch_op.drop_index('ix_throttle_failures_client')
        batch_op.drop_index(batch_op.f('ix_throttle_failures_at'))
    op.drop_table('throttle_failures')

    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_email'), ['email'], unique=False)
