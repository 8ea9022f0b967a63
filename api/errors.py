"""The errors services and routes raise: each class carries its HTTP status and problem type (RFC 9457).

`api/http/problems.py` turns any of them into an `application/problem+json` response.
"""

from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class ValidationIssue(BaseModel):
    """One invalid value: where it is and what is wrong with it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"location": "body", "pointer": "/name", "detail": "Field required"}]}
    )

    location: str = Field(description="Which part of the request: body, query, path or header.")
    pointer: str = Field(description="JSON Pointer (RFC 6901) to the value within that part.")
    detail: str


class ApiError(Exception):
    """Base of the errors routes and services raise; each subclass carries its status and type."""

    status: ClassVar[HTTPStatus] = HTTPStatus.INTERNAL_SERVER_ERROR
    type: ClassVar[str] = "about:blank"
    message: ClassVar[str | None] = None  # the detail when none is given

    def __init__(self, detail: str | None = None, headers: dict[str, str] | None = None) -> None:
        detail = detail if detail is not None else self.message
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.errors: list[ValidationIssue] | None = None


class MalformedRequest(ApiError):
    status = HTTPStatus.BAD_REQUEST
    type = "/problems/malformed-request"


class NotFound(ApiError):
    status = HTTPStatus.NOT_FOUND


class Conflict(ApiError):
    status = HTTPStatus.CONFLICT


class Gone(ApiError):
    status = HTTPStatus.GONE


class PreconditionFailed(ApiError):
    status = HTTPStatus.PRECONDITION_FAILED
    type = "/problems/stale-etag"


class UnsupportedMediaType(ApiError):
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    type = "/problems/unsupported-media-type"


class UnprocessableContent(ApiError):
    """Input that is well-formed but breaks a rule; `errors` points at each bad value."""

    status = HTTPStatus.UNPROCESSABLE_CONTENT
    type = "/problems/validation-error"

    def __init__(self, errors: list[ValidationIssue], detail: str | None = None) -> None:
        super().__init__(detail or count_issues(errors))
        self.errors = errors

    @classmethod
    def from_body_error(cls, error: ValidationError) -> "UnprocessableContent":
        """A pydantic error raised while validating (part of) the request body."""
        return cls(validation_issues(error.errors(), location="body"))


class PreconditionRequired(ApiError):
    status = HTTPStatus.PRECONDITION_REQUIRED
    type = "/problems/if-match-required"


class ServiceUnavailable(ApiError):
    status = HTTPStatus.SERVICE_UNAVAILABLE


class DatabaseUnavailable(ServiceUnavailable):
    """The database did not answer in time; nothing was changed. Safe to retry."""

    type = "/problems/database-unavailable"
    message = "The database is not answering; nothing was changed. Retry shortly."

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "1"})


class OutcomeUnknown(ServiceUnavailable):
    """The database stopped answering while a change was under way: it may or may not have been made."""

    type = "/problems/outcome-unknown"
    message = (
        "The database stopped answering while this change was being made, so it may or may not have been "
        "applied. Retry with the same Idempotency-Key (creates) or the same If-Match (changes) to apply it once."
    )

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "1"})


def json_pointer(path: Sequence[int | str]) -> str:
    """RFC 6901 pointer for a path of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def validation_issues(errors: Iterable[Mapping[str, Any]], location: str | None = None) -> list[ValidationIssue]:
    """Pydantic errors as issues; without `location`, the first element of each `loc` names it."""
    issues = []
    for item in errors:
        path = list(item["loc"])
        where = location if location is not None else str(path.pop(0) if path else "body")
        issues.append(ValidationIssue(location=where, pointer=json_pointer(path), detail=item["msg"]))
    return issues


def count_issues(issues: list[ValidationIssue]) -> str:
    """The detail line of a validation problem: how many values are invalid."""
    return f"The request has {len(issues)} invalid value" + ("s." if len(issues) != 1 else ".")
