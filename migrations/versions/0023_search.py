"""Search: the derived index search_documents with its full-text structures

PostgreSQL: a GIN index on to_tsvector('dutch', …) of title and body; SQLite: an FTS5
table over the Dutch stems with triggers (tracker/search/schema.py). The rows present are
described once here, read with plain SQL as the tables stand at this revision (the
application keeps the index in step from then on; `flask search reindex` rebuilds it).

Revision ID: 0023_search
Revises: 0017_notify
Create Date: 2026-12-01 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from types import SimpleNamespace as Row

from tracker.search.indexing import describe
from tracker.search.schema import create_statements, drop_statements


# revision identifiers, used by Alembic.
revision = '0023_search'
down_revision = '0022_drafts'
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
    _describe_existing_rows()


#: (kind, SELECT giving the attributes tracker.search.indexing.describe reads)
EXISTING = [
    ("action", "SELECT id, team_id, title, description, report_text FROM actions"),
    ("comment", "SELECT c.id, c.action_id, c.text, a.title AS action_title, "
                "a.team_id AS action_team_id FROM action_comments c "
                "JOIN actions a ON a.id = c.action_id"),
    ("pilot", "SELECT id, team_id, title, description, results, lessons FROM pilots"),
    ("item", "SELECT id, team_id, kind, text FROM report_items"),
    ("milestone", "SELECT id, team_id, title, description FROM milestones"),
    ("event", "SELECT id, team_id, title, description, location FROM events"),
    ("person", "SELECT u.id, u.name, u.email, u.title, o.name AS organisation_name "
               "FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id"),
]


def _describe_existing_rows():
    bind = op.get_bind()
    documents = sa.table(
        'search_documents', *(sa.column(name) for name in (
            'kind', 'ref_id', 'parent_id', 'team_id', 'audience', 'title', 'body', 'context',
            'stems')))
    for kind, query in EXISTING:
        rows = []
        for found in bind.execute(sa.text(query)).mappings():
            values = dict(found)
            if kind == "comment":
                values["action"] = Row(title=values.pop("action_title"),
                                       team_id=values.pop("action_team_id"))
            elif kind == "person":
                name = values.pop("organisation_name")
                values["organisation"] = Row(name=name) if name else None
            rows.extend(describe(kind, Row(**values)))
        if rows:
            bind.execute(documents.insert(), rows)


def downgrade():
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index(op.f('ix_search_documents_team_id'), table_name='search_documents')
    op.drop_index('ix_search_documents_ref', table_name='search_documents')
    op.drop_table('search_documents')
