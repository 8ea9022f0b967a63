"""Logging: one JSON object per line on stdout (python-json-logger), for the service and uvicorn alike.

LOG_FORMAT=text gives plain lines for a terminal. Nothing logs bodies, keys or secrets; database URLs
are logged without their credentials (`api.serve.redact_url`).
"""

import logging.config
from typing import Any

from api.settings import Settings

JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


def log_config(settings: Settings) -> dict[str, Any]:
    """A `logging.config.dictConfig` for this process and uvicorn's workers."""
    formatter: dict[str, Any] = (
        {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": JSON_FIELDS, "rename_fields": RENAMED}
        if settings.log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    level = settings.log_level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "default"}
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # uvicorn's own loggers propagate to the root's handler instead of their own.
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": True},  # api.access logs requests
        },
    }


def configure_logging(settings: Settings) -> None:
    """Apply `log_config` to this process."""
    logging.config.dictConfig(log_config(settings))
