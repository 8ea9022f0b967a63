"""Each tenant's change counter: the last number given to a change, and how far its feed has been purged."""

from beanie import Document


class ChangeCounter(Document):
    """`id` is the tenant. Sync tokens before `purged_through` may have missed a purged deletion: they expired."""

    id: str  # type: ignore[assignment]
    seq: int = 0
    purged_through: int = 0

    class Settings:
        name = "change_counters"
