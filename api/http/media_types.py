"""The request media types the API accepts, checked before a body is parsed (415 otherwise)."""

from fastapi import Request

from api.errors import UnsupportedMediaType

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"


def media_type(request: Request) -> str:
    """The request's `Content-Type` without parameters, lower-cased ("" when absent)."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


# Dependencies are async: FastAPI would run a plain def in a worker thread.
async def require_json(request: Request) -> None:
    """Refuse a request body that is not declared as `application/json`."""
    if media_type(request) != JSON:
        raise UnsupportedMediaType("Send the request body as application/json.")


async def require_merge_patch(request: Request) -> None:
    """Refuse a PATCH body that is not a JSON merge patch (RFC 7396)."""
    if media_type(request) != MERGE_PATCH:
        raise UnsupportedMediaType(f"Send the patch as {MERGE_PATCH}.", headers={"Accept-Patch": MERGE_PATCH})
