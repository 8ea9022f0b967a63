"""Implied predicates: redundant, index-friendly terms proven to follow from a filter in the current snapshot.

SQLite cannot seek on the engine's WHERE clause (`CASE ... END > ? OR (json_type(...) = 'text' AND
json_extract(...) > ?)`). From the query plan, `field_bounds` derives for each field a BSON sort bucket
`B` and bounds `lo <= value <= hi`. Only string, datetime and number values are used: the SQL value of a
string or a datetime is a canonical, order-preserving text, and every value in the number bucket is a plain
JSON integer or real (tagged numbers sort in other buckets), which SQLite compares numerically, as BSON does.
The bounds hold for every matching row whose `bucket(field) == B`: AND
keeps the tighter bound and OR the looser one. `implied_predicates` then runs two indexed probes on the
same connection (the same read snapshot): is there a row matching the original WHERE whose `bucket(field)`
is below `B`, or above it? Only when there is none does it add `bucket(field) = B AND value(field) >= lo
[AND <= hi]`. Those terms are implied by the WHERE clause for this snapshot, so the rows returned do not
change; only the access path does.

Where every matching row of bucket `B` has one of a few listed values (an equality, or an `$or` of equalities
on one field: how the API fetches a page of contacts by id), the bounds become `value(field) IN (...)`, so
SQLite seeks each value instead of walking every row between the lowest and the highest.

A field is used only when an accelerator has it right after fields already fixed by an equality (or listed),
because that is where the added terms let SQLite seek. An `_id` equality is used alone: it reads at most one
row.
"""

import math
from dataclasses import dataclass, field
from typing import Any, TypeIs

from mongoeco.core.query_plan import (
    AndCondition,
    EqualsCondition,
    GreaterThanCondition,
    GreaterThanOrEqualCondition,
    LessThanCondition,
    LessThanOrEqualCondition,
    OrCondition,
)
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.engines.sqlite_query import _normalize_comparable_value

from embedded.patches.accelerators import declared_keys
from embedded.patches.common import (
    DATETIME_BUCKET,
    NUMBER_BUCKET,
    STRING_BUCKET,
    bucket_sql,
    exists_sql,
    is_plain_field,
    value_sql,
)

type Value = str | int | float
type Bound = tuple[int, Value | None, Value | None]
"""(bucket B, lo, hi): a matching row with bucket(field) == B has lo <= value(field) <= hi; None is open."""

_BUCKET_OF_TYPE = {"string": STRING_BUCKET, "datetime": DATETIME_BUCKET, "number": NUMBER_BUCKET}
MAX_LISTED = 1000  # values in one IN list (SQLite allows 32,766 parameters per statement)


@dataclass(slots=True)
class Implied:
    """The added WHERE terms and their parameters, and the fields whose bucket, or value, they fix."""

    clauses: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)
    fixed_bucket: set[str] = field(default_factory=set)
    fixed_value: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)  # fields whose value is one of a list: seekable, not constant


def _bucket_and_value(value: object) -> tuple[int, Value] | None:
    """The sort bucket and SQL value of a string, datetime or finite number query value, else None."""
    try:
        value_type, comparable = _normalize_comparable_value(value)
    except (NotImplementedError, TypeError, ValueError):
        return None
    bucket = _BUCKET_OF_TYPE.get(value_type)
    if bucket is None or not _comparable(comparable):
        return None
    return bucket, comparable


def _comparable(value: object) -> TypeIs[Value]:
    # A bool is an int to Python, but sorts in its own bucket; NaN and the infinities have no JSON number.
    if isinstance(value, bool):
        return False
    return isinstance(value, str | int) or (isinstance(value, float) and math.isfinite(value))


def _merge_and(merged: dict[str, Bound], name: str, bound: Bound) -> None:
    current = merged.get(name)
    if current is None:
        merged[name] = bound
        return
    if current[0] != bound[0]:
        return  # keep the first bucket: the other conjunct says nothing about it
    lows = [value for value in (current[1], bound[1]) if value is not None]
    highs = [value for value in (current[2], bound[2]) if value is not None]
    merged[name] = (current[0], max(lows, default=None), min(highs, default=None))


def _merge_or(branches: list[dict[str, Bound]]) -> dict[str, Bound]:
    merged: dict[str, Bound] = {}
    for name, first in branches[0].items():
        bounds = [branch.get(name) for branch in branches]
        known = [bound for bound in bounds if bound is not None and bound[0] == first[0]]
        if len(known) != len(bounds):
            continue
        lows = [bound[1] for bound in known]
        highs = [bound[2] for bound in known]
        low = None if None in lows else min(value for value in lows if value is not None)
        high = None if None in highs else max(value for value in highs if value is not None)
        if low is not None or high is not None:
            merged[name] = (first[0], low, high)
    return merged


