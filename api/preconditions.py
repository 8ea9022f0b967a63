"""What a change may assume about a resource's current version: the `If-Match` of its request."""

from dataclasses import dataclass


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
