"""The case in focus and its conversation: what the case screens show, and what their
buttons do (send a message, ask for an update, mark the conversation read).

Writes go to the sync runner (the store's one writer), which shows them at once and sends
them when it can; this state only reads the store.
"""

from __future__ import annotations

from collections.abc import Callable

from app.content import Content
from app.domain import Case, OutboxItem, ShownMessage, Update, shown_state
from app.feedback import Feedback
from app.observable import Observable
from app.session import Session
from app.store.port import Store

MESSAGE_MAX_CHARS = 4000  # the server's limit (sync/protocol.py); tests/test_layout.py holds them equal


class CaseFocus(Observable):
    def __init__(self, session: Session, content: Content, feedback: Feedback, *, looking: Callable[[], bool]) -> None:
        super().__init__()
        self._session = session
        self.words = content.words
        self._feedback = feedback
        self._looking = looking  # False while the app is hidden: the officer must not see Read
        self.case_id: str | None = None  # the case last looked at
        self.reading_case_id: str | None = None  # the conversation on screen, if any
        session.when_forgotten(self._forget)

    def _forget(self) -> None:
        self.case_id = self.reading_case_id = None

    # ------------------------------------------------------------------ which case

    def open_case(self, case_id: str) -> None:
        if case_id != self.case_id:
            self.case_id = case_id
            self.changed()

    def leave_case(self) -> None:
        """Back to the list of cases."""
        if self.case_id is not None:
            self.case_id = None
            self.changed()

    def focused(self, in_address: str | None = None) -> Case | None:
        """The case the screen is about: the one in the address, else the last one looked at, else the only one."""
        for case_id in (in_address, self.case_id):
            if case_id and (case := self.case(case_id)) is not None:
                return case
        cases = self.cases()
        return cases[0] if len(cases) == 1 else None

    # ------------------------------------------------------------------ what the screens show

    def cases(self) -> list[Case]:
        # open cases first, then the most recently reported
        return sorted(self._store.cases(), key=lambda c: (c.status == "closed", -c.reported_on.toordinal()))

    def case(self, case_id: str) -> Case | None:
        return self._store.case(case_id)

    def updates(self, case_id: str) -> list[Update]:
        return self._store.updates(case_id)

    def conversation(self, case_id: str) -> list[ShownMessage]:
        case = self._store.case(case_id)
        shown = []
        for message in self._store.messages(case_id):
            mine = message.author_kind == "victim"
            state = shown_state(message, case, me="victim") if (mine and case is not None) else message.state
            shown.append(ShownMessage(message, mine, state))
        return shown

    def unread_count(self, case_id: str) -> int:
        case = self._store.case(case_id)
        if case is None:
            return 0
        return sum(
            1
            for m in self._store.messages(case_id)
            if m.author_kind != "victim" and m.seq is not None and m.seq > case.victim_read_seq
        )

    def unsent_requests(self, case_id: str) -> list[OutboxItem]:
        """Update requests the server refused, each with its reason, to show and offer again."""
        return [i for i in self._store.outbox() if i.case_id == case_id and i.kind == "update_request" and i.failed]

    @property
    def _store(self) -> Store:
        return self._session.store

    # ------------------------------------------------------------------ what the buttons do

    def send_message(self, case_id: str, body: str) -> bool:
        """True if the message was accepted for sending (it then shows at once as Sending)."""
        body = body.strip()
        if not body:
            self._feedback.fail(self.words("say.message_empty"))
            return False
        if len(body) > MESSAGE_MAX_CHARS:
            self._feedback.fail(self.words("say.message_long", limit=MESSAGE_MAX_CHARS))
            return False
        sync, identity = self._session.sync, self._session.identity
        if sync is None or identity is None:
            self._feedback.fail(self.words("say.not_signed_in"))
            return False
        sync.write_message(case_id, body, identity.display_name)
        self._feedback.clear_quietly()
        self.changed()
        return True

    def retry(self, item_id: str) -> None:
        """'Not sent — tap to retry', for a message or a refused update request."""
        if self._session.sync is not None:
            self._session.sync.retry(item_id)
        self.changed()

    def request_update(self, case_id: str, note: str = "") -> bool:
        """True if the request was accepted for sending."""
        if self._session.sync is None:
            self._feedback.fail(self.words("say.not_signed_in"))
            return False
        self._session.sync.request_update(case_id, note.strip())
        self._feedback.tell(self.words("say.update_requested"))
        self.changed()
        return True

    def reference_copied(self, reference: str) -> None:
        self._feedback.tell(self.words("case.copied", reference=reference))

    def start_reading(self, case_id: str) -> None:
        """The conversation is on screen (and is marked read as messages arrive, while looked at)."""
        self.reading_case_id = case_id
        self.read_messages(case_id)

    def stop_reading(self) -> None:
        self.reading_case_id = None

    def read_again(self) -> None:
        """Back in view with the conversation on screen: what arrived meanwhile is read now."""
        if self.reading_case_id is not None:
            self.read_messages(self.reading_case_id)

    def read_messages(self, case_id: str) -> None:
        """Tell the officer the conversation has been read, up to the newest message."""
        case = self._store.case(case_id)
        sync = self._session.sync
        if case is None or sync is None or not self._looking():
            return  # nobody is looking: the officer must not see Read
        newest = max((m.seq or 0 for m in self._store.messages(case_id) if m.author_kind != "victim"), default=0)
        if newest > case.victim_read_seq:
            sync.mark_read(case_id, newest)
