from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from sync.protocol import MessagePublic, MessageSend, ReadMark, ReadPublic
from sync.server.deps import RequestDep, ServicesDep
from sync.server.services import messages

router = APIRouter(prefix="/cases/{case_id}", tags=["messages"])


@router.put(
    "/messages/{client_msg_id}",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": MessagePublic, "description": "Already stored: the original message."}},
)
async def send_message(
    case_id: uuid.UUID,
    client_msg_id: uuid.UUID,
    body: MessageSend,
    request: RequestDep,
    services: ServicesDep,
    response: Response,
) -> MessagePublic:
    created, message = await services.messages.send(messages.SendRequest(request, case_id, client_msg_id, body.body))
    if not created:
        response.status_code = status.HTTP_200_OK
    return message


@router.get("/messages")
async def list_messages(
    case_id: uuid.UUID,
    request: RequestDep,
    services: ServicesDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[MessagePublic]:
    return await services.db.write(messages.list_messages, services.ctx, request, case_id, after, limit)


@router.post("/read")
async def mark_read(case_id: uuid.UUID, body: ReadMark, request: RequestDep, services: ServicesDep) -> ReadPublic:
    return await services.db.write(messages.mark_read, services.ctx, request, case_id, body)
