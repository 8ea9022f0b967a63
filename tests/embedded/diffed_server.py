"""`python -m tests.embedded.diffed_server SITE SQLITE_PATH`: the embedded database child on mongoeco as patched by
the upstream diff (embedded/patches/mongoeco-4.11.0-perf.diff) in the folder SITE, with the monkeypatch left out.

The tests that run against the monkeypatched server run against this one too, so the diff offered upstream and
the patch the service runs cannot drift apart unnoticed.
"""

import sys
from unittest import mock


def main() -> None:
    """Run the embedded database child on the diffed copy of mongoeco."""
    sys.path.insert(0, sys.argv.pop(1))
    import mongoeco

    assert mongoeco.__file__ is not None
    assert mongoeco.__file__.startswith(sys.path[0]), mongoeco.__file__
    with mock.patch("embedded.patches.apply"):
        from embedded import server

        server.main()


if __name__ == "__main__":
    main()
