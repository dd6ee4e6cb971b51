"""Outbox: secret links signed at delivery (claims column), claims held by a named run

Revision ID: 0012_outbox_secrets
Revises: 0011_security_log
Create Date: 2026-11-30 23:30:00.000000

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_outbox_secrets'
down_revision = '0011_security_log'
branch_labels = None
depends_on = None


# A copy of tracker.redaction's path rule as it is today (migrations never import the app).
TOKEN_PATH = re.compile(r"(/(?:wachtwoord|rsvp|afmelden)/)[^\s/?#\"'<>&]+")

OUTBOX = sa.table(
    'outbox_messages',
    sa.column('id', sa.Integer), sa.column('status', sa.String),
    sa.column('body_text', sa.Text), sa.column('body_html', sa.Text),
    sa.column('headers', sa.JSON),
)


def _hide(value):
    return TOKEN_PATH.sub(r"\1[verborgen]", value) if value else value


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_claims', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=32), nullable=True))
    # Mail sent (or given up) before this revision holds working links in plain text:
    # hide them. Queued rows keep theirs, or their recipients would get dead links.
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(OUTBOX.c.id, OUTBOX.c.body_text, OUTBOX.c.body_html, OUTBOX.c.headers)
        .where(OUTBOX.c.status != 'queued')).all()
    for row in rows:
        values = {'body_text': _hide(row.body_text), 'body_html': _hide(row.body_html),
                  'headers': {k: _hide(v) for k, v in (row.headers or {}).items()}}
        if (values['body_text'], values['body_html'], values['headers']) != (
                row.body_text, row.body_html, row.headers or {}):
            connection.execute(OUTBOX.update().where(OUTBOX.c.id == row.id).values(**values))


def downgrade():
    # The hidden tokens of old sent mail do not come back (they are not stored anywhere).
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('link_claims')
