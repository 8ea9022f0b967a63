"""JSON Merge Patch (RFC 7396), the body of PATCH."""

from typing import Any


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def merge_diff(source: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    """The merge patch that turns `source` into `target`: what changed, with null for what was removed.

    `merge_patch(source, merge_diff(source, target)) == target` whenever `target` holds no nulls (RFC 7396
    cannot set one), as stored contacts never do.
    """
    patch: dict[str, Any] = dict.fromkeys(source.keys() - target.keys())
    for key, value in target.items():
        if key not in source:
            patch[key] = value
        elif source[key] != value:
            both_objects = isinstance(value, dict) and isinstance(source[key], dict)
            patch[key] = merge_diff(source[key], value) if both_objects else value
    return patch
