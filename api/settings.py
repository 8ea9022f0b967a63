"""The one settings object, read from the environment (pydantic-settings)."""

import ipaddress
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from embedded import FILE_NAME

LogLevel = Literal["critical", "error", "warning", "info", "debug"]
MiB = 1024 * 1024


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address (or `localhost`): reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    # Data migrations (README: "Migrations"): apply pending ones at start instead of refusing to start.
    migrate_on_start: bool = False

    # Sync and history (README: "Sync and history"): ISO 8601 durations (P30D) or seconds.
    sync_token_ttl: timedelta = Field(default=timedelta(days=30), gt=timedelta(0), description="Sync tokens expire.")
    trash_retention: timedelta = Field(default=timedelta(days=30), gt=timedelta(0), description="Then purged.")
    history_retention: timedelta = Field(default=timedelta(days=365), gt=timedelta(0))
    maintenance_interval: float = Field(default=300.0, gt=0, le=86_400, description="Purges run this often (s).")

    # Webhooks (README: "Webhooks").
    webhook_allow_private: bool = Field(
        default=False, description="Allow webhook URLs on private, loopback and link-local addresses."
    )
    webhook_interval: float = Field(default=0.5, gt=0, le=60, description="How often a worker looks for events (s).")
    webhook_timeout: float = Field(default=10.0, gt=0, le=60, description="Deadline of one delivery attempt (s).")
    webhook_backoff: float = Field(default=5.0, gt=0, le=3600, description="First retry delay (s); doubles, jittered.")
    webhook_retry_for: timedelta = Field(
        default=timedelta(days=1),
        gt=timedelta(0),
        description="Then a delivery fails and its subscription is disabled.",
    )

    # Operations (README: "Operating").
    db_timeout: float = Field(default=1.0, gt=0, le=60, description="Deadline of any one database operation (s).")
    shutdown_timeout: float = Field(default=10.0, ge=0, le=300, description="How long SIGTERM lets requests finish.")
    log_format: Literal["json", "text"] = "json"

    # Authentication (README: "Keys and modes").
    auth_required: bool = False
    rate_limit: str = Field(default="1200/minute", pattern=r"^\d+\s*/\s*\d*\s*(second|minute|hour|day)s?$")
    max_concurrent_per_key: int = Field(default=16, ge=1, le=10_000)
    key_cache_seconds: float = Field(
        default=5.0, ge=0, le=300, description="How long a worker trusts a key record it read (revocation delay)."
    )
    cors_allow_origins: Annotated[tuple[str, ...], NoDecode] = ()

    # Limits on any one request and on the server (README: "Limits").
    max_body_bytes: int = Field(default=MiB, ge=1024, le=64 * MiB)
    max_header_bytes: int = Field(default=32 * 1024, ge=1024, le=MiB)
    max_headers: int = Field(default=100, ge=10, le=1000)
    header_timeout: float = Field(default=10.0, gt=0, le=300)
    body_timeout: float = Field(default=10.0, gt=0, le=3600)
    import_max_bytes: int = Field(default=50 * MiB, ge=1024, le=1024 * MiB)
    import_body_timeout: float = Field(default=300.0, gt=0, le=3600)
    keep_alive_timeout: int = Field(default=5, ge=1, le=300)
    max_connections: int = Field(default=4096, ge=1, le=1_000_000)
    max_requests_in_flight: int = Field(default=256, ge=1, le=100_000)

    @model_validator(mode="before")
    @classmethod
    def _split_origins(cls, values: dict[str, object]) -> dict[str, object]:
        origins = values.get("cors_allow_origins") if isinstance(values, dict) else None
        if isinstance(origins, str):
            values["cors_allow_origins"] = tuple(origin.strip() for origin in origins.split(",") if origin.strip())
        return values

    @model_validator(mode="after")
    def _open_only_on_loopback(self) -> Self:
        if not self.auth_required and not is_loopback(self.host):
            raise ValueError(
                f"AUTH_REQUIRED=false serves every caller as one tenant with no key, so it listens only on a "
                f"loopback address; HOST={self.host} is not one. Set AUTH_REQUIRED=true (and create keys with "
                f"`python -m api keys create`), or listen on 127.0.0.1."
            )
        return self

    @property
    def sync_settle(self) -> timedelta:
        """How old a change must be before the feed steps over a gap before it (api/changes/service.py).

        A write takes its change number before it is made and gives up after DB_TIMEOUT; twice that covers
        the write and the clocks of the workers that made and read it.
        """
        return timedelta(seconds=2 * self.db_timeout)

    @property
    def embedded_db_path(self) -> Path:
        """Where the embedded database keeps its SQLite file."""
        return self.data_dir / FILE_NAME


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
