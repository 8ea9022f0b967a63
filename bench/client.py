"""Plain HTTP calls for preparing and checking runs (urllib: the timed load is wrk's job)."""

import json
import urllib.error
import urllib.request
from typing import Any

from bench.load import HttpRequest

TIMEOUT = 120.0


class HttpError(RuntimeError):
    """A request that should have succeeded did not."""


def call(base_url: str, request: HttpRequest, n: int = 0, timeout: float = TIMEOUT) -> Any:
    """Send `request` once (path number `n`, `{n}` in the body replaced by `n`) and decode the JSON answer."""
    path = request.paths[n % len(request.paths)]
    body = None if request.body is None else request.body.replace("{n}", f"w{n}").encode()
    return send(request.method, base_url + path, body, timeout=timeout)


def send(
    method: str, url: str, body: bytes | None = None, content_type: str = "application/json", timeout: float = TIMEOUT
) -> Any:
    """One request with `body` labelled `content_type`; the JSON answer decoded (HttpError unless it is 2xx)."""
    prepared = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})  # noqa: S310 (http://127.0.0.1 only)
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:500]
        raise HttpError(f"{method} {url} answered {error.code}: {detail}") from None


def get_json(url: str, timeout: float = TIMEOUT) -> Any:
    """GET `url` and decode its JSON body."""
    return send("GET", url, timeout=timeout)
