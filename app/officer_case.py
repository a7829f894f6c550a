"""A case in officer mode: the victim and how they may be contacted, the timeline and the
conversation, and what the officer does with it (reply, post an update from a template, send
the invitation again or withdraw it).

Replies go through the sync runner's outbox, so they show at once as Sending and go out when
the network allows; everything else is asked of the server directly, and a refusal is kept
beside the field it is about with what was typed left in place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from app.case_focus import MESSAGE_MAX_CHARS
from app.domain import Case, ShownMessage, Update, shown_state
from app.observable import Observable
from app.officer_ports import Colleague, Invitation, OfficerAccount, OfficerProfile, TemplateOffer
from app.portal import Portal
from app.ports import AccountError, Sync
from app.update_templates import OfficerWords

CaseField = Literal["reply", "update", "invitation", "handover", "decision", "phone_risk"]
Decision = Literal["invite", "never"]


class OfficerCase(Observable):
    def __init__(
        self,
        case_id: str,
        portal: Portal,
        account: Callable[[], OfficerAccount | None],
        profile: Callable[[], OfficerProfile | None],
        words: OfficerWords,
    ) -> None:
        super().__init__()
        self.case_id = case_id
        self._portal = portal
        self._account = account
        self._profile = profile
        self.words = words
        self.offers: list[TemplateOffer] = []  # the server's templates for this case, once asked
        self.colleagues: list[Colleague] = []  # whom it may be handed to (supervisors see the list)
        self.reply_text = ""
        self.template_id: str | None = None
        self.outcome: str | None = None  # chosen when a template closes the case without saying how
        self.update_text = ""
        self.errors: dict[CaseField, str] = {}
        self.notice = ""
        self.busy = False
        self.invitation: Invitation | None = None  # the one this device last sent
        # the officer deciding instead of the force's rules: open, what they chose, and why
        self.deciding = False
        self.decision: Decision | None = None
        self.decision_reason = ""
        self._phone_risk: bool | None = None  # as last marked from this device

    # ------------------------------------------------------------------ what the screen shows

    @property
    def case(self) -> Case | None:
        return self._portal.session.store.case(self.case_id)

    def timeline(self) -> list[Update]:
        return self._portal.session.store.updates(self.case_id)

    def conversation(self) -> list[ShownMessage]:
        case = self.case
        shown = []
        for message in self._portal.session.store.messages(self.case_id):
            mine = message.author_kind == "officer"
            state = shown_state(message, case, me="officer") if (mine and case is not None) else message.state
            shown.append(ShownMessage(message, mine, state))
        return shown

    @property
    def offer(self) -> TemplateOffer | None:
        return next((t for t in self.offers if t.template == self.template_id), None)

    @property
    def needs_outcome(self) -> bool:
        """The chosen template closes the case and the officer says how."""
        offer = self.offer
        return offer is not None and offer.status == "closed" and offer.closed_outcome is None

    @property
    def may_write(self) -> bool:
        """Admins read no cases, so they never see the buttons that change one."""
        profile = self._profile()
        return profile is not None and profile.role != "admin"

    @property
    def may_decide(self) -> bool:
        """The case's officer or a supervisor may override the rules and mark a phone risk."""
        profile, case = self._profile(), self.case
        if profile is None or case is None:
            return False
        return profile.role == "supervisor" or (profile.role == "officer" and case.officer.id == profile.id)

    @property
    def phone_risk(self) -> bool:
        """The mark as the server holds it (synced with the decision), or as this device has just
        set it while that sync is on its way."""
        case = self.case
        note = case.invite_decision if case is not None else None
        synced = note is not None and note.phone_risk
        if self._phone_risk is not None and self._phone_risk != synced:
            return self._phone_risk
        self._phone_risk = None  # the synced case has caught up: from now on it says
        return synced

    # ------------------------------------------------------------------ intents

    def type_reply(self, text: str) -> None:
        self.reply_text = text
        self.errors.pop("reply", None)

    def reply(self) -> bool:
        body = self.reply_text.strip()
        words = self._portal.words
        if not body:
            return self._refuse("reply", words("say.message_empty"))
        if len(body) > MESSAGE_MAX_CHARS:
            return self._refuse("reply", words("say.message_long", limit=MESSAGE_MAX_CHARS))
        sync, profile = self._sync(), self._profile()
        if sync is None or profile is None:
            return self._refuse("reply", words("say.not_signed_in"))
        sync.write_message(self.case_id, body, profile.name, "officer")
        self.reply_text = ""
        self.errors.pop("reply", None)
        self.changed()
        return True

    def retry(self, message_id: str) -> None:
        if (sync := self._sync()) is not None:
            sync.retry(message_id)
        self.changed()

    def seen(self) -> None:
        """The conversation is on screen: the victim sees Read, up to the newest of theirs."""
        case, sync = self.case, self._sync()
        if case is None or sync is None:
            return
        newest = max(
            (m.seq or 0 for m in self._portal.session.store.messages(self.case_id) if m.author_kind == "victim"),
            default=0,
        )
        if newest > case.officer_read_seq:
            sync.mark_read(self.case_id, newest)

    async def load_templates(self) -> None:
        """The Victims' Code templates as they apply to this case, with their deadlines."""
        account = self._account()
        if account is None or not self.may_write:
            return
        try:
            self.offers = await account.update_templates(self.case_id)
        except AccountError as exc:
            self.errors["update"] = self._portal.session.trouble(exc)
        self.changed()

    def choose_template(self, template_id: str) -> None:
        """A template fills the update's text, which stays editable before it is sent."""
        offer = next((t for t in self.offers if t.template == template_id), None)
        words = self.words.templates.get(template_id)
        if offer is None or words is None:
            return
        self.template_id = template_id
        self.outcome = offer.closed_outcome
        self.update_text = words.text
        self.errors.pop("update", None)
        self.changed()

    def choose_outcome(self, outcome: str) -> None:
        if outcome in self.words.outcomes:
            self.outcome = outcome
            self.errors.pop("update", None)
            self.changed()

    def type_update(self, text: str) -> None:
        self.update_text = text
        self.errors.pop("update", None)

    async def post_update(self) -> None:
        text = self.update_text.strip()
        if not text:
            self._refuse("update", self._portal.words("officer.case.update_empty"))
            return
        offer = self.offer
        if offer is not None and offer.status == "closed" and not self.outcome:
            self._refuse("update", self._portal.words("officer.case.outcome_missing"))
            return
        outcome = self.outcome if offer is not None and offer.status == "closed" else None

        async def post(account: OfficerAccount) -> None:
            await account.post_update(
                self.case_id,
                text,
                status=offer.status if offer else None,
                closed_outcome=outcome,
                template=offer.template if offer else None,
            )
            self.update_text = ""
            self.template_id = self.outcome = None
            self.notice = self._portal.words("officer.case.update_posted")

        await self._call("update", post)

    async def load_colleagues(self) -> None:
        """Whom the case may be handed to (its officer or a supervisor may hand it over; an admin
        reads no cases and is offered nothing)."""
        account = self._account()
        if account is None or not self.may_write:
            return
        try:
            self.colleagues = [c for c in await account.colleagues() if c.id != self._officer_id()]
        except AccountError as exc:
            self.errors["handover"] = self._portal.session.trouble(exc)
        self.changed()

    async def hand_over(self, officer_id: str) -> None:
        colleague = next((c for c in self.colleagues if c.id == officer_id), None)
        if colleague is None:
            return

        async def hand(account: OfficerAccount) -> None:
            await account.hand_over(self.case_id, officer_id)
            self.notice = self._portal.words("officer.case.handed_over", name=colleague.name)

        await self._call("handover", hand)

    async def invite(self) -> None:
        """Sends the victim a new invitation (their older unused ones stop working)."""

        async def send(account: OfficerAccount) -> None:
            self.invitation = await account.invite(self.case_id)
            self.notice = self._portal.words("officer.case.invitation_sent")

        await self._call("invitation", send)

    @property
    def withdrawable(self) -> str | None:
        """The id of the victim's latest invitation while it can still be withdrawn (unused)."""
        case = self.case
        note = case.access.invitation if case is not None and case.access is not None else None
        if note is not None:  # the server's word, kept live by sync
            return note.id if note.state in ("sent", "opened") else None
        return self.invitation.id if self.invitation is not None else None

    async def withdraw_invitation(self) -> None:
        invitation_id = self.withdrawable
        if invitation_id is None:
            return

        async def withdraw(account: OfficerAccount) -> None:
            await account.withdraw_invitation(self.case_id, invitation_id)
            self.invitation = None
            self.notice = self._portal.words("officer.case.invitation_withdrawn")

        await self._call("invitation", withdraw)

    def start_deciding(self) -> None:
        self.deciding = True
        self.changed()

    def stop_deciding(self) -> None:
        self.deciding = False
        self.errors.pop("decision", None)
        self.changed()

    def choose_decision(self, decision: Decision) -> None:
        self.decision = decision
        self.errors.pop("decision", None)
        self.changed()

    def type_decision_reason(self, text: str) -> None:
        self.decision_reason = text
        self.errors.pop("decision", None)

    async def save_decision(self) -> None:
        """Overrides the force's rules; the reason is required (the server keeps it, audited)."""
        decision, reason = self.decision, self.decision_reason.strip()
        words = self._portal.words
        if decision is None:
            self._refuse("decision", words("officer.decision.choose"))
            return
        if not reason:
            self._refuse("decision", words("officer.decision.reason_missing"))
            return

        async def save(account: OfficerAccount) -> None:
            await account.decide_invitation(self.case_id, decision, reason)
            self.deciding = False
            self.decision = None
            self.decision_reason = ""
            self.notice = words("officer.decision.saved")

        await self._call("decision", save)

    async def mark_phone_risk(self, at_risk: bool) -> None:
        async def mark(account: OfficerAccount) -> None:
            await account.mark_phone_risk(self.case_id, at_risk)
            self._phone_risk = at_risk

        await self._call("phone_risk", mark)

    # ------------------------------------------------------------------ plumbing

    def _sync(self) -> Sync | None:
        return self._portal.session.sync

    def _refuse(self, field: CaseField, message: str) -> bool:
        self.errors[field] = message
        self.notice = ""
        self.changed()
        return False

    async def _call(self, field: CaseField, work: Callable[[OfficerAccount], Awaitable[None]]) -> None:
        if self.busy:
            return
        account = self._account()
        if account is None:
            self._refuse(field, self._portal.words("say.not_signed_in"))
            return
        self.busy = True
        self.errors.pop(field, None)
        self.notice = ""
        self.changed()
        try:
            await work(account)
        except AccountError as exc:
            # nothing typed is cleared: the reason shows beside the field, and it can be sent again
            self.errors[field] = self._portal.session.trouble(exc)
        finally:
            self.busy = False
            self.changed()
        if field in ("update", "handover", "decision", "phone_risk") and field not in self.errors:
            self._portal.session.refresh()  # the change comes back through the sync feed at once

    def _officer_id(self) -> str:
        case = self.case
        return case.officer.id if case is not None else ""
