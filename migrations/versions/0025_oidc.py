"""Login with the work account: the provider identities (issuer + subject) of accounts

Revision ID: 0025_oidc
Revises: 0024_attachments
Create Date: 2026-12-01 06:00:00.000000

No history table: a row is written at the first OpenID Connect login and only its
last-login moment changes; the audit journal records the linking.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_oidc'
down_revision = '0024_attachments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'oidc_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_oidc_identities_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_identities')),
        sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_oidc_identities_issuer_subject')),
    )
    with op.batch_alter_table('oidc_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oidc_identities_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('oidc_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oidc_identities_user_id'))
    op.drop_table('oidc_identities')
