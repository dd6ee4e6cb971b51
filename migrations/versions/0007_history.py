"""Keep history by construction: a ``<table>_version`` per versioned table, back-filled

SQLAlchemy-Continuum (validity strategy) writes these from now on. Today's rows are
back-filled as one version each, valid from the moment the row came to be (its
``created_at``, ``entered_at``, ``ticked_at`` or ``updated_at``; rows without such a
column from the earliest of those moments), so that a report "as of" an earlier date
still leaves out what did not exist then. What changed before this migration cannot
be recovered from the rows themselves: the audit journal keeps that for people to read.

Revision ID: 0007_history
Revises: 0006_action_report_text
Create Date: 2026-11-30 20:23:05.550047

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_history'
down_revision = '0006_action_report_text'
branch_labels = None
depends_on = None

#: Transaction ids: BIGINT on PostgreSQL; INTEGER on SQLite, where only an INTEGER primary
#: key numbers itself (and Continuum compiles BigInteger to INTEGER there too).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table('actions_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('title', sa.String(length=200), autoincrement=False, nullable=True),
    sa.Column('description', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('report_text', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('owner_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('due_date', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('due_precision', sa.Enum('day', 'month', 'season', 'half', 'year', name='date_precision', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('status', sa.Enum('open', 'bezig', 'gereed', 'vervallen', name='action_status', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('completed_by_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('milestone_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('district_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_actions_version'))
    )
    with op.batch_alter_table('actions_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_version_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_version_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_version_milestone_id'), ['milestone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_version_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_actions_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_actions_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_version_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_version_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('building_blocks_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('name', sa.String(length=160), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_building_blocks_version'))
    )
    with op.batch_alter_table('building_blocks_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_building_blocks_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_building_blocks_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_building_blocks_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_building_blocks_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_building_blocks_version_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_building_blocks_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('districts_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('slug', sa.String(length=60), autoincrement=False, nullable=True),
    sa.Column('name', sa.String(length=120), autoincrement=False, nullable=True),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_districts_version'))
    )
    with op.batch_alter_table('districts_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_districts_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_districts_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_districts_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_districts_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_districts_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('events_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('title', sa.String(length=200), autoincrement=False, nullable=True),
    sa.Column('description', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('date_note', sa.String(length=120), autoincrement=False, nullable=True),
    sa.Column('location', sa.String(length=300), autoincrement=False, nullable=True),
    sa.Column('online_url', sa.String(length=500), autoincrement=False, nullable=True),
    sa.Column('capacity', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('rsvp_deadline', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('organiser_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('status', sa.Enum('concept', 'gepland', 'geannuleerd', name='event_status', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('sequence', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('reminded_on', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_events_version'))
    )
    with op.batch_alter_table('events_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_events_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_events_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_version_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_version_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('indicators_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('key', sa.String(length=80), autoincrement=False, nullable=True),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('name', sa.String(length=200), autoincrement=False, nullable=True),
    sa.Column('description', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('unit', sa.Enum('aantal', 'procent', name='indicator_unit', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('source', sa.String(length=120), autoincrement=False, nullable=True),
    sa.Column('direction', sa.Enum('down', 'up', name='direction', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('baseline_value', sa.Numeric(precision=14, scale=4), autoincrement=False, nullable=True),
    sa.Column('target_value', sa.Numeric(precision=14, scale=4), autoincrement=False, nullable=True),
    sa.Column('target_kind', sa.String(length=20), autoincrement=False, nullable=True),
    sa.Column('target_base_period', sa.String(length=20), autoincrement=False, nullable=True),
    sa.Column('target_period', sa.String(length=20), autoincrement=False, nullable=True),
    sa.Column('periods', sa.JSON(), autoincrement=False, nullable=True),
    sa.Column('notes', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_indicators_version'))
    )
    with op.batch_alter_table('indicators_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicators_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_indicators_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_indicators_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicators_version_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicators_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('measurements_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('indicator_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('district_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('period', sa.String(length=20), autoincrement=False, nullable=True),
    sa.Column('value', sa.Numeric(precision=14, scale=4), autoincrement=False, nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_measurements_version'))
    )
    with op.batch_alter_table('measurements_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measurements_version_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measurements_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measurements_version_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measurements_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_measurements_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_measurements_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measurements_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('milestones_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('title', sa.String(length=200), autoincrement=False, nullable=True),
    sa.Column('description', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('kind', sa.Enum('deadline', 'wet', 'eindrapportage', 'review', 'mijlpaal', name='milestone_kind', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('due_date', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('due_precision', sa.Enum('day', 'month', 'season', 'half', 'year', name='date_precision', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('per_municipality', sa.Boolean(), autoincrement=False, nullable=True),
    sa.Column('achieved_on', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_milestones_version'))
    )
    with op.batch_alter_table('milestones_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_version_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_milestones_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_milestones_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_version_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('municipalities_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=120), autoincrement=False, nullable=True),
    sa.Column('cbs_code', sa.String(length=6), autoincrement=False, nullable=True),
    sa.Column('province', sa.String(length=60), autoincrement=False, nullable=True),
    sa.Column('district_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_municipalities_version'))
    )
    with op.batch_alter_table('municipalities_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipalities_version_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipalities_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipalities_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_municipalities_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_municipalities_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipalities_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('municipality_ticks_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('milestone_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('municipality_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('completed_on', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('note', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('ticked_by_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('ticked_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_municipality_ticks_version'))
    )
    with op.batch_alter_table('municipality_ticks_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipality_ticks_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_ticks_version_milestone_id'), ['milestone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_ticks_version_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_ticks_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_municipality_ticks_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_municipality_ticks_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_ticks_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('organisations_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('slug', sa.String(length=80), autoincrement=False, nullable=True),
    sa.Column('name', sa.String(length=160), autoincrement=False, nullable=True),
    sa.Column('kind', sa.Enum('gemeente', 'politie', 'om', 'riec', 'ggz', 'overig', name='organisation_kind', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('municipality_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_organisations_version'))
    )
    with op.batch_alter_table('organisations_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_organisations_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_organisations_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('pilot_municipalities_version',
    sa.Column('pilot_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('municipality_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('pilot_id', 'municipality_id', 'transaction_id', name=op.f('pk_pilot_municipalities_version'))
    )
    with op.batch_alter_table('pilot_municipalities_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilot_municipalities_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilot_municipalities_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_pilot_municipalities_version_pk_transaction_id', ['pilot_id', 'municipality_id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_pilot_municipalities_version_pk_validity', ['pilot_id', 'municipality_id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilot_municipalities_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('pilots_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('title', sa.String(length=200), autoincrement=False, nullable=True),
    sa.Column('description', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('district_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('building_block_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('status', sa.Enum('gepland', 'lopend', 'geevalueerd', 'geborgd', 'gestopt', name='pilot_status', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('start_date', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('end_date', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('lead_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('results', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('lessons', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_pilots_version'))
    )
    with op.batch_alter_table('pilots_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilots_version_building_block_id'), ['building_block_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilots_version_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilots_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilots_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_pilots_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_pilots_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilots_version_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilots_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('report_items_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('kind', sa.Enum('doel', 'resultaat', 'aandachtspunt', name='item_kind', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('text', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_report_items_version'))
    )
    with op.batch_alter_table('report_items_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_items_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_items_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_report_items_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_report_items_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_items_version_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_items_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('report_texts_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('key', sa.String(length=60), autoincrement=False, nullable=True),
    sa.Column('value', sa.JSON(), autoincrement=False, nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_report_texts_version'))
    )
    with op.batch_alter_table('report_texts_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_texts_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_texts_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_report_texts_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_report_texts_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_texts_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('team_memberships_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('role', sa.Enum('voorzitter', 'trekker', 'coordinator', 'lid', name='team_role', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_team_memberships_version'))
    )
    with op.batch_alter_table('team_memberships_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_memberships_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_memberships_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index('ix_team_memberships_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_team_memberships_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_memberships_version_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_memberships_version_transaction_id'), ['transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_memberships_version_user_id'), ['user_id'], unique=False)

    op.create_table('teams_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('slug', sa.String(length=60), autoincrement=False, nullable=True),
    sa.Column('name', sa.String(length=160), autoincrement=False, nullable=True),
    sa.Column('short_name', sa.String(length=80), autoincrement=False, nullable=True),
    sa.Column('kind', sa.Enum('expertteam', 'platform', name='team_kind', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('status', sa.Enum('actief', 'afgerond', name='team_status', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('parent_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('introduction', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('chair_note', sa.String(length=200), autoincrement=False, nullable=True),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_teams_version'))
    )
    with op.batch_alter_table('teams_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teams_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_teams_version_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_teams_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_teams_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teams_version_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('transaction',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transaction'))
    )
    op.create_table('users_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=120), autoincrement=False, nullable=True),
    sa.Column('email', sa.String(length=254), autoincrement=False, nullable=True),
    sa.Column('title', sa.String(length=120), autoincrement=False, nullable=True),
    sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('role', sa.Enum('beheerder', 'coordinator', 'bestuurder', 'partner', 'lezer', name='user_role', native_enum=False, create_constraint=True), autoincrement=False, nullable=True),
    sa.Column('active', sa.Boolean(), autoincrement=False, nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), autoincrement=False, nullable=True),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('transaction_id', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('end_transaction_id', BIG_ID, nullable=True),
    sa.Column('operation_type', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', 'transaction_id', name=op.f('pk_users_version'))
    )
    with op.batch_alter_table('users_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_version_end_transaction_id'), ['end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_version_operation_type'), ['operation_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_version_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_users_version_pk_transaction_id', ['id', sa.literal_column('transaction_id DESC')], unique=False)
        batch_op.create_index('ix_users_version_pk_validity', ['id', 'transaction_id', 'end_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_version_transaction_id'), ['transaction_id'], unique=False)



    backfill()


#: Each versioned table and the column telling when its row came to be (None: unknown).
RECORDED_BY = {
    "districts": None, "municipalities": None, "organisations": None, "building_blocks": None,
    "teams": None, "indicators": None,
    # A person's account may be younger than their place in a team (the demo backdates
    # the team, not the account): people are taken to exist from the start.
    "users": None, "team_memberships": "created_at",
    "report_items": "created_at", "actions": "created_at", "milestones": "created_at",
    "municipality_ticks": "ticked_at", "pilots": "created_at", "measurements": "entered_at",
    "events": "created_at", "report_texts": "updated_at",
}
HISTORY_COLUMNS = ("transaction_id", "end_transaction_id", "operation_type")


def _naive_utc(value):
    """Continuum's ``issued_at`` is naive UTC; SQLite returns naive UTC, PostgreSQL aware."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def backfill():
    """One version per existing row, in one transaction per distinct moment (oldest first)."""
    conn = op.get_bind()
    meta = sa.MetaData()
    names = list(RECORDED_BY) + ["pilot_municipalities"]
    tables = {n: sa.Table(n, meta, autoload_with=conn) for n in names}
    versions = {n: sa.Table(f"{n}_version", meta, autoload_with=conn) for n in names}
    rows = {n: [dict(r._mapping) for r in conn.execute(sa.select(tables[n]))] for n in names}
    pilot_recorded = {r["id"]: r["created_at"] for r in rows["pilots"]}

    def moment(name, row):
        if name == "pilot_municipalities":
            return _naive_utc(pilot_recorded.get(row["pilot_id"]))
        column = RECORDED_BY[name]
        return _naive_utc(row.get(column)) if column else None

    moments = {moment(n, r) for n in names for r in rows[n]}
    known = sorted(m for m in moments if m is not None)
    if not any(rows.values()):
        return
    earliest = known[0] if known else datetime.now(UTC).replace(tzinfo=None)
    transaction = sa.Table("transaction", meta, autoload_with=conn)
    ids = {}
    for at in sorted({earliest, *known}):
        ids[at] = conn.execute(transaction.insert().values(issued_at=at)).inserted_primary_key[0]
    for name in names:
        version = versions[name]
        columns = [c.name for c in version.c if c.name not in HISTORY_COLUMNS]
        payload = [
            {**{c: r[c] for c in columns}, "transaction_id": ids[moment(name, r) or earliest],
             "end_transaction_id": None, "operation_type": 0}
            for r in rows[name]
        ]
        if payload:
            conn.execute(version.insert(), payload)


