"""Secrets: how tokens, codes and passwords are made, stored and checked.

Tokens and codes are stored only as HMAC-SHA256 digests keyed with the server secret, so a
copy of the database alone does not let anyone sign in, nor test guesses offline.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

OFFICER_TOKEN_PREFIX = "vpo_"
VICTIM_TOKEN_PREFIX = "vpv_"
INTEGRATION_KEY_PREFIX = "vpk_"
REVOKE_KEY_PREFIX = "vpr_"  # ends one device's session and does nothing else

# argon2id with the library's current recommended parameters (RFC 9106, low memory).
STRONG_PASSWORD_HASHING: Parameters = profiles.RFC_9106_LOW_MEMORY
# The cheapest argon2id there is: only for tests, which make hundreds of accounts. Production refuses it.
FAST_PASSWORD_HASHING: Parameters = profiles.CHEAPEST


class Secrets:
    def __init__(self, secret_key: str) -> None:
        self._key = hashlib.sha256(b"portal-token-digest\0" + secret_key.encode()).digest()
        self._aead = AESGCM(hashlib.sha256(b"portal-field-seal\0" + secret_key.encode()).digest())
        self._nonce_key = hashlib.sha256(b"portal-seal-nonce\0" + secret_key.encode()).digest()

    def digest(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()

    def seal(self, plaintext: str, *, context: str, deterministic: bool = False) -> str:
        """AES-GCM under a key from the server secret; ``context`` binds it to one use.

        ``deterministic``: the nonce derives from the plaintext (as in SIV), so one value always
        seals the same way and a nonce is never reused for another value; for values whose
        equality may show (a sync cursor that has not moved must read the same)."""
        if deterministic:
            derived = hmac.new(self._nonce_key, context.encode() + b"\0" + plaintext.encode(), hashlib.sha256)
            nonce = derived.digest()[:12]
        else:
            nonce = secrets.token_bytes(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def unseal(self, sealed: str, *, context: str) -> str:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def new_invitation_token() -> str:
    # Short enough to paste from a text message, long enough (160 bits) never to be guessed.
    return secrets.token_urlsafe(20)


def new_setup_code() -> str:
    # Typed or pasted once by an officer from a message an admin passes on; 120 bits.
    return secrets.token_urlsafe(15)


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


class Passwords:
    """Hashes and checks officers' passwords (argon2id). Part of the server's context, so the
    cost is a setting: production's strong parameters, or the cheapest for the test suite."""

    def __init__(self, parameters: Parameters = STRONG_PASSWORD_HASHING) -> None:
        self.parameters = parameters
        self._hasher = PasswordHasher.from_parameters(parameters)
        # Verifying against this keeps an unknown username as slow as a wrong password.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_step(secret: str, code: str, *, now: datetime, after_step: int | None) -> int | None:
    """The time step ``code`` is valid for (one step of clock drift allowed), or None.

    A step at or before ``after_step`` was already used: refusing it stops a code being replayed.
    """
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
