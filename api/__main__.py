"""`python -m api`: serve the API with the settings from the environment."""

import os
from pathlib import Path

from models.embedded_server import DEFAULT_DATA_DIR, FILE_NAME, EmbeddedDatabase


def launch_early() -> EmbeddedDatabase | None:
    """Launch the embedded database now, if the environment names no MONGODB_URL.

    Its child takes about 2 s to import mongoeco and start; this process takes about as long to import
    pydantic-settings and the app. Launched before either import, the two overlap. The settings still decide:
    `serve` stops this child if they name another database.
    """
    if os.environ.get("MONGODB_URL"):
        return None
    early = EmbeddedDatabase(Path(os.environ.get("DATA_DIR") or DEFAULT_DATA_DIR) / FILE_NAME)
    early.launch()
    return early


if __name__ == "__main__":
    early = launch_early()
    try:
        from api.serve import serve
        from api.settings import Settings

        settings = Settings()
    except BaseException:
        if early is not None:
            early.stop()
        raise
    serve(settings, early)
