"""Every error the API answers with, as ``{"error": {"code", "message"}}``.

    ApiError (4xx, code, message a person can act on)
     ├── BadRequest          400  malformed input the schema could not catch
     ├── Unauthorized        401  no token, or one that is unknown, expired or revoked
     ├── Forbidden           403  a known caller without the right to do this
     ├── NotFound            404  unknown id, or one the caller may not know exists
     ├── Conflict            409  clashes with what is stored
     ├── Gone                410  expired or already used (invitations, codes)
     ├── PayloadTooLarge     413
     └── TooManyRequests     429  with Retry-After

Messages never echo stored data back: a refused caller learns nothing about the thing refused.
"""

from __future__ import annotations


class ApiError(Exception):
    status = 400
    code = "bad_request"
    # True for refusals that must still be recorded (a wrong code counts as a try).
    keep_changes = False

    def __init__(self, message: str, *, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.headers = headers or {}


class BadRequest(ApiError):
    status = 400
    code = "bad_request"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"

    def __init__(
        self, message: str = "Sign in again: your session is missing, expired or ended.", *, code: str | None = None
    ):
        super().__init__(message, code=code, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class Gone(ApiError):
    status = 410
    code = "gone"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class TooManyRequests(ApiError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None):
        super().__init__(message, code=code, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = retry_after


CASE_NOT_FOUND = "No case with that id is available to you."
