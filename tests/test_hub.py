from __future__ import annotations

import asyncio
import uuid

from sync.server.hub import Change, Hub, any_key, force_key, officer_key, victim_key

FORCE = uuid.uuid4()
VICTIM = uuid.uuid4()
OFFICER = uuid.uuid4()


def change(seq: int, *keys: str) -> Change:
    return Change(FORCE, seq, keys)


async def test_publish_wakes_only_waiters_on_its_keys() -> None:
    hub = Hub()
    with hub.waiting([victim_key(VICTIM)]) as victim_woken, hub.waiting([officer_key(uuid.uuid4())]) as other:
        hub.publish(change(1, victim_key(VICTIM), officer_key(OFFICER)))
        assert victim_woken.is_set()
        assert not other.is_set()


async def test_supervisors_hear_everything_in_their_force() -> None:
    hub = Hub()
    with hub.waiting([force_key(FORCE)]) as supervisor:
        hub.publish(change(3, victim_key(VICTIM)))
        assert supervisor.is_set()


def test_changed_since_sees_changes_between_query_and_wait() -> None:
    hub = Hub()
    before = hub.version
    hub.publish(change(1, victim_key(VICTIM)))
    assert hub.changed_since(before, [victim_key(VICTIM)])
    assert not hub.changed_since(before, [victim_key(uuid.uuid4())])
    assert not hub.changed_since(hub.version, [victim_key(VICTIM)])


def test_changed_since_assumes_the_worst_when_its_memory_is_too_short() -> None:
    hub = Hub()
    before = hub.version
    for seq in range(Hub.RECENT + 10):
        hub.publish(change(seq + 1, victim_key(uuid.uuid4())))
    assert hub.changed_since(before, [victim_key(VICTIM)])


def test_nothing_new_needs_a_baseline_and_a_current_cursor() -> None:
    hub = Hub()
    keys = [victim_key(VICTIM), any_key(FORCE)]
    assert not hub.nothing_new(FORCE, keys, 100)  # no baseline yet: ask the database
    hub.set_baseline(FORCE, 50)
    assert not hub.nothing_new(FORCE, keys, 49)  # a cursor from before this process: ask the database
    assert hub.nothing_new(FORCE, keys, 50)
    hub.publish(change(51, officer_key(OFFICER)))
    assert hub.nothing_new(FORCE, keys, 50)  # someone else's news
    hub.publish(change(52, victim_key(VICTIM)))
    assert not hub.nothing_new(FORCE, keys, 51)
    assert hub.nothing_new(FORCE, keys, 52)
    hub.publish_unknown(FORCE, 60)  # another process stored something
    assert not hub.nothing_new(FORCE, keys, 52)


def test_a_later_baseline_does_not_hide_unknown_changes() -> None:
    hub = Hub()
    hub.set_baseline(FORCE, 10)
    hub.set_baseline(FORCE, 20)
    assert hub.known_seq(FORCE) == 10


async def test_publish_threadsafe_reaches_the_loop() -> None:
    hub = Hub()
    hub.bind(asyncio.get_running_loop())
    with hub.waiting([victim_key(VICTIM)]) as woken:
        await asyncio.to_thread(hub.publish_threadsafe, [change(1, victim_key(VICTIM))])
        await asyncio.wait_for(woken.wait(), 1)
    assert hub.waiting_count == 0


async def test_closing_wakes_every_waiter_and_those_that_come_later() -> None:
    hub = Hub()
    with hub.waiting([victim_key(VICTIM)]) as victim, hub.waiting([force_key(FORCE)]) as supervisor:
        hub.close()
        assert victim.is_set()
        assert supervisor.is_set()
    with hub.waiting([officer_key(OFFICER)]) as late:
        assert late.is_set()
