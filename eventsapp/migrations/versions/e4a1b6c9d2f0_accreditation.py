"""accreditation: registration modes, assigned roles, quotas, focal points, invitations

Revision ID: e4a1b6c9d2f0
Revises: a20b1c2d3e04
Create Date: 2026-11-30 09:00:00

Adds the event's registration mode, public categories, category limits, approval steps
and waiting-list counter; the registration's honorific, waiting-list number, approval
fields and substitution link; the focal point's economy; and the invitation table.

Existing waiting lists keep their order: each waitlisted row takes its id as its number,
and each event's counter starts after the largest.

On SQLite, adding foreign-key columns may make Alembic rebuild `registration` (a new
table, rows copied, the old one dropped), which drops its triggers and partial indexes:
they are created again here, whatever Alembic chose. The DDL is copied, not imported
from the app: a migration must not change when the app's code does.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4a1b6c9d2f0'
down_revision = 'a20b1c2d3e04'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    """CREATE TRIGGER registration_counted_insert AFTER INSERT ON registration
    WHEN NEW.status IN ('confirmed', 'waitlisted')
    BEGIN
      UPDATE event SET confirmed_count = confirmed_count + (NEW.status = 'confirmed'),
                       waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted')
       WHERE id = NEW.event_id;
    END""",
    """CREATE TRIGGER registration_counted_update AFTER UPDATE OF status, event_id
    ON registration
    WHEN OLD.status IS NOT NEW.status OR OLD.event_id IS NOT NEW.event_id
    BEGIN
      UPDATE event SET confirmed_count = confirmed_count - (OLD.status = 'confirmed'),
                       waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted')
       WHERE id = OLD.event_id;
      UPDATE event SET confirmed_count = confirmed_count + (NEW.status = 'confirmed'),
                       waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted')
       WHERE id = NEW.event_id;
    END""",
    """CREATE TRIGGER registration_counted_delete AFTER DELETE ON registration
    WHEN OLD.status IN ('confirmed', 'waitlisted')
    BEGIN
      UPDATE event SET confirmed_count = confirmed_count - (OLD.status = 'confirmed'),
                       waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted')
       WHERE id = OLD.event_id;
    END""",
]
TRIGGERS = ('registration_counted_insert', 'registration_counted_update',
            'registration_counted_delete')

OLD_EMAIL_WHERE = "status != 'cancelled'"
NEW_EMAIL_WHERE = "status NOT IN ('cancelled', 'declined')"
HEAD_WHERE = ("category = 'head_of_delegation' "
              "AND status IN ('pending', 'confirmed', 'waitlisted')")


def _partial_index(name, columns, where):
    op.create_index(name, 'registration', columns, unique=True,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def _sqlite_triggers_off():
    """SQLite: the triggers go first. A rebuilt registration table loses them anyway, and
    while `event` is rebuilt, triggers that name it make the table's rename fail."""
    if op.get_bind().dialect.name == 'sqlite':
        for name in TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')


def _sqlite_triggers_on():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def upgrade():
    _sqlite_triggers_off()
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_mode', sa.String(length=20),
                                      server_default='open', nullable=False))
        batch_op.add_column(sa.Column('approval_steps', sa.Integer(), server_default='1',
                                      nullable=False))
        batch_op.add_column(sa.Column('public_categories', sa.JSON(),
                                      server_default='["delegate", "observer"]',
                                      nullable=False))
        batch_op.add_column(sa.Column('category_limits', sa.JSON(), server_default='{}',
                                      nullable=False))
        batch_op.add_column(sa.Column('waitlist_seq', sa.Integer(), server_default='0',
                                      nullable=False))

    op.drop_index('uq_registration_active_email', table_name='registration')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('honorific', sa.String(length=40), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('waitlist_seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('nominated_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('nominated_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('declined_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('decline_reason', sa.Text(), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('replaces_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_registration_nominated_by_id_user'),
                                    'user', ['nominated_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_registration_replaces_id_registration'),
                                    'registration', ['replaces_id'], ['id'],
                                    ondelete='SET NULL')
    op.execute('DROP INDEX IF EXISTS uq_registration_active_email')
    _partial_index('uq_registration_active_email', ['event_id', 'email_normalized'],
                   NEW_EMAIL_WHERE)
    _partial_index('uq_registration_head', ['event_id', 'economy'], HEAD_WHERE)
    # Waiting lists keep their order (ids were the order), and numbers go on from there.
    op.execute("UPDATE registration SET waitlist_seq = id WHERE status = 'waitlisted'")
    op.execute("UPDATE event SET waitlist_seq = COALESCE((SELECT MAX(r.id) FROM registration r"
               " WHERE r.event_id = event.id), 0)")

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('economy', sa.String(length=5), nullable=True))

    op.create_table(
        'invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('email_normalized', sa.String(length=320), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=True),
        sa.Column('economy', sa.String(length=5), nullable=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reminders', sa.Integer(), nullable=False),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_invitation_event_id_event'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'],
                                name=op.f('fk_invitation_invited_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'],
                                name=op.f('fk_invitation_registration_id_registration'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
        sa.UniqueConstraint('event_id', 'email_normalized', name='uq_invitation_event_email'),
        sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash')),
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_event_id'), ['event_id'], unique=False)
    _sqlite_triggers_on()


def downgrade():
    _sqlite_triggers_off()
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_event_id'))
    op.drop_table('invitation')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('economy')

    op.drop_index('uq_registration_head', table_name='registration')
    op.drop_index('uq_registration_active_email', table_name='registration')
    # Before these statuses there were none: nobody pending or declined holds a place, and
    # as cancelled they keep their rows without blocking the address (the old index).
    op.execute("UPDATE registration SET status = 'cancelled'"
               " WHERE status IN ('pending', 'declined')")
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registration_replaces_id_registration'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_registration_nominated_by_id_user'),
                                 type_='foreignkey')
        batch_op.drop_column('replaces_id')
        batch_op.drop_column('decline_reason')
        batch_op.drop_column('declined_at')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('nominated_by_id')
        batch_op.drop_column('nominated_at')
        batch_op.drop_column('waitlist_seq')
        batch_op.drop_column('honorific')
    op.execute('DROP INDEX IF EXISTS uq_registration_active_email')
    _partial_index('uq_registration_active_email', ['event_id', 'email_normalized'],
                   OLD_EMAIL_WHERE)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('waitlist_seq')
        batch_op.drop_column('category_limits')
        batch_op.drop_column('public_categories')
        batch_op.drop_column('approval_steps')
        batch_op.drop_column('registration_mode')
    _sqlite_triggers_on()
