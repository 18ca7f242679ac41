"""organisers' messages, their recipients, reminder rules; outbox Reply-To

Revision ID: c18a00000001
Revises: c18b0a1d2e01
Create Date: 2026-12-10 09:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = 'c18a00000001'
down_revision = 'c18b0a1d2e01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_to', sa.String(length=320), server_default='',
                                      nullable=False))
    op.create_table(
        'message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('work_plan_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('criteria', sa.JSON(), nullable=False),
        sa.Column('attach_calendar', sa.Boolean(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('reply_to', sa.String(length=320), nullable=False),
        sa.Column('previewed_ids', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.Column('recipient_count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_message_created_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_message_document_id_document'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_message_event_id_event'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sent_by_id'], ['user.id'],
                                name=op.f('fk_message_sent_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['work_plan_id'], ['work_plan.id'],
                                name=op.f('fk_message_work_plan_id_work_plan'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message')),
    )
    op.create_index(op.f('ix_message_event_id'), 'message', ['event_id'])
    op.create_index(op.f('ix_message_work_plan_id'), 'message', ['work_plan_id'])
    op.create_table(
        'message_recipient',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['message_id'], ['message.id'],
                                name=op.f('fk_message_recipient_message_id_message'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['outbox_id'], ['outbox_message.id'],
                                name=op.f('fk_message_recipient_outbox_id_outbox_message'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'],
                                name=op.f('fk_message_recipient_registration_id_registration'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_recipient')),
        sa.UniqueConstraint('message_id', 'registration_id',
                            name=op.f('uq_message_recipient_message_id')),
    )
    op.create_index(op.f('ix_message_recipient_outbox_id'), 'message_recipient', ['outbox_id'])
    op.create_index(op.f('ix_message_recipient_registration_id'), 'message_recipient',
                    ['registration_id'])
    op.create_table(
        'reminder_rule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('days_before', sa.Integer(), nullable=False),
        sa.Column('local_time', sa.Time(), nullable=False),
        sa.Column('criteria', sa.JSON(), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('attach_calendar', sa.Boolean(), nullable=False),
        sa.Column('reply_to', sa.String(length=320), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_reminder_rule_created_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_reminder_rule_event_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_rule')),
    )
    op.create_index(op.f('ix_reminder_rule_event_id'), 'reminder_rule', ['event_id'])
    op.create_table(
        'reminder_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['outbox_id'], ['outbox_message.id'],
                                name=op.f('fk_reminder_sent_outbox_id_outbox_message'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'],
                                name=op.f('fk_reminder_sent_registration_id_registration'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['rule_id'], ['reminder_rule.id'],
                                name=op.f('fk_reminder_sent_rule_id_reminder_rule'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
        sa.UniqueConstraint('rule_id', 'registration_id', 'day',
                            name='uq_reminder_sent_rule_registration_day'),
    )
    op.create_index('ix_reminder_sent_rule_day', 'reminder_sent', ['rule_id', 'day'])
    op.create_index(op.f('ix_reminder_sent_outbox_id'), 'reminder_sent', ['outbox_id'])
    op.create_index(op.f('ix_reminder_sent_registration_id'), 'reminder_sent',
                    ['registration_id'])


def downgrade():
    op.drop_table('reminder_sent')
    op.drop_table('reminder_rule')
    op.drop_table('message_recipient')
    op.drop_table('message')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('reply_to')
