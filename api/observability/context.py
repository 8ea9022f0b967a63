"""The id of the request being served, for log lines and problem documents anywhere below the middleware."""

from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
