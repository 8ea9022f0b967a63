"""Beanie documents and their value types: what is stored, and the rules of its fields."""

from models.api_key import ApiKey
from models.contact import Contact
from models.idempotency import IdempotencyRecord
from models.rate_limit import RateLimitCounter

DOCUMENT_MODELS = [Contact, IdempotencyRecord, ApiKey, RateLimitCounter]
