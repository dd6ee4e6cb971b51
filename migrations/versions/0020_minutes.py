"""Minutes of a meeting (event_minutes, versioned) and actions arising from it (actions.event_id)

Revision ID: 0020_minutes
Revises: 0019_itip
Create Date: 2026-11-30 23:46:16.352259

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_minutes'
down_revision = '0019_itip'
branch_labels = None
depends_on = None

#: Transaction ids: BIGINT on PostgreSQL; INTEGER on SQLite (as in 0007_history).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table('event_minutes_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('event_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('notes', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('decisions', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('updated_by_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_event_minutes_version'))
    )
    with op.batch_alter_table('event_minutes_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_minutes_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_minutes_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_event_minutes_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_event_minutes_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_minutes_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('event_minutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_minutes_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_event_minutes_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_minutes')),
    sa.UniqueConstraint('event_id', name=op.f('uq_event_minutes_event_id'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_actions_event_id'), ['event_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_actions_event_id_events'), 'events', ['event_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('actions_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), autoincrement=False, nullable=True))
        batch_op.create_index(batch_op.f('ix_actions_version_event_id'), ['event_id'], unique=False)



def downgrade():
    with op.batch_alter_table('actions_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_version_event_id'))
        batch_op.drop_column('event_id')

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_actions_event_id_events'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_actions_event_id'))
        batch_op.drop_column('event_id')

    op.drop_table('event_minutes')
    with op.batch_alter_table('event_minutes_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_minutes_version_transaction_id'))
        batch_op.drop_index('ix_event_minutes_version_pk_validity')
        batch_op.drop_index('ix_event_minutes_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_event_minutes_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_event_minutes_version_end_transaction_id'))

    op.drop_table('event_minutes_version')
