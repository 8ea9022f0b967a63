"""`python -m tests.embedded.change_probe stock|patched|diffed SQLITE_PATH [SITE]`: change streams in process.

Change streams exist only inside the mongoeco process (the wire server rejects `$changeStream`), so the
deferred change dispatch is checked here, on mongoeco's own client over one SQLite file: stock, with the
monkeypatch applied, or on the copy of mongoeco in SITE that the upstream diff patched. Prints one JSON line:
what a change stream opened after ten writes sees (and the documents it was told were inserted), and the
outbox size at two moments.
"""

import asyncio
import datetime
import json
import sqlite3
import sys
from typing import Any

WRITES_BEFORE_THE_STREAM = 10
WRITES_WITHOUT_A_STREAM = 600
# What the inserts seen by the stream hold besides their `_id`: their change records carry them (change_effects).
INSERTED = {
    "name": 'Zoë "Q" \\ \n',
    "at": datetime.datetime(2026, 12, 3, 10, 11, 12, 997000),
    "tags": ["a", {"b": [None, True, -0.0, 1.5, 2**40]}],
}


def outbox_size(path: str) -> int:
    """Changes still waiting in the SQLite outbox (read-only, on a second connection)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        size: int = connection.execute("SELECT COUNT(*) FROM change_outbox").fetchone()[0]
    return size


async def probe(path: str) -> dict[str, Any]:
    """Writes before, during and after one change stream; what the stream saw and what the outbox held."""
    import mongoeco
    from mongoeco.engines.sqlite import SQLiteEngine

    async with mongoeco.AsyncMongoClient(engine=SQLiteEngine(path=path)) as client:
        contacts = client.probe.contacts
        for number in range(WRITES_BEFORE_THE_STREAM):
            await contacts.insert_one({"_id": number})
        stream = contacts.watch()
        for number in range(100, 103):
            await contacts.insert_one({"_id": number} | INSERTED)
        await contacts.update_one({"_id": 101}, {"$set": {"changed": True}})
        await contacts.delete_one({"_id": 3})
        seen, inserted = [], []
        for _ in range(5):
            change = await stream.next()
            seen.append([change["operationType"], change["documentKey"]["_id"]])
            if change["operationType"] == "insert":
                inserted.append(repr(change["fullDocument"]))
        stream.close()
        for number in range(1000, 1005):
            await contacts.insert_one({"_id": number})
        after_a_few = outbox_size(path)
        for number in range(2000, 2000 + WRITES_WITHOUT_A_STREAM):
            await contacts.insert_one({"_id": number})
        return {
            "mongoeco": mongoeco.__file__,
            "seen": seen,
            "inserted": inserted,
            "outbox_after_5_writes": after_a_few,
            "outbox_after_600_writes": outbox_size(path),
            "documents": await contacts.count_documents({}),
        }


def main() -> None:
    """Set up mongoeco as MODE says, then print the probe's JSON line."""
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "diffed":
        sys.path.insert(0, sys.argv[3])
    elif mode == "patched":
        from embedded import patches

        patches.apply()
    print(json.dumps(asyncio.run(probe(path))))


if __name__ == "__main__":
    main()
