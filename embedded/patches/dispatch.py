"""Change dispatch: deferred while nothing watches, instead of run after every write.

After every write outside a transaction, mongoeco dispatches the committed change from the SQLite outbox to
the client's change-stream hub: it takes a consumer lease, starts and joins a heartbeat thread, reads the
outbox, checkpoints the consumer after each change, compacts the outbox and releases the lease: four more
SQLite transactions and a thread per write, about a third of an insert's wall time. With no change stream
open (and no journal), the hub publishes nothing (`should_publish_events()` is false), so delivering now or
later is the same to every reader.

So, while the hub publishes nothing, writes only count: the outbox is dispatched (delivered, checkpointed and
compacted, exactly as before) once FLUSH_EVERY writes have accumulated or FLUSH_SECONDS have passed since the
first of them, whichever comes first, which bounds the outbox. Opening a change stream first delivers what
is pending, so a new stream starts after every earlier change, as before. Nothing changes in a transaction,
or whenever a watcher or a journal makes the hub publish.
"""

import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mongoeco._change_streams.hub import ChangeStreamHub
from mongoeco.api._async._collection_runtime import CollectionRuntimeCoordinator

from embedded.patches.common import original, replace_method

FLUSH_EVERY = 256
FLUSH_SECONDS = 1.0


@dataclass(slots=True)
class _Pending:
    """Writes whose changes wait in the outbox, since when, and how to dispatch them."""

    writes: int = 0
    since: float = field(default_factory=time.monotonic)
    dispatch: Callable[[], None] | None = None


_pending: "weakref.WeakKeyDictionary[ChangeStreamHub, _Pending]" = weakref.WeakKeyDictionary()


def flush(hub: ChangeStreamHub) -> None:
    """Dispatch what is waiting for `hub`, now."""
    pending = _pending.get(hub)
    if pending is None or not pending.writes or pending.dispatch is None:
        return
    dispatch, pending.dispatch = pending.dispatch, None
    pending.writes = 0
    dispatch()


def _in_transaction(operation_context: Any) -> bool:
    session = getattr(operation_context, "session", None)
    return session is not None and bool(session.in_transaction)


def _dispatch_engine_changes(self: CollectionRuntimeCoordinator, operation_context: Any = None) -> None:
    """`CollectionRuntimeCoordinator._dispatch_engine_changes`, deferred while the hub publishes nothing."""
    dispatch = original("_dispatch_engine_changes", CollectionRuntimeCoordinator)
    hub = self._collection._change_hub
    if hub is None or _in_transaction(operation_context) or hub.should_publish_events():
        dispatch(self, operation_context)
        return
    pending = _pending.get(hub)
    if pending is None or not pending.writes:
        pending = _pending[hub] = _Pending()
    pending.writes += 1
    pending.dispatch = lambda: dispatch(self)  # any collection's dispatch delivers the client's whole outbox
    if pending.writes >= FLUSH_EVERY or time.monotonic() - pending.since >= FLUSH_SECONDS:
        flush(hub)


def _register_watcher(self: ChangeStreamHub) -> None:
    """`ChangeStreamHub.register_watcher`, after delivering what is pending: a new stream starts after it."""
    flush(self)
    original("register_watcher", ChangeStreamHub)(self)


def install() -> None:
    """Defer the per-write dispatch; flush before a watcher registers."""
    replace_method("_dispatch_engine_changes", _dispatch_engine_changes, CollectionRuntimeCoordinator)
    replace_method("register_watcher", _register_watcher, ChangeStreamHub)
