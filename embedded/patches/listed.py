"""Listed equalities: an `$or` of equalities on one field, in SQL as one `IN` list instead of one term per value.

The engine translates `{"$or": [{"_id": "a"}, {"_id": "b"}, ...]}` (how the API fetches a batch of contacts by
id or by external id) into `(json_type(f) = 'text' AND json_extract(f) = ?) OR ...`, one term per value, and
SQLite 3.40 parses the stored document again for each JSON call. Every row the query reads, and every row its
implied-predicate probes read, evaluated the terms up to the one that matched: for a batch of 500 ids, about
125,000 JSON parses. Where every term of an OR is that form on one path, with one guard and a non-null
parameter, `_translate_query_plan_with_multikey` now writes `(guard AND json_extract(f) IN (?, ...))`. This is
the same condition: `x IN (a, b)` is `x = a OR x = b` in SQL's three-valued logic, and
`(g AND p) OR (g AND q)` is `g AND (p OR q)`. Terms of another form, or of another field or guard, are kept
as they were, OR-ed with the folded ones.

`_sort_requires_python` (`probes.py`) probes with stock's generic translation, which writes each equality as
a scalar test OR an `EXISTS (SELECT 1 FROM json_each(...))` per value (preparing that statement alone took
17-35 ms for 500 ids). `translate_folded` is that translation with the same fold: one IN list for the scalar
tests and one `json_each.value IN (...)`, since `EXISTS (S WHERE v = a) OR EXISTS (S WHERE v = b)` is
`EXISTS (S WHERE v IN (a, b))`.
"""

import re
from typing import Any

from mongoeco.core.query_plan import AndCondition, OrCondition
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.engines.sqlite_query import translate_query_plan

from embedded.patches.common import original, replace_method

type Fragment = tuple[str, list[object]]
type ListKey = tuple[str, str, str]  # (form, path, guard): equalities that one IN list can replace

_PATH = r"'(?:[^']|'')*'"  # a SQL string literal, as the engine quotes a JSON path
_GUARD = r"= 'text'|IN \('integer', 'real'\)"
_SCALAR = r"json_type\(document, (?P<path>{path})\) (?P<guard>{guard}) AND json_extract\(document, (?P=path)\) = \?"
_EACH = (
    r"json_type\(document, (?P=path)\) = 'array' AND EXISTS \(SELECT 1 FROM json_each\(document, (?P=path)\) "
    r"WHERE json_each\.type (?P=guard) AND json_each\.value = \?\)"
)
# How the engine writes `field == value` for a string or a number: the multikey-aware translation, for a field
# that holds no array, and stock's generic one, which also looks inside an array. Each with its IN form.
_FORMS = {
    "scalar": rf"\({_SCALAR}\)",
    "generic": rf"\(\({_SCALAR}\) OR \({_EACH}\)\)",
}
_EQUALITY = {form: re.compile(text.format(path=_PATH, guard=_GUARD)) for form, text in _FORMS.items()}
_TESTS = {"scalar": 1, "generic": 2}  # each test of the value takes it as a parameter
_PARAMETER_TYPES: dict[str, tuple[type, ...]] = {"= 'text'": (str,), "IN ('integer', 'real')": (int, float)}


def _list_key(fragment: Fragment) -> ListKey | None:
    """What a one-value equality can join: an IN list of its form, path and guard; None for any other term."""
    sql, params = fragment
    for form, pattern in _EQUALITY.items():
        found = pattern.fullmatch(sql)
        if found is None or len(params) != _TESTS[form] or any(value is not params[0] for value in params):
            continue
        value = params[0]
        if isinstance(value, bool) or not isinstance(value, _PARAMETER_TYPES[found["guard"]]):
            return None
        return form, found["path"], found["guard"]
    return None


def _listed(key: ListKey, values: list[object]) -> Fragment:
    form, path, guard = key
    marks = ", ".join("?" * len(values))
    scalar = f"json_type(document, {path}) {guard} AND json_extract(document, {path}) IN ({marks})"
    if form == "scalar":
        return f"({scalar})", values
    each = (
        f"json_type(document, {path}) = 'array' AND EXISTS (SELECT 1 FROM json_each(document, {path}) "  # noqa: S608
        f"WHERE json_each.type {guard} AND json_each.value IN ({marks}))"
    )
    return f"(({scalar}) OR ({each}))", [*values, *values]


def fold_equalities(fragments: list[Fragment]) -> Fragment:
    """The OR of `fragments` as the engine writes it, with the equalities of each form, path and guard folded
    into one IN list (where there are two or more)."""
    groups: dict[ListKey | int, list[Fragment]] = {}
    for position, fragment in enumerate(fragments):
        groups.setdefault(_list_key(fragment) or position, []).append(fragment)
    terms: list[str] = []
    params: list[object] = []
    for key, members in groups.items():
        if isinstance(key, tuple) and len(members) > 1:
            members = [_listed(key, [member[1][0] for member in members])]
        for sql, member_params in members:
            terms.append(sql)
            params.extend(member_params)
    return " OR ".join(f"({term})" for term in terms), params


def translate_folded(plan: Any) -> Fragment:
    """Stock's generic `translate_query_plan`, with each OR's equalities folded into IN lists."""
    if isinstance(plan, AndCondition | OrCondition) and len(plan.clauses) > 1:
        fragments = [translate_folded(clause) for clause in plan.clauses]
        if isinstance(plan, OrCondition):
            return fold_equalities(fragments)
        return " AND ".join(f"({sql})" for sql, _ in fragments), [value for _, params in fragments for value in params]
    sql, params = translate_query_plan(plan)
    return sql, list(params)


def _translate_query_plan_with_multikey(self: SQLiteEngine, db_name: str, coll_name: str, plan: Any) -> Fragment:
    """The engine's translation, with an OR's equalities on one field folded into IN lists."""
    if isinstance(plan, OrCondition) and len(plan.clauses) > 1:
        return fold_equalities([self._translate_query_plan_with_multikey(db_name, coll_name, c) for c in plan.clauses])
    sql, params = original("_translate_query_plan_with_multikey")(self, db_name, coll_name, plan)
    return sql, list(params)


def install() -> None:
    """Replace `_translate_query_plan_with_multikey`."""
    replace_method("_translate_query_plan_with_multikey", _translate_query_plan_with_multikey)
