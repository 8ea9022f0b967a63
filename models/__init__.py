"""Beanie documents and their value types: what is stored, and the rules of its fields."""

from models.contact import Contact
from models.idempotency import IdempotencyRecord

DOCUMENT_MODELS = [Contact, IdempotencyRecord]
