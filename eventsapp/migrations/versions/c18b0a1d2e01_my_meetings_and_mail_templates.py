"""my meetings (address sign-in links and sessions, year feeds) and per-event overrides of
the system emails

Revision ID: c18b0a1d2e01
Revises: e4a1b6c9d2f0
Create Date: 2026-12-05 10:00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c18b0a1d2e01'
down_revision = 'e4a1b6c9d2f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'address_sign_in',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email_key', sa.String(length=320), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('session_hash', sa.String(length=64), nullable=True),
        sa.Column('session_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_address_sign_in')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_address_sign_in_token_hash')),
        sa.UniqueConstraint('session_hash', name=op.f('uq_address_sign_in_session_hash')),
    )
    op.create_index(op.f('ix_address_sign_in_email_key'), 'address_sign_in', ['email_key'])
    op.create_table(
        'year_feed',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email_key', sa.String(length=320), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('token_sealed', sa.Text(), nullable=False),
        sa.Column('alarms', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_year_feed')),
        sa.UniqueConstraint('email_key', name=op.f('uq_year_feed_email_key')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_year_feed_token_hash')),
    )
    op.create_table(
        'mail_template_override',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_mail_template_override_event_id_event'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_user_id'], ['user.id'],
                                name=op.f('fk_mail_template_override_updated_by_user_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_template_override')),
        sa.UniqueConstraint('event_id', 'key',
                            name=op.f('uq_mail_template_override_event_id')),
    )


def downgrade():
    op.drop_table('mail_template_override')
    op.drop_table('year_feed')
    op.drop_index(op.f('ix_address_sign_in_email_key'), table_name='address_sign_in')
    op.drop_table('address_sign_in')
