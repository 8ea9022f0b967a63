"""The request bodies the API accepts: JSON (or a JSON merge patch for PATCH), in UTF-8, not compressed.

Anything else is refused before the body is parsed: another media type, a charset other than UTF-8, or
a `Content-Encoding` we do not decode is a 415; JSON that repeats a key in one object is a 400.
"""

import json
from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from api.errors import UnsupportedMediaType

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"
DUPLICATE_KEY = "duplicate key"


def media_type(request: Request) -> str:
    """The request's `Content-Type` without parameters, lower-cased ("" when absent)."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


def _charset(request: Request) -> str | None:
    header = Message()
    header["content-type"] = request.headers.get("content-type", "")
    charset = header.get_param("charset")
    return charset.lower() if isinstance(charset, str) else None


def has_body(request: Request) -> bool:
    """Whether the request carries a body (a non-zero Content-Length, or a chunked one)."""
    return request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers


def check_encoding(request: Request) -> None:
    """Refuse a body in a charset other than UTF-8, or with a `Content-Encoding` (we decode none)."""
    if not has_body(request):
        return
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise UnsupportedMediaType(f"Content-Encoding {encoding[:40]!r} is not supported; send the body as is.")
    charset = _charset(request)
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"charset {charset[:40]!r} is not supported; send the body in UTF-8.")


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise json.JSONDecodeError(f"{DUPLICATE_KEY} {repeated[:50]!r}", "", 0)
    return document


class StrictJSONRequest(Request):
    """A request whose JSON body may not repeat a key within one object (the last one would silently win)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = json.loads(body, object_pairs_hook=_refuse_duplicates)
            except (UnicodeDecodeError, RecursionError, ValueError) as error:
                if isinstance(error, json.JSONDecodeError):
                    raise
                # Bad UTF-8, nesting too deep to parse, a number too long to read: malformed JSON all the same.
                raise json.JSONDecodeError(type(error).__name__, "", 0) from None
        return self._json


class StrictJSONRoute(APIRoute):
    """A route that checks the body's encoding first and parses it with `StrictJSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            check_encoding(request)
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler


# Dependencies are async: FastAPI would run a plain def in a worker thread.
async def require_json(request: Request) -> None:
    """Refuse a request body that is not declared as `application/json`."""
    if media_type(request) != JSON:
        raise UnsupportedMediaType("Send the request body as application/json.")


async def require_merge_patch(request: Request) -> None:
    """Refuse a PATCH body that is not a JSON merge patch (RFC 7396)."""
    if media_type(request) != MERGE_PATCH:
        raise UnsupportedMediaType(f"Send the patch as {MERGE_PATCH}.", headers={"Accept-Patch": MERGE_PATCH})
