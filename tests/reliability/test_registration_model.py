"""Model-based test of the registration rules (RELIABILITY §3.5), on each real database.

Hypothesis drives register / cancel / double cancel / capacity changes through
the real service layer; after every step the invariants must hold. Each
example works on an event of its own, so no reset is needed between examples.
"""

import itertools
import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import CANCELLED, CONFIRMED, WAITLISTED, Event, Registration
from eventsapp.registration import services
from eventsapp.registration.validation import RegistrationInput

# CI runs a bounded budget; EVENTSAPP_MODEL_EXAMPLES=300 gives the plan's full run.
EXAMPLES = int(os.environ.get("EVENTSAPP_MODEL_EXAMPLES", "15"))
STEPS = int(os.environ.get("EVENTSAPP_MODEL_STEPS", "30"))
_slugs = itertools.count()


def make_machine(app):
    class RegistrationModel(RuleBasedStateMachine):
        @initialize(capacity=st.integers(0, 6))
        def create_event(self, capacity):
            self.ctx = app.app_context()
            self.ctx.push()
            ev = Event(slug=f"model-{os.getpid()}-{next(_slugs)}", title="Model",
                       status="published", timezone="UTC", capacity=capacity,
                       waitlist_enabled=True)
            db.session.add(ev)
            db.session.commit()
            self.event_id = ev.id
            self.ids: list[int] = []
            self.cancelled: set[int] = set()
            self.ever_waitlisted: set[int] = set()
            self.emails = itertools.count()

        def teardown(self):
            if hasattr(self, "ctx"):
                db.session.remove()
                self.ctx.pop()

        def event(self) -> Event:
            return db.session.get(Event, self.event_id)

        def rows(self) -> list[Registration]:
            db.session.expire_all()
            return list(db.session.scalars(
                select(Registration).where(Registration.event_id == self.event_id)
                .order_by(Registration.id)))

        @rule()
        def register(self):
            n = next(self.emails)
            result = services.register(self.event(), RegistrationInput(
                given_name="Model", family_name=f"Person {n}", email=f"p{n}@example.org"))
            self.ids.append(result.registration.id)
            if result.registration.status == WAITLISTED:
                self.ever_waitlisted.add(result.registration.id)

        @rule(data=st.data())
        def cancel(self, data):
            if not self.ids:
                return
            reg_id = data.draw(st.sampled_from(self.ids))
            reg = db.session.get(Registration, reg_id)
            if reg_id in self.cancelled:
                # Double cancel: refused, and nobody else is promoted by it.
                before = [(r.id, r.status) for r in self.rows()]
                with pytest.raises(services.AlreadyCancelled):
                    services.cancel_registration(reg)
                assert [(r.id, r.status) for r in self.rows()] == before
            else:
                services.cancel_registration(reg)
                self.cancelled.add(reg_id)

        @rule(capacity=st.integers(0, 8))
        def set_capacity(self, capacity):
            confirmed = sum(r.status == CONFIRMED for r in self.rows())
            if capacity < confirmed:
                with pytest.raises(services.CapacityError):
                    services.change_capacity(self.event(), capacity, user=None)
            else:
                services.change_capacity(self.event(), capacity, user=None)

        @invariant()
        def rules_hold(self):
            if not hasattr(self, "event_id"):
                return
            rows = self.rows()
            capacity = self.event().capacity
            confirmed = [r for r in rows if r.status == CONFIRMED]
            waiting = [r for r in rows if r.status == WAITLISTED]
            assert len(confirmed) <= capacity
            ev = self.event()
            assert (ev.confirmed_count, ev.waitlisted_count) == (len(confirmed), len(waiting))
            if len(confirmed) < capacity:
                assert waiting == [], "a place is free while someone waits"
            assert {r.id for r in rows if r.status == CANCELLED} == self.cancelled
            promoted = [r.id for r in confirmed if r.id in self.ever_waitlisted]
            if promoted and waiting:
                assert max(promoted) < min(r.id for r in waiting), "promotion out of order"
            positions = [services.waitlist_position(r) for r in waiting]
            assert positions == list(range(1, len(waiting) + 1))
            self.ever_waitlisted |= {r.id for r in waiting}

    return RegistrationModel


def test_registration_rules_hold_under_any_sequence_of_operations(app):
    machine = make_machine(app)
    machine.TestCase.settings = settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    machine.TestCase().runTest()
