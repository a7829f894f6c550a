"""Settings that live on the server or come from it: how the police may contact the victim,
the force's own list of support services (kept on the device so it shows offline), and which
store and key provider this device uses."""

from __future__ import annotations

import logging

from app.content import Content, ServiceList, SupportService, merge_services, service_list_from_json
from app.domain import ContactPreferences
from app.feedback import Feedback
from app.observable import Observable
from app.ports import LOCAL_SERVICES, AccountError
from app.session import Session

log = logging.getLogger(__name__)


class Preferences(Observable):
    def __init__(self, session: Session, content: Content, feedback: Feedback, *, key_provider: str) -> None:
        super().__init__()
        self._session = session
        self.content = content
        self.words = content.words
        self._feedback = feedback
        self.key_provider = key_provider  # where the store's key is kept, for Settings

    async def load_contact_preferences(self) -> ContactPreferences | None:
        if (account := self._session.account()) is None:
            return None
        try:
            return await account.contact_preferences()
        except AccountError as exc:
            self._feedback.fail(self._session.trouble(exc))
            return None

    async def save_contact_preferences(self, preferences: ContactPreferences) -> str:
        """Why the choice was refused, in plain words, or "" when it was saved. The refusal is
        the caller's to show beside the choice (not the page's error, out of view at the top)."""
        if (account := self._session.account()) is None:
            return self.words("say.not_signed_in")
        if not preferences.channels:
            return self.words("say.contact_none")
        try:
            await account.save_contact_preferences(preferences)
        except AccountError as exc:
            return self._session.trouble(exc)
        self._feedback.tell(self.words("say.contact_saved"))
        self.changed()
        return ""

    async def fetch_local_services(self) -> None:
        """The force's own support list; the runner keeps it on the device so it shows offline too."""
        if (account := self._session.account()) is None:
            return
        try:
            services = await account.local_services()
        except AccountError:
            return  # the bundled or last-fetched list stays on screen
        if services is not None and (sync := self._session.sync) is not None:
            sync.keep_local_services(services)
            self.changed()

    def support_services(self) -> tuple[list[SupportService], list[SupportService]]:
        """(the force's local services, the national ones)."""
        stored = self._session.store.setting(LOCAL_SERVICES)
        force: ServiceList | None = None
        if stored:
            try:
                force = service_list_from_json(stored)
            except (ValueError, KeyError, TypeError):
                log.warning("the stored local support list does not read back; showing the bundled one")
        return merge_services(self.content.services, force)

    @property
    def device_description(self) -> str:
        """Which store and key provider this device uses, for Settings."""
        store = self._session.store
        return self.words(
            "settings.device.store",
            store=self.words.table.get(f"store.{store.backend}", store.backend),
            keys=self.words.table.get(f"keys.{self.key_provider}", self.key_provider),
        )
