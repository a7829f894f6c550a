from __future__ import annotations

from fastapi import APIRouter, Response, status

from sync.protocol import (
    ChallengePublic,
    InvitationRedeem,
    OfficerLogin,
    OfficerSetup,
    PasswordChange,
    SessionRevoke,
    TokenPublic,
    TotpConfirm,
    TotpEnrol,
    TotpEnrolmentPublic,
    VictimVerify,
)
from sync.server.deps import RequestDep, ServicesDep
from sync.server.services import accounts, authenticator, devices, officer_sign_in, setup_codes, victim_sign_in

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/officer/login")
async def officer_login(body: OfficerLogin, request: RequestDep, services: ServicesDep) -> TokenPublic:
    return await services.db.write(officer_sign_in.officer_login, services.ctx, request, body)


@router.post("/officer/setup", status_code=status.HTTP_204_NO_CONTENT)
async def officer_setup(body: OfficerSetup, request: RequestDep, services: ServicesDep) -> Response:
    """A new officer, or one whose password was reset, chooses a password with their one-time set-up code."""
    await services.db.write(setup_codes.set_password, services.ctx, request, body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/officer/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(body: PasswordChange, request: RequestDep, services: ServicesDep) -> Response:
    """An officer changes their own password; their other devices are signed out."""
    await services.db.write(accounts.change_password, services.ctx, request, body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/officer/totp", status_code=status.HTTP_201_CREATED)
async def totp_enrol(body: TotpEnrol, request: RequestDep, services: ServicesDep) -> TotpEnrolmentPublic:
    return await services.db.write(authenticator.totp_enrol, services.ctx, request, body)


@router.post("/officer/totp/confirm", status_code=status.HTTP_204_NO_CONTENT)
async def totp_confirm(body: TotpConfirm, request: RequestDep, services: ServicesDep) -> Response:
    await services.db.write(authenticator.totp_confirm, services.ctx, request, body.totp_code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(request: RequestDep, services: ServicesDep) -> Response:
    await services.db.write(devices.logout, services.ctx, request)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/revoke", status_code=status.HTTP_204_NO_CONTENT)
async def revoke(body: SessionRevoke, request: RequestDep, services: ServicesDep) -> Response:
    """Ends the session a revoke key (from sign-in) belongs to; needs no token. The same answer
    whether or not the key was known."""
    await services.db.write(devices.revoke, services.ctx, request, body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/victim/redeem", status_code=status.HTTP_201_CREATED)
async def victim_redeem(body: InvitationRedeem, request: RequestDep, services: ServicesDep) -> ChallengePublic:
    challenge, notification_id = await services.db.write(victim_sign_in.redeem_invitation, services.ctx, request, body)
    await services.outbox.deliver_now(notification_id)
    return challenge


@router.post("/victim/verify")
async def victim_verify(body: VictimVerify, request: RequestDep, services: ServicesDep) -> TokenPublic:
    return await services.db.write(victim_sign_in.verify_code, services.ctx, request, body)
