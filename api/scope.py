"""The one place that scopes queries: every read and write of tenant data goes through a Scope."""

from dataclasses import dataclass
from typing import Any

DEFAULT_TENANT = "default"
# A deleted contact keeps its document (the trash, and the change feed's tombstone) under this partition of
# its tenant, so every query of live contacts leaves it out through its tenant alone, served by the same indexes.
# Tenant names never contain ':' (api/keys/service.py), so no tenant can name another's trash.
TRASH_SUFFIX = ":trash"
# A contact locked by a merge under way (api/merges/locks.py) moves to a partition named after the merge, for the
# same reason: no other write can match it, and the merge's own writes find it by its tenant and id alone.
MERGING_INFIX = ":merging:"


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose data a request may see and change, and who acts: the key's id (None without keys)."""

    tenant: str
    key_id: str | None = None

    def where(self, **conditions: Any) -> dict[str, Any]:
        """A query filter (or a new document) limited to this scope; a `tenant` among `conditions` is overridden."""
        return {**conditions, "tenant": self.tenant}

    def trash(self, **conditions: Any) -> dict[str, Any]:
        """A filter limited to this scope's deleted contacts (its trash)."""
        return {**conditions, "tenant": self.tenant + TRASH_SUFFIX}

    def merging(self, op: str, **conditions: Any) -> dict[str, Any]:
        """A filter limited to this scope's contacts locked by merge `op`."""
        return {**conditions, "tenant": self.merging_partition(op)}

    def merging_partition(self, op: str) -> str:
        """The tenant value of this scope's contacts locked by merge `op`."""
        return self.tenant + MERGING_INFIX + op

    def is_merging(self, tenant: str) -> bool:
        """Whether a stored `tenant` value is one of this scope's merge locks."""
        return tenant.startswith(self.tenant + MERGING_INFIX)

    def owned(self, **conditions: Any) -> dict[str, Any]:
        """A filter limited to this scope's contacts, live or deleted (the change feed, history, export)."""
        return {**conditions, "owner": self.tenant}
