"""Log lines: one JSON object per line (or plain text), for the service and uvicorn alike."""

import json
import logging
import logging.config
from collections.abc import Iterator

import pytest

from api.observability.logs import log_config
from api.settings import Settings


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """Put the logging configuration back as pytest had it (the tests replace the root's handlers)."""
    loggers = [logging.getLogger(name) for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access")]
    saved = [(logger, list(logger.handlers), logger.level, logger.propagate) for logger in loggers]
    yield
    for logger, handlers, level, propagate in saved:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def test_json_lines_carry_time_level_logger_message_and_extra_fields(capsys: pytest.CaptureFixture[str]) -> None:
    logging.config.dictConfig(log_config(Settings(log_format="json")))
    logging.getLogger("api.access").info("GET /healthz 200", extra={"route": "/healthz", "status": 200})
    logging.getLogger("uvicorn.error").warning("from uvicorn")

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] | {"time": "t"} == {
        "time": "t", "level": "INFO", "logger": "api.access", "message": "GET /healthz 200", "route": "/healthz",
        "status": 200,
    }  # fmt: skip
    assert (lines[1]["logger"], lines[1]["message"]) == ("uvicorn.error", "from uvicorn")


def test_text_lines_for_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    logging.config.dictConfig(log_config(Settings(log_format="text")))
    logging.getLogger("api.serve").info("serving")

    assert capsys.readouterr().out.rstrip().endswith("INFO api.serve: serving")
