"""The embedded database with its SQL traced to a file (`tests.embedded.traced_server`), for the plan audits."""

import sys
from pathlib import Path

from embedded import EmbeddedDatabase


class TracedDatabase(EmbeddedDatabase):
    """`EmbeddedDatabase` whose child (`tests.embedded.traced_server`) appends its SQL to `trace`."""

    def __init__(self, path: Path, trace: Path) -> None:
        super().__init__(path)
        self.trace = trace
        trace.touch()

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tests.embedded.traced_server", str(self.path), str(self.trace)]
