"""Swagger UI at /docs and ReDoc at /redoc, every asset served by this service (nothing from a CDN)."""

from collections.abc import Awaitable, Callable
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/static/docs"
# The pages may load only what this service serves; ReDoc's hard-coded CDN logo is blocked, not fetched.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'; font-src 'self' data:"
)


def _served(page: HTMLResponse) -> Callable[[], Awaitable[HTMLResponse]]:
    """An endpoint answering with this page under the Content-Security-Policy."""
    body = bytes(page.body)

    async def serve() -> HTMLResponse:
        return HTMLResponse(body, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})

    return serve


def install_docs(app: FastAPI) -> None:
    """Serve the interactive documentation offline (create the app with docs_url=None, redoc_url=None)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    swagger_ui = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        swagger_ui_parameters={"validatorUrl": None},
    )
    redoc = get_redoc_html(
        openapi_url="/openapi.json", title=f"{app.title} - ReDoc", redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_URL}/favicon.png", with_google_fonts=False,
    )  # fmt: skip
    app.add_api_route("/docs", _served(swagger_ui), methods=["GET"], include_in_schema=False)
    app.add_api_route("/redoc", _served(redoc), methods=["GET"], include_in_schema=False)
