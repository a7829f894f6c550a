"""How a webhook delivery is signed, and how a receiver checks it.

    Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

The timestamp is signed with the body, so a receiver that refuses old timestamps refuses a
replayed delivery; the event id (``Portal-Event-Id``) lets it drop one it has already stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Portal-Signature"
EVENT_ID_HEADER = "Portal-Event-Id"
EVENT_TYPE_HEADER = "Portal-Event-Type"
SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Portal-Signature`` header's value for this body sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, now: float, tolerance: float = DEFAULT_TOLERANCE_SECONDS) -> bool:
    """What a receiver does: the header is well formed, recent, and one ``v1`` matches."""
    fields = [part.partition("=") for part in header.split(",")]
    stamps = [value for key, _, value in fields if key.strip() == "t"]
    macs = [value.strip() for key, _, value in fields if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not macs:
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).partition(",v1=")[2]
    return any(hmac.compare_digest(expected, mac) for mac in macs)
