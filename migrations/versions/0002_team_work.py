"""Add action comments, action district and calendar tokens

Revision ID: 0002_team_work
Revises: 0001_initial
Create Date: 2026-11-28 20:25:20.099685

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_team_work'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('action_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_comments_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_action_comments_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_comments'))
    )
    with op.batch_alter_table('action_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_comments_action_id'), ['action_id'], unique=False)

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_actions_district_id'), ['district_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_actions_district_id_districts'), 'districts', ['district_id'], ['id'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_calendar_token_hash'), ['calendar_token_hash'])



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_calendar_token_hash'), type_='unique')
        batch_op.drop_column('calendar_token_hash')

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_actions_district_id_districts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_actions_district_id'))
        batch_op.drop_column('district_id')

    with op.batch_alter_table('action_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_comments_action_id'))

    op.drop_table('action_comments')
