"""The web app asks nobody but its own server for anything.

A victim's browser must never tell a third party that it is using the portal. Flet's Flutter
client has one other host built in: it loads Rive's runtime as a script from cdn.jsdelivr.net
when it starts, though this app shows no Rive animation. So the compiled client
(``main.dart.js``, ``main.dart.wasm``) is served with that address replaced by a path of this
server's own of the same length (the wasm file keeps its layout), where there is nothing: the
script does not load, as on a machine without a network today, and nothing of the app needs it.
Every response also carries a Content-Security-Policy that lets the page reach no other origin;
the page's own inline scripts are allowed by their hashes, not by allowing inline script.

Nothing is downloaded at run time; the client's files are read from the installed ``flet_web``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import flet_web
from starlette.types import ASGIApp, Message, Receive, Scope, Send

RIVE_CDN = b"https://cdn.jsdelivr.net/npm/@rive-app/flutter-native-wasm@44.0.0/"
RIVE_LOCAL = b"/rive-is-not-used/".ljust(len(RIVE_CDN) - 1, b"_") + b"/"  # same length, this origin
CLIENT_FILES = {"main.dart.js": b"text/javascript", "main.dart.wasm": b"application/wasm"}
WEB = Path(flet_web.__file__).resolve().parent / "web"

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'{inline}",
        "style-src 'self' 'unsafe-inline'",  # Flutter positions its elements with inline styles
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",  # includes ws: and wss: to this same host
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def policy(html: bytes = b"") -> str:
    """The Content-Security-Policy for a response; for a page, with the hash of each inline script."""
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode()}'"
        for m in INLINE_SCRIPT.finditer(html)
    )
    return POLICY.format(inline=hashes)


def without_cdn(data: bytes) -> bytes:
    """The client's code with the Rive address pointed at this server (same length)."""
    return data.replace(RIVE_CDN, RIVE_LOCAL)


class OwnOrigin:
    """ASGI middleware around Flet's web app: the patched client files, nothing at the Rive
    path, and the policy header on every HTTP response."""

    def __init__(self, app: ASGIApp, web: Path = WEB) -> None:
        self.app = app
        self.web = web
        self._patched: dict[str, bytes] = {}

    def client_file(self, name: str) -> bytes:
        if name not in self._patched:
            self._patched[name] = without_cdn((self.web / name).read_bytes())
        return self._patched[name]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        name = path.rsplit("/", 1)[-1]
        if path.startswith(RIVE_LOCAL.decode()):
            await _answer(send, 404, b"text/plain", b"Not used.")
        elif name in CLIENT_FILES and scope["method"] in ("GET", "HEAD"):
            await _answer(send, 200, CLIENT_FILES[name], self.client_file(name), head=scope["method"] == "HEAD")
        else:
            await self.app(scope, receive, _with_policy(send))


async def _answer(send: Send, status: int, media: bytes, body: bytes, *, head: bool = False) -> None:
    headers = [
        (b"content-type", media),
        (b"content-length", str(len(body)).encode()),
        (b"content-security-policy", policy().encode()),
        (b"x-content-type-options", b"nosniff"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


def _with_policy(send: Send) -> Send:
    """Adds the policy to the response; a page is held until its end, to hash its inline scripts."""
    start: Message | None = None
    page = bytearray()

    async def sending(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
            is_page = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
            if not is_page:
                await send({**message, "headers": [*headers, (b"content-security-policy", policy().encode())]})
                return
            start = {**message, "headers": headers}
            return
        if start is None or message["type"] != "http.response.body":
            await send(message)
            return
        page.extend(message.get("body", b""))
        if message.get("more_body", False):
            return
        headers = [*start["headers"], (b"content-security-policy", policy(bytes(page)).encode())]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": bytes(page)})

    return sending
