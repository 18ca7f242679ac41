"""event registration counters, kept by triggers on registration

Revision ID: 7c1f0a9e2b34
Revises: 1362544125a9
Create Date: 2026-11-28 02:40:00

The counters start from the rows (RECOUNT). The trigger DDL is copied here, not
imported from the app: a migration must not change when the app's code does.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c1f0a9e2b34'
down_revision = '1362544125a9'
branch_labels = None
depends_on = None

SQLITE = [
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

POSTGRESQL = [
    """CREATE FUNCTION registration_counted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        UPDATE event
           SET confirmed_count = confirmed_count - (OLD.status = 'confirmed')::int,
               waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted')::int
         WHERE id = OLD.event_id AND OLD.status IN ('confirmed', 'waitlisted');
      END IF;
      IF TG_OP <> 'DELETE' THEN
        UPDATE event
           SET confirmed_count = confirmed_count + (NEW.status = 'confirmed')::int,
               waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted')::int
         WHERE id = NEW.event_id AND NEW.status IN ('confirmed', 'waitlisted');
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER registration_counted_insert AFTER INSERT ON registration
    FOR EACH ROW EXECUTE FUNCTION registration_counted()""",
    """CREATE TRIGGER registration_counted_update AFTER UPDATE OF status, event_id
    ON registration FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.event_id IS DISTINCT FROM NEW.event_id)
    EXECUTE FUNCTION registration_counted()""",
    """CREATE TRIGGER registration_counted_delete AFTER DELETE ON registration
    FOR EACH ROW EXECUTE FUNCTION registration_counted()""",
]

RECOUNT = """UPDATE event SET
  confirmed_count = (SELECT count(*) FROM registration r
                      WHERE r.event_id = event.id AND r.status = 'confirmed'),
  waitlisted_count = (SELECT count(*) FROM registration r
                       WHERE r.event_id = event.id AND r.status = 'waitlisted')"""

TRIGGERS = ('registration_counted_insert', 'registration_counted_update',
            'registration_counted_delete')


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_count', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('waitlisted_count', sa.Integer(), server_default='0',
                                      nullable=False))
    dialect = op.get_bind().dialect.name
    for statement in {'sqlite': SQLITE, 'postgresql': POSTGRESQL}[dialect]:
        op.execute(statement)
    op.execute(RECOUNT)


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name in TRIGGERS:
        op.execute(f'DROP TRIGGER {name} ON registration' if postgresql
                   else f'DROP TRIGGER {name}')
    if postgresql:
        op.execute('DROP FUNCTION registration_counted()')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('waitlisted_count')
        batch_op.drop_column('confirmed_count')