def field_bounds(plan: Any) -> dict[str, Bound]:
    """Per top-level field, the bucket and value bounds that every row matching `plan` in that bucket obeys."""
    if isinstance(
        plan,
        EqualsCondition
        | GreaterThanCondition
        | GreaterThanOrEqualCondition
        | LessThanCondition
        | LessThanOrEqualCondition,
    ):
        found = _bucket_and_value(plan.value) if is_plain_field(plan.field) else None
        if found is None:
            return {}
        bucket, value = found
        if isinstance(plan, EqualsCondition):
            return {plan.field: (bucket, value, value)}
        if isinstance(plan, GreaterThanCondition | GreaterThanOrEqualCondition):
            return {plan.field: (bucket, value, None)}
        return {plan.field: (bucket, None, value)}
    if isinstance(plan, AndCondition):
        merged: dict[str, Bound] = {}
        for clause in plan.clauses:
            for name, bound in field_bounds(clause).items():
                _merge_and(merged, name, bound)
        return merged
    if isinstance(plan, OrCondition) and plan.clauses:
        return _merge_or([field_bounds(clause) for clause in plan.clauses])
    return {}


def field_values(plan: Any) -> dict[str, tuple[int, frozenset[Value]]]:
    """Per top-level field, the bucket B and the values that every row matching `plan` in that bucket has one of."""
    if isinstance(plan, EqualsCondition):
        found = _bucket_and_value(plan.value) if is_plain_field(plan.field) else None
        return {} if found is None else {plan.field: (found[0], frozenset((found[1],)))}
    if isinstance(plan, AndCondition):
        merged: dict[str, tuple[int, frozenset[Value]]] = {}
        for clause in plan.clauses:
            for name, (bucket, values) in field_values(clause).items():
                current = merged.get(name)
                if current is None or (current[0] == bucket and len(values) < len(current[1])):
                    merged[name] = (bucket, values)  # each conjunct's list holds: keep the shortest
        return merged
    if isinstance(plan, OrCondition) and plan.clauses:
        branches = [field_values(clause) for clause in plan.clauses]
        listed: dict[str, tuple[int, frozenset[Value]]] = {}
        for name, (bucket, _) in branches[0].items():
            lists = [branch.get(name) for branch in branches]
            if all(found is not None and found[0] == bucket for found in lists):
                values = frozenset().union(*(found[1] for found in lists if found is not None))
                if len(values) <= MAX_LISTED:
                    listed[name] = (bucket, values)
        return listed
    return {}


def implied_predicates(
    engine: SQLiteEngine, db_name: str, coll_name: str, plan: Any, where_sql: str, where_params: list[object]
) -> Implied:
    """The implied terms for `where_sql` that hold in this snapshot, for fields that can seek an accelerator."""
    implied = Implied()
    remaining = field_bounds(plan)
    if not remaining:
        return implied
    lists = field_values(plan)
    identity = remaining.get("_id")
    if identity is not None and identity[1] is not None and identity[1] == identity[2]:
        # `_id` is unique: its seek reads at most one row. Left with other implied terms (the tenant), SQLite,
        # which has no statistics, may prefer their index and walk every row of the tenant instead.
        remaining = {"_id": identity}
    accelerators = [tuple(name for name, _ in key) for key in declared_keys(engine, db_name, coll_name)]
    conn = engine._require_connection()
    while True:
        # Fields bounded by an equality first: fixing them extends the prefix that the index can seek.
        candidates = sorted(remaining, key=lambda name: remaining[name][1] != remaining[name][2] and name not in lists)
        seekable = [
            name
            for name in candidates
            if any(
                name in acc and set(acc[: acc.index(name)]) <= implied.fixed_value | implied.listed
                for acc in accelerators
            )
        ]
        if not seekable:
            return implied
        name = seekable[0]
        bucket, low, high = remaining.pop(name)
        prefix = "".join(f"{clause} AND " for clause in implied.clauses)
        if any(
            conn.execute(
                exists_sql(f"{prefix}{bucket_sql(name)} {operator} ? AND ({where_sql})"),
                (db_name, coll_name, *implied.params, bucket, *where_params),
            ).fetchone()
            is not None
            for operator in ("<", ">")
        ):
            continue  # some matching row has another type here: nothing is implied for this field
        implied.clauses.append(f"{bucket_sql(name)} = ?")
        implied.params.append(bucket)
        implied.fixed_bucket.add(name)
        if low is not None and low == high:
            implied.clauses.append(f"{value_sql(name)} = ?")
            implied.params.append(low)
            implied.fixed_value.add(name)
            continue
        listed = lists.get(name)
        if listed is not None and listed[0] == bucket:
            implied.clauses.append(f"{value_sql(name)} IN ({', '.join('?' * len(listed[1]))})")
            implied.params.extend(sorted(listed[1]))
            implied.listed.add(name)
            continue
        if low is not None:
            implied.clauses.append(f"{value_sql(name)} >= ?")
            implied.params.append(low)
        if high is not None:
            implied.clauses.append(f"{value_sql(name)} <= ?")
            implied.params.append(high)
