"""participation mode: in person, online or hybrid; online link; online attendance

Revision ID: f7c2d8a1b3e5
Revises: c7d3f1a2b9e8
Create Date: 2026-11-30 17:30:00

Adds the event's participation mode (default in person: existing events behave as
before), the two capacities of a hybrid event, the online link and its passcode or
dial-in text; each registration's participation (existing rows: in person); and the
online attendance table (minutes per registration and day).

Only `op.add_column` and `op.create_table`: on SQLite neither rebuilds `event` or
`registration`, so the counter triggers and partial unique indexes stay as they are.
"""
import sqlalchemy as sa
from alembic import op

revision = 'f7c2d8a1b3e5'
down_revision = 'c7d3f1a2b9e8'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('event', sa.Column('participation_mode', sa.String(length=20),
                                     server_default='in_person', nullable=False))
    op.add_column('event', sa.Column('capacity_in_person', sa.Integer(), nullable=True))
    op.add_column('event', sa.Column('capacity_online', sa.Integer(), nullable=True))
    op.add_column('event', sa.Column('online_url', sa.String(length=500), server_default='',
                                     nullable=False))
    op.add_column('event', sa.Column('online_details', sa.Text(), server_default='',
                                     nullable=False))
    op.add_column('registration', sa.Column('participation', sa.String(length=20),
                                            server_default='in_person', nullable=False))
    op.create_table(
        'online_attendance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('by_user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['by_user_id'], ['user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('registration_id', 'day'),
    )
    op.create_index(op.f('ix_online_attendance_registration_id'), 'online_attendance',
                    ['registration_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_online_attendance_registration_id'), table_name='online_attendance')
    op.drop_table('online_attendance')
    # SQLite ≥ 3.35 drops a column in place (no rebuild: triggers and indexes stay).
    op.drop_column('registration', 'participation')
    for name in ('online_details', 'online_url', 'capacity_online', 'capacity_in_person',
                 'participation_mode'):
        op.drop_column('event', name)
