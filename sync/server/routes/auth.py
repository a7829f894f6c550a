from __future__ import annotations

from fastapi import APIRouter, Response, status

from sync.protocol import (
    ChallengePublic,
    InvitationRedeem,
    OfficerLogin,
    TokenPublic,
    TotpConfirm,
    TotpEnrol,
    TotpEnrolmentPublic,
    VictimVerify,
)
from sync.server.deps import Caller, ServicesDep
from sync.server.services import auth

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/officer/login")
async def officer_login(body: OfficerLogin, caller: Caller, services: ServicesDep) -> TokenPublic:
    return await services.db.write(auth.officer_login, services.ctx, caller, body)


@router.post("/officer/totp", status_code=status.HTTP_201_CREATED)
async def totp_enrol(body: TotpEnrol, caller: Caller, services: ServicesDep) -> TotpEnrolmentPublic:
    return await services.db.write(auth.totp_enrol, services.ctx, caller, body)


@router.post("/officer/totp/confirm", status_code=status.HTTP_204_NO_CONTENT)
async def totp_confirm(body: TotpConfirm, caller: Caller, services: ServicesDep) -> Response:
    await services.db.write(auth.totp_confirm, services.ctx, caller, body.totp_code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(caller: Caller, services: ServicesDep) -> Response:
    await services.db.write(auth.logout, services.ctx, caller)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/victim/redeem", status_code=status.HTTP_201_CREATED)
async def victim_redeem(body: InvitationRedeem, caller: Caller, services: ServicesDep) -> ChallengePublic:
    challenge, notification_id = await services.db.write(auth.redeem_invitation, services.ctx, caller, body)
    await services.outbox.deliver_now(notification_id)
    return challenge


@router.post("/victim/verify")
async def victim_verify(body: VictimVerify, caller: Caller, services: ServicesDep) -> TokenPublic:
    return await services.db.write(auth.verify_code, services.ctx, caller, body)
