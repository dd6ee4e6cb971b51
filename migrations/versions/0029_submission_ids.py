"""Remember which form made an API token or a webhook

Revision ID: 0029_submission_ids
Revises: 0028_history_as_of_index
Create Date: 2026-12-01 14:00:00.000000

The answer that shows a new API token or webhook secret (once) was made again by
reloading it: the browser sent the form a second time. Each such form now carries a
random id that the row it creates keeps (``submission_id``, unique; see
``tracker.submissions``): the same form sent again creates nothing. Existing rows were
made before and have none (NULL; several NULLs are allowed by a unique constraint).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029_submission_ids'
down_revision = '0028_history_as_of_index'
branch_labels = None
depends_on = None

TABLES = ('api_tokens', 'webhooks')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('submission_id', sa.String(length=32), nullable=True))
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_submission_id'),
                                              ['submission_id'])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_submission_id'), type_='unique')
            batch_op.drop_column('submission_id')
