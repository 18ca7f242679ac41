"""The wall-clock limit on making a document (RELIABILITY P4)."""

import signal
import threading
import time

import pytest

from eventsapp.timelimit import TimeLimitExceeded, time_limit


def test_work_past_the_limit_is_stopped_at_the_limit():
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded) as caught, time_limit(0.05):
        time.sleep(5)
    assert 0.04 < time.monotonic() - started < 1
    assert caught.value.seconds == 0.05


def test_work_within_the_limit_leaves_no_alarm_and_the_old_handler_behind():
    before = signal.getsignal(signal.SIGALRM)
    with time_limit(5):
        total = sum(range(1000))
    assert total == 499500
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_no_limit_off_the_main_thread_where_no_signal_arrives():
    outcome = []

    def work():
        with time_limit(0.01):
            time.sleep(0.05)
        outcome.append("finished")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert outcome == ["finished"]


def test_the_limit_holds_even_when_the_work_swallows_exceptions():
    def stubborn():
        deadline = time.monotonic() + 0.3
        while time.monotonic() < deadline:
            try:
                time.sleep(0.01)
            except Exception:  # what careless library code does
                pass

    with pytest.raises(TimeLimitExceeded), time_limit(0.02):
        stubborn()


def test_work_that_raises_again_as_a_new_exception_still_ends_in_the_limit():
    """reportlab's annotateException raises `type(exc)(message)` from inside the block."""
    with pytest.raises(TimeLimitExceeded), time_limit(0.02):
        try:
            time.sleep(1)
        except BaseException as exc:
            raise type(exc)("while drawing badge 7: " + str(exc)) from None
