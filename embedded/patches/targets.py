"""Write targets: update_one/delete_one/find_one_and_* with `{"_id": <str>, ...equalities}` read one row.

`_select_first_document_for_plan` compiles a full read plan to pick the document a write applies to.
After any write, that also repeats the full-collection feature probes for every filter field, including
fields such as `version` that lead no index. When the filter is a conjunction of scalar equalities that
includes `_id == <str>`, the only document that can match is the one whose stored `_id` is that text.
It is fetched through the `_id` accelerator, and the whole filter is tested with mongoeco's reference
matcher, `QueryEngine.match_plan`. Every other filter goes through the original.
"""

from typing import Any

from mongoeco.core.filtering import QueryEngine
from mongoeco.core.query_plan import AndCondition, EqualsCondition
from mongoeco.engines._sqlite_connection import sqlite_read_scope
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.engines.sqlite_query import _is_translatable_equality_value

from embedded.patches.common import ID_CANDIDATES_SQL, STRING_BUCKET, original, replace_method


def _string_id_of_equalities(plan: Any) -> str | None:
    """The `str` `_id` of a conjunction of translatable scalar equalities, else None."""
    if not isinstance(plan, AndCondition) or not plan.clauses:
        return None
    if not all(
        isinstance(clause, EqualsCondition)
        and isinstance(clause.field, str)
        and _is_translatable_equality_value(clause.value)
        for clause in plan.clauses
    ):
        return None
    for clause in plan.clauses:
        if isinstance(clause, EqualsCondition) and clause.field == "_id" and type(clause.value) is str:
            return clause.value
    return None


def _select_first_document_for_plan(
    self: SQLiteEngine,
    db_name: str,
    coll_name: str,
    plan: Any,
    *,
    hint: Any = None,
    context: Any = None,
) -> tuple[str, dict[str, Any]] | None:
    """The one candidate for a string `_id`, checked by the reference matcher; else the original."""
    document_id = _string_id_of_equalities(plan) if hint is None else None
    if document_id is None:
        selected: tuple[str, dict[str, Any]] | None = original("_select_first_document_for_plan")(
            self, db_name, coll_name, plan, hint=hint, context=context
        )
        return selected
    conn = self._require_connection(context)
    with self._bind_connection(conn), sqlite_read_scope(conn):
        rows = conn.execute(ID_CANDIDATES_SQL, (db_name, coll_name, STRING_BUCKET, document_id)).fetchall()
    for storage_key, payload in rows:
        document = self._deserialize_document(payload)
        if QueryEngine.match_plan(document, plan):
            return storage_key, document
    return None


def install() -> None:
    """Replace `_select_first_document_for_plan`."""
    replace_method("_select_first_document_for_plan", _select_first_document_for_plan)
