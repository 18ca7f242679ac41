"""privacy: notices per work plan (versions), accepted version per registration,
retention per event, anonymised registrations, erasure requests

Revision ID: a20b1c2d3e04
Revises: a20b1c2d3e03
Create Date: 2026-11-30 15:10:00

Columns are added with plain ALTER TABLE ... ADD COLUMN (no batch rebuild), so the counter
triggers on registration stay in place on SQLite.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a20b1c2d3e04'
down_revision = 'a20b1c2d3e03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'privacy_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('work_plan_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('controller', sa.String(length=300), nullable=False),
        sa.Column('contact', sa.String(length=300), nullable=False),
        sa.Column('purposes', sa.Text(), nullable=False),
        sa.Column('retention', sa.Text(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_by_user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['published_by_user_id'], ['user.id'],
                                name=op.f('fk_privacy_notice_published_by_user_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['work_plan_id'], ['work_plan.id'],
                                name=op.f('fk_privacy_notice_work_plan_id_work_plan'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notice')),
        sa.UniqueConstraint('work_plan_id', 'version',
                            name=op.f('uq_privacy_notice_work_plan_id')),
    )
    op.create_table(
        'erasure_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('confirmed_by_user_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['confirmed_by_user_id'], ['user.id'],
                                name=op.f('fk_erasure_request_confirmed_by_user_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_erasure_request_event_id_event'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'],
                                name=op.f('fk_erasure_request_registration_id_registration'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_request')),
    )
    op.create_index(op.f('ix_erasure_request_event_id'), 'erasure_request', ['event_id'])
    op.create_index(op.f('ix_erasure_request_registration_id'), 'erasure_request',
                    ['registration_id'])
    op.add_column('registration', sa.Column('privacy_version', sa.Integer(), nullable=True))
    op.add_column('registration', sa.Column('anonymised_at', sa.DateTime(timezone=True),
                                            nullable=True))
    op.add_column('event', sa.Column('retention_days', sa.Integer(), nullable=False,
                                     server_default='180'))
    op.add_column('event', sa.Column('sensitive_retention_days', sa.Integer(), nullable=False,
                                     server_default='30'))


def downgrade():
    # SQLite 3.35+ drops a column in place: no rebuild, so the counter triggers (which
    # name both tables) stay valid.
    op.drop_column('event', 'sensitive_retention_days')
    op.drop_column('event', 'retention_days')
    op.drop_column('registration', 'anonymised_at')
    op.drop_column('registration', 'privacy_version')
    op.drop_index(op.f('ix_erasure_request_registration_id'), table_name='erasure_request')
    op.drop_index(op.f('ix_erasure_request_event_id'), table_name='erasure_request')
    op.drop_table('erasure_request')
    op.drop_table('privacy_notice')
