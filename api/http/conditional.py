"""Entity tags and the conditional request headers (RFC 9110 section 13) for one contact."""

from api.errors import MalformedRequest, PreconditionRequired
from api.preconditions import Precondition

MAX_TAGS = 20  # more would only make the database's version check larger


def etag_for(version: int) -> str:
    """The strong entity tag of a contact's representation: its version, quoted."""
    return f'"{version}"'


def parse_if_match(header: str | None, *, required: bool) -> Precondition | None:
    """The precondition an `If-Match` header states; weak or foreign tags match nothing (412)."""
    if header is None:
        if required:
            raise PreconditionRequired("Send If-Match with the ETag you last saw.")
        return None
    tags = [tag.strip() for tag in header.split(",", MAX_TAGS)]
    if len(tags) > MAX_TAGS:
        raise MalformedRequest(f"If-Match names at most {MAX_TAGS} entity tags.")
    if "*" in tags:
        return Precondition(any_version=True, versions=frozenset())
    versions = frozenset(int(tag[1:-1]) for tag in tags if _is_version_tag(tag))
    return Precondition(any_version=False, versions=versions)


def none_match(header: str | None, version: int) -> bool:
    """True when `If-None-Match` names the current representation (weak comparison, as RFC 9110 asks)."""
    if header is None:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag_for(version) in tags


def _is_version_tag(tag: str) -> bool:
    return len(tag) > 2 and tag[0] == tag[-1] == '"' and tag[1:-1].isascii() and tag[1:-1].isdigit() and len(tag) < 20
