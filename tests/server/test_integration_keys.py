"""A force's record-system keys: listed and revoked by admins, rotated, refused at once once revoked."""

from __future__ import annotations

import uuid

from sync.protocol import Role
from sync.server.models import audit_event
from tests.support import Api, bearer


async def status(api: Api, auth: dict[str, str]) -> int:
    """401 for a key the server does not honour; 403 for one it knows (a key is not an officer)."""
    return (await api.client.get("/officers/me", headers=auth)).status_code


async def test_a_revoked_key_is_refused_at_once_and_a_rotated_key_replaces_it(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    api.create_force("hiow", "Hampshire & Isle of Wight Constabulary")
    admin = await api.add_officer("tvp", "admin", Role.ADMIN)
    pc = await api.add_officer("tvp", "pc1")
    first = bearer(api.integration_keys["tvp"])
    assert await status(api, first) == 403  # known (and now cached by this worker), not an officer

    assert (await api.client.get("/integration-keys", headers=pc.auth)).status_code == 403
    assert (await api.client.get("/integration-keys", headers=first)).status_code == 403
    listed = (await api.client.get("/integration-keys", headers=admin.auth)).json()
    assert [(k["label"], k["revoked_at"]) for k in listed] == [("first key", None)]
    assert api.integration_keys["tvp"] not in str(listed)
    key_id = listed[0]["id"]

    rotated = await api.client.post(f"/integration-keys/{key_id}/rotate", headers=admin.auth)
    assert rotated.status_code == 201
    second = bearer(rotated.json()["key"])
    assert rotated.json()["label"] == "first key"
    assert await status(api, first) == 401
    assert await status(api, second) == 403
    again = await api.client.post(f"/integration-keys/{key_id}/rotate", headers=admin.auth)
    assert again.status_code == 409

    revoked = await api.client.post(f"/integration-keys/{rotated.json()['id']}/revoke", headers=admin.auth)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert await status(api, second) == 401
    assert all(k["revoked_at"] for k in (await api.client.get("/integration-keys", headers=admin.auth)).json())

    # the other force's key (the audit rows come back in no set order)
    tvp_keys = {k["id"] for k in (await api.client.get("/integration-keys", headers=admin.auth)).json()}
    created = api.rows(audit_event, audit_event.c.action == "integration_key.create")
    (hiow_key,) = [r.detail["key_id"] for r in created if r.detail["key_id"] not in tvp_keys]
    assert (await api.client.post(f"/integration-keys/{hiow_key}/revoke", headers=admin.auth)).status_code == 404
    assert (await api.client.post(f"/integration-keys/{uuid.uuid4()}/revoke", headers=admin.auth)).status_code == 404
    actions = [r.action for r in api.rows(audit_event, audit_event.c.actor_id == uuid.UUID(admin.id))]
    assert actions.count("integration_key.revoke") == 2
    assert actions.count("integration_key.create") == 1
