"""Officer mode beside the victim's app: the same session, store, lock, quick exit and sync
runner (the Portal's), with officer mode's own small states around them: signing in, the
caseload, each case in officer mode, and away. One person is signed in on a device at a time."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal, get_args

from app import update_templates
from app.availability import Availability
from app.caseload import Caseload
from app.domain import Identity
from app.eligibility_rules import EligibilityRulesState
from app.observable import Observable
from app.officer_case import OfficerCase
from app.officer_ports import OfficerAccount, OfficerConnector, OfficerProfile, Role
from app.officer_sign_in import OfficerSignInState
from app.portal import Portal
from app.ports import AccountError


class OfficerMode(Observable):
    def __init__(
        self,
        portal: Portal,
        connector: OfficerConnector,
        words: update_templates.OfficerWords | None = None,
    ) -> None:
        super().__init__()
        self.portal = portal
        self._connector = connector
        self.words = words if words is not None else update_templates.load()
        self.sign_in = OfficerSignInState(
            connector, portal.words, signed_in=self._signed_in, trouble=portal.session.trouble
        )
        self.caseload = Caseload(lambda: self.portal.session.store, portal.clock)
        # what the server last said of this officer's availability (asked again when the app opens)
        self._live: OfficerProfile | None = None
        self.availability = self._new_availability()
        self._cases: dict[str, OfficerCase] = {}
        self.rules = self._new_rules()
        # the store changes under the sync runner: the caseload and the open case draw again
        portal.subscribe(self._store_changed)
        portal.session.sync_only_when(self._may_sync)

    # ------------------------------------------------------------------ who is here

    @property
    def active(self) -> bool:
        """Police staff are signed in on this device."""
        identity = self.portal.session.identity
        return identity is not None and identity.kind == "officer"

    @property
    def profile(self) -> OfficerProfile | None:
        identity = self.portal.session.identity
        if identity is None or identity.kind != "officer":
            return None
        if self._live is not None:
            return self._live
        return OfficerProfile("", identity.display_name, identity.collar_number, _role(identity.role), True)

    @property
    def reads_cases(self) -> bool:
        """Admins manage accounts and read no cases (the server refuses them too)."""
        profile = self.profile
        return profile is not None and profile.role != "admin"

    @property
    def reads_rules(self) -> bool:
        """Admins set the force's eligibility rules; supervisors read them."""
        profile = self.profile
        return profile is not None and profile.role in ("admin", "supervisor")

    def someone_else(self, wanting: Literal["victim", "officer"]) -> str:
        """Why this device cannot be used as ``wanting`` now ("" if it can): one person at a time."""
        identity = self.portal.session.identity
        if identity is None or identity.kind == wanting:
            return ""
        return self.portal.words(f"officer.switch.{identity.kind}")

    def account(self) -> OfficerAccount | None:
        identity = self.portal.session.identity
        if identity is None or identity.kind != "officer":
            return None
        return self._connector.officer_account(identity)

    def case(self, case_id: str) -> OfficerCase:
        """The case in officer mode, kept while the app is open (so a half-typed reply stays)."""
        if case_id not in self._cases:
            self._cases[case_id] = OfficerCase(case_id, self.portal, self.account, lambda: self.profile, self.words)
        return self._cases[case_id]

    async def refresh_profile(self) -> None:
        """Who the server says this officer is now (their away message, their usual reply time)."""
        account = self.account()
        if account is None:
            return
        try:
            self._keep(await account.me())
        except AccountError:
            return  # offline: what the device knows stands

    # ------------------------------------------------------------------ plumbing

    def _signed_in(self, identity: Identity, profile: OfficerProfile) -> None:
        # the role and collar number travel with the identity, which the sync runner keeps
        self.portal.session.begin(
            replace(identity, display_name=profile.name, role=profile.role, collar_number=profile.collar_number)
        )
        self._live = profile
        self.availability = self._new_availability()
        self.rules = self._new_rules()
        self.changed()

    def _new_availability(self) -> Availability:
        return Availability(
            self.portal.words, self.account, lambda: self.profile, self._keep, self.portal.session.trouble
        )

    def _new_rules(self) -> EligibilityRulesState:
        return EligibilityRulesState(
            self.portal.words,
            self.account,
            lambda: self.profile is not None and self.profile.role == "admin",
            self.portal.session.trouble,
        )

    @staticmethod
    def _may_sync(identity: Identity) -> bool:
        """Admins read no cases: the server refuses them the feed, so the app does not ask."""
        return identity.kind != "officer" or identity.role != "admin"

    def _keep(self, profile: OfficerProfile) -> None:
        self._live = profile
        self.changed()

    def _store_changed(self) -> None:
        if self.portal.session.identity is None:
            self._cases.clear()  # signed out: nothing typed for a case outlives it
            self._live = None
            self.rules = self._new_rules()  # nothing loaded or typed outlives the session
        else:  # a case handed to someone else takes what was typed for it along
            store = self.portal.session.store
            self._cases = {k: c for k, c in self._cases.items() if store.case(k) is not None}
        self.caseload.changed()
        for case in list(self._cases.values()):
            case.changed()
        self.changed()


def _role(text: str) -> Role:
    roles: tuple[Role, ...] = get_args(Role)
    return next((r for r in roles if r == text), "officer")
