"""Progress lines on stdout, stamped with the seconds since the harness started."""

import time

_STARTED = time.monotonic()


def say(message: str) -> None:
    """Print one progress line at once (make and CI show it as it happens)."""
    print(f"bench [{time.monotonic() - _STARTED:6.1f} s] {message}", flush=True)
