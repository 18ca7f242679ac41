from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import StatementError

from eventsapp.extensions import db
from eventsapp.models import AgendaItem, Event


def test_agenda_times_come_back_aware_and_equal(app, make_event):
    event_id = make_event()
    kl = ZoneInfo("Asia/Kuala_Lumpur")
    start = datetime(2030, 3, 4, 9, 0, tzinfo=kl)
    with app.app_context():
        db.session.add(AgendaItem(event_id=event_id, title="Opening", starts_at=start,
                                  ends_at=datetime(2030, 3, 4, 10, 0, tzinfo=kl)))
        db.session.commit()
        db.session.expunge_all()
        item = db.session.scalars(db.select(AgendaItem)).one()
        assert item.starts_at == datetime(2030, 3, 4, 1, 0, tzinfo=UTC)
        assert item.starts_at.tzinfo is not None


def test_naive_datetime_is_refused(app, make_event):
    event_id = make_event()
    with app.app_context():
        db.session.add(AgendaItem(event_id=event_id, title="x", starts_at=datetime(2030, 1, 1),
                                  ends_at=datetime(2030, 1, 1, 1)))
        with pytest.raises(StatementError):
            db.session.commit()
        db.session.rollback()


def test_event_days_span_start_to_end(app):
    ev = Event(slug="x", title="x", start_date=date(2020, 2, 10), end_date=date(2020, 2, 11))
    assert ev.days == [date(2020, 2, 10), date(2020, 2, 11)]
    assert Event(slug="y", title="y", tentative_month="2020-08").days == []
