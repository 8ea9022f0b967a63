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
    prepared = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
        base_url + path, data=body, method=request.method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:500]
        raise HttpError(f"{request.method} {base_url}{path} answered {error.code}: {detail}") from None


def get_json(url: str, timeout: float = TIMEOUT) -> Any:
    """GET `url` and decode its JSON body."""
    return call(url, HttpRequest("GET", [""]), timeout=timeout)
