"""`python -m tests.embedded.traced_server SQLITE_PATH TRACE_PATH`: the embedded database child, logging its SQL.

The same `embedded` child (patched, as the API runs it), except that every SQLite connection
appends each statement it runs, with its bound values expanded, as one line of TRACE_PATH. A test can
truncate the file, make one request, and read back exactly the SQL that the request cost.
"""

import sqlite3
import sys
from typing import Any

from embedded import server as embedded_server


def main() -> None:
    """Run the embedded database child with every SQLite statement written to the trace file."""
    trace_path = sys.argv.pop(2)
    trace = open(trace_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (open for the process's life)
    connect = sqlite3.connect

    def traced_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = connect(*args, **kwargs)
        connection.set_trace_callback(lambda statement: trace.write(" ".join(statement.split()) + "\n"))
        return connection

    sqlite3.connect = traced_connect  # type: ignore[assignment]
    embedded_server.main()


if __name__ == "__main__":
    main()
