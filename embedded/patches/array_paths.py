"""Array paths: where a document holds an array along a top-level index field, without the generic walk.

Every insert checks each compound index of the collection for "more than one array field"
(`_validate_compound_multikey_shape`), and each check asks `_array_paths_for_index_field` for every field of
the index. The original walks the document with a nested closure that handles dotted paths, numeric path
parts and DBRefs; for the API's 15 compound indexes that was about 5% of an import's server time.

For a field without a dot in a document that is a `dict` (and not a DBRef), that walk takes exactly these
steps: no value under the field gives no path; a DBRef value is replaced by `as_document()`; a list value gives
the field itself; anything else gives none (a numeric part only matters inside a list, which the top level
never is). Every other case runs the original.
"""

from collections.abc import Callable
from typing import Any

from mongoeco.engines.sqlite import DBRef, SQLiteEngine  # type: ignore[attr-defined]  # DBRef: its import

from embedded.patches import ORIGINAL_ATTRIBUTE
from embedded.patches.common import replace_method

_walk = SQLiteEngine._array_paths_for_index_field
WALK: Callable[[Any, str], set[str]] = getattr(_walk, ORIGINAL_ATTRIBUTE, _walk)  # the original, patched or not


def _array_paths_for_index_field(document: Any, field: str) -> set[str]:
    """`SQLiteEngine._array_paths_for_index_field`, with the top-level case done directly."""
    if "." in field or not isinstance(document, dict) or isinstance(document, DBRef):
        return WALK(document, field)
    if field not in document:
        return set()
    value = document[field]
    if isinstance(value, DBRef):
        value = value.as_document()
    return {field} if isinstance(value, list) else set()


def install() -> None:
    """Replace the static method `_array_paths_for_index_field`."""
    replace_method("_array_paths_for_index_field", _array_paths_for_index_field)
    SQLiteEngine._array_paths_for_index_field = staticmethod(_array_paths_for_index_field)  # type: ignore[method-assign]
