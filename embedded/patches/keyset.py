"""Sorted reads: the engine's SELECT with implied predicates, and an ORDER BY that an accelerator serves.

`_build_select_sql` makes the same upstream call with two changes when there is no hint (a hint forces
an index, so that SQL is left untouched):

- the WHERE clause gets the implied predicates of `implied.implied_predicates`, so SQLite can seek;
- ORDER BY loses the terms that those predicates make constant. SQLite does not see that a term such as
  `bucket(name) = 3` makes the *expression* `bucket(name)` constant, and would sort the rows again.

`_build_scalar_sort_select_sql` declines single-field sorts on a field of an accelerator, so the generic
`ORDER BY bucket, value` (the accelerator's order) is used. Whenever the scalar path applies (one scalar
type in the whole collection), its `ORDER BY value` gives the same order. Declining also skips that path's
full-collection COUNT, which runs again after every write. A field behind the accelerator's first, such as
`seq` in `(owner, seq)`, counts too: with the fields before it fixed by the filter's equalities, the implied
predicates let the accelerator serve the sort; without them the generic path sorts the matching rows, as the
scalar path would, minus the COUNT.
"""

from typing import Any

from mongoeco.compat import MONGODB_DIALECT_70
from mongoeco.core.sql_translation import SQLSelectStatement
from mongoeco.engines._sqlite_fast_paths import build_select_sql
from mongoeco.engines.sqlite import SQLiteEngine

from embedded.patches.accelerators import declared_keys
from embedded.patches.common import bucket_sql, original, replace_method, value_sql
from embedded.patches.implied import Implied, implied_predicates


def order_by_sql(sort: Any, implied: Implied) -> str:
    """`translate_sort_spec(sort)` without the terms that `implied` proves constant over the result."""
    parts: list[str] = []
    for name, direction in sort:
        order = "ASC" if direction == 1 else "DESC"
        if name not in implied.fixed_bucket:
            parts.append(f"{bucket_sql(name)} {order}")
        if name not in implied.fixed_value:
            parts.append(f"{value_sql(name)} {order}")
    return " ORDER BY " + ", ".join(parts) if parts else ""


class _ImpliedSelect:
    """The translate and build-statement callbacks of one `_build_select_sql` call, sharing what was implied."""

    def __init__(self, engine: SQLiteEngine) -> None:
        self.engine = engine
        self.implied: Implied | None = None

    def translate(self, db_name: str, coll_name: str, plan: Any) -> tuple[str, list[object]]:
        """The engine's WHERE clause, preceded by the implied predicates that hold."""
        where_sql, where_params = self.engine._translate_query_plan_with_multikey(db_name, coll_name, plan)
        implied = implied_predicates(self.engine, db_name, coll_name, plan, where_sql, where_params)
        if not implied.clauses:
            return where_sql, where_params
        self.implied = implied
        return " AND ".join(implied.clauses) + f" AND ({where_sql})", [*implied.params, *where_params]

    def build_statement(
        self,
        *,
        select_clause: str,
        from_clause: str,
        namespace_sql: str,
        namespace_params: tuple[object, ...],
        where_fragment: tuple[str, list[object]],
        sort: Any = None,
        skip: int = 0,
        limit: int | None = None,
    ) -> SQLSelectStatement:
        """`BaseSQLTranslator.build_select_statement`, with the constant ORDER BY terms removed."""
        if self.implied is None or not sort:
            statement: SQLSelectStatement = self.engine._sql_translator.build_select_statement(
                select_clause=select_clause,
                from_clause=from_clause,
                namespace_sql=namespace_sql,
                namespace_params=namespace_params,
                where_fragment=where_fragment,
                sort=sort,
                skip=skip,
                limit=limit,
            )
            return statement
        where_sql, where_params = where_fragment
        # The engine's own clauses and expressions; every value is a bound parameter.
        sql = f"SELECT {select_clause} FROM {from_clause} WHERE {namespace_sql} AND ({where_sql})"  # noqa: S608
        sql += order_by_sql(sort, self.implied)
        params: list[object] = [*namespace_params, *where_params]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        elif skip:
            sql += " LIMIT -1"
        if skip:
            sql += " OFFSET ?"
            params.append(skip)
        return SQLSelectStatement(sql=sql, params=tuple(params))


def _build_select_sql(
    self: SQLiteEngine,
    db_name: str,
    coll_name: str,
    plan: Any,
    *,
    select_clause: str,
    sort: Any = None,
    skip: int = 0,
    limit: int | None = None,
    hint: Any = None,
    dialect: Any = MONGODB_DIALECT_70,
) -> tuple[str, list[object]]:
    """The engine's `_build_select_sql`, with the implied predicates and trimmed ORDER BY when unhinted."""
    translate: Any = self._translate_query_plan_with_multikey
    build_statement: Any = self._sql_translator.build_select_statement
    if hint is None:
        implied_select = _ImpliedSelect(self)
        translate, build_statement = implied_select.translate, implied_select.build_statement
    return build_select_sql(
        db_name=db_name,
        coll_name=coll_name,
        plan=plan,
        select_clause=select_clause,
        sort=sort,
        skip=skip,
        limit=limit,
        hint=hint,
        build_scalar_sort_select_sql_fn=self._build_scalar_sort_select_sql,
        resolve_hint_index=lambda current_db_name, current_coll_name, current_hint: self._resolve_hint_index(
            current_db_name, current_coll_name, current_hint, plan=plan, dialect=dialect
        ),
        translate_query_plan_with_multikey=translate,
        build_select_statement=build_statement,
        quote_identifier=self._quote_identifier,
    )


def _build_scalar_sort_select_sql(
    self: SQLiteEngine,
    db_name: str,
    coll_name: str,
    plan: Any,
    *,
    select_clause: str,
    sort: Any,
    skip: int,
    limit: int | None,
    hint: Any,
) -> tuple[str, list[object]] | None:
    """None (the generic ORDER BY) for an unhinted single-field sort on a field of an accelerator."""
    if hint is None and sort and len(sort) == 1:
        name, direction = sort[0]
        if (
            direction in (1, -1)
            and self._find_scalar_sort_index(db_name, coll_name, name) is None
            and any(name in (field for field, _ in key) for key in declared_keys(self, db_name, coll_name))
        ):
            return None
    result: tuple[str, list[object]] | None = original("_build_scalar_sort_select_sql")(
        self,
        db_name,
        coll_name,
        plan,
        select_clause=select_clause,
        sort=sort,
        skip=skip,
        limit=limit,
        hint=hint,
    )
    return result


def install() -> None:
    """Replace `_build_select_sql` and `_build_scalar_sort_select_sql`."""
    replace_method("_build_select_sql", _build_select_sql)
    replace_method("_build_scalar_sort_select_sql", _build_scalar_sort_select_sql)
