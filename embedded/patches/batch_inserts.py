"""Insert commands: every document of a wire `insert` in one SQLite transaction and one thread hop.

The `insert` command calls `insert_one` once per document, and each runs `_insert_document_sync` in a
worker thread and commits its own SQLite transaction. Here the command first runs, in one job, the stock
`_insert_document_sync` of each document that `insert_one` would pass to the engine, inside one outer
write. mongoeco's own write scopes nest as SAVEPOINTs in an open transaction, so a document that fails
leaves no rows and the next goes on, as before. The job stops where the command's loop stops: at the first
failure of an ordered insert, and at an error that the loop does not catch.

Then the stock command runs unchanged. Each `insert_one` gets, from `SQLiteEngine.insert_document`, the
outcome or the exception that the job recorded for its document, so results, writeErrors, profiling and
change dispatch are exactly stock. Only while nothing publishes change events (always, over the wire), outside
transactions, and for a collection of a `SQLiteEngine`; the stock command runs otherwise.
"""

import contextvars
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from mongoeco.api._async._database_admin_write_commands import DatabaseAdminWriteCommandService
from mongoeco.api._async._write_command_validation import write_command_acknowledged
from mongoeco.api._command_bson import command_boolean
from mongoeco.core.bson_scalars import validate_bson_value
from mongoeco.core.codec import DocumentCodec
from mongoeco.core.identity import assert_valid_root_document_id
from mongoeco.core.operation_context import ChangePublicationPolicy
from mongoeco.engines._sqlite_write_scope import sqlite_write_scope
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.errors import OperationFailure, WriteError
from mongoeco.types import ObjectId  # type: ignore[attr-defined]  # re-exported without `as`

from embedded.patches.batch_scope import batched
from embedded.patches.common import encoded_as, original, replace_method

# What the command's loop catches: it records these and goes on (unordered), anything else propagates.
RECORDED = (WriteError, OperationFailure, TypeError, ValueError)

type Result = Any  # an InsertOutcome, or the exception that inserting the document raised


@dataclass(slots=True)
class _Prepared:
    """The results of one command's documents, in the order `insert_one` reaches the engine with them."""

    engine: SQLiteEngine
    namespace: tuple[str, str]
    results: deque[tuple[dict[str, Any], Result]] = field(default_factory=deque)


_prepared: contextvars.ContextVar[_Prepared | None] = contextvars.ContextVar("mongoeco_perf_insert", default=None)


def _engine_document(collection: Any, document: object, session: Any) -> tuple[dict[str, Any], object]:
    """What `AsyncCollection.insert_one` passes to the engine for `document` (it may set its `_id`), or raise;
    and its encoding, which `DocumentCodec.to_internal` makes on the way (None if it made none).

    This is `to_internal`'s own body, keeping the encoding: encoding the internal document again gives the
    same value (`tests/embedded/test_change_effects.py` checks it for every tagged type), so the engine
    serialises the document from it instead of encoding it a second time. Stock deep-copies the document
    before converting it; the conversion builds new containers and keeps only immutable values, so it
    shares nothing with the document either way, and the copy is skipped (an internal document's copy is
    itself anyway).
    """
    collection._ensure_session_active(session)
    public = collection._require_document(document)
    if "_id" not in public:
        public["_id"] = DocumentCodec.to_pymongo(ObjectId())
    assert_valid_root_document_id(public["_id"])
    if DocumentCodec.is_internal(public):
        return public, None
    encoded = encode_document(public)
    internal: dict[str, Any] = DocumentCodec.mark_internal(DocumentCodec.decode(encoded, preserve_bson_wrappers=True))
    return internal, encoded


def encode_document(document: object) -> Any:
    """`DocumentCodec.encode(document)`, validating a plain document once instead of once per level.

    Stock validates a dict's whole subtree, then encodes each value, validating each nested dict's subtree and
    each scalar again: the first check raises whatever a later one would. Values of the plain JSON types are
    their own encoding and plain containers are rebuilt as stock rebuilds them; any other value goes to stock.
    """
    if type(document) is not dict:
        return DocumentCodec.encode(document)
    validate_bson_value(document)
    return _encode_validated(document)


def _encode_validated(value: object) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is dict:
        encoded = {key: _encode_validated(item) for key, item in value.items()}  # type: ignore[attr-defined]
        return DocumentCodec._tagged_value("dict", encoded) if DocumentCodec._is_tagged_value(encoded) else encoded
    if kind is list:
        return [_encode_validated(item) for item in value]  # type: ignore[attr-defined]
    return DocumentCodec.encode(value)


def _insert_all_sync(
    engine: SQLiteEngine,
    namespace: tuple[str, str],
    work: list[tuple[dict[str, Any], Any, object]],
    *,
    ordered: bool,
    bypass_document_validation: bool,
    session: Any,
) -> list[Result]:
    """`_insert_document_sync` of each document in one transaction, until the command's loop would stop."""
    results: list[Result] = []
    with engine._lock:
        conn = engine._require_connection(session)
        with (
            engine._bind_connection(conn),
            sqlite_write_scope(
                conn,
                begin_write=lambda current: engine._begin_write(current, session),
                commit_write=lambda current: engine._commit_write(current, session),
                rollback_write=lambda current: engine._rollback_write(current, session),
            ),
            batched(engine, conn),  # once per transaction: the catalog check and reads, the outbox's pruning
        ):
            for document, operation_context, encoded in work:
                try:
                    with encoded_as(document, encoded):
                        outcome = engine._insert_document_sync(
                            *namespace,
                            document,
                            False,  # overwrite: insert_one never overwrites
                            session,
                            bypass_document_validation=bypass_document_validation,
                            operation_context=operation_context,
                        )
                except Exception as error:  # recorded, raised again where insert_one meets it
                    results.append(error)
                    if ordered or not isinstance(error, RECORDED):
                        break
                    continue
                results.append(outcome)
                if ordered and not outcome:
                    break
    return results


