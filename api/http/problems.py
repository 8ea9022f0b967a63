"""RFC 9457 problem details, and the one path that turns any error into `application/problem+json`."""

import json
import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pymongo.errors import (
    ConnectionFailure,
    ExecutionTimeout,
    PyMongoError,
    ServerSelectionTimeoutError,
    WTimeoutError,
)
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Send

from api.errors import (
    ApiError,
    DatabaseUnavailable,
    MalformedRequest,
    OutcomeUnknown,
    UnprocessableContent,
    ValidationIssue,
    count_issues,
    validation_issues,
)
from api.http.media_types import DUPLICATE_KEY
from api.observability.context import REQUEST_ID

PROBLEM_MEDIA_TYPE = "application/problem+json"
MAX_ISSUES = 50  # a problem lists at most this many invalid values, whatever the request holds
logger = logging.getLogger("api.errors")
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class ProblemDetails(BaseModel):
    """An RFC 9457 problem document; every error response has this shape."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/validation-error",
                    "title": "Unprocessable Content",
                    "status": 422,
                    "detail": "The request has 1 invalid value.",
                    "errors": [{"location": "body", "pointer": "/name", "detail": "Field required"}],
                }
            ]
        }
    )

    type: str = Field(default="about:blank", description="URI reference naming the problem type.")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str | None = None
    errors: list[ValidationIssue] | None = None
    request_id: str | None = Field(default=None, description="The request's X-Request-ID, to quote when reporting it.")


class ProblemResponse(JSONResponse):
    """A JSON response with the problem media type."""

    media_type = PROBLEM_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return render_problem(content)


def render_problem(content: Any) -> bytes:
    """A problem document as bytes."""
    # ASCII escapes: a problem may quote text that is not encodable as UTF-8 (a lone surrogate).
    return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def problem_details(
    status: int, *, type_: str = "about:blank", detail: str | None = None, errors: list[ValidationIssue] | None = None
) -> ProblemDetails:
    """A problem document; the title is always the status's standard phrase."""
    return ProblemDetails(
        type=type_, title=HTTPStatus(status).phrase, status=status, detail=detail, errors=errors,
        request_id=REQUEST_ID.get(),
    )  # fmt: skip


def problem_of(error: ApiError) -> ProblemDetails:
    """The problem document of an error raised by a route or a service."""
    return problem_details(error.status, type_=error.type, detail=error.detail, errors=error.errors)


def problem(
    status: int,
    *,
    type_: str = "about:blank",
    detail: str | None = None,
    errors: list[ValidationIssue] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ProblemResponse:
    """A problem response."""
    body = problem_details(status, type_=type_, detail=detail, errors=errors)
    return ProblemResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting each error status an operation can return."""
    return {status: {"model": ProblemDetails, "description": HTTPStatus(status).phrase} for status in statuses}


def _expect[E: Exception](error: Exception, kind: type[E]) -> E:
    if not isinstance(error, kind):
        raise TypeError(f"a {kind.__name__} handler got {type(error).__name__}") from error
    return error


async def _on_api_error(request: Request, raised: Exception) -> ProblemResponse:
    error = _expect(raised, ApiError)
    body = problem_of(error).model_dump(exclude_none=True)
    return ProblemResponse(body, status_code=error.status, headers=error.headers)


async def _on_validation_error(request: Request, raised: Exception) -> ProblemResponse:
    error = _expect(raised, RequestValidationError)
    invalid = [item for item in error.errors() if item["type"] == "json_invalid"]
    if invalid:
        reason = str(invalid[0].get("ctx", {}).get("error", ""))
        detail = (
            f"The request body repeats a key in one object ({reason.removeprefix(DUPLICATE_KEY).strip()})."
            if reason.startswith(DUPLICATE_KEY)
            else "The request body is not valid JSON."
        )
        return problem(400, type_=MalformedRequest.type, detail=detail)
    issues = validation_issues(error.errors())
    shown = issues[:MAX_ISSUES]
    detail = count_issues(issues) + (f" The first {MAX_ISSUES} are listed." if len(issues) > MAX_ISSUES else "")
    return problem(422, type_=UnprocessableContent.type, detail=detail, errors=shown)


def _allowed_methods(request: Request) -> str:
    # Starlette's 405 names only the first route matching the path; RFC 9110 wants all of them (HEAD with GET).
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in request.app.routes)
    ]
    if "GET" in allowed and "HEAD" not in allowed:
        allowed.insert(allowed.index("GET") + 1, "HEAD")
    return ", ".join(allowed)


async def _on_http_error(request: Request, raised: Exception) -> ProblemResponse:
    error = _expect(raised, StarletteHTTPException)
    phrase = HTTPStatus(error.status_code).phrase
    detail = error.detail if error.detail and error.detail != phrase else None
    headers = error.headers
    if error.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return problem(error.status_code, detail=detail, headers=headers)


async def _on_unexpected_error(request: Request, error: Exception) -> ProblemResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    # Answered outside the middleware (by Starlette's outermost ServerErrorMiddleware): add its headers here.
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Connection": "close"}
    return problem(500, detail="The server could not complete the request.", headers=headers)


# The database did not answer in time (server selection, connection or the operation's own deadline).
_UNREACHABLE = (ConnectionFailure, ExecutionTimeout, WTimeoutError)
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


async def _on_database_error(request: Request, raised: Exception) -> ProblemResponse:
    error = _expect(raised, PyMongoError)
    if not isinstance(error, _UNREACHABLE) and not getattr(error, "timeout", False):
        return await _on_unexpected_error(request, error)
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(error).__name__)
    # A change whose request may have reached the database has an unknown outcome; a read, or a change that
    # never found a server to send to, changed nothing.
    unsent = isinstance(error, ServerSelectionTimeoutError) or request.method in _SAFE_METHODS
    return await _on_api_error(request, DatabaseUnavailable() if unsent else OutcomeUnknown())


def install_error_handlers(app: FastAPI) -> None:
    """Route every error, expected or not, through the problem+json path."""
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(PyMongoError, _on_database_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected_error)


def problem_bytes(status: int, detail: str, type_: str = "about:blank") -> bytes:
    """The body of a problem, for code below the app (middleware, the HTTP protocol)."""
    return render_problem(problem_details(status, type_=type_, detail=detail).model_dump(exclude_none=True))


async def send_problem(
    send: Send, status: int, detail: str, headers: Mapping[str, str] | None = None, type_: str = "about:blank"
) -> None:
    """Answer with a problem straight through ASGI `send` (for middleware that answers before the app)."""
    body = problem_bytes(status, detail, type_)
    raw = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def send_error(send: Send, error: ApiError, *, closing: bool = False) -> None:
    """Answer with an error's problem through ASGI `send`; `closing` adds `Connection: close`."""
    headers = dict(error.headers or {}) | ({"Connection": "close"} if closing else {})
    await send_problem(send, error.status, error.detail or "", headers, error.type)
