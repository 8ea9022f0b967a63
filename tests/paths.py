"""Where things are, for tests that read the repository's files or run its commands."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
