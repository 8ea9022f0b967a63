"""`python -m tests.embedded.stock_server SQLITE_PATH`: the embedded database child without the mongoeco patches.

The same `embedded` child, with `apply()` made a no-op, so that tests can compare the patched
server with stock mongoeco over the same wire protocol.
"""

from unittest import mock

from embedded import server as embedded_server


def main() -> None:
    """Run the embedded database child with the patches left out."""
    with mock.patch("embedded.patches.apply"):
        embedded_server.main()


if __name__ == "__main__":
    main()