def _parse(service: DatabaseAdminWriteCommandService, spec: dict[str, object]) -> tuple[Any, list[Any], bool, bool]:
    """The stock command's parsing, in its order: the collection, its documents, `ordered` and the bypass flag."""
    admin = service._admin
    collection_name = admin._require_collection_name(spec.get("insert"), "insert")
    documents = admin._normalize_insert_documents(spec.get("documents"))
    ordered = admin._normalize_ordered_from_command(spec.get("ordered"))
    boolean: Any = command_boolean  # untyped in mongoeco
    bypass = boolean(spec.get("bypassDocumentValidation", False), "bypassDocumentValidation", numeric=True)
    write_command_acknowledged(spec, dialect=admin._mongodb_dialect.key)
    return admin._database.get_collection(collection_name), documents, ordered, bypass


async def _prepare(
    service: DatabaseAdminWriteCommandService, spec: dict[str, object], session: Any
) -> _Prepared | None:
    """Insert the command's documents in one job, or None where the stock command must run alone."""
    try:
        collection, documents, ordered, bypass = _parse(service, spec)
    except Exception:  # malformed: the stock command raises it before any insert
        return None
    engine = collection._engine
    if (
        not isinstance(engine, SQLiteEngine)
        or (session is not None and session.in_transaction)
        or collection._should_publish_change_events(session=session)
    ):
        return None
    work: list[tuple[dict[str, Any], Any, object]] = []
    for position, document in enumerate(documents):
        try:
            internal, encoded = _engine_document(collection, document, session)
        except Exception as error:  # insert_one raises it again, before the engine
            if ordered or not isinstance(error, RECORDED):
                break
            continue
        # The command's own list: its `insert_one` gets the internal document, whose deepcopy is itself and
        # which `to_internal` returns as it is, instead of converting the document a second time.
        documents[position] = internal
        context = collection._new_operation_context(
            session=session, change_operation_type="insert", publication=ChangePublicationPolicy.RECORD_GAP
        )
        work.append((internal, context, encoded))
    namespace = (collection._db_name, collection._collection_name)
    prepared = _Prepared(engine, namespace)
    if work:
        run_blocking: Any = engine._run_blocking  # untyped in mongoeco
        results = await run_blocking(
            _insert_all_sync,
            engine,
            namespace,
            work,
            ordered=ordered,
            bypass_document_validation=bypass,
            session=session,
        )
        prepared.results.extend((document, result) for (document, *_), result in zip(work, results, strict=False))
    return prepared


async def run_batched(
    service: DatabaseAdminWriteCommandService,
    spec: dict[str, object],
    session: Any,
    command: Callable[[], Awaitable[object]],
) -> object:
    """Run the stock `command`, its documents inserted beforehand in one transaction when that is exact."""
    prepared = await _prepare(service, spec, session)
    if prepared is None:
        return await command()
    token = _prepared.set(prepared)
    try:
        reply = await command()
    finally:
        _prepared.reset(token)
    if prepared.results:
        raise RuntimeError("an insert command left documents it had inserted unreported")
    return reply


def take_prepared(
    engine: SQLiteEngine, db_name: str, coll_name: str, document: dict[str, Any], overwrite: bool
) -> tuple[bool, Any]:
    """(True, the outcome) recorded for `document` by the running command, or raise its error; else (False, None)."""
    prepared = _prepared.get()
    if prepared is None or prepared.engine is not engine or prepared.namespace != (db_name, coll_name) or overwrite:
        return False, None
    if not prepared.results or (prepared.results[0][0] is not document and prepared.results[0][0] != document):
        raise RuntimeError("an insert command reached the engine with a document it had not prepared")
    _, result = prepared.results.popleft()
    if isinstance(result, BaseException):
        raise result
    return True, result


async def _command_insert(
    self: DatabaseAdminWriteCommandService, spec: dict[str, object], *, session: Any = None
) -> object:
    """`DatabaseAdminWriteCommandService.command_insert`, batched."""
    command = original("command_insert", DatabaseAdminWriteCommandService)
    return await run_batched(self, spec, session, lambda: command(self, spec, session=session))


async def _insert_document(
    self: SQLiteEngine,
    db_name: str,
    coll_name: str,
    document: dict[str, Any],
    overwrite: bool = True,
    **kwargs: Any,
) -> Any:
    """`SQLiteEngine.insert_document`, answered from the command's transaction when that inserted `document`."""
    served, outcome = take_prepared(self, db_name, coll_name, document, overwrite)
    if not served:
        return await original("insert_document")(self, db_name, coll_name, document, overwrite, **kwargs)
    on_commit = kwargs.get("on_commit")
    if outcome and on_commit is not None:
        on_commit(outcome)
    return outcome


def install() -> None:
    """Batch the `insert` command; answer its engine inserts from the batch."""
    replace_method("command_insert", _command_insert, DatabaseAdminWriteCommandService)
    replace_method("insert_document", _insert_document)
