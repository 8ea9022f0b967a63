"""What a change may assume about a resource's current version: the `If-Match` of its request."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from api.errors import ApiError, Conflict


@dataclass(frozen=True, slots=True)
class Precondition:
    """Any current version (`*`), or only those listed; an empty list matches nothing."""

    any_version: bool
    versions: frozenset[int]

    def allows(self, version: int) -> bool:
        """Whether a resource at `version` meets the precondition."""
        return self.any_version or version in self.versions

    @property
    def expected_versions(self) -> frozenset[int] | None:
        """The versions a conditional write may match; None for any."""
        return None if self.any_version else self.versions


async def conditionally[Written](
    read: Callable[[], Awaitable[dict[str, Any]]],
    write: Callable[[dict[str, Any]], Awaitable[Written | None]],
    precondition: Precondition | None,
    stale: type[ApiError],
    too_busy: str,
    retries: int = 10,
) -> Written:
    """Read a resource, check `If-Match` against its version, write conditionally on that version.

    `write` answers None when the resource changed since it was read: with If-Match that is a 412 (`stale`);
    without, the change is tried again on the new version, so no concurrent change is lost (a 409 `too_busy`
    after `retries` attempts).
    """
    for _ in range(retries):
        current = await read()
        if precondition is not None and not precondition.allows(current["version"]):
            raise stale
        written = await write(current)
        if written is not None:
            return written
        if precondition is not None:
            raise stale
    raise Conflict(too_busy)
