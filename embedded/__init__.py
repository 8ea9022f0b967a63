"""The embedded database: a mongoeco MongoDB-wire server over a SQLite file, run as a child process.

With no MONGODB_URL the service starts it and reaches it through the same driver as MongoDB.
`supervisor` starts and stops the child, `server` is the child itself (`python -m embedded PATH`),
and `patches` is the pinned performance patch of mongoeco that the child applies.
"""

from embedded.supervisor import EmbeddedDatabase, EmbeddedDatabaseError

FILE_NAME = "contacts.sqlite3"

__all__ = ["FILE_NAME", "EmbeddedDatabase", "EmbeddedDatabaseError"]
