"""Dependencies as `Annotated` aliases, so routes read like sentences."""

from email.message import Message
from typing import Annotated

from fastapi import Depends, Request

from api.errors import UnsupportedMediaType
from api.settings import Settings


def get_app_settings(request: Request) -> Settings:
    """The settings the running app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_cursor_secret(request: Request) -> bytes:
    """The key that signs this app's pagination cursors."""
    secret: bytes = request.state.cursor_secret
    return secret


def require_json(request: Request) -> None:
    """Refuse a request body that is not declared as JSON (`application/json` or `*/*+json`)."""
    header = request.headers.get("content-type")
    message = Message()
    message["content-type"] = header or ""
    subtype = message.get_content_subtype()
    if (
        not header
        or message.get_content_maintype() != "application"
        or not (subtype == "json" or subtype.endswith("+json"))
    ):
        raise UnsupportedMediaType("Send the request body as application/json.")


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
CursorSecret = Annotated[bytes, Depends(get_cursor_secret)]
JSON_BODY = [Depends(require_json)]
