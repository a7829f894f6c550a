"""The victim app's state and rules (app/portal.py and its small states), on the in-memory
store, the fake sign-in and account, and the real sync runner talking to a fake server over
httpx.MockTransport."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from app import content
from app.case_focus import MESSAGE_MAX_CHARS
from app.content import ServiceList, SupportService
from app.domain import ContactPreferences
from app.lock import AppLock, MemoryLockRecord
from app.portal import Portal
from app.session import invitation_token
from app.signouts import PendingSignOuts
from app.store.keys import MemoryKeyProvider, new_key
from app.store.memory import MemoryStore
from app.store.port import Store
from sync.runner import SyncRunner
from tests.fakes import FakeBackend, FakeConnector, FakeSignIn
from tests.store.conftest import a_case
from tests.support import FakeClock

NOW = datetime(2026, 11, 29, 10, tzinfo=UTC)
CASE = "00000000-0000-4000-8000-000000000001"  # the server's ids are UUIDs
CHEAP_SCRYPT = {"n": 2**4, "r": 1, "p": 1}  # tests only (tests/store/test_lock.py holds the app's own strong)


class World:
    def __init__(self) -> None:
        self.backend = FakeBackend()
        self.clock = FakeClock(NOW)
        self.store: Store = MemoryStore()
        self.lock_record = MemoryLockRecord()  # beside the key: survives the app opening again
        self.keys = MemoryKeyProvider(new_key())
        self.sign_outs = PendingSignOuts()  # beside the store too, and a wipe leaves it
        self.wipes = 0
        self.syncing_at_wipe = False
        self.connector = FakeConnector(self.backend, lambda: self.portal.session.store)
        self.portal = self.open()

    def wipe(self) -> Store:
        self.wipes += 1
        self.syncing_at_wipe = any(runner.running for runner in self.connector.syncs)
        self.store = MemoryStore()
        self.lock_record.delete()
        self.keys = MemoryKeyProvider(new_key())
        self.lock = AppLock(self.lock_record, self.keys, scrypt=CHEAP_SCRYPT)
        return self.store

    def open(self) -> Portal:
        """The app opening on this device (again)."""
        self.lock = AppLock(self.lock_record, self.keys, scrypt=CHEAP_SCRYPT)
        self.portal = Portal(
            self.store,
            content.load(),
            sign_in=FakeSignIn(self.backend),
            connector=self.connector,
            wipe=self.wipe,
            clock=self.clock,
            lock=lambda: self.lock,
            sign_outs=self.sign_outs,
        )
        return self.portal

    async def signed_in(self, pin: str | None = None) -> Portal:
        await self.portal.session.redeem(f"https://portal.example/i/{self.backend.invite()}")
        await self.portal.session.verify(self.backend.last_code())
        if pin:
            self.portal.safety.choose_pin(pin, pin)
        else:
            self.portal.safety.skip_pin()
        self.backend.publish_case(a_case(CASE))
        portal = self.portal
        assert await eventually(lambda: portal.focus.case(CASE) is not None), "the case arrives by sync"
        return portal


def phase(portal: Portal) -> str:
    """Read afresh each time (mypy would otherwise keep an earlier assert's narrowing across an await)."""
    return portal.phase


def focus(portal: Portal) -> str | None:
    return portal.focus.case_id  # read afresh (see phase)


def running(sync: SyncRunner) -> bool:
    return sync.running  # read afresh (see phase)


def has_pin(portal: Portal) -> bool:
    return portal.safety.lock.enabled


def in_foreground(world: World) -> bool:
    return world.connector.syncs[-1].in_foreground


async def eventually(check: Callable[[], bool], seconds: float = 3.0) -> bool:
    """The runner sends in its own task: wait (briefly) for what it should have done."""
    for _ in range(int(seconds / 0.01)):
        if check():
            return True
        await asyncio.sleep(0.01)
    return check()


async def officer_writes(world: World, body: str, *, seq: int) -> None:
    """The officer's message reaches the device through the sync runner."""
    world.backend.publish_message(CASE, body, seq=seq)
    store = world.portal.session.store
    assert await eventually(lambda: any(m.seq == seq for m in store.messages(CASE)))


def reads(world: World) -> list[tuple[str, int]]:
    return [(case_id, body["up_to_seq"]) for case_id, body in world.backend.sent("read")]


@pytest.fixture
async def world() -> AsyncIterator[World]:
    world = World()
    yield world
    await world.portal.stop()
    for runner in world.connector.syncs:  # the app opened more than once: no runner left polling
        await runner.stop()


def test_a_link_or_a_bare_code_both_give_the_token() -> None:
    assert invitation_token("https://portal.example/i/abcDEF123_-xyz") == "abcDEF123_-xyz"
    assert invitation_token("  abcDEF123_-xyz \n") == "abcDEF123_-xyz"
    assert invitation_token("https://portal.example/i/abcDEF123_-xyz?utm=1#top") == "abcDEF123_-xyz"
    assert invitation_token("short") == ""
    assert invitation_token("<script>alert(1)</script>") == ""


async def test_signing_in_asks_for_the_code_then_offers_a_pin(world: World) -> None:
    portal = world.portal
    assert phase(portal) == "welcome"
    changes: list[None] = []
    portal.subscribe(lambda: changes.append(None))
    await portal.session.redeem(world.backend.invite())
    assert phase(portal) == "code"
    assert portal.session.challenge is not None
    assert portal.session.challenge.sent_to == "•••• ••• 123"
    await portal.session.verify(world.backend.last_code())
    assert phase(portal) == "offer_pin"
    assert portal.session.identity is not None
    assert portal.session.identity.kind == "victim"
    assert world.connector.syncs[-1].running
    assert await eventually(lambda: world.backend.pulls > 0), "syncing began"
    assert changes, "the screens were told"


async def test_a_bad_link_or_code_says_what_to_do_and_keeps_what_was_typed(world: World) -> None:
    portal = world.portal
    await portal.session.redeem("not a link")
    assert phase(portal) == "welcome"
    assert "Paste the link" in portal.feedback.error
    assert portal.session.invitation == "not a link"
    await portal.session.redeem("x" * 30)  # well formed, but no such invitation
    assert phase(portal) == "welcome"
    assert "expired" in portal.feedback.error
    await portal.session.redeem(world.backend.invite())
    await portal.session.verify("12")
    assert phase(portal) == "code"
    assert "6 numbers" in portal.feedback.error
    await portal.session.verify("000000" if world.backend.last_code() != "000000" else "111111")
    assert phase(portal) == "code"
    assert "not right" in portal.feedback.error
    assert portal.session.identity is None


async def test_no_network_during_sign_in_is_said_plainly(world: World) -> None:
    world.backend.reachable = False
    await world.portal.session.redeem(world.backend.invite())
    assert phase(world.portal) == "welcome"
    assert "can't reach" in world.portal.feedback.error
    assert not world.portal.session.busy


async def test_the_code_never_came_goes_back_for_a_new_one(world: World) -> None:
    await world.portal.session.redeem(world.backend.invite())
    world.portal.session.start_again()
    assert phase(world.portal) == "welcome"
    assert world.portal.session.challenge is None


async def test_a_pin_is_typed_twice_and_then_asked_for_on_every_open(world: World) -> None:
    portal = await world.signed_in()
    portal.safety.choose_pin("12", "12")
    assert "4 to 8" in portal.feedback.error
    assert not has_pin(portal)
    portal.safety.choose_pin("1234", "1243")
    assert "different" in portal.feedback.error
    assert not has_pin(portal)
    portal.safety.choose_pin("1234", "1234")
    assert has_pin(portal)
    assert phase(portal) == "ready"

    reopened = world.open()
    assert phase(reopened) == "locked"
    assert (await reopened.safety.unlock("9999")).outcome == "wrong"
    assert "4 tries left" in reopened.feedback.error
    assert (await reopened.safety.unlock("1234")).outcome == "unlocked"
    assert phase(reopened) == "ready"
    assert reopened.feedback.error == ""


async def test_five_wrong_pins_delete_the_data_from_this_device(world: World) -> None:
    await world.signed_in(pin="1234")
    reopened = world.open()
    reopened.start()
    for _ in range(4):
        await reopened.safety.unlock("0000")
    assert (await reopened.safety.unlock("0000")).outcome == "wiped"
    assert world.wipes == 1
    assert phase(reopened) == "welcome"
    assert reopened.session.store.identity() is None
    assert reopened.session.store.cases() == []
    assert "deleted" in reopened.feedback.error


async def test_quick_exit_hides_everything_and_coming_back_needs_the_pin(world: World) -> None:
    portal = await world.signed_in(pin="1234")
    portal.safety.quick_exit()
    assert phase(portal) == "exited"
    portal.safety.come_back()
    assert phase(portal) == "locked"
    await portal.safety.unlock("1234")
    assert phase(portal) == "ready"


async def test_quick_exit_works_before_signing_in_too(world: World) -> None:
    portal = world.portal
    await portal.session.redeem(world.backend.invite())
    portal.safety.quick_exit()
    assert phase(portal) == "exited"
    portal.safety.come_back()
    assert phase(portal) == "code"
    assert portal.session.challenge is not None


async def test_quick_exit_without_a_pin_comes_straight_back(world: World) -> None:
    portal = await world.signed_in()
    portal.safety.quick_exit()
    portal.safety.come_back()
    assert phase(portal) == "ready"


async def test_the_lock_returns_after_the_chosen_minutes_away(world: World) -> None:
    portal = await world.signed_in()
    portal.safety.choose_pin("1234", "1234", after_minutes=5)
    portal.safety.to_background()
    assert not in_foreground(world)
    world.clock.advance(minutes=4)
    portal.safety.to_foreground()
    assert phase(portal) == "ready"
    assert in_foreground(world)
    portal.safety.to_background()
    world.clock.advance(minutes=5)
    portal.safety.to_foreground()
    assert phase(portal) == "locked"


async def test_a_message_shows_at_once_and_bad_ones_are_refused_with_the_text_kept(world: World) -> None:
    portal = await world.signed_in()
    assert not portal.focus.send_message(CASE, "   ")
    assert "Write your message" in portal.feedback.error
    assert not portal.focus.send_message(CASE, "x" * (MESSAGE_MAX_CHARS + 1))
    assert "too long" in portal.feedback.error
    assert portal.session.store.messages(CASE) == []
    assert portal.focus.send_message(CASE, "  Hello  ")
    [shown] = portal.focus.conversation(CASE)
    assert shown.mine
    assert shown.state == "sending"
    assert shown.message.body == "Hello"
    assert portal.feedback.error == ""


async def test_my_messages_show_read_once_the_officer_has_read_them(world: World) -> None:
    portal = await world.signed_in()
    world.backend.publish_message(CASE, "hi", seq=3, author="You")
    world.backend.publish_message(CASE, "hello", seq=4)
    assert await eventually(lambda: len(portal.focus.conversation(CASE)) == 2)
    assert [s.state for s in portal.focus.conversation(CASE)] == ["sent", "sent"]
    world.backend.publish_case(replace(a_case(CASE), officer_read_seq=3))
    assert await eventually(lambda: portal.focus.conversation(CASE)[0].state == "read")
    assert portal.focus.unread_count(CASE) == 1


async def test_reading_the_conversation_tells_the_officer_once(world: World) -> None:
    portal = await world.signed_in()
    await officer_writes(world, "hello", seq=4)
    portal.focus.read_messages(CASE)
    portal.focus.read_messages(CASE)
    assert portal.focus.unread_count(CASE) == 0  # at once, before the server has heard
    assert await eventually(lambda: reads(world) == [(CASE, 4)])
    await asyncio.sleep(0.05)
    assert reads(world) == [(CASE, 4)], "once"


async def test_asking_for_an_update_says_what_happens_next(world: World) -> None:
    portal = await world.signed_in()
    portal.focus.request_update(CASE, "  any news?  ")
    assert await eventually(lambda: world.backend.sent("update_request") == [(CASE, {"note": "any news?"})])
    assert "You asked for an update" in portal.feedback.notice


async def test_contact_choices_round_trip_and_need_at_least_one_way(world: World) -> None:
    portal = await world.signed_in()
    assert await portal.preferences.load_contact_preferences() == ContactPreferences(("sms",))
    assert "at least one" in await portal.preferences.save_contact_preferences(ContactPreferences((), "", False))
    chosen = ContactPreferences(("email", "phone_call"), "Weekdays after 6pm", True)
    assert await portal.preferences.save_contact_preferences(chosen) == ""
    assert await portal.preferences.load_contact_preferences() == chosen


async def test_a_refused_contact_choice_is_said_beside_it_not_at_the_top_of_the_page(world: World) -> None:
    portal = await world.signed_in()
    world.backend.reachable = False
    refusal = await portal.preferences.save_contact_preferences(ContactPreferences(("email",)))
    assert refusal == portal.words("say.offline")
    assert portal.feedback.error == ""  # Settings shows the page's error at the top, out of view of the Save button
    world.backend.reachable = True
    assert await portal.preferences.load_contact_preferences() == ContactPreferences(("sms",))  # nothing changed


async def test_the_forces_own_support_list_is_kept_for_offline_use(world: World) -> None:
    portal = await world.signed_in()
    local, national = portal.preferences.support_services()
    assert local == []
    assert any(s.phone == "08 08 16 89 111" for s in national)
    world.backend.local_services = ServiceList(
        "2026-12-01",
        (
            SupportService(
                "victims-first",
                "Victims First",
                "Local help",
                None,
                "https://victims-first.org.uk",
                "victims-first.org.uk",
                date(2026, 12, 1),
            ),
            SupportService(
                "victim-support",
                "Victim Support (local)",
                "Updated wording",
                "0808 168 9111",
                None,
                "force",
                date(2026, 12, 1),
            ),
        ),
    )
    await portal.preferences.fetch_local_services()
    world.backend.reachable = False
    await portal.preferences.fetch_local_services()  # offline: the kept list stays
    local, national = portal.preferences.support_services()
    assert [s.id for s in local] == ["victims-first"]
    assert next(s for s in national if s.id == "victim-support").name == "Victim Support (local)"


async def test_signing_out_deletes_everything_here_even_offline(world: World) -> None:
    portal = await world.signed_in()
    world.backend.reachable = False
    await portal.session.sign_out_and_delete()
    assert phase(portal) == "welcome"
    assert portal.session.identity is None
    assert portal.session.store.cases() == []
    assert world.wipes == 1
    assert not world.connector.syncs[-1].running
    assert "deleted" in portal.feedback.notice


async def test_signing_out_ends_the_token_on_the_server(world: World) -> None:
    portal = await world.signed_in()
    assert world.backend.tokens
    await portal.session.sign_out_and_delete()
    assert world.backend.tokens == {}


async def test_the_last_sync_time_survives_a_restart_for_the_offline_banner(world: World) -> None:
    await world.signed_in()
    sync = world.connector.syncs[-1]
    assert await eventually(lambda: sync.last_synced_at is not None)
    synced_at = sync.last_synced_at
    await world.portal.stop()
    reopened = world.open()
    assert reopened.session.connection == "offline"
    assert reopened.session.last_synced_at == synced_at


async def test_five_wrong_pins_stop_syncing_before_the_data_goes(world: World) -> None:
    await (await world.signed_in(pin="1234")).stop()
    reopened = world.open()
    reopened.start()
    sync = world.connector.syncs[-1]
    assert running(sync)
    for _ in range(5):
        await reopened.safety.unlock("0000")
    assert world.wipes == 1
    assert not world.syncing_at_wipe, "syncing had stopped before the data went"
    assert not running(sync)
    assert reopened.session.sync is None


async def test_a_glance_away_shorter_than_the_lock_time_does_not_lock(world: World) -> None:
    portal = await world.signed_in()
    portal.safety.choose_pin("1234", "1234", after_minutes=5)
    portal.safety.to_background()  # hidden
    portal.safety.to_background()  # then paused: still away since the first
    world.clock.advance(minutes=1)
    portal.safety.to_foreground()  # shown
    portal.safety.to_foreground()  # then resumed, with no time away in between
    assert phase(portal) == "ready"
    portal.safety.to_foreground()  # a window that only regained focus
    assert phase(portal) == "ready"


async def test_the_server_ending_the_sign_in_returns_to_the_welcome_screen(world: World) -> None:
    portal = await world.signed_in()
    sync = world.connector.syncs[-1]
    world.backend.tokens.clear()  # signed out elsewhere: the server refuses the token from now on
    portal.focus.send_message(CASE, "Is anyone there?")  # the next contact hears it
    # the portal stops syncing and forgets the device in its own task
    assert await eventually(lambda: phase(portal) == "welcome")
    assert not sync.running
    assert phase(portal) == "welcome"
    assert portal.session.identity is None
    assert "signed out" in portal.feedback.error


async def test_what_was_being_typed_survives_the_lock_but_not_signing_out(world: World) -> None:
    portal = await world.signed_in(pin="1234")
    portal.drafts.keep(f"message:{CASE}", "half a sentence")
    portal.safety.quick_exit()
    portal.safety.come_back()
    await portal.safety.unlock("1234")
    assert portal.drafts.get(f"message:{CASE}") == "half a sentence"
    await portal.session.sign_out_and_delete()
    assert portal.drafts.get(f"message:{CASE}") == ""


async def test_nothing_is_marked_read_while_the_app_is_in_the_background(world: World) -> None:
    portal = await world.signed_in()
    portal.focus.start_reading(CASE)
    portal.safety.to_background()
    await officer_writes(world, "hello", seq=4)
    portal.focus.read_messages(CASE)
    await asyncio.sleep(0.05)
    assert reads(world) == []
    assert portal.focus.unread_count(CASE) == 1
    portal.safety.to_foreground()
    assert await eventually(lambda: reads(world) == [(CASE, 4)])


async def test_a_refused_update_request_is_shown_and_can_be_sent_again(world: World) -> None:
    portal = await world.signed_in()
    world.backend.refuse_update_requests = "This case is closed."
    assert portal.focus.request_update(CASE, "any news?")
    assert await eventually(lambda: len(portal.focus.unsent_requests(CASE)) == 1)
    (refused,) = portal.focus.unsent_requests(CASE)
    assert refused.failed == "This case is closed."
    world.backend.refuse_update_requests = ""  # reopened
    portal.focus.retry(refused.id)
    # back in the queue, and sent
    assert await eventually(lambda: world.backend.sent("update_request") == [(CASE, {"note": "any news?"})])
    assert portal.focus.unsent_requests(CASE) == []


async def test_several_cases_list_open_ones_first_newest_first(world: World) -> None:
    portal = await world.signed_in()
    old, new, closed = (str(uuid.UUID(int=n)) for n in (2, 3, 4))
    world.backend.publish_case(replace(a_case(old), reported_on=date(2026, 1, 1)))
    world.backend.publish_case(replace(a_case(new), reported_on=date(2026, 11, 1)))
    world.backend.publish_case(replace(a_case(closed), reported_on=date(2026, 11, 20), status="closed"))
    assert await eventually(lambda: len(portal.focus.cases()) == 4)
    assert [c.id for c in portal.focus.cases()] == [CASE, new, old, closed]  # CASE: 20 Nov


async def test_a_page_hidden_before_signing_in_still_marks_messages_read(world: World) -> None:
    # the tab showed the app's address, then went to the invitation link: the page that went
    # reported itself hidden, and the page that replaced it never says "shown"
    world.portal.safety.to_background()
    portal = await world.signed_in()
    await officer_writes(world, "hello", seq=4)
    portal.focus.read_messages(CASE)
    assert await eventually(lambda: reads(world) == [(CASE, 4)])
    assert portal.focus.unread_count(CASE) == 0


async def test_a_fresh_page_marks_messages_read_too(world: World) -> None:
    # the other order: the invitation link opened in a fresh tab
    portal = await world.signed_in()
    await officer_writes(world, "hello", seq=4)
    portal.focus.read_messages(CASE)
    assert await eventually(lambda: reads(world) == [(CASE, 4)])


async def test_a_browser_tab_that_goes_ends_the_sign_in_on_the_server_and_here(world: World) -> None:
    portal = await world.signed_in()
    portal.focus.open_case(CASE)
    assert len(world.backend.tokens) == 1
    await portal.end_session()
    assert world.backend.tokens == {}  # the old device token is refused from now on
    assert not world.connector.syncs[-1].running
    assert world.wipes == 1
    assert phase(portal) == "welcome"
    assert portal.session.identity is None
    assert portal.session.store.cases() == []
    assert focus(portal) is None


async def test_with_a_pin_the_app_opens_locked_and_the_pin_opens_the_store(world: World) -> None:
    await world.signed_in(pin="1234")
    kept = world.store
    opened: list[bytes] = []

    def unseal(key: bytes) -> Store:
        opened.append(key)
        return kept

    # the app opening again: the store's key exists only wrapped by the PIN, so no store yet
    lock = AppLock(world.lock_record, world.keys, scrypt=CHEAP_SCRYPT)
    portal = Portal(
        None,
        content.load(),
        sign_in=FakeSignIn(world.backend),
        connector=world.connector,
        wipe=world.wipe,
        lock=lambda: lock,
        unseal=unseal,
    )
    world.portal = portal
    assert phase(portal) == "locked"
    assert portal.session.identity is None  # nothing of the case is at hand on the lock screen
    syncs = len(world.connector.syncs)
    assert (await portal.safety.unlock("0000")).outcome == "wrong"
    assert opened == []
    assert (await portal.safety.unlock("1234")).outcome == "unlocked"
    assert len(opened) == 1
    assert phase(portal) == "ready"
    assert portal.focus.case(CASE) is not None
    assert len(world.connector.syncs) == syncs + 1  # syncing starts once the store is open


async def test_five_wrong_pins_with_the_app_open_also_end_the_token_on_the_server(world: World) -> None:
    portal = await world.signed_in(pin="1234")
    assert len(world.backend.tokens) == 1
    portal.safety.quick_exit()
    portal.safety.come_back()
    for _ in range(5):
        await portal.safety.unlock("0000")
    assert world.backend.tokens == {}
    assert phase(portal) == "welcome"


def opening_locked(world: World) -> Portal:
    """The app opening again with a PIN set: the store's key exists only wrapped by the PIN."""
    kept = world.store
    lock = AppLock(world.lock_record, world.keys, scrypt=CHEAP_SCRYPT)
    world.portal = Portal(
        None,
        content.load(),
        sign_in=FakeSignIn(world.backend),
        connector=world.connector,
        wipe=world.wipe,
        lock=lambda: lock,
        unseal=lambda key: kept,
        sign_outs=world.sign_outs,
    )
    return world.portal


@pytest.mark.parametrize("online", [True, False], ids=["online", "offline until the next contact"])
async def test_five_wrong_pins_when_the_app_opens_end_the_session_with_its_revoke_key(
    world: World, online: bool
) -> None:
    """The commonest case: someone picks up the phone and guesses. The store (and the token in it)
    can never be opened again, so the revoke key kept with the PIN's record ends the session."""
    portal = await world.signed_in(pin="1234")
    token = portal.session.store.identity().token  # type: ignore[union-attr]
    record = world.lock_record.load()
    assert record is not None
    assert token not in str(record)  # beside the key in the clear: the revoke key, never the token
    assert record["keep"]["revoke_key"].startswith("vpr_")
    portal = opening_locked(world)
    world.backend.reachable = online
    for _ in range(5):
        await portal.safety.unlock("0000")
    assert phase(portal) == "welcome"
    if not online:
        assert world.backend.tokens == {token: "v1"}  # not heard yet: remembered beside the store
        (pending,) = world.sign_outs.identities()
        assert (pending.token, pending.revoke_key) == ("", record["keep"]["revoke_key"])
        world.backend.reachable = True
        world.open().start()  # the app opening again, online
        await settle()
    assert world.backend.tokens == {}
    assert world.sign_outs.identities() == []


async def test_a_sign_out_remembered_offline_keeps_the_revoke_key_not_the_token(world: World) -> None:
    portal = await world.signed_in()
    token = portal.session.store.identity().token  # type: ignore[union-attr]
    world.backend.reachable = False
    await portal.session.sign_out_and_delete()
    (pending,) = world.sign_outs.identities()
    assert pending.token == ""
    assert token not in repr(pending)


async def test_removing_the_pin_gives_the_key_back(world: World) -> None:
    portal = await world.signed_in()
    key = world.keys.load()
    portal.safety.choose_pin("1234", "1234")
    assert world.keys.load() is None  # held only wrapped by the PIN
    portal.safety.remove_pin()
    assert world.keys.load() == key
    assert not has_pin(portal)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_sign_out_while_offline_is_sent_at_the_next_contact(world: World) -> None:
    portal = await world.signed_in()
    world.backend.reachable = False
    await portal.session.sign_out_and_delete()
    assert len(world.backend.tokens) == 1  # the server could not be told
    assert len(world.sign_outs.identities()) == 1  # remembered outside the wiped store
    world.open().start()  # the app opening again, still offline
    await settle()
    assert len(world.sign_outs.identities()) == 1
    world.backend.reachable = True
    world.portal.session.refresh()  # back online
    await settle()
    assert world.backend.tokens == {}
    assert world.sign_outs.identities() == []


async def test_five_wrong_pins_while_offline_end_the_token_at_the_next_contact(world: World) -> None:
    portal = await world.signed_in(pin="1234")
    portal.safety.quick_exit()
    portal.safety.come_back()
    world.backend.reachable = False
    for _ in range(5):
        await portal.safety.unlock("0000")
    assert phase(portal) == "welcome"
    assert len(world.backend.tokens) == 1
    world.backend.reachable = True
    world.open().start()
    await settle()
    assert world.backend.tokens == {}


async def test_a_pin_set_before_the_key_was_wrapped_still_locks_and_moves_to_the_wrapped_key(world: World) -> None:
    portal = await world.signed_in()
    keep_a_pin_the_old_way(portal.session.store)
    reopened = world.open()
    assert phase(reopened) == "locked"
    assert (await reopened.safety.unlock("0000")).tries_left == 4
    assert (await reopened.safety.unlock("1234")).outcome == "unlocked"
    assert phase(reopened) == "ready"
    assert reopened.session.store.setting("lock.pin") is None
    assert has_pin(reopened)
    assert reopened.safety.lock.after_minutes == 5
    assert world.keys.load() is None  # now wrapped by the PIN


def keep_a_pin_the_old_way(store: Store) -> None:
    """A PIN as versions before the wrapped key kept it: in the store itself."""
    import base64
    import hashlib

    salt = b"s" * 16
    verifier = hashlib.scrypt(b"1234", salt=salt, n=2**14, r=8, p=1, dklen=32)
    store.set_setting("lock.pin", base64.b64encode(salt + verifier).decode())
    store.set_setting("lock.after_minutes", "5")


async def test_quick_exit_from_the_lock_with_an_old_style_pin_comes_back_to_the_lock(world: World) -> None:
    portal = await world.signed_in()
    keep_a_pin_the_old_way(portal.session.store)
    await portal.stop()
    reopened = world.open()
    assert phase(reopened) == "locked"
    reopened.safety.quick_exit()
    reopened.safety.come_back()
    assert phase(reopened) == "locked", "Quick exit and Continue must not skip the PIN"
    reopened.safety.to_background()
    world.clock.advance(minutes=1)
    reopened.safety.to_foreground()
    assert phase(reopened) == "locked"


async def test_quick_exit_from_the_lock_of_a_sealed_store_comes_back_to_the_lock(world: World) -> None:
    await world.signed_in(pin="1234")
    portal = opening_locked(world)
    portal.safety.quick_exit()
    portal.safety.come_back()
    assert phase(portal) == "locked"
    assert (await portal.safety.unlock("1234")).outcome == "unlocked"
    assert phase(portal) == "ready"


async def test_the_server_signing_out_while_the_neutral_page_shows_keeps_the_neutral_page(world: World) -> None:
    portal = await world.signed_in()
    portal.safety.quick_exit()
    world.backend.tokens.clear()  # signed out elsewhere
    world.backend.publish_message(CASE, "hello", seq=4)  # the long poll answers; the next is refused
    assert await eventually(lambda: portal.session.identity is None)
    assert phase(portal) == "exited", "nothing about the police appears over the neutral page"
    portal.safety.come_back()
    assert phase(portal) == "welcome"


async def test_a_code_accepted_while_the_neutral_page_shows_still_offers_a_pin(world: World) -> None:
    portal = world.portal
    await portal.session.redeem(world.backend.invite())
    portal.safety.quick_exit()
    await portal.session.verify(world.backend.last_code())  # it was on its way as they left
    assert phase(portal) == "exited"
    portal.safety.come_back()
    assert phase(portal) == "offer_pin"


async def test_nothing_is_marked_read_behind_quick_exit_or_the_lock(world: World) -> None:
    portal = await world.signed_in(pin="1234")
    portal.focus.start_reading(CASE)
    portal.safety.quick_exit()
    await officer_writes(world, "hello", seq=4)
    portal.focus.read_messages(CASE)
    portal.safety.to_background()
    portal.safety.to_foreground()
    portal.safety.come_back()
    assert phase(portal) == "locked"
    portal.focus.read_messages(CASE)
    await asyncio.sleep(0.05)
    assert reads(world) == []
    assert await portal.safety.unlock("1234")
    portal.focus.read_messages(CASE)  # the conversation is on screen again
    assert await eventually(lambda: reads(world) == [(CASE, 4)])
