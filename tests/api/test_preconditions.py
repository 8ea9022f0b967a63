"""Preconditions: which versions a conditional change may match."""

from api.preconditions import Precondition


def test_any_version_allows_every_version_and_lists_none() -> None:
    anything = Precondition(any_version=True, versions=frozenset())

    assert anything.allows(7)
    assert anything.expected_versions is None


def test_listed_versions_allow_only_themselves() -> None:
    listed = Precondition(any_version=False, versions=frozenset({2, 3}))

    assert listed.allows(3)
    assert not listed.allows(4)
    assert listed.expected_versions == frozenset({2, 3})


def test_no_listed_version_allows_nothing() -> None:
    assert not Precondition(any_version=False, versions=frozenset()).allows(1)
