"""ETag and precondition parsing."""

import pytest

from api.errors import PreconditionRequired
from api.http.conditional import etag_for, none_match, parse_if_match


def test_etag_is_the_quoted_version() -> None:
    assert etag_for(7) == '"7"'


@pytest.mark.parametrize(
    ("header", "version", "allowed"),
    [
        ('"3"', 3, True),
        ('"3"', 4, False),
        ('"1", "4"', 4, True),
        ("*", 99, True),
        ('W/"3"', 3, False),
        ("3", 3, False),
        ('"three"', 3, False),
        ('"³"', 3, False),
    ],
)
def test_if_match(header: str, version: int, allowed: bool) -> None:
    precondition = parse_if_match(header, required=False)

    assert precondition is not None
    assert precondition.allows(version) is allowed


def test_missing_if_match_is_fine_unless_required() -> None:
    assert parse_if_match(None, required=False) is None
    with pytest.raises(PreconditionRequired):
        parse_if_match(None, required=True)


@pytest.mark.parametrize(
    ("header", "matches"),
    [(None, False), ('"2"', True), ('W/"2"', True), ('"1", "2"', True), ("*", True), ('"3"', False)],
)
def test_if_none_match_uses_weak_comparison(header: str | None, matches: bool) -> None:
    assert none_match(header, 2) is matches
