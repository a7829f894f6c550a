"""Sign-outs the server has not heard yet.

Deleting everything on this device (signing out, or too many wrong PINs) ends the device's
token on the server. When the server cannot be reached just then, the token is remembered
here and ended at the next contact. It is kept beside the store, in a record a reset does not
delete, never inside the store: the wipe deletes the store.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from app.domain import Identity
from app.lock import LockRecord, MemoryLockRecord
from app.ports import AccountError, Connector

log = logging.getLogger(__name__)
FILE = "signouts.json"


class PendingSignOuts:
    def __init__(self, record: LockRecord | None = None) -> None:
        self._record = record or MemoryLockRecord()

    def identities(self) -> list[Identity]:
        record = self._record.load() or {}
        return [Identity(**entry) for entry in record.get("pending", [])]

    def _keep(self, identities: list[Identity]) -> None:
        if identities:
            self._record.save({"pending": [asdict(i) for i in identities]})
        else:
            self._record.delete()

    def add(self, identity: Identity) -> None:
        if identity not in (pending := self.identities()):
            self._keep([*pending, identity])

    async def send(self, connector: Connector) -> None:
        """End every remembered token the server can be reached for; keep the rest for later."""
        finished = []
        for identity in self.identities():
            try:
                await connector.account(identity).sign_out()
            except AccountError as exc:
                if exc.unheard:
                    continue  # try again at the next contact
                log.info("a remembered sign-out was refused (already ended); forgetting it")
            finished.append(identity)
        # read again: a sign-out may have been remembered while these were on their way
        self._keep([i for i in self.identities() if i not in finished])
