"""Search: the derived index search_documents with its full-text structures

PostgreSQL: a GIN index on to_tsvector('dutch', …) of title and body; SQLite: an FTS5
table over the Dutch stems with triggers (tracker/search/schema.py). The index starts
empty: `flask search reindex` fills it from the data (the application keeps it in step
from then on).

Revision ID: 0023_search
Revises: 0017_notify
Create Date: 2026-12-01 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from tracker.search.schema import create_statements, drop_statements


# revision identifiers, used by Alembic.
revision = '0023_search'
down_revision = '0017_notify'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('audience', sa.String(length=10), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('context', sa.String(length=300), nullable=True),
        sa.Column('stems', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'],
                                name=op.f('fk_search_documents_team_id_teams'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    )
    op.create_index('ix_search_documents_ref', 'search_documents',
                    ['kind', 'ref_id', 'audience'], unique=True)
    op.create_index(op.f('ix_search_documents_team_id'), 'search_documents', ['team_id'],
                    unique=False)
    for statement in create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index(op.f('ix_search_documents_team_id'), table_name='search_documents')
    op.drop_index('ix_search_documents_ref', table_name='search_documents')
    op.drop_table('search_documents')
