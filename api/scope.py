"""The one place that scopes queries: every read and write of tenant data goes through a Scope."""

from dataclasses import dataclass
from typing import Any

DEFAULT_TENANT = "default"


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose data a request may see and change."""

    tenant: str

    def where(self, **conditions: Any) -> dict[str, Any]:
        """A query filter (or a new document) limited to this scope; a `tenant` among `conditions` is overridden."""
        return {**conditions, "tenant": self.tenant}
