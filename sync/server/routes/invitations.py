from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from sync.protocol import InvitationCreate, InvitationPublic
from sync.server.deps import RequestDep, ServicesDep
from sync.server.notify.outbox import load as load_notification
from sync.server.services import invitations

router = APIRouter(prefix="/cases/{case_id}/invitations", tags=["invitations"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_invitation(
    case_id: uuid.UUID, body: InvitationCreate, request: RequestDep, services: ServicesDep
) -> InvitationPublic:
    """Sends the victim a new invitation; their older unused ones stop working."""
    invitation = await services.db.write(invitations.create_invitation, services.ctx, request, case_id, body)
    await services.outbox.deliver_now(invitation.notification_id)
    delivery = await services.db.read(load_notification, invitation.notification_id)
    return InvitationPublic(
        id=invitation.id,
        case_id=case_id,
        channel=invitation.channel,
        expires_at=invitation.expires_at,
        delivery=delivery,
    )


@router.delete("/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_invitation(
    case_id: uuid.UUID, invitation_id: uuid.UUID, request: RequestDep, services: ServicesDep
) -> Response:
    """Withdraws an unused invitation, and any sign-in code already sent for it."""
    await services.db.write(invitations.revoke, services.ctx, request, case_id, invitation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