def downgrade():
    with op.batch_alter_table('users_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_version_transaction_id'))
        batch_op.drop_index('ix_users_version_pk_validity')
        batch_op.drop_index('ix_users_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_users_version_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_users_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_users_version_end_transaction_id'))

    op.drop_table('users_version')
    op.drop_table('transaction')
    with op.batch_alter_table('teams_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_version_transaction_id'))
        batch_op.drop_index('ix_teams_version_pk_validity')
        batch_op.drop_index('ix_teams_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_teams_version_parent_id'))
        batch_op.drop_index(batch_op.f('ix_teams_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_teams_version_end_transaction_id'))

    op.drop_table('teams_version')
    with op.batch_alter_table('team_memberships_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_memberships_version_user_id'))
        batch_op.drop_index(batch_op.f('ix_team_memberships_version_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_team_memberships_version_team_id'))
        batch_op.drop_index('ix_team_memberships_version_pk_validity')
        batch_op.drop_index('ix_team_memberships_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_team_memberships_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_team_memberships_version_end_transaction_id'))

    op.drop_table('team_memberships_version')
    with op.batch_alter_table('report_texts_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_texts_version_transaction_id'))
        batch_op.drop_index('ix_report_texts_version_pk_validity')
        batch_op.drop_index('ix_report_texts_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_report_texts_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_report_texts_version_end_transaction_id'))

    op.drop_table('report_texts_version')
    with op.batch_alter_table('report_items_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_items_version_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_report_items_version_team_id'))
        batch_op.drop_index('ix_report_items_version_pk_validity')
        batch_op.drop_index('ix_report_items_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_report_items_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_report_items_version_end_transaction_id'))

    op.drop_table('report_items_version')
    with op.batch_alter_table('pilots_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilots_version_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_pilots_version_team_id'))
        batch_op.drop_index('ix_pilots_version_pk_validity')
        batch_op.drop_index('ix_pilots_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_pilots_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_pilots_version_end_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_pilots_version_district_id'))
        batch_op.drop_index(batch_op.f('ix_pilots_version_building_block_id'))

    op.drop_table('pilots_version')
    with op.batch_alter_table('pilot_municipalities_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilot_municipalities_version_transaction_id'))
        batch_op.drop_index('ix_pilot_municipalities_version_pk_validity')
        batch_op.drop_index('ix_pilot_municipalities_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_pilot_municipalities_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_pilot_municipalities_version_end_transaction_id'))

    op.drop_table('pilot_municipalities_version')
    with op.batch_alter_table('organisations_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_version_transaction_id'))
        batch_op.drop_index('ix_organisations_version_pk_validity')
        batch_op.drop_index('ix_organisations_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_organisations_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_organisations_version_end_transaction_id'))

    op.drop_table('organisations_version')
    with op.batch_alter_table('municipality_ticks_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipality_ticks_version_transaction_id'))
        batch_op.drop_index('ix_municipality_ticks_version_pk_validity')
        batch_op.drop_index('ix_municipality_ticks_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_municipality_ticks_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_municipality_ticks_version_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_municipality_ticks_version_milestone_id'))
        batch_op.drop_index(batch_op.f('ix_municipality_ticks_version_end_transaction_id'))

    op.drop_table('municipality_ticks_version')
    with op.batch_alter_table('municipalities_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipalities_version_transaction_id'))
        batch_op.drop_index('ix_municipalities_version_pk_validity')
        batch_op.drop_index('ix_municipalities_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_municipalities_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_municipalities_version_end_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_municipalities_version_district_id'))

    op.drop_table('municipalities_version')
    with op.batch_alter_table('milestones_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_version_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_milestones_version_team_id'))
        batch_op.drop_index('ix_milestones_version_pk_validity')
        batch_op.drop_index('ix_milestones_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_milestones_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_milestones_version_end_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_milestones_version_due_date'))

    op.drop_table('milestones_version')
    with op.batch_alter_table('measurements_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measurements_version_transaction_id'))
        batch_op.drop_index('ix_measurements_version_pk_validity')
        batch_op.drop_index('ix_measurements_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_measurements_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_measurements_version_indicator_id'))
        batch_op.drop_index(batch_op.f('ix_measurements_version_end_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_measurements_version_district_id'))

    op.drop_table('measurements_version')
    with op.batch_alter_table('indicators_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicators_version_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_indicators_version_team_id'))
        batch_op.drop_index('ix_indicators_version_pk_validity')
        batch_op.drop_index('ix_indicators_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_indicators_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_indicators_version_end_transaction_id'))

    op.drop_table('indicators_version')
    with op.batch_alter_table('events_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_version_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_events_version_team_id'))
        batch_op.drop_index(batch_op.f('ix_events_version_starts_at'))
        batch_op.drop_index('ix_events_version_pk_validity')
        batch_op.drop_index('ix_events_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_events_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_events_version_end_transaction_id'))

    op.drop_table('events_version')
    with op.batch_alter_table('districts_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_districts_version_transaction_id'))
        batch_op.drop_index('ix_districts_version_pk_validity')
        batch_op.drop_index('ix_districts_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_districts_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_districts_version_end_transaction_id'))

    op.drop_table('districts_version')
    with op.batch_alter_table('building_blocks_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_building_blocks_version_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_building_blocks_version_team_id'))
        batch_op.drop_index('ix_building_blocks_version_pk_validity')
        batch_op.drop_index('ix_building_blocks_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_building_blocks_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_building_blocks_version_end_transaction_id'))

    op.drop_table('building_blocks_version')
    with op.batch_alter_table('actions_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_version_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_actions_version_team_id'))
        batch_op.drop_index(batch_op.f('ix_actions_version_status'))
        batch_op.drop_index('ix_actions_version_pk_validity')
        batch_op.drop_index('ix_actions_version_pk_transaction_id')
        batch_op.drop_index(batch_op.f('ix_actions_version_owner_id'))
        batch_op.drop_index(batch_op.f('ix_actions_version_operation_type'))
        batch_op.drop_index(batch_op.f('ix_actions_version_milestone_id'))
        batch_op.drop_index(batch_op.f('ix_actions_version_end_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_actions_version_due_date'))
        batch_op.drop_index(batch_op.f('ix_actions_version_district_id'))

    op.drop_table('actions_version')
