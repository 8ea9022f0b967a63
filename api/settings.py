"""The one settings object, read from the environment (pydantic-settings)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from embedded import FILE_NAME

LogLevel = Literal["critical", "error", "warning", "info", "debug"]


class Settings(BaseSettings):
    """Service settings; every field maps to an upper-case environment variable."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    data_dir: Path = Path("data")
    mongodb_url: SecretStr | None = None
    mongodb_db: str = Field(default="contacts", pattern=r"^[A-Za-z0-9_-]{1,63}$")
    log_level: LogLevel = "info"
    cursor_secret: SecretStr | None = Field(
        default=None,
        description="HMAC key for pagination cursors; generated per run when unset.",
    )
    default_phone_region: str = Field(default="US", pattern=r"^[A-Za-z]{2}$")
    require_if_match: bool = False

    @property
    def embedded_db_path(self) -> Path:
        """Where the embedded database keeps its SQLite file."""
        return self.data_dir / FILE_NAME


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
