"""Create the network, accounts, work and audit tables

Revision ID: 0001_initial
Revises: 
Create Date: 2026-11-28 20:12:05.453276

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
    sa.UniqueConstraint('name', name=op.f('uq_districts_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_districts_slug'))
    )
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_email'), ['email'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('short_name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.Enum('expertteam', 'platform', name='team_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('actief', 'afgerond', name='team_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('chair_note', sa.String(length=200), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['teams.id'], name=op.f('fk_teams_parent_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('slug', name=op.f('uq_teams_slug'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_parent_id'), ['parent_id'], unique=False)

    op.create_table('building_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_building_blocks_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_building_blocks')),
    sa.UniqueConstraint('team_id', 'number', name=op.f('uq_building_blocks_team_id_number'))
    )
    with op.batch_alter_table('building_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_building_blocks_team_id'), ['team_id'], unique=False)

    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('unit', sa.Enum('aantal', 'procent', name='indicator_unit', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('direction', sa.Enum('down', 'up', name='direction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('baseline_value', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('target_value', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('target_kind', sa.String(length=20), nullable=True),
    sa.Column('target_base_period', sa.String(length=20), nullable=True),
    sa.Column('target_period', sa.String(length=20), nullable=True),
    sa.Column('periods', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_indicators_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('key', name=op.f('uq_indicators_key'))
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_team_id'), ['team_id'], unique=False)

    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('deadline', 'wet', 'eindrapportage', 'review', 'mijlpaal', name='milestone_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('due_precision', sa.Enum('day', 'month', 'season', 'half', 'year', name='date_precision', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('per_municipality', sa.Boolean(), nullable=False),
    sa.Column('achieved_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_milestones_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_team_id'), ['team_id'], unique=False)

    op.create_table('municipalities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('cbs_code', sa.String(length=6), nullable=True),
    sa.Column('province', sa.String(length=60), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_municipalities_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipalities')),
    sa.UniqueConstraint('cbs_code', name=op.f('uq_municipalities_cbs_code')),
    sa.UniqueConstraint('name', name=op.f('uq_municipalities_name'))
    )
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipalities_district_id'), ['district_id'], unique=False)

    op.create_table('report_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('doel', 'resultaat', 'aandachtspunt', name='item_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_report_items_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_items'))
    )
    with op.batch_alter_table('report_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_items_team_id'), ['team_id'], unique=False)

    op.create_table('measurements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_measurements_district_id_districts')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_measurements_indicator_id_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurements')),
    sa.UniqueConstraint('indicator_id', 'district_id', 'period', name=op.f('uq_measurements_indicator_id_district_id_period'))
    )
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measurements_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measurements_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.Enum('gemeente', 'politie', 'om', 'riec', 'ggz', 'overig', name='organisation_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_organisations_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('municipality_id', name=op.f('uq_organisations_municipality_id')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisations_slug'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('beheerder', 'coordinator', 'bestuurder', 'partner', 'lezer', name='user_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_nonce', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('due_precision', sa.Enum('day', 'month', 'season', 'half', 'year', name='date_precision', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('open', 'bezig', 'gereed', 'vervallen', name='action_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('milestone_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['completed_by_id'], ['users.id'], name=op.f('fk_actions_completed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_actions_milestone_id_milestones'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_actions_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_actions_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_milestone_id'), ['milestone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_team_id'), ['team_id'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('origin', sa.String(length=64), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_entries_object', ['object_type', 'object_id'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('date_note', sa.String(length=120), nullable=True),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('rsvp_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('organiser_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('concept', 'gepland', 'geannuleerd', name='event_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organiser_id'], ['users.id'], name=op.f('fk_events_organiser_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_events_team_id_teams'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_team_id'), ['team_id'], unique=False)

    op.create_table('municipality_ticks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('ticked_by_id', sa.Integer(), nullable=True),
    sa.Column('ticked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_municipality_ticks_milestone_id_milestones'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_municipality_ticks_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['ticked_by_id'], ['users.id'], name=op.f('fk_municipality_ticks_ticked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipality_ticks')),
    sa.UniqueConstraint('milestone_id', 'municipality_id', name=op.f('uq_municipality_ticks_milestone_id_municipality_id'))
    )
    with op.batch_alter_table('municipality_ticks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipality_ticks_milestone_id'), ['milestone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_ticks_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('pilots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('building_block_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('gepland', 'lopend', 'geevalueerd', 'geborgd', 'gestopt', name='pilot_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('results', sa.Text(), nullable=False),
    sa.Column('lessons', sa.Text(), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['building_block_id'], ['building_blocks.id'], name=op.f('fk_pilots_building_block_id_building_blocks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_pilots_district_id_districts')),
    sa.ForeignKeyConstraint(['lead_id'], ['users.id'], name=op.f('fk_pilots_lead_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_pilots_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilots'))
    )
    with op.batch_alter_table('pilots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilots_building_block_id'), ['building_block_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilots_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilots_team_id'), ['team_id'], unique=False)

    op.create_table('team_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('voorzitter', 'trekker', 'coordinator', 'lid', name='team_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_memberships_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_memberships')),
    sa.UniqueConstraint('team_id', 'user_id', name=op.f('uq_team_memberships_team_id_user_id'))
    )
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_memberships_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('response', sa.Enum('ja', 'nee', 'misschien', name='rsvp_response', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('remark', sa.Text(), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waitlisted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_invitations_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invitations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_invitations_event_id_user_id'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_user_id'), ['user_id'], unique=False)

    op.create_table('pilot_municipalities',
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_pilot_municipalities_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_pilot_municipalities_pilot_id_pilots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pilot_id', 'municipality_id', name=op.f('pk_pilot_municipalities'))
    )


def downgrade():
    op.drop_table('pilot_municipalities')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_user_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_event_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_memberships_user_id'))
        batch_op.drop_index(batch_op.f('ix_team_memberships_team_id'))

    op.drop_table('team_memberships')
    with op.batch_alter_table('pilots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilots_team_id'))
        batch_op.drop_index(batch_op.f('ix_pilots_district_id'))
        batch_op.drop_index(batch_op.f('ix_pilots_building_block_id'))

    op.drop_table('pilots')
    with op.batch_alter_table('municipality_ticks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipality_ticks_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_municipality_ticks_milestone_id'))

    op.drop_table('municipality_ticks')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_team_id'))
        batch_op.drop_index(batch_op.f('ix_events_starts_at'))

    op.drop_table('events')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_object')
        batch_op.drop_index(batch_op.f('ix_audit_entries_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_actor_id'))

    op.drop_table('audit_entries')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_team_id'))
        batch_op.drop_index(batch_op.f('ix_actions_status'))
        batch_op.drop_index(batch_op.f('ix_actions_owner_id'))
        batch_op.drop_index(batch_op.f('ix_actions_milestone_id'))
        batch_op.drop_index(batch_op.f('ix_actions_due_date'))

    op.drop_table('actions')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))

    op.drop_table('users')
    op.drop_table('organisations')
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measurements_indicator_id'))
        batch_op.drop_index(batch_op.f('ix_measurements_district_id'))

    op.drop_table('measurements')
    with op.batch_alter_table('report_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_items_team_id'))

    op.drop_table('report_items')
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipalities_district_id'))

    op.drop_table('municipalities')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_team_id'))
        batch_op.drop_index(batch_op.f('ix_milestones_due_date'))

    op.drop_table('milestones')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicators_team_id'))

    op.drop_table('indicators')
    with op.batch_alter_table('building_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_building_blocks_team_id'))

    op.drop_table('building_blocks')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_parent_id'))

    op.drop_table('teams')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_email'))
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))

    op.drop_table('login_failures')
    op.drop_table('districts')
