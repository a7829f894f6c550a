"""The interactive API docs (Swagger UI), served from this server alone.

The page's script and styles come from the ``fastapi-offline`` package's copy of Swagger UI,
never a CDN: the docs work offline, and no other host learns who reads them. They are on in
development; in production only with ``PORTAL_API_DOCS=true``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from sync.server.settings import Settings

DOCS_URL = "/docs"
OPENAPI_URL = "/openapi.json"
ASSETS_URL = "/docs/assets"
_ASSETS = Path(fastapi_offline.__file__).parent / "static"


def docs_enabled(settings: Settings) -> bool:
    return settings.api_docs if settings.api_docs is not None else settings.environment == "development"


def install_docs(app: FastAPI) -> None:
    """``/docs`` and its assets; the app must be built with ``docs_url=None, redoc_url=None``."""
    # Relative addresses, so the page also works behind a proxy that serves it under a prefix.
    page = get_swagger_ui_html(
        openapi_url=OPENAPI_URL.lstrip("/"),
        title=f"{app.title} - docs",
        swagger_js_url=f"{ASSETS_URL.lstrip('/')}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL.lstrip('/')}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL.lstrip('/')}/favicon.png",
    ).body
    # The page's one inline script (which starts Swagger UI) is allowed by its hash, not by
    # allowing inline scripts; everything else comes from this server.
    inline = re.findall(rb"<script>(.*?)</script>", page, re.DOTALL)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'" for s in inline)
    policy = (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    app.mount(ASSETS_URL, StaticFiles(directory=_ASSETS), name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": policy})
