"""Security headers on every response, the sync fast path's included (this wraps it).

Every answer may hold case data, so none is stored by a browser or proxy (``no-store``);
none is sniffed into another type, framed, or sent on as a referrer. HSTS is sent when the
request came over HTTPS, directly or (with ``PORTAL_TRUSTED_PROXIES`` > 0) through a proxy
that says so. A response that sets one of these itself (the docs page's own policy) keeps it.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = (
    ("cache-control", "no-store"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    # JSON needs nothing from a page: a response opened in a browser may run and load nothing.
    ("content-security-policy", "default-src 'none'; frame-ancestors 'none'"),
)
HSTS = ("strict-transport-security", "max-age=63072000; includeSubDomains")
# Encoded once: this runs on every answer, the hot sync poll's included.
_RAW = tuple((name.encode(), value.encode()) for name, value in ALWAYS)
_RAW_WITH_HSTS = (*_RAW, (HSTS[0].encode(), HSTS[1].encode()))


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, trusted_proxies: int) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self._came_over_https(scope)

        extra = _RAW_WITH_HSTS if https else _RAW

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in extra if header[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _came_over_https(self, scope: Scope) -> bool:
        if scope.get("scheme") == "https":
            return True
        if self.trusted_proxies <= 0:
            return False  # anyone can send X-Forwarded-Proto; only a trusted proxy's counts
        hops = [h.strip() for h in Headers(scope=scope).get("x-forwarded-proto", "").split(",") if h.strip()]
        return len(hops) >= self.trusted_proxies and hops[-self.trusted_proxies].lower() == "https"
