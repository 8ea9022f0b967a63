"""The top-level shortcut of `_array_paths_for_index_field` (embedded/patches/array_paths.py, and its hunk in the
upstream diff) answers exactly what mongoeco's own walk answers."""

from typing import Any

import pytest
from mongoeco.types import DBRef  # type: ignore[attr-defined]  # re-exported without `as`

from embedded.patches.array_paths import WALK, _array_paths_for_index_field

DOCUMENTS: list[Any] = [
    {},
    {"a": [1, 2], "b": 2, "c": None, "d": {"e": [1]}, "0": [3], "": [4], "t": (1, 2)},
    {"a": [], "b": [[1]], "c": [{"d": [1]}]},
    {"a": DBRef("c", 1), "b": {"$ref": "c", "$id": [1]}},
    DBRef("c", 1),
    [1, 2],
    "text",
]
FIELDS = ["a", "b", "c", "d", "e", "0", "", "t", "d.e", "c.d", "a.0", "b.0.0", "missing"]


@pytest.mark.parametrize("document", DOCUMENTS, ids=repr)
def test_the_shortcut_answers_as_the_walk(document: Any) -> None:
    for field in FIELDS:
        assert _array_paths_for_index_field(document, field) == WALK(document, field), field
