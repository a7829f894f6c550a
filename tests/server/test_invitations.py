"""Invitations that can be withdrawn: by the officer, or by sending a newer one."""

from __future__ import annotations

import asyncio
import uuid

from sync.protocol import Role
from sync.server.models import audit_event, invitation
from tests.support import Api, Officer


async def people(api: Api) -> tuple[Officer, Officer, Officer, str]:
    api.create_force("tvp", "Thames Valley Police")
    pc1 = await api.add_officer("tvp", "pc1")
    pc2 = await api.add_officer("tvp", "pc2")
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    case = await api.create_case(pc1)
    return pc1, pc2, sergeant, str(case["id"])


def invitation_ids(api: Api, case_id: str) -> list[uuid.UUID]:
    return [r.id for r in api.rows(invitation, invitation.c.case_id == uuid.UUID(case_id))]


async def test_an_officer_withdraws_an_invitation(api: Api) -> None:
    pc1, pc2, sergeant, case_id = await people(api)
    token = await api.invite(pc1, case_id)
    (invitation_id,) = invitation_ids(api, case_id)
    path = f"/cases/{case_id}/invitations/{invitation_id}"
    assert (await api.client.delete(path, headers=pc2.auth)).status_code == 404
    assert (
        await api.client.delete(f"/cases/{case_id}/invitations/{uuid.uuid4()}", headers=pc1.auth)
    ).status_code == 404
    assert (await api.client.delete(path, headers=pc1.auth)).status_code == 204
    assert (await api.client.delete(path, headers=sergeant.auth)).status_code == 204  # already withdrawn: no change
    refused = await api.redeem(token)
    assert refused.status_code == 410
    assert refused.json()["error"] == {
        "code": "invitation_revoked",
        "message": "This invitation was withdrawn. Ask the officer for a new one.",
    }
    (row,) = api.rows(audit_event, audit_event.c.action == "invitation.revoke")
    assert str(row.actor_id) == pc1.id


async def test_a_new_invitation_withdraws_the_older_ones_and_their_codes(api: Api) -> None:
    pc1, _, sergeant, case_id = await people(api)
    first = await api.invite(pc1, case_id)
    challenge = (await api.redeem(first)).json()["challenge_id"]
    code = api.last_code()
    second = await api.invite(pc1, case_id)
    late = await api.verify(challenge, code)  # the code sent for the first invitation
    assert late.status_code == 410
    made = [r.detail for r in api.rows(audit_event, audit_event.c.action == "invitation.create")]
    assert sorted(d["revoked_older"] for d in made) == [0, 1]
    assert (await api.redeem(first)).status_code == 410
    redeemed = await api.redeem(second)
    assert redeemed.status_code == 201
    assert (await api.verify(redeemed.json()["challenge_id"], api.last_code())).status_code == 200
    # Used: it cannot be withdrawn (signing the victim out is another act).
    used_id = next(r.id for r in api.rows(invitation) if r.used_at is not None)
    used = await api.client.delete(f"/cases/{case_id}/invitations/{used_id}", headers=sergeant.auth)
    assert used.status_code == 409


async def test_withdrawing_an_invitation_kills_a_code_already_sent(api: Api) -> None:
    pc1, _, sergeant, case_id = await people(api)
    token = await api.invite(pc1, case_id)
    challenge = (await api.redeem(token)).json()["challenge_id"]
    code = api.last_code()
    (invitation_id,) = invitation_ids(api, case_id)
    assert (
        await api.client.delete(f"/cases/{case_id}/invitations/{invitation_id}", headers=sergeant.auth)
    ).status_code == 204
    late = await api.verify(challenge, code)
    assert late.status_code == 410
    assert late.json()["error"]["code"] == "invitation_revoked"


async def test_of_many_invitations_sent_at_once_only_one_stays_live(api: Api) -> None:
    pc1, _, _, case_id = await people(api)
    sent = await asyncio.gather(
        *(api.client.post(f"/cases/{case_id}/invitations", json={}, headers=pc1.auth) for _ in range(6))
    )
    assert [r.status_code for r in sent] == [201] * 6
    live = api.rows(invitation, invitation.c.revoked_at.is_(None), invitation.c.used_at.is_(None))
    assert len(live) == 1
