"""Which deliveries a worker takes and starts per lane: half the threads and half the batch
each; none while a send of the lane hangs; one at a time after a timeout, until a success."""

from __future__ import annotations

from retour.db.repositories.outbox import Outcome
from retour.services.outbox.lanes import SLOW_AFTER_SECONDS, Lanes

HOOK = ("webhook", 7)
MAIL = ("email", None)
SLOW_MS = int(SLOW_AFTER_SECONDS * 1000)


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def outcome(is_success, duration_ms, status_code=None):
    return Outcome(1, 1, is_success, duration_ms, "delivered" if is_success else "pending",
                   status_code=status_code)  # fmt: skip


def start(lanes, lane, count):
    started = []
    for _ in range(count):
        lanes.taken(lane)
        started.append(lanes.started(lane))
    return started


def test_a_lane_sends_on_at_most_half_the_threads_and_the_others_keep_theirs():
    lanes = Lanes(threads=8, batch_size=100, monotonic=Clock())
    start(lanes, HOOK, 4)

    assert (lanes.can_start(HOOK), lanes.can_start(MAIL)) == (False, True)
    assert (lanes.room(HOOK), lanes.room(MAIL), lanes.full()) == (46, 50, [])


def test_a_lane_holds_at_most_half_the_batch_so_the_other_half_is_for_the_others():
    lanes = Lanes(threads=8, batch_size=100, monotonic=Clock())
    start(lanes, HOOK, 4)
    for _ in range(46):
        lanes.taken(HOOK)

    assert (lanes.room(HOOK), lanes.room(MAIL), lanes.full()) == (0, 50, [HOOK])


def test_a_send_running_too_long_stalls_its_lane_until_it_ends():
    clock = Clock()
    lanes = Lanes(threads=8, batch_size=100, monotonic=clock)
    (started_at,) = start(lanes, HOOK, 1)
    clock.now += SLOW_AFTER_SECONDS - 0.01
    before = (lanes.is_stalled(HOOK), lanes.room(HOOK))

    clock.now += 0.01
    stalled = (lanes.is_stalled(HOOK), lanes.room(HOOK), lanes.full())
    lanes.finished(HOOK, started_at, outcome(True, SLOW_MS + 10, 200))

    assert before == (False, 49)
    assert stalled == (True, 0, [HOOK])
    assert (lanes.is_stalled(HOOK), lanes.room(HOOK)) == (False, 50)


def test_a_failure_after_a_timeout_puts_the_lane_on_probation_until_a_success():
    lanes = Lanes(threads=8, batch_size=100, monotonic=Clock())
    first, second = start(lanes, HOOK, 2)

    lanes.finished(HOOK, first, outcome(False, SLOW_MS))
    one_still_running = (lanes.room(HOOK), lanes.can_start(HOOK))
    lanes.finished(HOOK, second, outcome(False, SLOW_MS + 5))
    none_running = (lanes.room(HOOK), lanes.can_start(HOOK))
    (third,) = start(lanes, HOOK, 1)
    one_more = (lanes.room(HOOK), lanes.can_start(HOOK), lanes.full())
    lanes.finished(HOOK, third, outcome(True, 40, 200))

    assert one_still_running == (0, False)
    assert none_running == (1, True)
    assert one_more == (0, False, [HOOK])
    assert (lanes.room(HOOK), lanes.can_start(HOOK)) == (50, True)


def test_a_quick_failure_or_a_slow_success_is_no_probation():
    lanes = Lanes(threads=8, batch_size=100, monotonic=Clock())
    for result in (outcome(False, 3, 500), outcome(False, 1), outcome(True, SLOW_MS * 3, 200)):
        (started_at,) = start(lanes, HOOK, 1)
        lanes.finished(HOOK, started_at, result)

    assert (lanes.room(HOOK), lanes.full()) == (50, [])


def test_a_lane_on_probation_counts_what_is_queued_as_well_as_what_runs():
    lanes = Lanes(threads=8, batch_size=100, monotonic=Clock())
    (started_at,) = start(lanes, HOOK, 1)
    lanes.finished(HOOK, started_at, outcome(False, SLOW_MS))

    lanes.taken(HOOK)
    queued = lanes.room(HOOK)
    lanes.handed_back(HOOK)

    assert (queued, lanes.room(HOOK)) == (0, 1)


def test_one_thread_still_sends_for_every_lane():
    lanes = Lanes(threads=1, batch_size=1, monotonic=Clock())

    assert (lanes.can_start(HOOK), lanes.can_start(MAIL)) == (True, True)
