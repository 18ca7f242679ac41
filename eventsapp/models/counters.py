"""Each event's number of confirmed and waitlisted registrations, kept by the database.

`event.confirmed_count` and `event.waitlisted_count` are a cache of the registration
rows. Triggers on `registration` keep them in the statement that changes a row, so no
code path (a service, a test factory, an operator's SQL) can forget them, and reading
them costs one row instead of counting the whole waiting list under the event's lock.

The triggers are created with the table (`create_all`) and by the migration that added
the counters. An Alembic batch migration that rebuilds `registration` on SQLite drops
its triggers: such a migration must create them again (`statements(dialect)`).
"""

from __future__ import annotations

from sqlalchemy import DDL, Table, event

_SQLITE = [
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

_POSTGRESQL = [
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

# Sets every event's counters from its rows: after the migration that adds them, and after
# copy-db (the copied events bring their counters, and the copied rows fire the triggers).
RECOUNT = """UPDATE event SET
  confirmed_count = (SELECT count(*) FROM registration r
                      WHERE r.event_id = event.id AND r.status = 'confirmed'),
  waitlisted_count = (SELECT count(*) FROM registration r
                       WHERE r.event_id = event.id AND r.status = 'waitlisted')"""


def statements(dialect: str) -> list[str]:
    """The DDL that creates the triggers on this database."""
    return {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}[dialect]


def install(registration: Table) -> None:
    """Create the triggers whenever the registration table is created."""
    for dialect in ("sqlite", "postgresql"):
        for statement in statements(dialect):
            event.listen(registration, "after_create", DDL(statement).execute_if(dialect=dialect))
